package customer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Create validates and stores a customer with its service points in one
// transaction and returns it (confidential fields masked) with the
// duplicate candidates found by the identity keys (CUS-016). Candidates do
// not block the creation: the user decides whether to merge.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in Input) (Customer, []Candidate, error) {
	if err := need(p, auth.PermCustomersWrite); err != nil {
		return Customer{}, nil, err
	}
	pack, unit, err := s.prepare(ctx, p, &in)
	if err != nil {
		return Customer{}, nil, err
	}
	ctx = withActor(ctx, p)
	var id store.ID
	var cands []Candidate
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		var err error
		if cands, err = candidates(ctx, tx, p, pack, in, 0); err != nil {
			return err
		}
		id, err = s.insert(ctx, tx, p, pack, unit, in)
		return err
	})
	if err != nil {
		return Customer{}, nil, err
	}
	c, err := s.read(ctx, p, id, false)
	if cands == nil {
		cands = []Candidate{}
	}
	return c, cands, err
}

// CreateTx stores a customer inside the caller's transaction, for batch
// import: the same validation and writes as Create, without the candidate
// search. The customer is returned unmasked (the caller supplied it).
func (s *Service) CreateTx(ctx context.Context, tx store.Conn, p *auth.Principal, in Input) (Customer, error) {
	if err := need(p, auth.PermCustomersWrite); err != nil {
		return Customer{}, err
	}
	pack, unit, err := s.prepare(ctx, p, &in)
	if err != nil {
		return Customer{}, err
	}
	id, err := s.insert(withActor(ctx, p), tx, p, pack, unit, in)
	if err != nil {
		return Customer{}, err
	}
	return s.Load(ctx, tx, id)
}

// need checks a permission; a nil principal is the system (CLI, jobs).
func need(p *auth.Principal, perm auth.Permission) error {
	if p != nil && !p.Can(perm) {
		return apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required", string(perm)))
	}
	return nil
}

func withActor(ctx context.Context, p *auth.Principal) context.Context {
	if p == nil {
		return ctx
	}
	return audit.WithActor(ctx, p.Actor())
}

func scopeOf(p *auth.Principal) org.Scope {
	if p == nil {
		return org.Scope{All: true}
	}
	return p.Scope()
}

// prepare normalises in, resolves the owning unit (in the caller's scope)
// and its pack, and validates in against the pack.
func (s *Service) prepare(ctx context.Context, p *auth.Principal, in *Input) (*policy.Pack, store.ID, error) {
	in.Normalize()
	var unit store.ID
	switch {
	case in.OrgUnit != nil:
		unit = *in.OrgUnit
	case p != nil:
		unit = p.OrgUnitID
	default:
		return nil, 0, apperr.Required("org_unit")
	}
	if err := s.unitInScope(ctx, p, unit); err != nil {
		return nil, 0, err
	}
	pack, err := s.packFor(ctx, unit)
	if err != nil {
		return nil, 0, err
	}
	return pack, unit, in.Validate(pack)
}

func (s *Service) unitInScope(ctx context.Context, p *auth.Principal, unit store.ID) error {
	var path string
	err := s.db.Reader().QueryRow(ctx, "SELECT path FROM org_units WHERE id = ?", unit).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !scopeOf(p).Contains(path) {
		return apperr.Validation("org_unit", i18n.T("组织单元不存在或不在您的范围内", "no such org unit in your scope"))
	}
	return err
}

func (s *Service) packFor(ctx context.Context, unit store.ID) (*policy.Pack, error) {
	if s.packs == nil {
		return nil, errors.New("customer: the service was built without the policy registry")
	}
	return s.packs.ForUnit(ctx, unit)
}

// packOf is the pack a stored customer follows: the latest version of the
// pack recorded at creation, else the pack of its unit.
func (s *Service) packOf(ctx context.Context, c Customer) (*policy.Pack, error) {
	if s.packs != nil && c.Pack != "" {
		if p, ok := s.packs.Get(c.Pack); ok {
			return p, nil
		}
	}
	return s.packFor(ctx, c.OrgUnitID)
}

// userExists checks a user reference of the input.
func userExists(ctx context.Context, c store.Conn, id *store.ID, field string) error {
	if id == nil {
		return nil
	}
	var one int
	err := c.QueryRow(ctx, "SELECT 1 FROM users WHERE id = ?", *id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Validation(field, i18n.T("用户不存在", "no such user"))
	}
	return err
}

