package auth

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// CreateUserInput is a new user as API.md's POST /api/v1/users takes it.
type CreateUserInput struct {
	Username           string   `json:"username"`
	Password           string   `json:"password"`
	DisplayName        string   `json:"display_name"`
	Roles              []Role   `json:"roles"`
	OrgUnit            store.ID `json:"org_unit"`
	Position           string   `json:"position"`
	Phone              string   `json:"phone"`
	Email              string   `json:"email"`
	MustChangePassword bool     `json:"must_change_password"`
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$`)

// userAudit is what the audit log keeps of a user: never the password hash.
type userAudit struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []Role   `json:"roles"`
	OrgUnit     store.ID `json:"org_unit"`
	Position    string   `json:"position,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	Email       string   `json:"email,omitempty"`
	Active      bool     `json:"active"`
}

func (u User) audit() userAudit {
	return userAudit{u.Username, u.DisplayName, u.Roles, u.OrgUnit, u.Position, u.Phone, u.Email, u.Active}
}

// Create adds a user. The actor may place users only inside its own scope,
// and only an administrator may grant the admin role. A nil actor is the
// system (CLI and bootstrap).
func (s *Service) Create(ctx context.Context, actor *Principal, in CreateUserInput) (User, error) {
	return s.create(ctx, actor, in, "")
}

// CreateWithHash is Create for seeding many users with one password (the
// demo, the benchmark data generator): hash must be HashPassword's result
// for in.Password, computed once by the caller instead of once per user
// (argon2id costs tens of milliseconds by design). It is not checked here,
// as checking would cost the same again.
func (s *Service) CreateWithHash(ctx context.Context, actor *Principal, in CreateUserInput, hash string) (User, error) {
	if !strings.HasPrefix(hash, "$argon2id$") {
		return User{}, errors.New("auth: CreateWithHash needs an argon2id hash from HashPassword")
	}
	return s.create(ctx, actor, in, hash)
}

func (s *Service) create(ctx context.Context, actor *Principal, in CreateUserInput, hash string) (User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	switch {
	case in.Username == "":
		return User{}, apperr.Required("username")
	case !usernamePattern.MatchString(in.Username):
		return User{}, apperr.Validation("username", i18n.T(
			"用户名须为2–64位字母、数字或 . _ @ -，以字母或数字开头",
			"username must be 2–64 letters, digits or . _ @ -, starting with a letter or digit"))
	}
	if err := ValidatePassword("password", in.Password); err != nil {
		return User{}, err
	}
	if err := validateProfile(in.DisplayName, in.Position, in.Phone, in.Email); err != nil {
		return User{}, err
	}
	if err := validateRoles(actor, in.Roles); err != nil {
		return User{}, err
	}
	if in.OrgUnit == 0 {
		if actor == nil {
			return User{}, apperr.Required("org_unit")
		}
		in.OrgUnit = actor.OrgUnitID
	}
	unit, err := s.org.Get(ctx, in.OrgUnit)
	if err != nil || (actor != nil && !actor.Scope().Contains(unit.Path)) {
		return User{}, apperr.Validation("org_unit", i18n.T("所属单位不存在或不在您的管理范围内",
			"org unit does not exist or is outside your scope"))
	}
	if !unit.Active {
		return User{}, apperr.Validation("org_unit", i18n.T("所属单位已停用", "org unit is inactive"))
	}
	if hash == "" {
		h, err := HashPassword(in.Password)
		if err != nil {
			return User{}, err
		}
		hash = h
	}
	now := store.Micros(s.now())
	var out User
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		id, err := tx.InsertID(ctx, `INSERT INTO users (username, username_key, display_name, password_hash,
			org_unit_id, position, phone, email, active, must_change_password, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Username, usernameKey(in.Username), in.DisplayName, hash, in.OrgUnit, in.Position, in.Phone,
			in.Email, true, in.MustChangePassword, now, now, now)
		if store.IsUniqueViolation(err) {
			return apperr.Conflict("username", i18n.T("用户名已存在", "username is taken"))
		} else if err != nil {
			return err
		}
		if err := setRoles(ctx, tx, id, in.Roles); err != nil {
			return err
		}
		if out, err = getUser(ctx, tx, "u.id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), "user.create", "user", id.String(), out.audit())
	})
	return out, err
}

// UpdateUserInput changes a user; nil fields stay as they are.
type UpdateUserInput struct {
	DisplayName *string   `json:"display_name"`
	Roles       *[]Role   `json:"roles"`
	OrgUnit     *store.ID `json:"org_unit"`
	Position    *string   `json:"position"`
	Phone       *string   `json:"phone"`
	Email       *string   `json:"email"`
	Active      *bool     `json:"active"`
}

// Update changes a user's profile, roles, unit or status. Deactivating a user
// ends their sessions. The last active administrator cannot be deactivated
// or lose the admin role.
func (s *Service) Update(ctx context.Context, actor *Principal, id store.ID, in UpdateUserInput) (User, error) {
	var out User
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		before, err := getUser(ctx, tx, "u.id = ?", id)
		if err != nil {
			return err
		}
		if !actor.Scope().Contains(before.orgPath) {
			return apperr.NotFound("user")
		}
		u := before
		if in.DisplayName != nil {
			u.DisplayName = strings.TrimSpace(*in.DisplayName)
			if u.DisplayName == "" {
				return apperr.Required("display_name")
			}
		}
		for _, f := range []struct{ dst, src *string }{{&u.Position, in.Position}, {&u.Phone, in.Phone}, {&u.Email, in.Email}} {
			if f.src != nil {
				*f.dst = strings.TrimSpace(*f.src)
			}
		}
		if err := validateProfile(u.DisplayName, u.Position, u.Phone, u.Email); err != nil {
			return err
		}
		if in.Roles != nil {
			if err := validateRoles(actor, *in.Roles); err != nil {
				return err
			}
			if slices.Contains(before.Roles, RoleAdmin) != slices.Contains(*in.Roles, RoleAdmin) && actor != nil && !actor.IsAdmin() {
				return apperr.Forbidden(i18n.T("只有系统管理员可以变更管理员角色", "only an administrator may change the admin role"))
			}
			u.Roles = *in.Roles
		}
		if in.OrgUnit != nil {
			unit, err := s.org.Get(ctx, *in.OrgUnit)
			if err != nil || !actor.Scope().Contains(unit.Path) {
				return apperr.Validation("org_unit", i18n.T("所属单位不存在或不在您的管理范围内",
					"org unit does not exist or is outside your scope"))
			}
			u.OrgUnit = unit.ID
		}
		if in.Active != nil {
			u.Active = *in.Active
		}
		if err := s.keepAnAdmin(ctx, tx, before, u); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, org_unit_id = ?, position = ?, phone = ?,
			email = ?, active = ?, updated_at = ? WHERE id = ?`, u.DisplayName, u.OrgUnit, u.Position, u.Phone,
			u.Email, u.Active, store.Micros(s.now()), id); err != nil {
			return err
		}
		if in.Roles != nil {
			if err := setRoles(ctx, tx, id, u.Roles); err != nil {
				return err
			}
		}
		if !u.Active {
			if err := revokeSessions(ctx, tx, id, 0, s.now()); err != nil {
				return err
			}
		}
		if out, err = getUser(ctx, tx, "u.id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), "user.update", "user", id.String(),
			map[string]any{"before": before.audit(), "after": out.audit()})
	})
	return out, err
}

