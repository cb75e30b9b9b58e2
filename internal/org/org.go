// Package org owns the organisation tree (集团 → 公司 → 部门 → 班组) and row
// scope: every record in kefu belongs to an org unit, and a user sees the
// records of their unit's subtree. Subtrees are range scans on a
// materialised path ("/1/4/9/"), so scope costs one indexed lookup.
package org

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Kind is the level of an org unit.
type Kind string

// The four levels of the tree.
const (
	Group      Kind = "group"      // 集团
	Company    Kind = "company"    // 公司 (subsidiary, branch)
	Department Kind = "department" // 部门
	Team       Kind = "team"       // 班组
)

// Kinds lists the levels from the top.
var Kinds = []Kind{Group, Company, Department, Team}

// allowedChildren says which kinds may sit under which: a company may own
// branch companies, a department sub-departments; a team is a leaf.
var allowedChildren = map[Kind][]Kind{
	Group:      {Company, Department},
	Company:    {Company, Department},
	Department: {Department, Team},
	Team:       nil,
}

// Label is the kind's name in both languages.
func (k Kind) Label() i18n.Text {
	switch k {
	case Group:
		return i18n.T("集团", "Group")
	case Company:
		return i18n.T("公司", "Company")
	case Department:
		return i18n.T("部门", "Department")
	case Team:
		return i18n.T("班组", "Team")
	}
	return i18n.T(string(k), string(k))
}

// Unit is one node of the organisation tree.
type Unit struct {
	ID        store.ID  `json:"id"`
	ParentID  *store.ID `json:"parent_id"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Pack      string    `json:"pack"` // policy pack assigned here; "" inherits from the parent
	Path      string    `json:"path"`
	Depth     int       `json:"depth"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Service manages the tree.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// Options build a Service.
type Options struct {
	DB  *store.DB
	Now func() time.Time // defaults to time.Now
}

// New returns the org service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: o.DB, now: o.Now}
}

const unitColumns = `id, parent_id, kind, name, code, pack, path, depth, active, created_at, updated_at`

func scanUnit(s interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var parent store.NullID
	var created, updated int64
	err := s.Scan(&u.ID, &parent, &u.Kind, &u.Name, &u.Code, &u.Pack, &u.Path, &u.Depth, &u.Active, &created, &updated)
	if parent.Valid {
		p := parent.ID
		u.ParentID = &p
	}
	u.CreatedAt, u.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return u, err
}

// Get returns one unit.
func (s *Service) Get(ctx context.Context, id store.ID) (Unit, error) {
	return getUnit(ctx, s.db.Reader(), id)
}

// GetUnit reads one unit through c (a transaction or a reader); an
// unknown id is a 404 naming org_unit.
func GetUnit(ctx context.Context, c store.Conn, id store.ID) (Unit, error) {
	return getUnit(ctx, c, id)
}

