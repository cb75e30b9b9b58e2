package visit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sample"
	"kefu/internal/store"
)

// MaxSwapReason is the longest reason of a swap, in characters.
const MaxSwapReason = 500

// SwapInput swaps a drawn item for another (VIS-016).
type SwapInput struct {
	Reason string `json:"reason"` // required
	// CandidateID is the replacement: a candidate of the same rule and
	// company, of the same month (or occasion), whose batch was drawn
	// without it and that has no visit. Zero: kefu picks one at random,
	// seeded by the visit.
	CandidateID store.ID `json:"candidate_id,omitempty"`
}

// swapCandidate is a replacement that may be drawn instead.
type swapCandidate struct {
	id                  store.ID
	version             int
	severity, ref, name string
	completed           int64
}

// Replacement is an item a drawn one may be swapped for (VIS-016).
type Replacement struct {
	CandidateID store.ID  `json:"candidate_id"`
	RefNumber   string    `json:"ref_number"`
	Customer    string    `json:"customer"`
	CompletedAt time.Time `json:"completed_at"`
}

// Replacements lists the items the visit may be swapped for, by id (at
// most limit), for the pack's owner role.
func (s *Service) Replacements(ctx context.Context, p *auth.Principal, id store.ID, limit int) ([]Replacement, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权办理回访", "you may not record return visits"))
	}
	tx := s.db.Reader()
	v, err := s.load(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayOwn(p, v); err != nil {
		return nil, err
	}
	cands, err := s.swapCandidates(ctx, tx, id)
	out := make([]Replacement, 0, min(len(cands), limit))
	for _, c := range cands[:min(len(cands), limit)] {
		out = append(out, Replacement{CandidateID: c.id, RefNumber: c.ref, Customer: c.name, CompletedAt: store.FromMicros(c.completed)})
	}
	return out, err
}

// mayOwn refuses anyone but the owner role of the visit's pack version (or
// an administrator): who swaps drawn items (VIS-016).
func (s *Service) mayOwn(p *auth.Principal, v *visitRow) error {
	pack, _, _ := s.rule(v.Pack, v.packVersion, v.Rule)
	if pack == nil {
		return apperr.Conflict("rule", i18n.T("回访规则已不存在", "the visit rule no longer exists"))
	}
	if !p.IsAdmin() && !slices.Contains(p.Roles, pack.Visits.Owner) {
		return apperr.Forbidden(i18n.T("回访抽样由%[1]s调换（VIS-016）", "drawn items are swapped by the %[2]s role (VIS-016)",
			pack.Visits.Owner.Label().ZH, string(pack.Visits.Owner)))
	}
	return nil
}

// Swap is the supervisor's swap of a drawn item with a reason (VIS-016):
// only the pack's owner role, only an open first-round visit that is not
// mandatory (VIS-003). The visit is cancelled, the replacement gets a
// first-round visit with the same due rules, and the swap is recorded; the
// month's (or occasion's) visits stay exactly as many. It returns the
// cancelled visit, which names its replacement (SwappedTo).
func (s *Service) Swap(ctx context.Context, p *auth.Principal, id store.ID, in SwapInput) (*Visit, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权办理回访", "you may not record return visits"))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return nil, apperr.Validation("reason", i18n.T("请写明调换理由（VIS-016）", "give the reason of the swap (VIS-016)"))
	}
	if utf8.RuneCountInString(in.Reason) > MaxSwapReason {
		return nil, apperr.Validation("reason", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxSwapReason))
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		v, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := s.mayOwn(p, v); err != nil {
			return err
		}
		if v.Status != StatusOpen || v.Round != 1 {
			return apperr.Conflict("status", i18n.T("只有待回访的第 1 轮回访可以调换", "only an open first-round visit can be swapped"))
		}
		if v.Mandatory {
			return apperr.Conflict("mandatory", i18n.T("必访项目（重大投诉）不得调换（VIS-003）",
				"a mandatory item (major complaint) cannot be swapped out (VIS-003)"))
		}
		cands, err := s.swapCandidates(ctx, tx, id)
		if err != nil {
			return err
		}
		var to swapCandidate
		switch {
		case in.CandidateID != 0:
			i := slices.IndexFunc(cands, func(c swapCandidate) bool { return c.id == in.CandidateID })
			if i < 0 {
				return apperr.Validation("candidate_id", i18n.T("不是本次抽样未抽中、尚未回访的同类项目",
					"not an undrawn item of the same rule, company and month or occasion without a visit"))
			}
			to = cands[i]
		case len(cands) == 0:
			return apperr.Conflict("candidate_id", i18n.T("没有可调换的未抽中项目", "no undrawn item is left to swap in"))
		default: // reproducible: the same visit picks the same item
			to = cands[sample.Pick(fmt.Sprintf("%s|%s|%d|swap:%d", v.Pack, v.Rule, v.CompanyID, id), len(cands), 1)[0]]
		}
		tpack, trule, ok := s.rule(v.Pack, to.version, v.Rule)
		if !ok {
			return apperr.Conflict("candidate_id", i18n.T("该项目的回访规则已不存在", "the item's visit rule no longer exists"))
		}
		res, err := tx.Exec(ctx, "UPDATE visits SET status = ? WHERE id = ? AND status = ?", string(StatusCancelled), id, string(StatusOpen))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.Conflict("status", i18n.T("回访已被办理或调换", "the visit was recorded or swapped meanwhile"))
		}
		if err := s.open(ctx, tx, tpack, trule, v.CompanyID, to.id, to.severity, store.FromMicros(to.completed)); err != nil {
			return err
		}
		var newID store.ID
		if err := tx.QueryRow(ctx, "SELECT id FROM visits WHERE candidate_id = ? AND round = 1", to.id).Scan(&newID); err != nil {
			return err
		}
		var fromCandidate store.ID
		if err := tx.QueryRow(ctx, "SELECT candidate_id FROM visits WHERE id = ?", id).Scan(&fromCandidate); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO visit_swaps (company_id, from_visit_id, to_visit_id, from_candidate_id,
			to_candidate_id, reason, swapped_by, swapped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			v.CompanyID, id, newID, fromCandidate, to.id, in.Reason, p.UserRef(), store.Micros(now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "visit.swap", "visit", id.String(), map[string]any{"to_visit": newID,
			"from_candidate": fromCandidate, "to_candidate": to.id, "reason": in.Reason})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// swapCandidates are the items that may replace the visit's (VIS-016):
// of the same pack, rule and company, of the same occasion — or, for the
// daily draws, of the same month and no occasion —, in the population (not
// exempt), whose batch was drawn and that have no visit; by id.
func (s *Service) swapCandidates(ctx context.Context, tx store.Conn, visit store.ID) ([]swapCandidate, error) {
	return store.QueryAll(ctx, tx, func(sc store.Scanner) (swapCandidate, error) {
		var c swapCandidate
		return c, sc.Scan(&c.id, &c.version, &c.severity, &c.ref, &c.name, &c.completed)
	}, `SELECT o.id, o.pack_version, o.severity, o.ref_number, o.customer_name, o.completed_at FROM visits v
		JOIN visit_candidates c ON c.id = v.candidate_id
		JOIN visit_candidates o ON o.pack = c.pack AND o.rule = c.rule AND o.company_id = c.company_id
			AND (o.occasion_id = c.occasion_id OR o.occasion_id IS NULL AND c.occasion_id IS NULL AND o.month = c.month)
		WHERE v.id = ? AND o.exempt = '' AND o.draw_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM visits x WHERE x.candidate_id = o.id)
		ORDER BY o.id`, visit)
}
