package merit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Bounty kinds and states.
const (
	BountyHazard = "hazard" // MER-007
	BountyTheft  = "theft"  // MER-008

	BountyProposed = "proposed"
	BountyApproved = "approved"
	BountyPaid     = "paid"
	BountyRejected = "rejected"
)

// Theft bounty bases (MER-008): a percentage of the penalty or of the
// recovered fees.
const (
	BasisPenalty   = "penalty"
	BasisRecovered = "recovered"
)

// EventBounty tells the deciders of a bounty to decide and the registrar
// of the decision. Its title and payload never name the reporter.
const EventBounty = "merit.bounty"

// Bounty is one entry of the bounty register.
type Bounty struct {
	ID           store.ID   `json:"id"`
	CompanyID    store.ID   `json:"company_id"`
	Number       string     `json:"number"` // R-2026-07
	Kind         string     `json:"kind"`
	HazardID     store.ID   `json:"hazard_id,omitempty"`
	Severity     string     `json:"severity,omitempty"`
	OwnHome      bool       `json:"own_home"`
	Verified     bool       `json:"verified"`
	Verification string     `json:"verification,omitempty"`
	Basis        string     `json:"basis,omitempty"` // theft: penalty or recovered
	BasisAmount  money.Yuan `json:"basis_amount"`
	Percent      string     `json:"percent,omitempty"`
	Amount       money.Yuan `json:"amount"`
	// Reporter is the reporter's identity for the pack's viewers, else
	// "protected reporter R-2026-07" (SEC-007); Protected says which.
	Reporter      string     `json:"reporter"`
	ReporterPhone string     `json:"reporter_phone,omitempty"`
	Protected     bool       `json:"protected"`
	State         string     `json:"state"`
	Note          string     `json:"note,omitempty"`
	RegisteredBy  store.ID   `json:"registered_by"`
	DecidedBy     store.ID   `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	DecisionNote  string     `json:"decision_note,omitempty"`
	PaidOn        string     `json:"paid_on,omitempty"`
	Voucher       string     `json:"voucher,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`

	sealed string // the sealed reporter, opened for the viewers only
}

// BountyInput registers a report for a bounty.
type BountyInput struct {
	Kind          string   `json:"kind"`
	HazardID      store.ID `json:"hazard_id,omitempty"`
	OwnHome       bool     `json:"own_home"`
	Verified      bool     `json:"verified"`
	Verification  string   `json:"verification"`
	Basis         string   `json:"basis,omitempty"`
	BasisAmount   string   `json:"basis_amount,omitempty"`
	ReporterName  string   `json:"reporter_name"`
	ReporterPhone string   `json:"reporter_phone"`
	Note          string   `json:"note,omitempty"`
	UnitID        store.ID `json:"unit_id,omitempty"` // the company the report is for (theft); default the caller's
}

// BountyDecision approves, rejects or pays a bounty.
type BountyDecision struct {
	Note    string `json:"note"`
	PaidOn  string `json:"paid_on,omitempty"`
	Voucher string `json:"voucher,omitempty"`
}

// reporter is what reporter_sealed seals: the reporter's name and phone.
type reporter struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// bountyColumns are the columns scanBounty reads (bounty b).
const bountyColumns = `b.id, b.company_id, b.number, b.kind, b.hazard_id, b.severity, b.own_home, b.verified,
	b.verification, b.basis, b.basis_cents, b.percent, b.amount_cents, b.reporter_sealed, b.state, b.note,
	b.registered_by, b.decided_by, b.decided_at, b.decision_note, b.paid_on, b.voucher, b.created_at
	FROM merit_bounties b`

