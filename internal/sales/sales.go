// Package sales owns sales-centre reception and customer attribution
// (RULES.md SAL-001 to SAL-028, SEC-002 to SEC-005): each sales centre's
// rotation table (轮排表) with its make-up turns and the log of every
// adjustment; receptions on the floor, at most one per agent; the
// append-only registers — the visitor register (客户登记本), the
// phone-inquiry register and the leasing managers' customer information
// registration form — with the Project Manager's verification and
// corrections that reference the entry they correct; conflicts between
// registrations found by the identity keys of CUS-016; deals (deposit and
// subscription, SAL-019); attribution decisions computed by Attribute or
// ruled by the Sales Manager, with their commission shares and the rule
// IDs applied; group-purchase bonuses; applications for the restricted
// actions of SAL-021; follow-ups (SAL-024); and the leasing variant of seed
// 003-D: daily submissions, customer archive forms and the General
// Manager's view grants (SAL-025 to SAL-028, SEC-005). A grabbed customer
// proposes the fine of the merit ledger (SAL-015); a late leasing form
// proposes the MER-013 deduction.
package sales

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Packs is what the service needs of the policy registry.
type Packs interface {
	ForUnit(ctx context.Context, unit store.ID) (*policy.Pack, error)
}

// Calendars is what the service needs of the calendar registry.
type Calendars interface {
	Get(id string) (*calendar.Calendar, bool)
}

// Proposer puts a proposal on the merit ledger from an event inside the
// caller's transaction (merit.Service.Propose): the grabbing fine of
// SAL-015, the MER-013 deduction for a late leasing form.
type Proposer interface {
	Propose(ctx context.Context, tx store.Conn, event string, payload any) error
}

