package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// User is a person who signs in to kefu.
type User struct {
	ID                 store.ID  `json:"id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Roles              []Role    `json:"roles"`
	OrgUnit            store.ID  `json:"org_unit"`
	OrgUnitName        string    `json:"org_unit_name"`
	Position           string    `json:"position"`
	Phone              string    `json:"phone"`
	Email              string    `json:"email"`
	Active             bool      `json:"active"`
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	orgPath      string
	passwordHash string
}

// Service manages users and sessions.
type Service struct {
	db         *store.DB
	org        *org.Service
	now        func() time.Time
	sessionTTL time.Duration
	limiter    *LoginLimiter
}

// Options build a Service.
type Options struct {
	DB         *store.DB
	Org        *org.Service
	Now        func() time.Time // defaults to time.Now
	SessionTTL time.Duration    // defaults to 12 hours
	Limiter    *LoginLimiter    // defaults to 5 failures per 15 minutes
}

// New returns the auth service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Limiter == nil {
		o.Limiter = NewLoginLimiter(5, 15*time.Minute, o.Now)
	}
	return &Service{db: o.DB, org: o.Org, now: o.Now, sessionTTL: o.SessionTTL, limiter: o.Limiter}
}

func usernameKey(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

const userColumns = `u.id, u.username, u.display_name, u.org_unit_id, o.name, o.path, u.position, u.phone,
	u.email, u.active, u.must_change_password, u.created_at, u.updated_at, u.password_hash`

const userFrom = ` FROM users u JOIN org_units o ON o.id = u.org_unit_id`

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var u User
	var created, updated int64
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrgUnit, &u.OrgUnitName, &u.orgPath, &u.Position,
		&u.Phone, &u.Email, &u.Active, &u.MustChangePassword, &created, &updated, &u.passwordHash)
	u.CreatedAt, u.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return u, err
}

// loadRoles fills the roles of the given users.
func loadRoles(ctx context.Context, c store.Conn, users []User) error {
	if len(users) == 0 {
		return nil
	}
	idx := make(map[store.ID]int, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		idx[u.ID] = i
		args[i] = u.ID
		users[i].Roles = []Role{}
	}
	rows, err := c.Query(ctx, "SELECT user_id, role FROM user_roles WHERE user_id IN ("+
		store.Placeholders(len(args))+") ORDER BY user_id, role", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id store.ID
		var r Role
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		users[idx[id]].Roles = append(users[idx[id]].Roles, r)
	}
	return rows.Err()
}

func getUser(ctx context.Context, c store.Conn, where string, arg any) (User, error) {
	u, err := scanUser(c.QueryRow(ctx, "SELECT "+userColumns+userFrom+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFound("user")
	} else if err != nil {
		return u, err
	}
	us := []User{u}
	err = loadRoles(ctx, c, us)
	return us[0], err
}

// Get returns a user inside the principal's scope; a user outside it is "not found".
func (s *Service) Get(ctx context.Context, p *Principal, id store.ID) (User, error) {
	u, err := getUser(ctx, s.db.Reader(), "u.id = ?", id)
	if err != nil {
		return u, err
	}
	if !p.Scope().Contains(u.orgPath) {
		return User{}, apperr.NotFound("user")
	}
	return u, nil
}

// ByUsername returns a user by name, whatever the scope (for the CLI and login).
func (s *Service) ByUsername(ctx context.Context, username string) (User, error) {
	return getUser(ctx, s.db.Reader(), "u.username_key = ?", usernameKey(username))
}

// Count returns the number of users.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.Reader().QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, err
}

// ListFilter selects users.
type ListFilter struct {
	Q       string   // substring of username or display name
	Role    Role     // holds this role
	OrgUnit store.ID // inside this unit's subtree
	Active  *bool
	After   store.ID // cursor: ids greater than this
	Limit   int
}

// List returns users inside the principal's scope in id order, and whether more follow.
func (s *Service) List(ctx context.Context, p *Principal, f ListFilter) ([]User, bool, error) {
	cond, args := p.Scope().SQL("u.org_unit_id")
	q := "SELECT " + userColumns + userFrom + " WHERE " + cond
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(strings.TrimSpace(f.Q))) + "%"
		q += ` AND (u.username_key LIKE ? ESCAPE '\' OR lower(u.display_name) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	if f.Role != "" {
		q += " AND u.id IN (SELECT user_id FROM user_roles WHERE role = ?)"
		args = append(args, f.Role)
	}
	if f.OrgUnit != 0 {
		unit, err := s.org.Get(ctx, f.OrgUnit)
		if apperr.Is(err, apperr.CodeNotFound) {
			return nil, false, apperr.Validation("org_unit", i18n.T("单位不存在", "org unit does not exist"))
		} else if err != nil {
			return nil, false, err
		}
		c, a := org.Scope{Path: unit.Path}.SQL("u.org_unit_id")
		q += " AND " + c
		args = append(args, a...)
	}
	if f.Active != nil {
		q += " AND u.active = ?"
		args = append(args, *f.Active)
	}
	if f.After != 0 {
		q += " AND u.id > ?"
		args = append(args, f.After)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += " ORDER BY u.id LIMIT ?"
	args = append(args, limit+1)
	c := s.db.Reader()
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, false, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, loadRoles(ctx, c, out)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