// scanBounty reads one row of bountyColumns; the reporter stays sealed.
func scanBounty(sc store.Scanner) (Bounty, error) {
	var b Bounty
	var hazard, decider store.NullID
	var basis, amount, percent, decided, created int64
	err := sc.Scan(&b.ID, &b.CompanyID, &b.Number, &b.Kind, &hazard, &b.Severity, &b.OwnHome, &b.Verified,
		&b.Verification, &b.Basis, &basis, &percent, &amount, &b.sealed, &b.State, &b.Note,
		&b.RegisteredBy, &decider, &decided, &b.DecisionNote, &b.PaidOn, &b.Voucher, &created)
	b.HazardID, b.DecidedBy = hazard.ID, decider.ID
	b.BasisAmount, b.Amount = money.Yuan(basis), money.Yuan(amount)
	if b.Kind == BountyTheft {
		b.Percent = money.FormatPercent(percent)
	}
	b.DecidedAt, b.CreatedAt = instant(decided), store.FromMicros(created)
	return b, err
}

// mayReadBounties refuses a caller without merits:read. The register is
// the company's: its reporters stay protected from all but their viewers.
func mayReadBounties(p *auth.Principal) error {
	if p == nil || !p.Can(auth.PermMeritsRead) {
		return apperr.Forbidden(i18n.T("无权查看举报奖励登记", "you may not read the bounty register"))
	}
	return nil
}

// Bounties lists the register of the companies in the caller's scope,
// newest first (at most apperr.MaxPageLimit), optionally of one state.
func (s *Service) Bounties(ctx context.Context, p *auth.Principal, state string) ([]Bounty, error) {
	if err := mayReadBounties(p); err != nil {
		return nil, err
	}
	cond, args := rowScope(p, "b.company_id")
	switch state {
	case "":
	case BountyProposed, BountyApproved, BountyPaid, BountyRejected:
		cond, args = cond+" AND b.state = ?", append(args, state)
	default:
		return nil, apperr.Validation("state", i18n.T("未知状态 %q", "unknown state %q", state))
	}
	r := s.db.Reader()
	out, err := store.QueryAll(ctx, r, scanBounty, "SELECT "+bountyColumns+" WHERE "+cond+" ORDER BY b.id DESC LIMIT ?",
		append(args, apperr.MaxPageLimit)...)
	if err != nil {
		return nil, err
	}
	packs := map[store.ID]*policy.Pack{}
	for i := range out {
		pack, ok := packs[out[i].CompanyID]
		if !ok {
			if pack, err = s.packs.ForUnit(ctx, out[i].CompanyID); err != nil {
				return nil, err
			}
			packs[out[i].CompanyID] = pack
		}
		s.reveal(p, pack, &out[i])
	}
	if out == nil {
		out = []Bounty{}
	}
	return out, nil
}

// GetBounty returns a bounty of a company in the caller's scope.
func (s *Service) GetBounty(ctx context.Context, p *auth.Principal, id store.ID) (*Bounty, error) {
	if err := mayReadBounties(p); err != nil {
		return nil, err
	}
	return s.readBounty(ctx, s.db.Reader(), p, id)
}

