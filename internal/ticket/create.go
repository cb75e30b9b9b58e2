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
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// CreateInput is a new work order (API.md "Work orders").
type CreateInput struct {
	Pack             string          `json:"pack"`     // default: the pack of the caller's unit
	Category         string          `json:"category"` // a category key of the pack
	Channel          string          `json:"channel"`  // default: the pack's first channel
	ReceivedAt       *time.Time      `json:"received_at"`
	Severity         string          `json:"severity"` // default: the category's, else the pack's first
	Customer         *customer.Input `json:"customer"`
	CustomerID       *store.ID       `json:"customer_id"`
	Subject          string          `json:"subject"`
	Description      string          `json:"description"`
	RespondentUserID *store.ID       `json:"respondent_user_id"` // the person complained about (TKT-016)
	CrisisParty      string          `json:"crisis_party"`       // outside party involved (TKT-034)
}

// Limits of the free-text fields.
const (
	maxSubject     = 200
	maxDescription = 10000
	maxNote        = 5000
)

func tooLong(field string, n int) error {
	return apperr.Validation(field, i18n.T("不能超过%d个字符", "at most %d characters", n))
}

// Create registers a work order at the caller's unit (TKT-001, TKT-002: any
// unit that may create work orders registers any category) and starts the
// clocks that start on receipt.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput) (Ticket, error) {
	if p == nil || p.OrgUnitID == 0 {
		return Ticket{}, apperr.Forbidden(i18n.T("需要登录", "sign-in required"))
	}
	if !p.Can(auth.PermTicketsCreate) {
		return Ticket{}, apperr.Forbidden(i18n.T("无权登记工单", "you may not register work orders"))
	}
	pack, err := s.packFor(ctx, p, in.Pack)
	if err != nil {
		return Ticket{}, err
	}
	cat, ok := pack.Category(in.Category)
	if !ok {
		if in.Category == "" {
			return Ticket{}, apperr.Required("category")
		}
		return Ticket{}, apperr.Validation("category", i18n.T("政策包 %s 中没有类别 %s", "pack %s has no category %s", pack.Key, in.Category))
	}
	if in.Channel == "" && len(pack.Channels) > 0 {
		in.Channel = pack.Channels[0].Key
	}
	if _, ok := pack.Channel(in.Channel); !ok {
		return Ticket{}, apperr.Validation("channel", i18n.T("未知的受理渠道：%s", "unknown channel: %s", in.Channel))
	}
	if in.Severity == "" {
		in.Severity = cat.Severity
	}
	if in.Severity == "" && len(pack.Severities) > 0 {
		in.Severity = pack.Severities[0].Key
	}
	if _, ok := pack.Severity(in.Severity); !ok && in.Severity != "" {
		return Ticket{}, apperr.Validation("severity", i18n.T("未知的严重程度：%s", "unknown severity: %s", in.Severity))
	}
	now := s.now()
	received := now
	if in.ReceivedAt != nil {
		if in.ReceivedAt.After(now) {
			return Ticket{}, apperr.Validation("received_at", i18n.T("受理时间不能晚于现在", "cannot be in the future"))
		}
		received = *in.ReceivedAt
	}
	if y := received.In(store.Zone).Year(); y < calendar.MinYear || y > calendar.MaxYear {
		return Ticket{}, apperr.Validation("received_at", i18n.T("超出日历支持的年份范围", "outside the years the calendar supports"))
	}
	in.Subject, in.Description = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Description)
	in.CrisisParty = strings.TrimSpace(in.CrisisParty)
	if utf8.RuneCountInString(in.Subject) > maxSubject {
		return Ticket{}, tooLong("subject", maxSubject)
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		return Ticket{}, tooLong("description", maxDescription)
	}
	if utf8.RuneCountInString(in.CrisisParty) > maxSubject {
		return Ticket{}, tooLong("crisis_party", maxSubject)
	}
	if in.CrisisParty != "" {
		in.Severity = topSeverity(pack) // TKT-034
	}

	var out Ticket
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if in.RespondentUserID != nil {
			if err := userExists(ctx, tx, *in.RespondentUserID, "respondent_user_id"); err != nil {
				return err
			}
		}
		var party Party
		var customerID store.NullID
		switch {
		case in.CustomerID != nil:
			c, err := s.customers.Load(ctx, tx, *in.CustomerID)
			if err != nil {
				return apperr.Validation("customer_id", i18n.T("客户不存在", "no such customer"))
			}
			party, customerID = Party{ID: c.ID, Name: c.Name, Phone: c.Phone, Address: c.Address}, store.OptionalID(c.ID)
		case in.Customer != nil:
			c, _, err := s.customers.FindOrCreate(ctx, tx, *in.Customer, p.OrgUnitID, p)
			if err != nil {
				return err
			}
			// The snapshot keeps what this caller said, the archive keeps the first record.
			party, customerID = Party{ID: c.ID, Name: in.Customer.Name, Phone: in.Customer.Phone, Address: in.Customer.Address}, store.OptionalID(c.ID)
			if party.Name == "" {
				party.Name = c.Name
			}
			if party.Address == "" {
				party.Address = c.Address
			}
		}
		number, err := nextNumber(ctx, tx, now)
		if err != nil {
			return err
		}
		// The clocks the receipt starts are started in memory, so that the
		// work order and its clocks are each written once (issue 6: the
		// single writer's time per intake bounds intake per second).
		clocks := packClocks(pack, cat, 0)
		if _, err := s.advance(clocks, policy.EventReceived, received, nil, "received_at"); err != nil {
			return err
		}
		breached, nextDue := queueColumns(clocks)
		r := &row{number: number, pack: pack.Key, packVersion: pack.Version, category: cat.Key, channel: in.Channel,
			severity: in.Severity, status: StatusNew, subject: in.Subject, description: in.Description,
			customerID: customerID, customerName: party.Name, customerPhone: party.Phone, customerAdr: party.Address,
			receivedAt: store.Micros(received), receivingUnit: p.OrgUnitID, receivedBy: store.OptionalID(p.UserID),
			crisis: in.CrisisParty != "", crisisParty: in.CrisisParty, breached: breached,
			createdAt: store.Micros(now), updatedAt: store.Micros(now)}
		if in.RespondentUserID != nil {
			r.respondent = store.OptionalID(*in.RespondentUserID)
		}
		if r.id, err = insertRow(ctx, tx, r, nextDue); err != nil {
			return err
		}
		if err := addUnit(ctx, tx, r.id, p.OrgUnitID); err != nil {
			return err
		}
		detail := map[string]any{"pack": pack.Key, "pack_version": pack.Version, "category": cat.Key,
			"channel": in.Channel, "severity": in.Severity}
		if err := appendEvent(ctx, tx, r.id, received, now, p.Actor(), string(policy.EventReceived), "", StatusNew, detail, ""); err != nil {
			return err
		}
		for _, c := range clocks {
			c.ticketID = r.id
			if err := insertClock(ctx, tx, c); err != nil {
				return err
			}
			if c.state == ClockRunning {
				if err := s.scheduleTimers(ctx, tx, c); err != nil {
					return err
				}
			}
		}
		if sev, ok := pack.Severity(in.Severity); ok && (sev.EscalateTo != "" || len(sev.Notify) > 0) {
			// TKT-013: a major complaint is raised and reported at once.
			unit, err := s.raise(ctx, tx, r, sev)
			if err != nil {
				return err
			}
			if err := saveRow(ctx, tx, r, now); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, r.id, received, now, p.Actor(), "raised", "", "",
				map[string]any{"severity": sev.Key, "unit": unit}, ""); err != nil {
				return err
			}
		}
		if in.CrisisParty != "" {
			if err := s.sendCrisis(ctx, tx, r, in.CrisisParty); err != nil {
				return err
			}
		}
		// TKT-016: the respondent who registered it, or who owns the
		// receiving unit's queue, does not keep it.
		moved, err := s.routeAround(ctx, tx, r, p.OrgUnitID, r.respondent.ID == p.UserID, received, now, p.Actor())
		if err != nil {
			return err
		}
		if moved {
			if err := saveRow(ctx, tx, r, now); err != nil {
				return err
			}
		}
		out = r.view(clocks)
		return audit.Record(ctx, tx, now, "ticket.create", "ticket", r.id.String(), out)
	})
	if err != nil {
		return Ticket{}, err
	}
	// Candidates for link_duplicate (TKT-009) are read after the commit, on
	// a reader: they inform the answer and need not hold the writer.
	if out.Duplicates, err = duplicates(ctx, s.db.Reader(), pack, &out, now); err != nil {
		return Ticket{}, err
	}
	s.poke()
	return out, nil
}