// keepAnAdmin refuses a change that would leave no active administrator.
func (s *Service) keepAnAdmin(ctx context.Context, tx store.Conn, before, after User) error {
	wasAdmin := before.Active && slices.Contains(before.Roles, RoleAdmin)
	isAdmin := after.Active && slices.Contains(after.Roles, RoleAdmin)
	if !wasAdmin || isAdmin {
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = ? AND u.active = ? AND u.id <> ?`, RoleAdmin, true, before.ID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Conflict("roles", i18n.T("至少要保留一名在用的系统管理员", "at least one active administrator must remain"))
	}
	return nil
}

func setRoles(ctx context.Context, tx store.Conn, id store.ID, roles []Role) error {
	if _, err := tx.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", id); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id, r); err != nil {
			return err
		}
	}
	return nil
}

func validateRoles(actor *Principal, roles []Role) error {
	if len(roles) == 0 {
		return apperr.Validation("roles", i18n.T("至少选择一个角色", "at least one role is required"))
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		if _, ok := LookupRole(r); !ok {
			return apperr.Validation("roles", i18n.T("未知角色：%s", "unknown role: %s", string(r)))
		}
		if seen[r] {
			return apperr.Validation("roles", i18n.T("角色重复：%s", "duplicate role: %s", string(r)))
		}
		seen[r] = true
		if r == RoleAdmin && actor != nil && !actor.IsAdmin() {
			return apperr.Forbidden(i18n.T("只有系统管理员可以授予管理员角色", "only an administrator may grant the admin role"))
		}
	}
	return nil
}

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{3,32}$`)

func validateProfile(displayName, position, phone, email string) error {
	for _, f := range []struct{ name, v string }{{"display_name", displayName}, {"position", position}, {"email", email}} {
		if strings.ContainsRune(f.v, 0) {
			return apperr.Validation(f.name, i18n.T("不能包含空字符", "must not contain NUL characters"))
		}
	}
	switch {
	case utf8.RuneCountInString(displayName) > 64:
		return apperr.Validation("display_name", i18n.T("姓名不能超过64个字", "display name must be at most 64 characters"))
	case utf8.RuneCountInString(position) > 64:
		return apperr.Validation("position", i18n.T("岗位不能超过64个字", "position must be at most 64 characters"))
	case phone != "" && !phonePattern.MatchString(phone):
		return apperr.Validation("phone", i18n.T("电话号码格式不正确", "phone number is not valid"))
	case email != "" && (len(email) > 254 || !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n")):
		return apperr.Validation("email", i18n.T("电子邮箱格式不正确", "email address is not valid"))
	}
	return nil
}
