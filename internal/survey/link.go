package survey

// The customer's link (SUR-001: the customer answers without signing in):
// staff issue a link for an issued form; it works once and expires after
// the pack's link_valid_hours, never after the campaign's last day. Only
// the SHA-256 of the token is stored, so a leaked database does not leak
// working links; issuing a new link kills the old one.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// LinkPath is where the customer's page is served; the token follows.
const LinkPath = "/s/"

// Link is a customer's survey link, shown once when issued.
type Link struct {
	FormID    store.ID  `json:"form_id"`
	Number    string    `json:"number"`
	Token     string    `json:"token"`
	Path      string    `json:"path"` // LinkPath + token, on this server
	ExpiresAt time.Time `json:"expires_at"`
}

// LinkSheet is what the customer's page shows: the campaign, the form and
// its questions. It names neither the customer nor the company's people.
type LinkSheet struct {
	Title     string    `json:"title"`
	Number    string    `json:"number"`
	Household string    `json:"household"`
	ExpiresAt time.Time `json:"expires_at"`
	Sheet     *Sheet    `json:"sheet"`
}

// IssueLink issues (or reissues) the customer's link of an issued form.
func (s *Service) IssueLink(ctx context.Context, p *auth.Principal, id, formID store.ID) (*Link, error) {
	if !p.Can(auth.PermSurveysAnswer) {
		return nil, apperr.Forbidden(i18n.T("无权发送调查链接", "you may not send survey links"))
	}
	now := s.now()
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(buf)
	var link *Link
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		c, f, err := s.openForm(ctx, tx, p, id, formID, FormIssued)
		if err != nil {
			return err
		}
		// The campaign's last day ends at 24:00 local time.
		end := c.EndsOn.AddDays(1).Midnight(store.Zone)
		if !now.Before(end) {
			return apperr.Conflict("ends_on", i18n.T("调查已于 %s 结束，不能再发送链接", "the survey ended on %s; no more links", c.EndsOn.String()))
		}
		pack, ok := s.policy.Version(c.Pack, c.PackVersion)
		if !ok {
			return fmt.Errorf("survey: no pack %s version %d", c.Pack, c.PackVersion)
		}
		expires, err := s.deadline(pack, now, calendar.Duration{N: pack.Surveys.LinkValidHours, Unit: calendar.Hours})
		if err != nil {
			return err
		}
		if expires.After(end) {
			expires = end
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_forms SET link_hash = ?, link_expires_at = ? WHERE id = ?",
			tokenHash(token), store.Micros(expires), formID); err != nil {
			return err
		}
		link = &Link{FormID: formID, Number: f.Number, Token: token, Path: LinkPath + token, ExpiresAt: expires}
		return audit.Record(ctx, tx, now, "survey.form.link", "survey", c.ID.String(), map[string]any{
			"form": f.Number, "expires_at": expires})
	})
	return link, err
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// linkForm finds the form of a live link: unknown → 404; used (the form
// returned) or expired → 410 Gone.
func (s *Service) linkForm(ctx context.Context, conn store.Conn, token string) (*Campaign, *Form, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, apperr.NotFound("link")
	}
	var campaignID, formID store.ID
	var expires int64
	err := conn.QueryRow(ctx, "SELECT campaign_id, id, link_expires_at FROM survey_forms WHERE link_hash = ?",
		tokenHash(token)).Scan(&campaignID, &formID, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		// A used link's hash is cleared with the answer: it is gone.
		return nil, nil, apperr.NotFound("link")
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.now().Before(store.FromMicros(expires)) {
		return nil, nil, apperr.Gone("link", i18n.T("链接已过期，请联系客服中心", "the link has expired; please contact the customer service centre"))
	}
	c, err := s.loadAny(ctx, conn, campaignID)
	if err != nil {
		return nil, nil, err
	}
	if c.Status == StatusClosed {
		return nil, nil, apperr.Gone("link", i18n.T("调查已结束", "the survey is over"))
	}
	f, err := loadForm(ctx, conn, c, formID)
	return c, f, err
}

// LinkSheet is the customer's page of a live link.
func (s *Service) LinkSheet(ctx context.Context, token string) (*LinkSheet, error) {
	c, f, err := s.linkForm(ctx, s.db.Reader(), token)
	if err != nil {
		return nil, err
	}
	sh, err := s.SheetOf(c)
	if err != nil {
		return nil, err
	}
	return &LinkSheet{Title: c.Title, Number: f.Number, Household: f.Household, ExpiresAt: *f.LinkExpiresAt, Sheet: sh}, nil
}

// AnswerByLink records the customer's answers through a live link; the
// link is used up (a second answer is 404, the hash being cleared).
func (s *Service) AnswerByLink(ctx context.Context, token string, answers map[string]string) (*Form, error) {
	c, f, err := s.linkForm(ctx, s.db.Reader(), token)
	if err != nil {
		return nil, err
	}
	return s.answer(ctx, audit.WithActor(ctx, audit.Actor{Name: "customer-link"}), nil, c.ID, f.ID, AnswerLink, answers, "")
}
