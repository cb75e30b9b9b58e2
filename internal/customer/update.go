package customer

import (
	"context"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Patch changes a customer (PATCH /customers/{id}); absent fields stay.
// Version is the version the caller read: a stale one is refused with 409
// (CUS-018). Classification goes through SetClassification.
type Patch struct {
	Version          int                `json:"version"`
	Kind             *Kind              `json:"kind"`
	Type             *string            `json:"type"` // CUS-002; also a classification history row
	Name             *string            `json:"name"`
	Phone            *string            `json:"phone"`
	IDNumber         *string            `json:"id_number"`
	Address          *string            `json:"address"`
	Email            *string            `json:"email"`
	SpecialGroups    *[]string          `json:"special_groups"`
	Flags            *[]string          `json:"flags"`
	KeyAccount       *bool              `json:"key_account"`
	AccountManagerID *store.ID          `json:"account_manager_id"`
	CarBrand         *string            `json:"car_brand"`
	CarPlate         *string            `json:"car_plate"`
	Note             *string            `json:"note"`
	Profile          *map[string]string `json:"profile"`
	OutageContact    *string            `json:"outage_contact"`
	MaintainerID     *store.ID          `json:"maintainer_id"`
	Supply           *Supply            `json:"supply"`
}

// FieldChange is one row of a customer's field history (CUS-018).
type FieldChange struct {
	CustomerID store.ID  `json:"customer_id"`
	Field      string    `json:"field"`
	Old        string    `json:"old"`
	New        string    `json:"new"`
	At         time.Time `json:"at"`
	ByUser     store.ID  `json:"by_user,omitempty"`
	Masked     bool      `json:"masked,omitempty"` // confidential values masked for the reader
}

// GradeChange is one row of a customer's classification history.
type GradeChange struct {
	CustomerID  store.ID  `json:"customer_id"`
	Dimension   string    `json:"dimension"`
	Value       string    `json:"value"`
	Previous    string    `json:"previous"`
	Reason      string    `json:"reason"`
	EffectiveAt time.Time `json:"effective_at"`
	ByUser      store.ID  `json:"by_user,omitempty"`
	RunID       *store.ID `json:"run_id,omitempty"`
	At          time.Time `json:"at"`
}

// History is a customer's field and classification history, including
// the records merged into it.
type History struct {
	Fields         []FieldChange `json:"fields"`
	Classification []GradeChange `json:"classification"`
}

// Update applies a patch to a customer the caller may see and write, in
// one transaction: every changed field gets a history row with its old and
// new value, the version goes up by one, and a stale version is a 409.
func (s *Service) Update(ctx context.Context, p *auth.Principal, id store.ID, pt Patch) (Customer, error) {
	if err := need(p, auth.PermCustomersWrite); err != nil {
		return Customer{}, err
	}
	if pt.Version < 1 {
		return Customer{}, apperr.Validation("version", i18n.T("请提供读取时的版本号", "give the version you read"))
	}
	c, err := s.visible(ctx, s.db.Reader(), p, id)
	if err != nil {
		return Customer{}, err
	}
	if c.ID != id {
		return Customer{}, apperr.Conflict("id", i18n.T("该客户已合并到 %s", "the customer was merged into %s", c.ID.String()))
	}
	if pt.Version != c.Version {
		return Customer{}, stale()
	}
	pack, err := s.packOf(ctx, c)
	if err != nil {
		return Customer{}, err
	}
	in := inputOf(c)
	pt.apply(&in)
	in.Normalize()
	if err := in.Validate(pack); err != nil {
		return Customer{}, err
	}
	if (c.ImportanceState == StateApproved || c.ImportanceState == StateFiled) && pt.Supply != nil {
		// Grid changes must not lower an approved customer's source standard (CUS-007).
		check, err := ValidateSupply(c.Importance, *in.Supply)
		if err != nil {
			return Customer{}, err
		}
		if !check.Valid {
			return Customer{}, apperr.Validation("supply", i18n.T("新的电源配置不符合%[1]s要求（CUS-007）：%[2]s",
				"the new supply configuration does not meet %[1]s (CUS-007): %[3]s", c.Importance,
				check.Problems[0].Message.In(i18n.ZH), check.Problems[0].Message.In(i18n.EN)))
		}
	}
	changes, err := diff(inputOf(c), in)
	if err != nil {
		return Customer{}, err
	}
	if len(changes) == 0 {
		return s.read(ctx, p, c.ID, false)
	}
	profile, err := profileText(in.Profile)
	if err != nil {
		return Customer{}, err
	}
	supply, err := supplyText(in.Supply)
	if err != nil {
		return Customer{}, err
	}
	ctx = withActor(ctx, p)
	now := s.now()
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := userExists(ctx, tx, pt.AccountManagerID, "account_manager_id"); err != nil {
			return err
		}
		if err := userExists(ctx, tx, pt.MaintainerID, "maintainer_id"); err != nil {
			return err
		}
		at, by := store.Micros(now), byUser(p)
		res, err := tx.Exec(ctx, `UPDATE customers SET kind = ?, type = ?, name = ?, phone = ?, phone_key = ?, id_number = ?, address = ?,
			email = ?, special_groups = ?, flags = ?, key_account = ?, account_manager_id = ?, name_key = ?, car_brand = ?,
			car_plate = ?, plate_key = ?, note = ?, profile = ?, outage_contact = ?, maintainer_id = ?, supply = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			string(in.Kind), in.Type, in.Name, in.Phone, PhoneKey(in.Phone), in.IDNumber, in.Address,
			in.Email, joinList(in.SpecialGroups), joinList(in.Flags), boolInt(in.KeyAccount), nullable(in.AccountManagerID),
			NameKey(in.Name), in.CarBrand, in.CarPlate, PlateKey(in.CarPlate), in.Note, profile, in.OutageContact,
			nullable(in.MaintainerID), supply, at, c.ID, c.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		var fields []string
		for _, ch := range changes {
			if err := insertHistory(ctx, tx, c.ID, ch.Field, ch.Old, ch.New, at, by); err != nil {
				return err
			}
			fields = append(fields, ch.Field)
			if ch.Field == DimType { // the type is a classification too (CUS-002)
				if err := insertGrade(ctx, tx, c.ID, DimType, ch.New, ch.Old, "update", at, by, nil, at); err != nil {
					return err
				}
			}
		}
		// The audit row names the fields, never confidential values.
		return audit.Record(ctx, tx, now, "customer.update", "customer", c.ID.String(),
			map[string]any{"fields": fields, "version": c.Version + 1})
	})
	if err != nil {
		return Customer{}, err
	}
	return s.read(ctx, p, c.ID, false)
}

func (pt Patch) apply(in *Input) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if pt.Kind != nil {
		in.Kind = *pt.Kind
	}
	set(&in.Type, pt.Type)
	set(&in.Name, pt.Name)
	set(&in.Phone, pt.Phone)
	set(&in.IDNumber, pt.IDNumber)
	set(&in.Address, pt.Address)
	set(&in.Email, pt.Email)
	set(&in.CarBrand, pt.CarBrand)
	set(&in.CarPlate, pt.CarPlate)
	set(&in.Note, pt.Note)
	set(&in.OutageContact, pt.OutageContact)
	if pt.SpecialGroups != nil {
		in.SpecialGroups = *pt.SpecialGroups
	}
	if pt.Flags != nil {
		in.Flags = *pt.Flags
	}
	if pt.KeyAccount != nil {
		in.KeyAccount = *pt.KeyAccount
		if !in.KeyAccount {
			in.KeyAccountTier = ""
		}
	}
	if pt.AccountManagerID != nil {
		in.AccountManagerID = pt.AccountManagerID
	}
	if pt.Profile != nil {
		in.Profile = *pt.Profile
	}
	if pt.MaintainerID != nil {
		in.MaintainerID = pt.MaintainerID
	}
	if pt.Supply != nil {
		in.Supply = pt.Supply
	}
}

// inputOf is the stored customer as an input (classification included,
// so that validation sees the whole record).
func inputOf(c Customer) Input {
	in := Input{Kind: c.Kind, Name: c.Name, Phone: c.Phone, IDNumber: c.IDNumber, Address: c.Address, Email: c.Email,
		Type: c.Type, Grade: c.Grade, Importance: c.Importance, CreditGrade: c.CreditGrade,
		SpecialGroups: slices.Clone(c.SpecialGroups), Flags: slices.Clone(c.Flags), KeyAccount: c.KeyAccount,
		KeyAccountTier: c.KeyAccountTier, AccountManagerID: c.AccountManagerID, CarBrand: c.CarBrand, CarPlate: c.CarPlate,
		Note: c.Note, OutageContact: c.OutageContact, MaintainerID: c.MaintainerID, Supply: c.Supply}
	if c.Profile != nil {
		in.Profile = map[string]string{}
		for k, v := range c.Profile {
			in.Profile[k] = v
		}
	}
	return in
}

// diff lists the changed fields with their old and new text.
func diff(a, b Input) ([]FieldChange, error) {
	ids := func(id *store.ID) string {
		if id == nil {
			return ""
		}
		return id.String()
	}
	pa, err := profileText(a.Profile)
	if err != nil {
		return nil, err
	}
	pb, err := profileText(b.Profile)
	if err != nil {
		return nil, err
	}
	sa, err := supplyText(a.Supply)
	if err != nil {
		return nil, err
	}
	sb, err := supplyText(b.Supply)
	if err != nil {
		return nil, err
	}
	pairs := []struct{ field, old, new string }{
		{"kind", string(a.Kind), string(b.Kind)}, {"type", a.Type, b.Type}, {"name", a.Name, b.Name}, {"phone", a.Phone, b.Phone},
		{"id_number", a.IDNumber, b.IDNumber}, {"address", a.Address, b.Address}, {"email", a.Email, b.Email},
		{"special_groups", joinList(a.SpecialGroups), joinList(b.SpecialGroups)},
		{"flags", joinList(a.Flags), joinList(b.Flags)},
		{"key_account", boolText(a.KeyAccount), boolText(b.KeyAccount)},
		{"key_account_tier", a.KeyAccountTier, b.KeyAccountTier},
		{"account_manager_id", ids(a.AccountManagerID), ids(b.AccountManagerID)},
		{"car_brand", a.CarBrand, b.CarBrand}, {"car_plate", a.CarPlate, b.CarPlate}, {"note", a.Note, b.Note},
		{"profile", pa, pb}, {"outage_contact", a.OutageContact, b.OutageContact},
		{"maintainer_id", ids(a.MaintainerID), ids(b.MaintainerID)}, {"supply", sa, sb},
	}
	var out []FieldChange
	for _, p := range pairs {
		if p.old != p.new {
			out = append(out, FieldChange{Field: p.field, Old: p.old, New: p.new})
		}
	}
	return out, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func insertHistory(ctx context.Context, tx store.Conn, id store.ID, field, old, new string, at int64, by any) error {
	_, err := tx.Exec(ctx, `INSERT INTO customer_history (customer_id, field, old_value, new_value, at, by_user)
		VALUES (?, ?, ?, ?, ?, ?)`, id, field, old, new, at, by)
	return err
}

// History returns the field and classification history of a customer the
// caller may see, with the records merged into it, newest first;
// confidential values are masked as on the customer (SEC-010).
func (s *Service) History(ctx context.Context, p *auth.Principal, id store.ID) (History, error) {
	if err := need(p, auth.PermCustomersRead); err != nil {
		return History{}, err
	}
	r := s.db.Reader()
	c, err := s.visible(ctx, r, p, id)
	if err != nil {
		return History{}, err
	}
	pack, err := s.packOf(ctx, c)
	if err != nil {
		return History{}, err
	}
	merged, err := mergedInto(ctx, r, c.ID)
	if err != nil {
		return History{}, err
	}
	ids := append([]store.ID{c.ID}, merged...)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := store.Placeholders(len(ids))
	out := History{Fields: []FieldChange{}, Classification: []GradeChange{}}
	var shown []string
	rows, err := r.Query(ctx, `SELECT customer_id, field, old_value, new_value, at, coalesce(by_user, 0)
		FROM customer_history WHERE customer_id IN (`+in+`) ORDER BY at DESC, id DESC`, args...)
	if err != nil {
		return History{}, err
	}
	for rows.Next() {
		var h FieldChange
		var at int64
		if err := rows.Scan(&h.CustomerID, &h.Field, &h.Old, &h.New, &at, &h.ByUser); err != nil {
			rows.Close()
			return History{}, err
		}
		h.At = store.FromMicros(at)
		if maskHistory(p, pack, &h) && !slices.Contains(shown, h.Field) {
			shown = append(shown, h.Field)
		}
		out.Fields = append(out.Fields, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return History{}, err
	}
	rows, err = r.Query(ctx, `SELECT customer_id, dimension, value, previous, reason, effective_at, coalesce(by_user, 0),
		run_id, created_at FROM customer_grades WHERE customer_id IN (`+in+`) ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return History{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var g GradeChange
		var eff, at int64
		var run store.NullID
		if err := rows.Scan(&g.CustomerID, &g.Dimension, &g.Value, &g.Previous, &g.Reason, &eff, &g.ByUser, &run, &at); err != nil {
			return History{}, err
		}
		g.EffectiveAt, g.At, g.RunID = store.FromMicros(eff), store.FromMicros(at), idPtr(run)
		out.Classification = append(out.Classification, g)
	}
	if err := rows.Err(); err != nil {
		return History{}, err
	}
	if len(shown) > 0 {
		err = s.db.Tx(withActor(ctx, p), func(tx store.Conn) error {
			return audit.Record(withActor(ctx, p), tx, s.now(), "customer.view_confidential", "customer", c.ID.String(),
				map[string]any{"fields": shown, "history": true})
		})
	}
	return out, err
}
