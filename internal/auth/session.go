package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// SessionCookie is the name of the web session cookie; its value is the
// same token that API clients send as "Authorization: Bearer <token>".
const SessionCookie = "kefu_session"

var errBadCredentials = &apperr.Error{Status: http.StatusUnauthorized, Code: "invalid_credentials",
	Field: "password", Message: i18n.T("用户名或密码错误", "wrong username or password")}

// Login checks a username and password and opens a session. A wrong
// password and an unknown or disabled user give the same answer, in the
// same time. Too many failures answer 429.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (string, User, error) {
	if ok, wait := s.limiter.Allow(username, ip); !ok {
		return "", User{}, &apperr.Error{Status: http.StatusTooManyRequests, Code: apperr.CodeTooMany,
			Message: i18n.T("登录失败次数过多，请%d分钟后再试", "too many failed logins; try again in %d minutes",
				int(wait.Minutes())+1)}
	}
	var u User
	var err error
	if usernamePattern.MatchString(strings.TrimSpace(username)) {
		u, err = s.ByUsername(ctx, username)
	} else { // no such user can exist; do not send the text to the database
		err = apperr.NotFound("user")
	}
	hash := u.passwordHash
	if err != nil {
		if !apperr.Is(err, apperr.CodeNotFound) {
			return "", User{}, err
		}
		hash = dummyHash
	}
	ok, herr := CheckPassword(hash, password)
	if err != nil || herr != nil || !ok || !u.Active {
		s.limiter.Fail(username, ip)
		return "", User{}, errBadCredentials
	}
	s.limiter.Succeed(username)
	token, err := newToken()
	if err != nil {
		return "", User{}, err
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		id, err := tx.InsertID(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, hashToken(token), u.ID, store.Micros(now),
			store.Micros(now.Add(s.sessionTTL)), store.Clip(ip, 64), store.Clip(userAgent, 256))
		if err != nil {
			return err
		}
		ctx := audit.WithActor(ctx, audit.Actor{ID: u.ID, Name: u.Username})
		return audit.Record(ctx, tx, now, "auth.login", "session", id.String(), map[string]string{"ip": ip})
	})
	return token, u, err
}

// Principal resolves a session token to the signed-in user, or returns a 401 error.
func (s *Service) Principal(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, apperr.Unauthorized(i18n.T("请先登录", "sign in first"))
	}
	var p Principal
	var roleHolder User
	err := s.db.Reader().QueryRow(ctx, `SELECT s.id, u.id, u.username, u.display_name, u.org_unit_id, o.path,
		u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id JOIN org_units o ON o.id = u.org_unit_id
		WHERE s.token_hash = ? AND s.revoked_at = 0 AND s.expires_at > ? AND u.active = ?`,
		hashToken(token), store.Micros(s.now()), true).Scan(&p.SessionID, &p.UserID, &p.Username, &p.DisplayName,
		&p.OrgUnitID, &p.OrgPath, &p.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Unauthorized(i18n.T("登录已失效，请重新登录", "session expired; sign in again"))
	} else if err != nil {
		return nil, err
	}
	roleHolder.ID = p.UserID
	us := []User{roleHolder}
	if err := loadRoles(ctx, s.db.Reader(), us); err != nil {
		return nil, err
	}
	p.Roles = us[0].Roles
	return &p, nil
}

// Logout ends the principal's session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if _, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
			store.Micros(now), p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "auth.logout", "session", p.SessionID.String(), nil)
	})
}

// ChangePassword sets the principal's own password after checking the
// current one, and ends every other session of theirs.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	u, err := getUser(ctx, s.db.Reader(), "u.id = ?", p.UserID)
	if err != nil {
		return err
	}
	if ok, err := CheckPassword(u.passwordHash, current); err != nil || !ok {
		return apperr.Validation("current_password", i18n.T("当前密码不正确", "current password is wrong"))
	}
	if err := ValidatePassword("new_password", next); err != nil {
		return err
	}
	if current == next {
		return apperr.Validation("new_password", i18n.T("新密码不能与当前密码相同", "new password must differ from the current one"))
	}
	return s.setPassword(ctx, p.UserID, next, false, p.SessionID, "user.change_password")
}

// ResetPassword sets another user's password (administrators, users:write),
// ends all their sessions, and by default makes them change it at next login.
func (s *Service) ResetPassword(ctx context.Context, actor *Principal, id store.ID, password string, mustChange bool) error {
	if err := ValidatePassword("password", password); err != nil {
		return err
	}
	if actor != nil {
		if _, err := s.Get(ctx, actor, id); err != nil {
			return err
		}
	}
	return s.setPassword(ctx, id, password, mustChange, 0, "user.reset_password")
}

func (s *Service) setPassword(ctx context.Context, id store.ID, password string, mustChange bool, keepSession store.ID, action string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?,
			updated_at = ? WHERE id = ?`, hash, mustChange, store.Micros(now), store.Micros(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("user")
		}
		if err := revokeSessions(ctx, tx, id, keepSession, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, action, "user", id.String(), map[string]bool{"must_change_password": mustChange})
	})
}

func revokeSessions(ctx context.Context, tx store.Conn, userID, keep store.ID, now time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at = 0",
		store.Micros(now), userID, keep)
	return err
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