// Options build a Service.
type Options struct {
	DB        *store.DB
	Policy    Packs
	Calendars Calendars
	Org       *org.Service
	Notify    *notify.Service // nil: nobody is told
	Merits    Proposer        // nil: no merit proposals
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service runs the sales centres.
type Service struct {
	db     *store.DB
	packs  Packs
	cals   Calendars
	org    *org.Service
	notify *notify.Service
	merits Proposer
	log    *slog.Logger
	now    func() time.Time

	subscribed []SubscriptionHook // told when a subscription is signed (ARC-006)
}

// New returns the sales service.
func New(o Options) *Service {
	s := &Service{db: o.DB, packs: o.Policy, cals: o.Calendars, org: o.Org, notify: o.Notify, merits: o.Merits,
		log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// salesLock serialises numbering and the rotation of one company's sales
// centres (XOR the company or unit id).
const salesLock = 0x73616c65 // "sale"

// Number prefixes per kind of record.
const (
	seqReception   = "JD" // 接待
	seqEntry       = "DJ" // 登记
	seqConflict    = "CT" // 冲突
	seqDeal        = "CJ" // 成交
	seqApplication = "SQ" // 申请
	seqArchiveForm = "DA" // 档案表
)

// nextNumber gives the next number of a kind in the company's year without
// gaps (JD-2026-0001), under the company's lock, rolled back with tx.
func nextNumber(ctx context.Context, tx store.Conn, kind string, company store.ID, now time.Time) (string, error) {
	if err := store.LockXact(ctx, tx, salesLock^int64(company)); err != nil {
		return "", err
	}
	year := now.In(store.Zone).Year()
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO sales_sequences (company_id, kind, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (company_id, kind, year) DO UPDATE SET last = sales_sequences.last + 1 RETURNING last`,
		company, kind, year).Scan(&n)
	if err != nil {
		return "", err
	}
	width := 4
	if kind == seqEntry {
		width = 5
	}
	return fmt.Sprintf("%s-%d-%0*d", kind, year, width, n), nil
}

// centre is a sales centre as the service needs it: its unit, company,
// mode, rules and calendar.
type centre struct {
	UnitID    store.ID
	Unit      string
	CompanyID store.ID
	Mode      string
	MakeUp    string // the centre's policy, else the pack's
	Pack      *policy.Pack
	Rules     *policy.SalesRules
	Calendar  *calendar.Calendar // the pack's calendar (SAL-006, SAL-014)
}

// loadCentre reads the sales centre of unit; apperr.NotFound when the unit
// is not one, or lies outside p's scope.
func (s *Service) loadCentre(ctx context.Context, c store.Conn, p *auth.Principal, unit store.ID) (*centre, error) {
	ce := &centre{UnitID: unit}
	var ptr store.NullID
	err := c.QueryRow(ctx, `SELECT o.name, sc.company_id, sc.mode, sc.makeup_policy, sc.pointer_user_id
		FROM sales_centres sc JOIN org_units o ON o.id = sc.unit_id WHERE sc.unit_id = ?`, unit).
		Scan(&ce.Unit, &ce.CompanyID, &ce.Mode, &ce.MakeUp, &ptr)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound("unit_id")
		}
		return nil, err
	}
	if ok, err := p.SeesCompany(ctx, c, ce.CompanyID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("unit_id")
	}
	if err := s.fillRules(ctx, ce); err != nil {
		return nil, err
	}
	return ce, nil
}

// fillRules reads the pack and calendar of the centre.
func (s *Service) fillRules(ctx context.Context, ce *centre) error {
	pack, err := s.packs.ForUnit(ctx, ce.UnitID)
	if err != nil {
		return err
	}
	ce.Pack, ce.Rules = pack, &pack.Sales
	if ce.MakeUp == "" {
		ce.MakeUp = pack.Sales.MakeUpPolicy
	}
	cal, ok := s.cals.Get(pack.Calendar)
	if !ok {
		return fmt.Errorf("sales: pack %s names calendar %q, which does not exist", pack.Key, pack.Calendar)
	}
	ce.Calendar = cal
	return nil
}

// leasingCalendar is the calendar of the leasing deadlines (cn-office:
// the end of work is its close of business, CAL-008).
func (s *Service) leasingCalendar(ce *centre) (*calendar.Calendar, error) {
	cal, ok := s.cals.Get(ce.Rules.Leasing.Calendar)
	if !ok {
		return nil, fmt.Errorf("sales: calendar %q does not exist", ce.Rules.Leasing.Calendar)
	}
	return cal, nil
}

// need refuses p without perm.
func need(p *auth.Principal, perm auth.Permission) error {
	if p != nil && !p.Can(perm) {
		return apperr.Forbidden(i18n.T("需要权限 %s", "permission %s is required", string(perm)))
	}
	return nil
}

// IsDecider reports whether p rules disputes and decides applications at
// a centre with rules r (SAL-021, SAL-022): sales:manage and a decider
// role of the pack, or an administrator (or the system, nil). The web
// pages ask it to show the ruling forms.
func IsDecider(p *auth.Principal, r *policy.SalesRules) bool {
	if p == nil || p.IsAdmin() {
		return true
	}
	return p.Can(auth.PermSalesManage) && slices.ContainsFunc(r.DeciderRoles, p.HasRole)
}

// isDecider is IsDecider at the centre.
func isDecider(p *auth.Principal, ce *centre) bool { return IsDecider(p, ce.Rules) }

// positionOf reads the job position (职务) of p's user: the custodian and
// viewer positions of the register are positions, not roles.
func positionOf(ctx context.Context, c store.Conn, p *auth.Principal) (string, error) {
	if p == nil {
		return "", nil
	}
	var pos string
	err := c.QueryRow(ctx, `SELECT position FROM users WHERE id = ?`, p.UserID).Scan(&pos)
	return pos, err
}

// isCustodian reports whether p, holding position pos, keeps the centre's
// register and verifies it (the Project Manager, SAL-006): sales:manage
// and a custodian position of the pack, or an administrator.
func isCustodian(p *auth.Principal, pos string, ce *centre) bool {
	if p == nil || p.IsAdmin() {
		return true
	}
	return p.Can(auth.PermSalesManage) && slices.Contains(ce.Rules.Register.CustodianPositions, pos)
}

// readsRegister reports whether p, holding position pos, reads the
// centre's whole register (SEC-003): a viewer role or position of the
// pack, the custodian, or an administrator. A leasing centre needs a grant
// besides (SEC-005), which the register reads check.
func readsRegister(p *auth.Principal, pos string, ce *centre) bool {
	if p == nil || p.IsAdmin() || isCustodian(p, pos, ce) {
		return true
	}
	return slices.ContainsFunc(ce.Rules.Register.ViewerRoles, p.HasRole) ||
		slices.Contains(ce.Rules.Register.ViewerPositions, pos)
}

// errNotAgent is the error for a user who is not a member of the centre.
func errNotAgent(field string) error {
	return apperr.Validation(field, i18n.T("不是本案场轮排表上的售楼员", "not an agent on this sales centre's rotation"))
}
