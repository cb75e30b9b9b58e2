package survey

// Verification (SUR-006): at least verification_pct of the returned forms
// (ceil) are checked with the household. kefu draws them at random, seeded
// by the campaign and the number of returned forms, so the draw can be
// repeated; a later draw after more forms came back only tops the drawn
// forms up to the new quota. A form found fake is excluded from the
// statistics and its distributor is named in the report for the plan's
// penalties.

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sample"
	"kefu/internal/store"
)

// VerifyInput records a verification (POST …/forms/{form}/verify).
type VerifyInput struct {
	// Result: genuine or fake.
	Result string `json:"result"`
	// Note: how it was checked; required for a fake form (what the
	// household said, for the penalty of SUR-006).
	Note string `json:"note"`
}

// Draw is a verification draw's outcome.
type Draw struct {
	Returned int     `json:"returned"`
	Quota    int     `json:"quota"`  // ceil(verification_pct × returned)
	Drawn    int     `json:"drawn"`  // forms drawn, this draw and earlier
	Picked   int     `json:"picked"` // forms this draw added
	Seed     string  `json:"seed"`
	Forms    []*Form `json:"forms"` // every drawn form
}

// DrawVerification draws returned forms for verification until the drawn
// forms reach ceil(verification_pct × returned) (SUR-006).
func (s *Service) DrawVerification(ctx context.Context, p *auth.Principal, id store.ID) (*Draw, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	now := s.now()
	d := &Draw{}
	var c *Campaign
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		var err error
		if c, err = s.openCampaign(ctx, tx, p, id); err != nil {
			return err
		}
		if err := published(c); err != nil { // SUR-002
			return err
		}
		d.Returned = c.Returned
		d.Quota = sample.Quota(s.rules(c.Pack, c.PackVersion).VerificationPct, c.Returned)
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM survey_forms WHERE campaign_id = ? AND verify_drawn", id).Scan(&d.Drawn); err != nil {
			return err
		}
		need := d.Quota - d.Drawn
		if need <= 0 {
			return nil
		}
		pool, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
			var fid store.ID
			return fid, sc.Scan(&fid)
		}, "SELECT id FROM survey_forms WHERE campaign_id = ? AND status = 'returned' AND NOT verify_drawn ORDER BY serial", id)
		if err != nil {
			return err
		}
		d.Seed = fmt.Sprintf("survey|%s|%d", c.Number, c.Returned)
		for _, i := range sample.Pick(d.Seed, len(pool), need) {
			if _, err := tx.Exec(ctx, "UPDATE survey_forms SET verify_drawn = ? WHERE id = ?", true, pool[i]); err != nil {
				return err
			}
			d.Picked++
		}
		d.Drawn += d.Picked
		return audit.Record(ctx, tx, now, "survey.verification.draw", "survey", id.String(), map[string]any{
			"returned": d.Returned, "quota": d.Quota, "picked": d.Picked, "seed": d.Seed})
	})
	if err != nil {
		return nil, err
	}
	if d.Forms, err = s.Forms(ctx, p, id, FormFilter{Drawn: true, Limit: MaxIssue}); err != nil {
		return nil, err
	}
	return d, nil
}

// Verify records a returned form's verification with the household; a
// form not drawn counts as drawn (more checks than the quota are fine).
// A result is recorded once.
func (s *Service) Verify(ctx context.Context, p *auth.Principal, id, formID store.ID, in VerifyInput) (*Form, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if in.Result != VerifyGenuine && in.Result != VerifyFake {
		return nil, apperr.Validation("result", i18n.T("须为 genuine 或 fake", "must be genuine or fake"))
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Result == VerifyFake && in.Note == "" {
		return nil, apperr.Validation("note", i18n.T("虚假调查表须写明核实情况（SUR-006）", "a fake form needs the verification's note (SUR-006)"))
	}
	if utf8.RuneCountInString(in.Note) > MaxAnswerText {
		return nil, apperr.Validation("note", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxAnswerText))
	}
	now := s.now()
	var c *Campaign
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		var f *Form
		var err error
		if c, f, err = s.openForm(ctx, tx, p, id, formID, FormReturned); err != nil {
			return err
		}
		if f.VerifyResult != "" {
			return apperr.Conflict("result", i18n.T("调查表 %s 已核实", "form %s has already been verified", f.Number))
		}
		if _, err := tx.Exec(ctx, `UPDATE survey_forms SET verify_drawn = ?, verify_result = ?, verify_note = ?, verified_at = ?,
			verified_by = ? WHERE id = ?`, true, in.Result, in.Note, store.Micros(now),
			store.NullID{ID: p.UserID, Valid: p.UserID != 0}, formID); err != nil {
			return err
		}
		if err := refreshCounts(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.form.verify", "survey", id.String(), map[string]any{
			"form": f.Number, "result": in.Result, "distributor_id": f.DistributorID})
	})
	if err != nil {
		return nil, err
	}
	return loadForm(ctx, s.db.Reader(), c, formID)
}