func jsonText(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func profileText(p map[string]string) (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	return jsonText(p)
}

func supplyText(s *Supply) (string, error) {
	if s == nil {
		return "", nil
	}
	return jsonText(s)
}

// insert writes a validated customer, its first classification history,
// its service points and the audit row.
func (s *Service) insert(ctx context.Context, tx store.Conn, p *auth.Principal, pack *policy.Pack, unit store.ID, in Input) (store.ID, error) {
	if err := userExists(ctx, tx, in.AccountManagerID, "account_manager_id"); err != nil {
		return 0, err
	}
	if err := userExists(ctx, tx, in.MaintainerID, "maintainer_id"); err != nil {
		return 0, err
	}
	var limit int64
	if in.CreditLimit != "" {
		limit, _ = parseYuan(in.CreditLimit) // validated
	}
	profile, err := profileText(in.Profile)
	if err != nil {
		return 0, err
	}
	supply, err := supplyText(in.Supply)
	if err != nil {
		return 0, err
	}
	state := ""
	if in.Importance != "" {
		state = StateCandidate // CUS-006: a new important customer enters as candidate
	}
	now := s.now()
	at := store.Micros(now)
	by := byUser(p)
	id, err := tx.InsertID(ctx, `INSERT INTO customers (kind, name, phone, phone_key, address, id_number, org_unit_id,
		created_by, created_at, updated_at, pack, type, grade, importance, importance_state, credit_grade,
		credit_limit_cents, special_groups, flags, key_account, key_account_tier, account_manager_id, name_key,
		car_brand, car_plate, plate_key, email, note, profile, outage_contact, maintainer_id, supply)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(in.Kind), in.Name, in.Phone, PhoneKey(in.Phone), in.Address, in.IDNumber, unit,
		by, at, at, pack.Key, in.Type, in.Grade, in.Importance, state, in.CreditGrade,
		limit, joinList(in.SpecialGroups), joinList(in.Flags), boolInt(in.KeyAccount), in.KeyAccountTier,
		nullable(in.AccountManagerID), NameKey(in.Name), in.CarBrand, in.CarPlate, PlateKey(in.CarPlate),
		in.Email, in.Note, profile, in.OutageContact, nullable(in.MaintainerID), supply)
	if err != nil {
		return 0, err
	}
	// The first classification is history too (CUS-004, CUS-018).
	for _, d := range []struct{ dim, value string }{{DimType, in.Type}, {DimGrade, in.Grade},
		{DimImportance, in.Importance}, {DimImportanceState, state}, {DimCreditGrade, in.CreditGrade},
		{DimCreditLimit, in.CreditLimit}} {
		if d.value == "" {
			continue
		}
		if d.dim == DimCreditLimit {
			d.value = formatYuan(limit)
		}
		if err := insertGrade(ctx, tx, id, d.dim, d.value, "", "created", at, by, nil, at); err != nil {
			return 0, err
		}
	}
	points, err := s.addPoints(ctx, tx, p, pack, id, unit, in.ServicePoints, func(i int) string {
		return "service_points[" + strconv.Itoa(i) + "]"
	})
	if err != nil {
		return 0, err
	}
	var archives []string
	for _, sp := range points {
		archives = append(archives, sp.ArchiveNo)
	}
	return id, audit.Record(ctx, tx, now, "customer.create", "customer", id.String(),
		map[string]any{"name": in.Name, "type": in.Type, "pack": pack.Key, "archives": archives})
}

func byUser(p *auth.Principal) any {
	if p == nil || p.UserID == 0 {
		return nil
	}
	return p.UserID
}

// Get returns a customer the caller may see, with its service points
// (cross-referenced, ARC-002) and contact records; a merged duplicate
// answers with the kept record (CUS-016). Confidential fields are masked
// unless the pack names one of the caller's roles and the caller holds
// customers:confidential; each unmasked view is written to the audit log
// (SEC-001, SEC-007, SEC-010).
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (Customer, error) {
	if err := need(p, auth.PermCustomersRead); err != nil {
		return Customer{}, err
	}
	return s.read(ctx, p, id, true)
}

// read loads a visible customer with its points and contacts; full shows
// what the caller may see unmasked (and audits it), otherwise everything
// confidential is masked (answers to writes).
func (s *Service) read(ctx context.Context, p *auth.Principal, id store.ID, full bool) (Customer, error) {
	c, err := s.visible(ctx, s.db.Reader(), p, id)
	if err != nil {
		return Customer{}, err
	}
	r := s.db.Reader()
	if c.MergedIDs, err = mergedInto(ctx, r, c.ID); err != nil {
		return Customer{}, err
	}
	if c.ServicePoints, err = pointsOf(ctx, r, c.ID); err != nil {
		return Customer{}, err
	}
	if c.Contacts, err = contactsOf(ctx, r, append([]store.ID{c.ID}, c.MergedIDs...)); err != nil {
		return Customer{}, err
	}
	pack, err := s.packOf(ctx, c)
	if err != nil {
		return Customer{}, err
	}
	derive(&c, pack)
	if !full {
		pack = nil // nobody is named: everything masked
	}
	if shown := mask(p, pack, &c); len(shown) > 0 {
		err := s.db.Tx(withActor(ctx, p), func(tx store.Conn) error {
			return audit.Record(withActor(ctx, p), tx, s.now(), "customer.view_confidential", "customer", c.ID.String(),
				map[string]any{"fields": shown})
		})
		if err != nil {
			return Customer{}, err
		}
	}
	return c, nil
}

// derive fills what the pack derives from stored values (CUS-002 class).
func derive(c *Customer, pack *policy.Pack) {
	if t, ok := pack.Customers.Type(c.Type); ok {
		c.TypeClass = t.Class
	}
}

// visible loads a customer in the caller's row scope, following a merge
// to the kept record; otherwise 404.
func (s *Service) visible(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Customer, error) {
	cu, err := s.Load(ctx, c, id)
	if err != nil {
		return cu, apperr.NotFound("customer")
	}
	var path string
	if err := c.QueryRow(ctx, "SELECT path FROM org_units WHERE id = ?", cu.OrgUnitID).Scan(&path); err != nil {
		return cu, err
	}
	if !scopeOf(p).Contains(path) {
		return Customer{}, apperr.NotFound("customer")
	}
	return cu, nil
}

// mergedInto lists the records merged into id.
func mergedInto(ctx context.Context, c store.Conn, id store.ID) ([]store.ID, error) {
	rows, err := c.Query(ctx, "SELECT id FROM customers WHERE merged_into_id = ? ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ID
	for rows.Next() {
		var m store.ID
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// List returns the customers the caller may see, newest first, by keyset
// pagination on the id; merged duplicates are left out. Confidential
// fields are always masked in lists (open the record to see them).
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) (Page, error) {
	if err := need(p, auth.PermCustomersRead); err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	r := s.db.Reader()
	cond, args := scopeOf(p).SQL("c.org_unit_id")
	where := []string{"c.merged_into_id IS NULL", cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Cursor != "" {
		id, err := store.ParseID(f.Cursor)
		if err != nil {
			return Page{}, apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
		add("c.id < ?", id)
	}
	q := strings.TrimSpace(f.Q)
	if longer(q, maxName) {
		return Page{}, tooLong("q", maxName)
	}
	for _, eq := range []struct{ col, v string }{{"c.type", f.Type}, {"c.grade", strings.ToUpper(f.Grade)},
		{"c.importance", f.Importance}, {"c.kind", string(f.Kind)}} {
		if eq.v != "" {
			add(eq.col+" = ?", eq.v)
		}
	}
	if g := f.SpecialGroup; g != "" {
		add("(',' || c.special_groups || ',') LIKE ?", "%,"+strings.NewReplacer("%", "", "_", "").Replace(g)+",%")
	}
	if f.KeyAccount != nil {
		add("c.key_account = ?", boolInt(*f.KeyAccount))
	}
	if f.Unit != 0 {
		var path string
		if err := r.QueryRow(ctx, "SELECT path FROM org_units WHERE id = ?", f.Unit).Scan(&path); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return Page{}, apperr.Validation("unit", i18n.T("组织单元不存在", "no such org unit"))
			}
			return Page{}, err
		}
		c, a := org.Scope{Path: path}.SQL("c.org_unit_id")
		add(c, a...)
	}
	var items []Customer
	run := func(search string, sargs []any) (n int, err error) {
		items, err = store.QueryAll(ctx, r, scan,
			"SELECT "+columns+" FROM customers c WHERE "+strings.Join(append(where, search), " AND ")+
				" ORDER BY c.id DESC LIMIT ?", slices.Concat(args, sargs, []any{f.Limit + 1})...)
		return len(items), err
	}
	var err error
	if alts := SearchAlternatives(q); alts != nil {
		err = searchIndex.Page(r, "c.id", alts, f.Limit, run)
	} else {
		_, err = run("1 = 1", nil)
	}
	if err != nil {
		return Page{}, err
	}
	var pg Page
	if len(items) > f.Limit {
		items = items[:f.Limit]
		pg.Next = items[len(items)-1].ID.String()
	}
	ids := make([]store.ID, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	points, err := pointsOfMany(ctx, r, ids)
	if err != nil {
		return Page{}, err
	}
	for i := range items {
		c := &items[i]
		c.ServicePoints = points[c.ID]
		if c.ServicePoints == nil {
			c.ServicePoints = []ServicePoint{}
		}
		if pack, err := s.packOf(ctx, *c); err == nil {
			derive(c, pack)
		}
		mask(p, nil, c)
	}
	pg.Items = items
	return pg, nil
}
