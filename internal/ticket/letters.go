package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// OpenLetter is an open letter (公开信) answering many households on one
// issue at once (TKT-010).
type OpenLetter struct {
	ID        store.ID  `json:"id"`
	Number    string    `json:"number"` // OL-2026-03: year of issue and sequence of the year
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	IssuedAt  time.Time `json:"issued_at"`
	IssuedBy  store.ID  `json:"issued_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Tickets are the answered work orders the caller may see.
	Tickets []Summary `json:"tickets"`
}

// OpenLetterInput issues an open letter.
type OpenLetterInput struct {
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	IssuedAt  *time.Time `json:"issued_at"` // default now, never in the future
	TicketIDs []store.ID `json:"ticket_ids"`
}

// IssueOpenLetter stores an open letter, numbers it and links it to every
// work order it answers (TKT-010). The letter is their reply: each gets a
// written `reply` at the issue time, which meets its reply clocks and shows
// "answered by open letter OL-…" on its timeline. Every work order must be
// visible to the caller (else 422 ticket_ids) and allow a reply (else 409
// ticket_ids); all or nothing.
func (s *Service) IssueOpenLetter(ctx context.Context, p *auth.Principal, in OpenLetterInput) (OpenLetter, error) {
	if err := canAct(p); err != nil {
		return OpenLetter{}, err
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	switch {
	case in.Title == "":
		return OpenLetter{}, apperr.Required("title")
	case in.Body == "":
		return OpenLetter{}, apperr.Required("body")
	case utf8.RuneCountInString(in.Title) > maxSubject:
		return OpenLetter{}, tooLong("title", maxSubject)
	case utf8.RuneCountInString(in.Body) > maxDescription:
		return OpenLetter{}, tooLong("body", maxDescription)
	}
	ids, err := batchIDs(in.TicketIDs)
	if err != nil {
		return OpenLetter{}, err
	}
	var out OpenLetter
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		issued := timeOrNow(in.IssuedAt, now)
		if issued.After(now) {
			return apperr.Validation("issued_at", i18n.T("不能晚于现在", "cannot be in the future"))
		}
		year := issued.In(store.Zone).Year()
		if year < calendar.MinYear || year > calendar.MaxYear {
			return apperr.Validation("issued_at", i18n.T("超出日历支持的年份范围", "outside the years the calendar supports"))
		}
		var rows []*row
		for _, id := range ids {
			r, err := visibleRow(ctx, tx, p, id)
			if err != nil {
				return err
			}
			if !Allowed(ActReply, r.status) {
				return apperr.Conflict("ticket_ids", i18n.T("工单 %s 状态为 %s，不能答复", "work order %s is %s: it takes no reply",
					r.number, string(r.status)))
			}
			if store.Micros(issued) < r.receivedAt {
				return apperr.Validation("issued_at", i18n.T("早于工单 %s 的受理时间", "before work order %s was received", r.number))
			}
			rows = append(rows, r)
		}
		var seq int
		if err := tx.QueryRow(ctx, `INSERT INTO open_letter_sequences (year, last) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last = open_letter_sequences.last + 1 RETURNING last`, year).Scan(&seq); err != nil {
			return err
		}
		number := fmt.Sprintf("OL-%d-%02d", year, seq)
		id, err := tx.InsertID(ctx, `INSERT INTO open_letters (number, title, body, issued_at, issued_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, number, in.Title, in.Body, store.Micros(issued), p.UserID, store.Micros(now))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.Exec(ctx, "INSERT INTO open_letter_tickets (letter_id, ticket_id) VALUES (?, ?)", id, r.id); err != nil {
				return err
			}
			a := Action{Name: ActReply, At: &issued, Written: true, Text: in.Title,
				Note:   fmt.Sprintf("以公开信 %s 答复（answered by open letter %s）", number, number),
				detail: map[string]any{"open_letter": number, "open_letter_id": id}}
			if _, err := s.actTx(ctx, tx, p, r.id, a, transitions[ActReply]); err != nil {
				return err
			}
		}
		if out, err = s.letter(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "open_letter.issue", "open_letter", id.String(),
			map[string]any{"number": number, "title": in.Title, "issued_at": issued, "tickets": ids})
	})
	if err != nil {
		return OpenLetter{}, err
	}
	s.poke()
	return out, nil
}

// GetOpenLetter returns a letter with the work orders the caller may see;
// one of which the caller sees none and that they did not issue is not
// found.
func (s *Service) GetOpenLetter(ctx context.Context, p *auth.Principal, id store.ID) (OpenLetter, error) {
	if p == nil || !p.Can(auth.PermTicketsRead) {
		return OpenLetter{}, apperr.NotFound("open_letter")
	}
	return s.letter(ctx, s.db.Reader(), p, id)
}

func (s *Service) letter(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (OpenLetter, error) {
	var l OpenLetter
	var by store.NullID
	var issued, created int64
	err := c.QueryRow(ctx, "SELECT id, number, title, body, issued_at, issued_by, created_at FROM open_letters WHERE id = ?", id).
		Scan(&l.ID, &l.Number, &l.Title, &l.Body, &issued, &by, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return OpenLetter{}, apperr.NotFound("open_letter")
	}
	if err != nil {
		return OpenLetter{}, err
	}
	l.IssuedAt, l.IssuedBy, l.CreatedAt = store.FromMicros(issued), by.ID, store.FromMicros(created)
	if l.Tickets, err = summaries(ctx, c, p, "SELECT ticket_id FROM open_letter_tickets WHERE letter_id = ?", id); err != nil {
		return OpenLetter{}, err
	}
	if len(l.Tickets) == 0 && l.IssuedBy != p.UserID {
		return OpenLetter{}, apperr.NotFound("open_letter")
	}
	return l, nil
}
