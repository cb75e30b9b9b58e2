package hazard

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

const hazardColumns = `h.id, h.number, h.company_id, h.pack, h.pack_version, h.source, h.source_id, h.customer_id,
	h.service_point_id, h.customer_name, h.customer_address, h.important, h.location, h.description, h.severity,
	h.responsibility, h.reporter_id, h.reporter_name, h.reporter_phone, h.handed_to, h.handed_unit_id, h.handed_at,
	h.status, h.review, h.found_at, h.deadline_on, h.deadline_at, h.follow_up_due_at, h.escalated_at,
	h.disconnect_ordered_at, h.disconnected_at, h.verified_at, h.restored_at, h.closed_at, h.created_by, h.created_at`

// scan reads a hazard row and computes its clocks at the service's now.
func (s *Service) scan(sc store.Scanner) (*Hazard, error) {
	var h Hazard
	var source, customer, point, reporter, handedUnit, createdBy store.NullID
	var handed, found, deadline, followUp, escalated, ordered, disconnected, verified, restored, closed, created int64
	err := sc.Scan(&h.ID, &h.Number, &h.CompanyID, &h.Pack, &h.PackVersion, &h.Source, &source, &customer, &point,
		&h.CustomerName, &h.Address, &h.Important, &h.Location, &h.Description, &h.Severity, &h.Responsibility, &reporter,
		&h.ReporterName, &h.ReporterPhone, &h.HandedTo, &handedUnit, &handed, &h.Status, &h.Review, &found, &h.DeadlineOn,
		&deadline, &followUp, &escalated, &ordered, &disconnected, &verified, &restored, &closed, &createdBy, &created)
	if err != nil {
		return nil, err
	}
	h.SourceID, h.CustomerID, h.ServicePointID, h.ReporterID, h.HandedUnitID, h.CreatedBy = source.ID, customer.ID,
		point.ID, reporter.ID, handedUnit.ID, createdBy.ID
	h.FoundAt, h.CreatedAt = store.FromMicros(found), store.FromMicros(created)
	h.HandedAt, h.DeadlineAt, h.FollowUpDueAt, h.EscalatedAt = instant(handed), instant(deadline), instant(followUp), instant(escalated)
	h.DisconnectOrderedAt, h.DisconnectedAt, h.VerifiedAt = instant(ordered), instant(disconnected), instant(verified)
	h.RestoredAt, h.ClosedAt = instant(restored), instant(closed)
	s.clocks(&h, s.now())
	h.NextSteps = nextSteps(&h)
	return &h, nil
}

// mayRead refuses p without inspections:read.
func mayRead(p *auth.Principal) error {
	if !p.Can(auth.PermInspectionsRead) {
		return apperr.Forbidden(i18n.T("无权查看隐患", "you may not read hazards"))
	}
	return nil
}

// visible is the row scope of hazards: the company's, seen by the people
// of its subtree and of the company itself.
func visible(p *auth.Principal) (string, []any) {
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, "h.company_id")
}

// load reads a hazard p may see, or 404.
func (s *Service) load(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Hazard, error) {
	cond, args := visible(p)
	h, err := s.scan(c.QueryRow(ctx, "SELECT "+hazardColumns+" FROM hazards h WHERE h.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("hazard")
	}
	return h, err
}

// Get returns a hazard p may see with its timeline, notices, filings,
// follow-ups and verifications.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Detail, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	db := s.db.Reader()
	h, err := s.load(ctx, db, p, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Hazard: *h}
	if d.Events, err = store.QueryAll(ctx, db, scanEvent, `SELECT e.id, e.kind, e.status, e.at, e.actor_id,
		coalesce(u.display_name, ''), e.note, e.ref_id FROM hazard_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.hazard_id = ? ORDER BY e.id`, id); err != nil {
		return nil, err
	}
	if d.Notices, err = store.QueryAll(ctx, db, scanNotice, `SELECT n.id, n.number, n.kind, n.risk, n.measures, n.deadline_on,
		n.deadline_at, n.issued_at, n.issued_by, coalesce(u.display_name, ''), g.refused, g.signer, g.witness, g.at
		FROM hazard_notices n LEFT JOIN users u ON u.id = n.issued_by LEFT JOIN hazard_signatures g ON g.notice_id = n.id
		WHERE n.hazard_id = ? ORDER BY n.id`, id); err != nil {
		return nil, err
	}
	pack, _ := s.packs.Version(h.Pack, h.PackVersion)
	if d.Filings, err = store.QueryAll(ctx, db, func(sc store.Scanner) (Filing, error) {
		var f Filing
		var notice store.NullID
		var created int64
		err := sc.Scan(&f.ID, &notice, &f.Purpose, &f.Body, &f.FiledOn, &f.Reference, &created)
		f.NoticeID, f.CreatedAt, f.BodyName = notice.ID, store.FromMicros(created), f.Body
		if pack != nil {
			if b, ok := pack.Hazards.Body(f.Body); ok {
				f.BodyName = b.Name.ZH
			}
		}
		return f, err
	}, `SELECT id, notice_id, purpose, body, filed_on, reference, created_at FROM hazard_filings
		WHERE hazard_id = ? ORDER BY id`, id); err != nil {
		return nil, err
	}
	if d.FollowUps, err = store.QueryAll(ctx, db, func(sc store.Scanner) (FollowUp, error) {
		var f FollowUp
		var done, next int64
		err := sc.Scan(&f.ID, &f.Method, &done, &f.Found, &next, &f.ByName)
		f.DoneAt, f.NextDueAt = store.FromMicros(done), store.FromMicros(next)
		return f, err
	}, `SELECT f.id, f.method, f.done_at, f.found, f.next_due_at, coalesce(u.display_name, '') FROM hazard_follow_ups f
		LEFT JOIN users u ON u.id = f.recorded_by WHERE f.hazard_id = ? ORDER BY f.id`, id); err != nil {
		return nil, err
	}
	if d.Verifications, err = store.QueryAll(ctx, db, func(sc store.Scanner) (Verification, error) {
		var v Verification
		var at int64
		err := sc.Scan(&v.ID, &at, &v.Verifier, &v.Method, &v.Result, &v.ByName)
		v.VerifiedAt = store.FromMicros(at)
		return v, err
	}, `SELECT v.id, v.verified_at, v.verifier, v.method, v.result, coalesce(u.display_name, '') FROM hazard_verifications v
		LEFT JOIN users u ON u.id = v.recorded_by WHERE v.hazard_id = ? ORDER BY v.id`, id); err != nil {
		return nil, err
	}
	return d, nil
}

