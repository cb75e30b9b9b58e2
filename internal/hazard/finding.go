package hazard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Finding is a hazard as another module reports it — an inspection record's
// hazards found (INS-012, INS-013), a sampling check's hazard item
// (SMP-016) — registered in that module's transaction.
type Finding struct {
	Source         string   `json:"source"`    // inspection, sampling, staff, customer, public
	SourceID       store.ID `json:"source_id"` // the inspection record or ledger entry; 0 for none
	CompanyID      store.ID `json:"company_id"`
	CustomerID     store.ID `json:"customer_id"` // 0: not at a customer's premises
	ServicePointID store.ID `json:"service_point_id"`
	Location       string   `json:"location"`
	Description    string   `json:"description"`
	Severity       string   `json:"severity"`       // minor, general, larger, serious (INS-018)
	Responsibility string   `json:"responsibility"` // customer, company
	FixedOnSite    bool     `json:"fixed_on_site"`  // fixed during the visit: registered and closed at once
	// ReporterName and ReporterPhone: a customer or member of the public
	// who reported it (the reporter is otherwise the caller).
	ReporterName  string `json:"reporter_name"`
	ReporterPhone string `json:"reporter_phone"`
	// The hand-over (SMP-016): to whom or which unit, and when (default:
	// when registered, if a receiver is named).
	HandedTo     string     `json:"handed_to"`
	HandedUnitID store.ID   `json:"handed_unit_id"`
	HandedAt     *time.Time `json:"handed_at"`
	// FoundAt is when it was found; default now, never in the future.
	FoundAt *time.Time `json:"found_at"`
}

// MaxText is the longest free text of a hazard, a notice or a record, in
// characters.
const MaxText = 2000

// hazardLock serialises the number sequence of one company.
const hazardLock int64 = 0x48415a41524400 // "HAZARD"