func getUnit(ctx context.Context, c store.Conn, id store.ID) (Unit, error) {
	u, err := scanUnit(c.QueryRow(ctx, "SELECT "+unitColumns+" FROM org_units WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFound("org_unit")
	}
	return u, err
}

// List returns the whole tree in depth-first order: parents before their
// children, siblings in the order they were created.
func (s *Service) List(ctx context.Context) ([]Unit, error) {
	return s.query(ctx, "SELECT "+unitColumns+" FROM org_units")
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Unit, error) {
	rows, err := s.db.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return treeOrder(out), nil
}

// treeOrder sorts units depth-first with siblings by id (creation order).
// Sorting by path as text would put unit 10 before unit 2.
func treeOrder(units []Unit) []Unit {
	children := map[store.ID][]Unit{}
	ids := make(map[store.ID]bool, len(units))
	for _, u := range units {
		ids[u.ID] = true
	}
	var roots []Unit
	for _, u := range units {
		if u.ParentID == nil || !ids[*u.ParentID] {
			roots = append(roots, u)
		} else {
			children[*u.ParentID] = append(children[*u.ParentID], u)
		}
	}
	out := make([]Unit, 0, len(units))
	var walk func([]Unit)
	walk = func(us []Unit) {
		slices.SortFunc(us, func(a, b Unit) int { return cmp.Compare(a.ID, b.ID) })
		for _, u := range us {
			out = append(out, u)
			walk(children[u.ID])
		}
	}
	walk(roots)
	return out
}

// Subtree returns the unit and all its descendants, in the order of List.
func (s *Service) Subtree(ctx context.Context, id store.ID) ([]Unit, error) {
	root, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	lo, hi := pathRange(root.Path)
	return s.query(ctx, "SELECT "+unitColumns+" FROM org_units WHERE path >= ? AND path < ?", lo, hi)
}

// Root returns the top unit, or a not-found error on an empty database.
func (s *Service) Root(ctx context.Context) (Unit, error) {
	u, err := scanUnit(s.db.Reader().QueryRow(ctx,
		"SELECT "+unitColumns+" FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFound("org_unit")
	}
	return u, err
}

// EnsureRoot creates the root unit when the tree is empty and returns it.
func (s *Service) EnsureRoot(ctx context.Context, name string) (Unit, error) {
	if u, err := s.Root(ctx); err == nil {
		return u, nil
	} else if !apperr.Is(err, apperr.CodeNotFound) {
		return u, err
	}
	return s.Create(ctx, CreateInput{Kind: Group, Name: name, Pack: "general"})
}

// CreateInput describes a new unit. ParentID is nil only for the root.
type CreateInput struct {
	ParentID *store.ID `json:"parent_id"`
	Kind     Kind      `json:"kind"`
	Name     string    `json:"name"`
	Code     string    `json:"code"`
	Pack     string    `json:"pack"`
}

// Create adds a unit under its parent.
func (s *Service) Create(ctx context.Context, in CreateInput) (Unit, error) {
	in.Name, in.Code, in.Pack = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code), strings.TrimSpace(in.Pack)
	if err := validateFields(in.Kind, in.Name, in.Code, in.Pack); err != nil {
		return Unit{}, err
	}
	now := s.now()
	var out Unit
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		parentPath, depth := "/", 0
		var parentID any
		if in.ParentID == nil {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM org_units WHERE parent_id IS NULL").Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Required("parent_id")
			}
			if in.Kind != Group && in.Kind != Company {
				return apperr.Validation("kind", i18n.T("根单位必须是集团或公司", "the root unit must be a group or a company"))
			}
		} else {
			parent, err := getUnit(ctx, tx, *in.ParentID)
			if apperr.Is(err, apperr.CodeNotFound) {
				return apperr.Validation("parent_id", i18n.T("上级单位不存在", "parent unit does not exist"))
			} else if err != nil {
				return err
			}
			if !childAllowed(parent.Kind, in.Kind) {
				return apperr.Validation("kind", i18n.T("%s下不能设%s", "a %s cannot contain a %s",
					parent.Kind.Label().ZH, in.Kind.Label().ZH))
			}
			parentPath, depth, parentID = parent.Path, parent.Depth+1, parent.ID
		}
		id, err := tx.InsertID(ctx, `INSERT INTO org_units (parent_id, kind, name, code, pack, path, depth, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?) RETURNING id`,
			parentID, in.Kind, in.Name, in.Code, in.Pack, depth, true, store.Micros(now), store.Micros(now))
		if store.IsUniqueViolation(err) {
			return apperr.Conflict("name", i18n.T("同级下已有同名单位", "a sibling unit has this name already"))
		} else if err != nil {
			return err
		}
		path := parentPath + id.String() + "/"
		if _, err := tx.Exec(ctx, "UPDATE org_units SET path = ? WHERE id = ?", path, id); err != nil {
			return err
		}
		if out, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "org_unit.create", "org_unit", id.String(), out)
	})
	return out, err
}

// UpdateInput changes a unit; nil fields stay as they are.
type UpdateInput struct {
	Name     *string   `json:"name"`
	Code     *string   `json:"code"`
	Pack     *string   `json:"pack"`
	Active   *bool     `json:"active"`
	ParentID *store.ID `json:"parent_id"` // move the unit (and its subtree) under another parent
}

// Update renames, re-codes, re-assigns the pack, (de)activates or moves a unit.
func (s *Service) Update(ctx context.Context, id store.ID, in UpdateInput) (Unit, error) {
	now := s.now()
	var out Unit
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		before, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		u := before
		if in.Name != nil {
			u.Name = strings.TrimSpace(*in.Name)
		}
		if in.Code != nil {
			u.Code = strings.TrimSpace(*in.Code)
		}
		if in.Pack != nil {
			u.Pack = strings.TrimSpace(*in.Pack)
		}
		if in.Active != nil {
			if !*in.Active && u.ParentID == nil {
				return apperr.Validation("active", i18n.T("不能停用根单位", "the root unit cannot be deactivated"))
			}
			u.Active = *in.Active
		}
		if err := validateFields(u.Kind, u.Name, u.Code, u.Pack); err != nil {
			return err
		}
		if in.ParentID != nil && (u.ParentID == nil || *u.ParentID != *in.ParentID) {
			if err := move(ctx, tx, &u, *in.ParentID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE org_units SET name = ?, code = ?, pack = ?, active = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.Code, u.Pack, u.Active, store.Micros(now), id)
		if store.IsUniqueViolation(err) {
			return apperr.Conflict("name", i18n.T("同级下已有同名单位", "a sibling unit has this name already"))
		} else if err != nil {
			return err
		}
		if out, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "org_unit.update", "org_unit", id.String(),
			map[string]any{"before": before, "after": out})
	})
	return out, err
}

