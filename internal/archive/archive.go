// Package archive owns the archives (档案, RULES.md ARC-001 to ARC-019,
// SEC-009): the archive departments a company binds to its org units with
// their dedicated custodians (ARC-004); files — one per property unit or
// shop (一户一档), per customer, per litigation case, per year of
// complaints (ARC-017) — with their volumes per category, numbered by the
// pack's schemes (立卷/编号, ARC-010), and the documents checked in and
// filed the same day (ARC-009); cross-references between files (ARC-002);
// confidentiality levels changed only by both approving departments
// (ARC-005); legal holds; loans through the approval chain the pack names,
// registered with a due date, reminded, chased and returned (ARC-011,
// ARC-012); retention from the archiving date and destruction lists
// approved by the named chain and executed into a permanent destruction
// record (ARC-014, ARC-015); scheduled handovers between departments with
// their deadlines and completeness checks (ARC-003, ARC-006 to ARC-009);
// and archive inspections with findings tracked to closure (ARC-019).
// Every view of a file's contents is audited (SEC-001).
package archive

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/document"
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

// Options build a Service.
type Options struct {
	DB        *store.DB
	Policy    Packs
	Calendars Calendars
	Org       *org.Service
	Documents *document.Service // electronic copies; nil: none
	Notify    *notify.Service   // nil: nobody is told
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service runs the archives.
type Service struct {
	db     *store.DB
	packs  Packs
	cals   Calendars
	org    *org.Service
	docs   *document.Service
	notify *notify.Service
	log    *slog.Logger
	now    func() time.Time
}

// New returns the archive service.
func New(o Options) *Service {
	s := &Service{db: o.DB, packs: o.Policy, cals: o.Calendars, org: o.Org, docs: o.Documents, notify: o.Notify,
		log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// archiveLock serialises the numbering of one company's archive (XOR the
// company id).
const archiveLock = 0x61726368 // "arch"

// Sequence kinds (archive_sequences.kind).
const (
	seqLoan        = "loan"
	seqDestruction = "destruction"
	seqHandover    = "handover"
	seqLitigation  = "litigation"
	seqGeneral     = "general"
)

// nextSeq gives the next number of a kind in the company's year, without
// gaps, under the company's lock; rolled back with tx.
func nextSeq(ctx context.Context, tx store.Conn, kind string, company store.ID, year int) (int, error) {
	if err := store.LockXact(ctx, tx, archiveLock^int64(company)); err != nil {
		return 0, err
	}
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO archive_sequences (company_id, kind, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (company_id, kind, year) DO UPDATE SET last = archive_sequences.last + 1 RETURNING last`,
		company, kind, year).Scan(&n)
	return int(n), err
}

// rules are a company's archive rules and calendar.
type rules struct {
	CompanyID store.ID
	Pack      *policy.Pack
	Archive   *policy.ArchiveRules
	Calendar  *calendar.Calendar
}

// rulesOf reads the pack and calendar of a company.
func (s *Service) rulesOf(ctx context.Context, company store.ID) (*rules, error) {
	pack, err := s.packs.ForUnit(ctx, company)
	if err != nil {
		return nil, err
	}
	id := pack.Archives.Calendar
	if id == "" {
		id = pack.Calendar
	}
	cal, ok := s.cals.Get(id)
	if !ok {
		return nil, fmt.Errorf("archive: pack %s names calendar %q, which does not exist", pack.Key, id)
	}
	return &rules{CompanyID: company, Pack: pack, Archive: &pack.Archives, Calendar: cal}, nil
}

// companyFor is the company whose archive p works in: the one asked for
// when p sees it (apperr.NotFound naming field otherwise), else p's own.
func (s *Service) companyFor(ctx context.Context, c store.Conn, p *auth.Principal, asked store.ID, field string) (store.ID, error) {
	if asked == 0 {
		if p == nil {
			return 0, apperr.Required(field)
		}
		co, err := org.CompanyOf(ctx, c, p.OrgUnitID)
		if err != nil {
			return 0, err
		}
		return co.ID, nil
	}
	u, err := org.GetUnit(ctx, c, asked)
	if err != nil || u.Kind != org.Company {
		return 0, apperr.NotFound(field)
	}
	if ok, err := p.SeesCompany(ctx, c, asked); err != nil {
		return 0, err
	} else if !ok {
		return 0, apperr.NotFound(field)
	}
	return asked, nil
}

// need refuses p without perm.
func need(p *auth.Principal, perm auth.Permission) error {
	if p != nil && !p.Can(perm) {
		return apperr.Forbidden(i18n.T("需要权限 %s", "permission %s is required", string(perm)))
	}
	return nil
}

// today is the date of now on the calendar.
func today(cal *calendar.Calendar, now time.Time) calendar.Date {
	return calendar.DateOf(now.In(cal.Location()))
}

// Longest texts, in characters.
const (
	maxShort = 32   // project, building, unit, sub-category
	maxTitle = 200  // titles, locations, who handed a document in
	maxNote  = 500  // reasons and notes
	maxLong  = 2000 // inspection summaries
)

// limit is a text field and its longest length.
type limit struct {
	field string
	value string
	max   int
}

// tooLong refuses the first text longer than its limit, naming the field.
func tooLong(ls ...limit) error {
	for _, l := range ls {
		if utf8.RuneCountInString(l.value) > l.max {
			return apperr.Validation(l.field, i18n.T("不能超过 %[1]d 个字符", "at most %[1]d characters", l.max))
		}
	}
	return nil
}