// Register registers a hazard reported by staff, a customer or the public
// (INS-018) in its own transaction. The caller needs inspections:write and
// the company must be in the caller's scope (default: the caller's own).
func (s *Service) Register(ctx context.Context, p *auth.Principal, f Finding) (*Detail, error) {
	if !p.Can(auth.PermInspectionsWrite) {
		return nil, apperr.Forbidden(i18n.T("无权登记隐患", "you may not register hazards"))
	}
	var id store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		var err error
		id, err = s.RegisterIn(ctx, tx, p, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// RegisterIn registers a finding in the caller's transaction and returns
// the hazard's id. The calling module has authorised its own command; the
// company must still be the caller's or in the caller's scope. A finding
// fixed on site is registered closed at once.
func (s *Service) RegisterIn(ctx context.Context, tx store.Conn, p *auth.Principal, f Finding) (store.ID, error) {
	now := s.now()
	if err := checkFinding(&f, now); err != nil {
		return 0, err
	}
	co, err := s.companyFor(ctx, tx, p, f.CompanyID)
	if err != nil {
		return 0, err
	}
	pack, err := s.packs.ForUnit(ctx, co.ID)
	if err != nil {
		return 0, err
	}
	if _, ok := pack.Hazards.Severity(f.Severity); !ok {
		return 0, apperr.Validation("severity", i18n.T("须为 %s 之一（INS-018）", "must be one of %s (INS-018)", strings.Join(policy.HazardSeverityKeys, ", ")))
	}
	var name, address string
	var important bool
	if f.CustomerID != 0 {
		if name, address, important, err = customerOf(ctx, tx, co, f.CustomerID); err != nil {
			return 0, err
		}
	}
	if f.ServicePointID != 0 {
		if f.CustomerID == 0 {
			return 0, apperr.Validation("service_point_id", i18n.T("须同时指定客户", "name the customer too"))
		}
		var owner store.ID
		var spAddress string
		err := tx.QueryRow(ctx, "SELECT customer_id, address FROM service_points WHERE id = ?", f.ServicePointID).Scan(&owner, &spAddress)
		if errors.Is(err, sql.ErrNoRows) || err == nil && owner != f.CustomerID {
			return 0, apperr.Validation("service_point_id", i18n.T("不是该客户的服务点", "not a service point of the customer"))
		} else if err != nil {
			return 0, err
		}
		if spAddress != "" {
			address = spAddress
		}
	}
	if f.HandedUnitID != 0 {
		u, err := org.GetUnit(ctx, tx, f.HandedUnitID)
		if err != nil || !strings.HasPrefix(u.Path, co.Path) {
			return 0, apperr.Validation("handed_unit_id", i18n.T("须为本公司的部门或班组", "must be a unit of the hazard's company"))
		}
	}
	found := now
	if f.FoundAt != nil {
		found = *f.FoundAt
	}
	var handedAt int64
	if f.HandedTo != "" || f.HandedUnitID != 0 {
		handedAt = store.Micros(now)
		if f.HandedAt != nil {
			handedAt = store.Micros(*f.HandedAt)
		}
	}
	number, err := nextNumber(ctx, tx, pack.Hazards.NumberPrefix, co.ID, now)
	if err != nil {
		return 0, err
	}
	status, closedAt := StatusFound, int64(0)
	if f.FixedOnSite {
		status, closedAt = StatusClosed, store.Micros(now)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO hazards (number, company_id, pack, pack_version, source, source_id, customer_id,
		service_point_id, customer_name, customer_address, important, location, description, severity, responsibility,
		reporter_id, reporter_name, reporter_phone, handed_to, handed_unit_id, handed_at, status, found_at, closed_at,
		created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		number, co.ID, pack.Key, pack.Version, f.Source, store.OptionalID(f.SourceID), store.OptionalID(f.CustomerID), store.OptionalID(f.ServicePointID),
		name, address, important, f.Location, f.Description, f.Severity, f.Responsibility, userOf(p), f.ReporterName,
		f.ReporterPhone, f.HandedTo, store.OptionalID(f.HandedUnitID), handedAt, string(status), store.Micros(found), closedAt,
		userOf(p), store.Micros(now), store.Micros(now))
	if err != nil {
		return 0, err
	}
	note := sourceNote(f)
	if err := addEvent(ctx, tx, id, EventRegistered, StatusFound, now, p, note, 0); err != nil {
		return 0, err
	}
	if handedAt != 0 {
		if err := addEvent(ctx, tx, id, EventHandedOver, StatusFound, store.FromMicros(handedAt), p, f.HandedTo, f.HandedUnitID); err != nil {
			return 0, err
		}
	}
	if f.FixedOnSite {
		if err := addEvent(ctx, tx, id, EventFixedOnSite, StatusClosed, now, p, "", 0); err != nil {
			return 0, err
		}
	}
	return id, audit.Record(ctx, tx, now, "hazard.register", "hazard", id.String(),
		map[string]any{"number": number, "source": f.Source, "severity": f.Severity, "fixed_on_site": f.FixedOnSite})
}

// checkFinding validates the fields of a finding that need no database.
func checkFinding(f *Finding, now time.Time) error {
	f.Location, f.Description = strings.TrimSpace(f.Location), strings.TrimSpace(f.Description)
	f.ReporterName, f.ReporterPhone = strings.TrimSpace(f.ReporterName), strings.TrimSpace(f.ReporterPhone)
	f.HandedTo = strings.TrimSpace(f.HandedTo)
	if !slices.Contains(Sources, f.Source) {
		return apperr.Validation("source", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(Sources, ", ")))
	}
	if f.Location == "" {
		return apperr.Required("location")
	}
	if f.Description == "" {
		return apperr.Required("description")
	}
	if f.Severity == "" {
		return apperr.Required("severity")
	}
	if f.Responsibility != ResponsibleCustomer && f.Responsibility != ResponsibleCompany {
		return apperr.Validation("responsibility", i18n.T("须为 customer（客户）或 company（供方）", "must be customer or company"))
	}
	if (f.Source == SourceCustomer || f.Source == SourcePublic) && f.ReporterName == "" && f.CustomerID == 0 {
		return apperr.Validation("reporter_name", i18n.T("客户或群众举报须登记举报人", "a report by a customer or the public needs the reporter"))
	}
	for _, t := range []struct{ field, text string }{{"location", f.Location}, {"description", f.Description},
		{"reporter_name", f.ReporterName}, {"reporter_phone", f.ReporterPhone}, {"handed_to", f.HandedTo}} {
		if utf8.RuneCountInString(t.text) > MaxText {
			return apperr.Validation(t.field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
		}
	}
	if f.FoundAt != nil && f.FoundAt.After(now) {
		return apperr.Validation("found_at", i18n.T("发现时间不能晚于现在", "cannot be in the future"))
	}
	if f.HandedAt != nil {
		if f.HandedTo == "" && f.HandedUnitID == 0 {
			return apperr.Validation("handed_to", i18n.T("请填写交接给谁（SMP-016）", "name whom it was handed to (SMP-016)"))
		}
		if f.HandedAt.After(now) {
			return apperr.Validation("handed_at", i18n.T("交接时间不能晚于现在", "cannot be in the future"))
		}
	}
	return nil
}

// companyFor is the hazard's company: the one named (a company in the
// caller's scope), else the caller's. Another company is a validation
// error, never a hint that it exists.
func (s *Service) companyFor(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (org.Unit, error) {
	if id == 0 {
		if p == nil {
			return org.Unit{}, apperr.Required("company_id")
		}
		return org.CompanyOf(ctx, tx, p.OrgUnitID)
	}
	u, err := org.CompanyOf(ctx, tx, id)
	if err != nil || u.ID != id {
		return org.Unit{}, apperr.Validation("company_id", i18n.T("须为公司", "must be a company"))
	}
	if p == nil || p.Scope().Contains(u.Path) {
		return u, nil
	}
	if own, err := org.CompanyOf(ctx, tx, p.OrgUnitID); err == nil && own.ID == u.ID {
		return u, nil
	}
	return org.Unit{}, apperr.Validation("company_id", i18n.T("须为公司", "must be a company"))
}

// customerOf reads the customer's snapshot; an approved important customer
// (CUS-006) is important. A customer of another company is refused.
func customerOf(ctx context.Context, tx store.Conn, co org.Unit, id store.ID) (name, address string, important bool, err error) {
	var unit store.ID
	var importance, state string
	err = tx.QueryRow(ctx, "SELECT name, address, org_unit_id, importance, importance_state FROM customers WHERE id = ?", id).
		Scan(&name, &address, &unit, &importance, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, apperr.Validation("customer_id", i18n.T("客户不存在", "no such customer"))
	}
	if err != nil {
		return "", "", false, err
	}
	u, err := org.GetUnit(ctx, tx, unit)
	if err != nil || !strings.HasPrefix(u.Path, co.Path) {
		return "", "", false, apperr.Validation("customer_id", i18n.T("客户不存在", "no such customer"))
	}
	important = importance != "" && (state == "approved" || state == "filed")
	return name, address, important, nil
}

// nextNumber gives the next number of the company's year without gaps: the
// sequence row is taken under the company's lock and rolls back with the
// transaction (INS-018: H-2026-0114).
func nextNumber(ctx context.Context, tx store.Conn, prefix string, company store.ID, now time.Time) (string, error) {
	if err := store.LockXact(ctx, tx, hazardLock^int64(company)); err != nil {
		return "", err
	}
	year := now.In(store.Zone).Year()
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO hazard_sequences (company_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (company_id, year) DO UPDATE SET last = hazard_sequences.last + 1 RETURNING last`, company, year).Scan(&n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%d-%04d", prefix, year, n), nil
}

// sourceNote names where a finding came from on the timeline.
func sourceNote(f Finding) string {
	switch {
	case f.ReporterName != "":
		return f.ReporterName
	case f.SourceID != 0:
		return f.Source + " #" + f.SourceID.String()
	}
	return ""
}

// addEvent appends a step to the hazard's timeline.
func addEvent(ctx context.Context, tx store.Conn, hazard store.ID, kind string, status Status, at time.Time,
	p *auth.Principal, note string, ref store.ID) error {
	_, err := tx.Exec(ctx, `INSERT INTO hazard_events (hazard_id, kind, status, at, actor_id, note, ref_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hazard, kind, string(status), store.Micros(at), userOf(p), note, store.OptionalID(ref))
	return err
}

func userOf(p *auth.Principal) store.NullID {
	if p == nil {
		return store.NullID{}
	}
	return store.OptionalID(p.UserID)
}