// packFor is the named pack, or the pack of the caller's unit.
func (s *Service) packFor(ctx context.Context, p *auth.Principal, key string) (*policy.Pack, error) {
	if key != "" {
		return s.packs.Lookup("pack", key)
	}
	return s.packs.ForUnit(ctx, p.OrgUnitID)
}

// packOf is the pack version a work order was created under (TKT-041).
func (s *Service) packOf(r *row) (*policy.Pack, error) {
	if p, ok := s.packs.Version(r.pack, r.packVersion); ok {
		return p, nil
	}
	return nil, fmt.Errorf("ticket: pack %s version %d of work order %d is not loaded", r.pack, r.packVersion, r.id)
}

// topSeverity is the most severe level of the pack (the last).
func topSeverity(p *policy.Pack) string {
	if len(p.Severities) == 0 {
		return ""
	}
	return p.Severities[len(p.Severities)-1].Key
}

// insertRow stores a new work order and returns its id; nextDue is the
// earliest running target of its clocks (the queue column).
func insertRow(ctx context.Context, tx store.Conn, r *row, nextDue int64) (store.ID, error) {
	return tx.InsertID(ctx, `INSERT INTO tickets (number, pack, pack_version, category, channel, severity, status,
		subject, description, customer_id, customer_name, customer_phone, customer_address, received_at,
		receiving_unit_id, received_by, respondent_user_id, crisis, crisis_party, breached, next_due_at,
		created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.number, r.pack, r.packVersion, r.category, r.channel, r.severity, string(r.status), r.subject, r.description,
		r.customerID, r.customerName, r.customerPhone, r.customerAdr, r.receivedAt, r.receivingUnit, r.receivedBy,
		r.respondent, r.crisis, r.crisisParty, r.breached, nextDue, r.createdAt, r.updatedAt)
}

func userExists(ctx context.Context, tx store.Conn, id store.ID, field string) error {
	var n int
	err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = ? AND active = ?", id, true).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Validation(field, i18n.T("用户不存在或已停用", "no such active user"))
	}
	return err
}

// nextNumber is the human number: the creation date and a daily sequence,
// e.g. 20261120-000042.
func nextNumber(ctx context.Context, tx store.Conn, now time.Time) (string, error) {
	day := now.In(store.Zone).Format("20060102")
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO ticket_sequences (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = ticket_sequences.last + 1 RETURNING last`, day).Scan(&n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%06d", day, n), nil
}

// duplicates are the earlier work orders of the same customer and category
// that are open, or closed less than the pack's DedupWindowDays ago (a
// day-difference test, CAL-015): candidates for link_duplicate (TKT-009).
func duplicates(ctx context.Context, tx store.Conn, pack *policy.Pack, t *Ticket, now time.Time) ([]Summary, error) {
	if t.Customer.ID == 0 {
		return nil, nil
	}
	window := pack.Tickets.DedupWindowDays // defaulted by the policy parser (TKT-009)
	today := calendar.DateOf(now.In(store.Zone))
	rows, err := tx.Query(ctx, `SELECT id, number, status, category, received_at, closed_at FROM tickets
		WHERE customer_id = ? AND category = ? AND id <> ? AND status <> ? ORDER BY id DESC LIMIT 20`,
		t.Customer.ID, t.Category, t.ID, string(StatusMerged))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var sm Summary
		var rec, closed int64
		if err := rows.Scan(&sm.ID, &sm.Number, &sm.Status, &sm.Category, &rec, &closed); err != nil {
			return nil, err
		}
		sm.ReceivedAt = store.FromMicros(rec)
		if closed != 0 && calendar.DaysBetween(calendar.DateOf(store.FromMicros(closed)), today) >= window {
			continue
		}
		out = append(out, sm)
	}
	return out, rows.Err()
}