// readBounty reads a bounty p sees, with the reporter revealed or
// protected for p; 404 under "id" otherwise.
func (s *Service) readBounty(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Bounty, error) {
	cond, args := rowScope(p, "b.company_id")
	b, err := scanBounty(c.QueryRow(ctx, "SELECT "+bountyColumns+" WHERE b.id = ? AND "+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("id")
	} else if err != nil {
		return nil, err
	}
	pack, err := s.packs.ForUnit(ctx, b.CompanyID)
	if err != nil {
		return nil, err
	}
	s.reveal(p, pack, &b)
	return &b, nil
}

// seesReporter reports whether p sees the reporter of a bounty (SEC-007):
// an administrator, the registrar, the approver, and the holders of the
// pack's reporter viewer roles.
func seesReporter(p *auth.Principal, pack *policy.Pack, b *Bounty) bool {
	switch {
	case p == nil || p.IsAdmin():
		return true
	case p.UserID == b.RegisteredBy || b.DecidedBy != 0 && p.UserID == b.DecidedBy && b.State != BountyRejected:
		return true
	case pack == nil:
		return false
	}
	return slices.ContainsFunc(p.Roles, func(r auth.Role) bool { return slices.Contains(pack.Merits.Bounties.ReporterViewers, r) })
}

// reveal fills the reporter for p: the name and phone for the viewers,
// "受保护的举报人 R-2026-07" for everybody else.
func (s *Service) reveal(p *auth.Principal, pack *policy.Pack, b *Bounty) {
	b.Reporter, b.ReporterPhone, b.Protected = protectedName(b.Number), "", true
	if !seesReporter(p, pack, b) {
		return
	}
	plain, err := s.sealer.Open(b.sealed)
	var who reporter
	if err == nil {
		err = json.Unmarshal([]byte(plain), &who)
	}
	if err != nil {
		// A key that does not open it (a restored database without its key
		// file): the reporter stays protected rather than the page failing.
		s.log.Warn("merit: a bounty reporter cannot be opened", "bounty", b.ID, "err", err)
		return
	}
	b.Reporter, b.ReporterPhone, b.Protected = who.Name, who.Phone, false
}

// protectedName is how a protected reporter is shown (SEC-007).
func protectedName(number string) string { return "受保护的举报人 " + number }

// RegisterBounty registers a report (MER-007, MER-008): a holder of
// merits:write of the company registers a verified hazard report — its
// severity from the hazard register, the pack's amount for it, nothing for
// a hazard in the reporter's own home or an unverified report — or a theft
// report with the pack's percentage of the penalty or the recovered fees.
// The reporter's name and phone are sealed (SEC-007); the deciders are
// told, never who reported.
func (s *Service) RegisterBounty(ctx context.Context, p *auth.Principal, in BountyInput) (*Bounty, error) {
	if p == nil || !p.Can(auth.PermMeritsWrite) && !p.IsAdmin() {
		return nil, apperr.Forbidden(i18n.T("无权登记举报奖励", "you may not register bounties"))
	}
	in.Verification, in.ReporterName, in.ReporterPhone = strings.TrimSpace(in.Verification),
		strings.TrimSpace(in.ReporterName), strings.TrimSpace(in.ReporterPhone)
	remark, err := note("note", in.Note, false)
	if err != nil {
		return nil, err
	}
	if len([]rune(in.Verification)) > 500 {
		return nil, apperr.Validation("verification", i18n.T("不能超过 500 个字", "at most 500 characters"))
	}
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		b, pack, err := s.assess(ctx, tx, p, &in)
		if err != nil {
			return err
		}
		switch {
		case in.ReporterName == "":
			return apperr.Required("reporter_name")
		case len([]rune(in.ReporterName)) > 100:
			return apperr.Validation("reporter_name", i18n.T("不能超过 100 个字", "at most 100 characters"))
		case len([]rune(in.ReporterPhone)) > 50:
			return apperr.Validation("reporter_phone", i18n.T("不能超过 50 个字", "at most 50 characters"))
		}
		raw, err := json.Marshal(reporter{Name: in.ReporterName, Phone: in.ReporterPhone})
		if err != nil {
			return err
		}
		sealed, err := s.sealer.Seal(string(raw))
		if err != nil {
			return err
		}
		if b.Note != "" && remark != "" {
			b.Note += "；" + remark
		} else if remark != "" {
			b.Note = remark
		}
		now := s.now()
		if b.Number, err = nextBountyNumber(ctx, tx, b.CompanyID, now); err != nil {
			return err
		}
		var hazard any
		if b.HazardID != 0 {
			hazard = b.HazardID
		}
		var percent int64
		if b.Kind == BountyTheft {
			percent = pack.Merits.Bounties.TheftHundredths()
		}
		id, err = tx.InsertID(ctx, `INSERT INTO merit_bounties (company_id, number, kind, hazard_id, severity, own_home,
			verified, verification, basis, basis_cents, percent, amount_cents, reporter_sealed, pack, pack_version, state,
			note, registered_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.CompanyID, b.Number, b.Kind, hazard, b.Severity, b.OwnHome, b.Verified, in.Verification, b.Basis,
			b.BasisAmount.Fen(), percent, b.Amount.Fen(), sealed, pack.Key, pack.Version, b.State, b.Note, p.UserID,
			store.Micros(now))
		if store.IsUniqueViolation(err) && b.HazardID != 0 {
			return liveBounty()
		} else if err != nil {
			return err
		}
		if b.State == BountyProposed {
			deciders, err := decidersOf(ctx, tx, b.CompanyID, pack, []store.ID{p.UserID})
			if err != nil {
				return err
			}
			if err := s.tellBounty(ctx, tx, id, b.Number, b.State, deciders,
				i18n.T("举报奖励待审批：%[1]s", "A bounty awaits approval: %[1]s", b.Number)); err != nil {
				return err
			}
		}
		// The audit row names the bounty, never the reporter (SEC-007).
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.bounty.register", "merit_bounty", id.String(),
			map[string]any{"number": b.Number, "kind": b.Kind, "hazard": b.HazardID, "severity": b.Severity,
				"amount": b.Amount, "state": b.State})
	})
	if err != nil {
		return nil, err
	}
	return s.readBounty(ctx, s.db.Reader(), p, id)
}

// liveBounty refuses a second live bounty for one hazard.
func liveBounty() error {
	return apperr.Conflict("hazard_id", i18n.T("该隐患已登记举报奖励", "the hazard already has a bounty"))
}

// assess works out a report's company, pack, amount and state; for a
// hazard it takes the severity, and a reporter not given, from the hazard
// register.
func (s *Service) assess(ctx context.Context, tx store.Conn, p *auth.Principal, in *BountyInput) (*Bounty, *policy.Pack, error) {
	b := &Bounty{Kind: in.Kind, OwnHome: in.OwnHome, Verified: in.Verified, State: BountyProposed}
	switch in.Kind {
	case BountyHazard:
		if in.HazardID <= 0 {
			return nil, nil, apperr.Required("hazard_id")
		}
		if strings.TrimSpace(in.Basis) != "" || strings.TrimSpace(in.BasisAmount) != "" {
			return nil, nil, apperr.Validation("basis", i18n.T("隐患举报奖励不按比例计算", "a hazard bounty has no basis"))
		}
		cond, args := rowScope(p, "h.company_id")
		var name, phone string
		err := tx.QueryRow(ctx, `SELECT h.company_id, h.severity, h.reporter_name, h.reporter_phone FROM hazards h
			WHERE h.id = ? AND `+cond, append([]any{in.HazardID}, args...)...).Scan(&b.CompanyID, &b.Severity, &name, &phone)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, apperr.Validation("hazard_id", i18n.T("没有这个隐患", "no such hazard"))
		} else if err != nil {
			return nil, nil, err
		}
		if in.ReporterName == "" {
			in.ReporterName = strings.TrimSpace(name)
			if in.ReporterPhone == "" {
				in.ReporterPhone = strings.TrimSpace(phone)
			}
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM merit_bounties WHERE hazard_id = ? AND state <> ?`,
			in.HazardID, BountyRejected).Scan(&live); err != nil {
			return nil, nil, err
		}
		if live > 0 {
			return nil, nil, liveBounty()
		}
		b.HazardID = in.HazardID
		pack, err := s.packs.ForUnit(ctx, b.CompanyID)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case in.OwnHome:
			b.State, b.Note = BountyRejected, "MER-007: own home"
		case !in.Verified:
			b.State, b.Note = BountyRejected, "MER-007: not verified"
		default:
			b.Amount = pack.Merits.Bounties.Hazard[b.Severity]
		}
		return b, pack, nil
	case BountyTheft:
		if in.HazardID != 0 {
			return nil, nil, apperr.Validation("hazard_id", i18n.T("盗气举报不关联隐患", "a theft report has no hazard"))
		}
		if in.OwnHome {
			return nil, nil, apperr.Validation("own_home", i18n.T("盗气举报不适用", "does not apply to a theft report"))
		}
		switch b.Basis = strings.TrimSpace(in.Basis); b.Basis {
		case BasisPenalty, BasisRecovered:
		case "":
			return nil, nil, apperr.Required("basis")
		default:
			return nil, nil, apperr.Validation("basis", i18n.T("须为罚款或追缴气费", "must be penalty or recovered"))
		}
		raw := strings.TrimSpace(in.BasisAmount)
		if raw == "" {
			return nil, nil, apperr.Required("basis_amount")
		}
		basis, err := money.Parse(raw)
		if err != nil || basis <= 0 {
			return nil, nil, apperr.Validation("basis_amount", i18n.T("须为大于 0 的金额（元，最多两位小数）",
				"must be an amount of yuan above 0 with at most two decimals"))
		}
		b.BasisAmount = basis
		company, err := s.reportCompany(ctx, tx, p, in.UnitID)
		if err != nil {
			return nil, nil, err
		}
		b.CompanyID = company
		pack, err := s.packs.ForUnit(ctx, company)
		if err != nil {
			return nil, nil, err
		}
		pct := pack.Merits.Bounties.TheftHundredths()
		b.Percent = money.FormatPercent(pct)
		if in.Verified {
			b.Amount = basis.Percent(pct)
		} else {
			b.State, b.Note = BountyRejected, "MER-008: not verified"
		}
		return b, pack, nil
	case "":
		return nil, nil, apperr.Required("kind")
	}
	return nil, nil, apperr.Validation("kind", i18n.T("须为隐患举报或盗气举报", "must be hazard or theft"))
}