func scanEvent(sc store.Scanner) (Event, error) {
	var e Event
	var actor, ref store.NullID
	var at int64
	err := sc.Scan(&e.ID, &e.Kind, &e.Status, &at, &actor, &e.ActorName, &e.Note, &ref)
	e.At, e.ActorID, e.RefID = store.FromMicros(at), actor.ID, ref.ID
	if !actor.Valid {
		e.ActorName = "kefu"
	}
	return e, err
}

func scanNotice(sc store.Scanner) (Notice, error) {
	var n Notice
	var by store.NullID
	var deadline, issued int64
	var refused sql.NullBool
	var signer, witness sql.NullString
	var at sql.NullInt64
	err := sc.Scan(&n.ID, &n.Number, &n.Kind, &n.Risk, &n.Measures, &n.DeadlineOn, &deadline, &issued, &by, &n.IssuerName,
		&refused, &signer, &witness, &at)
	n.DeadlineAt, n.IssuedAt, n.IssuedBy = store.FromMicros(deadline), store.FromMicros(issued), by.ID
	if at.Valid {
		n.Signature = &Signature{Refused: refused.Bool, Signer: signer.String, Witness: witness.String, At: store.FromMicros(at.Int64)}
	}
	return n, err
}

// Filter selects hazards; zero fields do not filter.
type Filter struct {
	Status     Status
	Severity   string
	Source     string
	Overdue    bool // a follow-up or the rectification deadline is overdue
	CustomerID store.ID
	Q          string // number, location, description or customer name contains
	Limit      int    // default 50, at most 500
	Before     store.ID
}

// openStatuses are the statuses of a hazard not yet verified.
var openStatuses = []Status{StatusFound, StatusNotified, StatusRectifying, StatusRefusedToSign, StatusEscalated,
	StatusDisconnectionOrdered, StatusDisconnected}

// followedStatuses are the statuses whose rectification is followed up (INS-013).
var followedStatuses = []Status{StatusRectifying, StatusRefusedToSign, StatusEscalated, StatusDisconnectionOrdered,
	StatusDisconnected}

// List returns the hazards p may see, newest first.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]*Hazard, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	var err error
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.Validation("status", i18n.T("没有此状态", "no such status"))
	}
	if f.Source != "" && !slices.Contains(Sources, f.Source) {
		return nil, apperr.Validation("source", i18n.T("须为 %s 之一", "must be one of %s", strings.Join(Sources, ", ")))
	}
	if f.Severity != "" && !slices.Contains(policy.HazardSeverityKeys, f.Severity) {
		return nil, apperr.Validation("severity", i18n.T("没有此隐患等级", "no such severity"))
	}
	cond, args := visible(p)
	where := []string{cond}
	add := func(c string, a ...any) { where, args = append(where, c), append(args, a...) }
	if f.Status != "" {
		add("h.status = ?", string(f.Status))
	}
	if f.Severity != "" {
		add("h.severity = ?", f.Severity)
	}
	if f.Source != "" {
		add("h.source = ?", f.Source)
	}
	if f.CustomerID != 0 {
		add("h.customer_id = ?", f.CustomerID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		add(`(h.number LIKE ? ESCAPE '\' OR h.location LIKE ? ESCAPE '\' OR h.description LIKE ? ESCAPE '\'
			OR h.customer_name LIKE ? ESCAPE '\')`, like, like, like, like)
	}
	if f.Overdue {
		now := store.Micros(s.now())
		add(`((h.follow_up_due_at > 0 AND h.follow_up_due_at <= ? AND h.status IN (`+statusList(followedStatuses)+`))
			OR (h.deadline_at > 0 AND h.deadline_at <= ? AND h.verified_at = 0 AND h.status IN (`+statusList(openStatuses)+`)))`,
			now, now)
	}
	if f.Before != 0 {
		add("h.id < ?", f.Before)
	}
	return store.QueryAll(ctx, s.db.Reader(), s.scan, "SELECT "+hazardColumns+" FROM hazards h WHERE "+
		strings.Join(where, " AND ")+" ORDER BY h.id DESC LIMIT ?", append(args, f.Limit)...)
}

// statusList writes statuses as SQL string literals (constants, never input).
func statusList(sts []Status) string {
	q := make([]string, len(sts))
	for i, st := range sts {
		q[i] = "'" + string(st) + "'"
	}
	return strings.Join(q, ", ")
}

func instant(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}