// move re-parents u and rewrites the paths of its whole subtree.
func move(ctx context.Context, tx store.Conn, u *Unit, newParent store.ID) error {
	if u.ParentID == nil {
		return apperr.Validation("parent_id", i18n.T("不能移动根单位", "the root unit cannot be moved"))
	}
	p, err := getUnit(ctx, tx, newParent)
	if apperr.Is(err, apperr.CodeNotFound) {
		return apperr.Validation("parent_id", i18n.T("上级单位不存在", "parent unit does not exist"))
	} else if err != nil {
		return err
	}
	if strings.HasPrefix(p.Path, u.Path) {
		return apperr.Validation("parent_id", i18n.T("不能移到自己的下级", "a unit cannot move under itself"))
	}
	if !childAllowed(p.Kind, u.Kind) {
		return apperr.Validation("parent_id", i18n.T("%s下不能设%s", "a %s cannot contain a %s",
			p.Kind.Label().ZH, u.Kind.Label().ZH))
	}
	oldPath, newPath := u.Path, p.Path+u.ID.String()+"/"
	lo, hi := pathRange(oldPath)
	shift := p.Depth + 1 - u.Depth
	if _, err := tx.Exec(ctx, `UPDATE org_units SET path = ? || substr(path, ?), depth = depth + ?
		WHERE path >= ? AND path < ?`, newPath, utf8.RuneCountInString(oldPath)+1, shift, lo, hi); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE org_units SET parent_id = ? WHERE id = ?", p.ID, u.ID); store.IsUniqueViolation(err) {
		return apperr.Conflict("name", i18n.T("同级下已有同名单位", "a sibling unit has this name already"))
	} else if err != nil {
		return err
	}
	pid := p.ID
	u.ParentID, u.Path, u.Depth = &pid, newPath, p.Depth+1
	return nil
}

func childAllowed(parent, child Kind) bool {
	for _, k := range allowedChildren[parent] {
		if k == child {
			return true
		}
	}
	return false
}

func validateFields(kind Kind, name, code, pack string) error {
	if _, ok := allowedChildren[kind]; !ok {
		return apperr.Validation("kind", i18n.T("单位类型必须是 group、company、department 或 team",
			"kind must be group, company, department or team"))
	}
	for _, f := range []struct{ name, v string }{{"name", name}, {"code", code}, {"pack", pack}} {
		if strings.ContainsRune(f.v, 0) {
			return apperr.Validation(f.name, i18n.T("不能包含空字符", "must not contain NUL characters"))
		}
	}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return apperr.Required("name")
	case n > 100:
		return apperr.Validation("name", i18n.T("名称不能超过100个字", "name must be at most 100 characters"))
	}
	if utf8.RuneCountInString(code) > 40 {
		return apperr.Validation("code", i18n.T("编码不能超过40个字符", "code must be at most 40 characters"))
	}
	if len(pack) > 40 {
		return apperr.Validation("pack", i18n.T("政策包标识过长", "pack key is too long"))
	}
	return nil
}

// pathRange returns the half-open range of paths inside the subtree at path.
// Paths hold only digits and '/', all below '~'.
func pathRange(path string) (lo, hi string) { return path, path + "~" }

// Scope restricts queries to the subtree at Path; the zero Scope (All) sees everything.
type Scope struct {
	All  bool
	Path string
}

// Contains reports whether a unit path lies inside the scope.
func (sc Scope) Contains(path string) bool { return sc.All || strings.HasPrefix(path, sc.Path) }

// SQL returns a condition restricting the org-unit id column to the scope,
// with its arguments. Use it in every query of scoped rows.
func (sc Scope) SQL(column string) (string, []any) {
	if sc.All {
		return "1=1", nil
	}
	lo, hi := pathRange(sc.Path)
	return fmt.Sprintf("%s IN (SELECT id FROM org_units WHERE path >= ? AND path < ?)", column), []any{lo, hi}
}

// AncestorIDs are the ids of the units on a unit path, from the root down to
// the unit itself: the units a person in that unit works under.
func AncestorIDs(path string) []store.ID {
	var out []store.ID
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, store.ID(id))
		}
	}
	return out
}

// CompanySQL is a scalar subquery of the company of the unit at path (the
// deepest company on the path, as CompanyOf; unit is used when the path is
// empty), with its args: rows routed to a company are that company's
// people's, whatever their department.
func CompanySQL(path string, unit store.ID) (string, []any) {
	ids := AncestorIDs(path)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = int64(id)
	}
	if len(args) == 0 {
		args = append(args, int64(unit))
	}
	return "(SELECT id FROM org_units WHERE id IN (" + store.Placeholders(len(args)) +
		") AND kind = 'company' ORDER BY depth DESC LIMIT 1)", args
}

// CompanyRowsSQL is the row scope of records kept per company (visits,
// survey campaigns): column, a company id, lies in the scope, or is the
// company of the unit at path (its people see it from any department).
func CompanyRowsSQL(sc Scope, path string, unit store.ID, column string) (string, []any) {
	if sc.All {
		return "1=1", nil
	}
	cond, args := sc.SQL(column)
	co, coArgs := CompanySQL(path, unit)
	return "(" + cond + " OR " + column + " = " + co + ")", append(args, coArgs...)
}