// reportCompany is the company a theft report is for: the company of the
// unit named, which the caller must see, else the caller's own.
func (s *Service) reportCompany(ctx context.Context, tx store.Conn, p *auth.Principal, unit store.ID) (store.ID, error) {
	if unit == 0 {
		unit = p.OrgUnitID
	}
	co, err := org.CompanyOf(ctx, tx, unit)
	if errors.Is(err, sql.ErrNoRows) || apperr.Is(err, apperr.CodeNotFound) {
		return 0, apperr.Validation("unit_id", i18n.T("没有这个单位", "no such unit"))
	} else if err != nil {
		return 0, err
	}
	if ok, err := p.SeesCompany(ctx, tx, co.ID); err != nil {
		return 0, err
	} else if !ok {
		return 0, apperr.Validation("unit_id", i18n.T("没有这个单位", "no such unit"))
	}
	return co.ID, nil
}

// bountyLock serialises the numbering of bounties on PostgreSQL.
const bountyLock = 0x6d657269 // "meri"

// nextBountyNumber is the next number of the company's register in the
// year of now: R-2026-07 (two digits at least). Bounties are never
// deleted, so the count of the year's numbers is the last one given.
func nextBountyNumber(ctx context.Context, tx store.Conn, company store.ID, now time.Time) (string, error) {
	if err := store.LockXact(ctx, tx, bountyLock); err != nil {
		return "", err
	}
	prefix := fmt.Sprintf("R-%d-", now.In(store.Zone).Year())
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM merit_bounties WHERE company_id = ? AND number LIKE ?`,
		company, prefix+"%").Scan(&n); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%02d", prefix, n+1), nil
}

// tellBounty tells users of a bounty by its number, never its reporter.
func (s *Service) tellBounty(ctx context.Context, tx store.Conn, id store.ID, number, state string, users []store.ID, title i18n.Text) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: EventBounty, Users: users, Title: title,
		Link: "/merits/bounties/" + id.String(), Object: "merit_bounty", ObjectID: id,
		Payload: map[string]any{"bounty_id": id, "number": number, "state": state}})
}
