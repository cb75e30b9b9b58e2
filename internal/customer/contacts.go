package customer

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Channels of a contact record (CUS-015).
var Channels = []string{"phone", "visit", "letter", "message", "email", "other"}

// Contact is one contact record (客户接触记录, CUS-015): a call, visit,
// letter or message with the customer, appended by whoever had it and
// never changed (SEC-002).
type Contact struct {
	ID             store.ID  `json:"id"`
	CustomerID     store.ID  `json:"customer_id"`
	ServicePointID *store.ID `json:"service_point_id,omitempty"`
	At             time.Time `json:"at"`
	Channel        string    `json:"channel"`
	Direction      string    `json:"direction"` // in | out
	Summary        string    `json:"summary"`
	Detail         string    `json:"detail"`
	TicketID       *store.ID `json:"ticket_id,omitempty"`
	ByUser         store.ID  `json:"by_user"`
	ByName         string    `json:"by_name"`
	OrgUnitID      store.ID  `json:"org_unit"`
	// Reporter marks a report of a hazard or gas theft: the customer's
	// identity as its reporter is protected (SEC-007).
	Reporter  bool      `json:"reporter,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactInput is a new contact record.
type ContactInput struct {
	At             *time.Time `json:"at"` // default now; never in the future
	Channel        string     `json:"channel"`
	Direction      string     `json:"direction"` // in (default) | out
	Summary        string     `json:"summary"`
	Detail         string     `json:"detail"`
	ServicePointID *store.ID  `json:"service_point_id"`
	TicketID       *store.ID  `json:"ticket_id"`
	Reporter       bool       `json:"reporter"`
}

const (
	maxSummary = 200
	maxDetail  = 4000
	// maxContacts is how many contact records the customer page shows.
	maxContacts = 200
)

// AddContact appends a contact record to a customer the caller may see.
// Anyone who may read customers and had the contact records it (CUS-015);
// records are append-only, so a correction is a new record (SEC-002).
// Contacts with a merged duplicate go to the kept record.
func (s *Service) AddContact(ctx context.Context, p *auth.Principal, customerID store.ID, in ContactInput) (Contact, error) {
	if p == nil {
		return Contact{}, apperr.Forbidden(i18n.T("需要登录", "sign-in required"))
	}
	if err := need(p, auth.PermCustomersRead); err != nil {
		return Contact{}, err
	}
	c, err := s.visible(ctx, s.db.Reader(), p, customerID)
	if err != nil {
		return Contact{}, err
	}
	now := s.now()
	in.Channel, in.Direction = strings.TrimSpace(in.Channel), strings.TrimSpace(in.Direction)
	in.Summary, in.Detail = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Detail)
	if in.Direction == "" {
		in.Direction = "in"
	}
	at := now
	if in.At != nil {
		at = *in.At
	}
	switch {
	case !slices.Contains(Channels, in.Channel):
		return Contact{}, apperr.Validation("channel", i18n.T("接触方式须为：%s", "channel must be one of: %s", strings.Join(Channels, ", ")))
	case in.Direction != "in" && in.Direction != "out":
		return Contact{}, apperr.Validation("direction", i18n.T("须为 in（来）或 out（往）", "must be in or out"))
	case in.Summary == "":
		return Contact{}, apperr.Required("summary")
	case longer(in.Summary, maxSummary):
		return Contact{}, tooLong("summary", maxSummary)
	case longer(in.Detail, maxDetail):
		return Contact{}, tooLong("detail", maxDetail)
	case at.After(now.Add(5 * time.Minute)):
		return Contact{}, apperr.Validation("at", i18n.T("接触时间不能晚于现在", "the contact cannot be in the future"))
	case at.Before(now.AddDate(-10, 0, 0)):
		return Contact{}, apperr.Validation("at", i18n.T("接触时间过早", "the contact is too long ago"))
	}
	ctx = withActor(ctx, p)
	var out Contact
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if in.ServicePointID != nil {
			var owner store.ID
			err := tx.QueryRow(ctx, "SELECT customer_id FROM service_points WHERE id = ?", *in.ServicePointID).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || err == nil && owner != c.ID {
				return apperr.Validation("service_point_id", i18n.T("不是该客户的服务点", "not a service point of the customer"))
			}
			if err != nil {
				return err
			}
		}
		if in.TicketID != nil {
			var one int
			err := tx.QueryRow(ctx, "SELECT 1 FROM tickets WHERE id = ?", *in.TicketID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Validation("ticket_id", i18n.T("工单不存在", "no such work order"))
			}
			if err != nil {
				return err
			}
		}
		id, err := tx.InsertID(ctx, `INSERT INTO customer_contacts (customer_id, service_point_id, at, channel, direction,
			summary, detail, ticket_id, by_user, org_unit_id, created_at, reporter)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ID, nullable(in.ServicePointID), store.Micros(at), in.Channel, in.Direction, in.Summary, in.Detail,
			nullable(in.TicketID), p.UserID, p.OrgUnitID, store.Micros(now), in.Reporter)
		if err != nil {
			return err
		}
		out = Contact{ID: id, CustomerID: c.ID, ServicePointID: in.ServicePointID, At: store.FromMicros(store.Micros(at)),
			Channel: in.Channel, Direction: in.Direction, Summary: in.Summary, Detail: in.Detail, TicketID: in.TicketID,
			ByUser: p.UserID, ByName: p.DisplayName, OrgUnitID: p.OrgUnitID, Reporter: in.Reporter,
			CreatedAt: store.FromMicros(store.Micros(now))}
		// The audit row never carries a report's content (SEC-007).
		return audit.Record(ctx, tx, now, "customer.contact", "customer", c.ID.String(),
			map[string]any{"contact_id": id, "channel": in.Channel})
	})
	return out, err
}

// contactsOf lists the contact records of the customers ids (a customer
// and its merged duplicates), newest first.
func contactsOf(ctx context.Context, c store.Conn, ids []store.ID) ([]Contact, error) {
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, maxContacts)
	rows, err := c.Query(ctx, `SELECT k.id, k.customer_id, k.service_point_id, k.at, k.channel, k.direction, k.summary,
		k.detail, k.ticket_id, k.by_user, coalesce(u.display_name, ''), k.org_unit_id, k.reporter, k.created_at
		FROM customer_contacts k LEFT JOIN users u ON u.id = k.by_user
		WHERE k.customer_id IN (`+store.Placeholders(len(ids))+`) ORDER BY k.at DESC, k.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var k Contact
		var sp, tk store.NullID
		var at, created int64
		if err := rows.Scan(&k.ID, &k.CustomerID, &sp, &at, &k.Channel, &k.Direction, &k.Summary, &k.Detail, &tk,
			&k.ByUser, &k.ByName, &k.OrgUnitID, &k.Reporter, &created); err != nil {
			return nil, err
		}
		k.ServicePointID, k.TicketID = idPtr(sp), idPtr(tk)
		k.At, k.CreatedAt = store.FromMicros(at), store.FromMicros(created)
		out = append(out, k)
	}
	return out, rows.Err()
}
