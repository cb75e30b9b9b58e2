package sampling

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// person is a user as sampling needs them: their company and roles.
type person struct {
	ID      store.ID
	Name    string
	Company org.Unit
	Roles   []auth.Role
}

// holds reports whether the person holds the position's role.
func (u *person) holds(sr *policy.SamplingRules, position string) bool {
	pos, ok := sr.Position(position)
	return ok && slices.Contains(u.Roles, pos.Role)
}

// loadPerson reads an active user p may see (their company is p's company
// or lies in p's scope); any other id is "no such user" under field, as
// if it did not exist.
func loadPerson(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string) (*person, error) {
	missing := apperr.Validation(field, i18n.T("没有这个用户", "no such user"))
	if id <= 0 {
		return nil, apperr.Required(field)
	}
	u := &person{ID: id}
	var unit store.ID
	var active bool
	err := c.QueryRow(ctx, `SELECT display_name, org_unit_id, active FROM users WHERE id = ?`, id).Scan(&u.Name, &unit, &active)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !active {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	if u.Company, err = org.CompanyOf(ctx, c, unit); err != nil {
		return nil, err
	}
	if ok, err := p.SeesCompany(ctx, c, u.Company.ID); err != nil || !ok {
		if err == nil {
			err = missing
		}
		return nil, err
	}
	u.Roles, err = store.QueryAll(ctx, c, func(sc store.Scanner) (auth.Role, error) {
		var r string
		return auth.Role(r), sc.Scan(&r)
	}, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, id)
	return u, err
}

// visible is the row scope of sampling records on column (a company id).
func visible(p *auth.Principal, column string) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, column)
}

// checkerPosition is the position the checker checks the checked position
// in under the rule (SMP-002): the one named, which the checker must hold
// and which MayCheck must allow, or else the first checker position of the
// rule's level the checker holds that may.
func checkerPosition(sr *policy.SamplingRules, rule *policy.SamplingRule, checker *person, named, checked string) (string, error) {
	refuse := func() error {
		return apperr.Validation("checker_position", i18n.T("按多级监督，%[1]s 不能检查 %[2]s（SMP-002）",
			"by the supervision levels %[1]s may not check %[2]s (SMP-002)", checker.Name, positionName(sr, checked)))
	}
	if named != "" {
		if _, ok := sr.Position(named); !ok {
			return "", apperr.Validation("checker_position", i18n.T("没有岗位 %q", "no position %q", named))
		}
		if !checker.holds(sr, named) {
			return "", apperr.Validation("checker_position", i18n.T("%[1]s 不担任此岗位", "%[1]s does not hold this position", checker.Name))
		}
		if !sr.MayCheck(named, rule, checked) {
			return "", refuse()
		}
		return named, nil
	}
	if l, ok := sr.Level(rule.Level); ok {
		for _, c := range l.Checkers {
			if checker.holds(sr, c) && sr.MayCheck(c, rule, checked) {
				return c, nil
			}
		}
	}
	return "", refuse()
}

// checkedPosition is the position of the checked person the rule checks:
// the one named, or the first of the rule's the person holds.
func checkedPosition(sr *policy.SamplingRules, rule *policy.SamplingRule, u *person, named string) (string, error) {
	if named != "" {
		if !slices.Contains(rule.Checked, named) {
			return "", apperr.Validation("checked_position", i18n.T("规则 %[1]q 不检查岗位 %[2]q", "rule %[1]q does not check the position %[2]q", rule.Key, named))
		}
		if !u.holds(sr, named) {
			return "", apperr.Validation("checked_position", i18n.T("%[1]s 不担任此岗位", "%[1]s does not hold this position", u.Name))
		}
		return named, nil
	}
	for _, c := range rule.Checked {
		if u.holds(sr, c) {
			return c, nil
		}
	}
	return "", apperr.Validation("checked_user_id", i18n.T("%[1]s 不担任规则 %[2]q 检查的岗位", "%[1]s holds none of the positions rule %[2]q checks", u.Name, rule.Key))
}

// positionName is the position's Chinese name, or its key.
func positionName(sr *policy.SamplingRules, key string) string {
	if p, ok := sr.Position(key); ok {
		return p.Name.ZH
	}
	return key
}

// checkerRoles are the roles of the checker positions of a level: who is
// told when a problem reaches it (SMP-013).
func checkerRoles(sr *policy.SamplingRules, level int) []auth.Role {
	var out []auth.Role
	if l, ok := sr.Level(level); ok {
		for _, c := range l.Checkers {
			if p, ok := sr.Position(c); ok && !slices.Contains(out, p.Role) {
				out = append(out, p.Role)
			}
		}
	}
	return out
}

// holdsLevel reports whether p holds a checker position of the level.
func holdsLevel(sr *policy.SamplingRules, level int, p *auth.Principal) bool {
	for _, r := range checkerRoles(sr, level) {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// Candidate is a person of the caller's company as the sampling pickers
// offer them: the positions of the pack they may hold (by their roles).
type Candidate struct {
	ID        store.ID `json:"id"`
	Name      string   `json:"name"`
	Positions []string `json:"positions"`
}

// Candidates are the active people of p's company who hold a position of
// the company pack's sampling section, by name.
func (s *Service) Candidates(ctx context.Context, p *auth.Principal) ([]Candidate, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	co, err := org.CompanyOf(ctx, r, p.OrgUnitID)
	if err != nil {
		return nil, err
	}
	pack, err := s.packs.ForUnit(ctx, co.ID)
	if err != nil {
		return nil, err
	}
	cond, args := org.Scope{Path: co.Path}.SQL("u.org_unit_id")
	type row struct {
		id   store.ID
		name string
		role auth.Role
	}
	rows, err := store.QueryAll(ctx, r, func(sc store.Scanner) (row, error) {
		var x row
		var role string
		err := sc.Scan(&x.id, &x.name, &role)
		x.role = auth.Role(role)
		return x, err
	}, `SELECT u.id, u.display_name, r.role FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.active = ? AND `+cond+` ORDER BY u.display_name, u.id, r.role`, append([]any{true}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, x := range rows {
		if len(out) == 0 || out[len(out)-1].ID != x.id {
			out = append(out, Candidate{ID: x.id, Name: x.name, Positions: []string{}})
		}
		c := &out[len(out)-1]
		for _, pos := range pack.Sampling.Positions {
			if pos.Role == x.role && !slices.Contains(c.Positions, pos.Key) {
				c.Positions = append(c.Positions, pos.Key)
			}
		}
	}
	return slices.DeleteFunc(out, func(c Candidate) bool { return len(c.Positions) == 0 }), nil
}
