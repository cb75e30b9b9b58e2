package ticket

import (
	"context"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// Similar is the cluster suggestion of a work order (TKT-008, G-48): the
// open work orders of the same pack and category, received within the
// pack's ClusterWindowDays of it (a day-difference test, CAL-015) and, when
// its address names a building, at the same building. A cluster is
// suggested when they number ClusterThreshold with the work order itself
// and it is in no cluster yet.
type Similar struct {
	TicketID   store.ID  `json:"ticket_id"`
	Category   string    `json:"category"`
	Location   string    `json:"location,omitempty"` // the building compared, "" when the address names none
	WindowDays int       `json:"window_days"`
	Threshold  int       `json:"threshold"`
	Count      int       `json:"count"` // with the work order itself
	Suggest    bool      `json:"suggest"`
	ClusterID  store.ID  `json:"cluster_id,omitempty"` // the cluster it belongs to already
	Tickets    []Summary `json:"tickets"`
}

// maxSimilar caps the candidates read.
const maxSimilar = 500

// Similar finds the work orders that may belong to one cluster with the
// given one, among those the caller may see.
func (s *Service) Similar(ctx context.Context, p *auth.Principal, id store.ID) (Similar, error) {
	if p == nil || !p.Can(auth.PermTicketsRead) {
		return Similar{}, apperr.NotFound("ticket")
	}
	c := s.db.Reader()
	r, err := load(ctx, c, p, id)
	if err != nil {
		return Similar{}, err
	}
	pack, err := s.packOf(r)
	if err != nil {
		return Similar{}, err
	}
	out := Similar{TicketID: r.id, Category: r.category, Location: building(r.customerAdr), Tickets: []Summary{},
		WindowDays: pack.Tickets.ClusterWindowDays, Threshold: pack.Tickets.ClusterThreshold}
	if out.ClusterID, err = clusterOf(ctx, c, r.id); err != nil {
		return Similar{}, err
	}
	// A day either side of the window covers every zone; the day test below decides.
	received := store.FromMicros(r.receivedAt)
	day := calendar.DateOf(received.In(store.Zone))
	from := store.Micros(day.AddDays(-out.WindowDays - 1).Midnight(store.Zone))
	to := store.Micros(day.AddDays(out.WindowDays + 2).Midnight(store.Zone))
	cond, args := visible(c.Dialect(), p)
	rows, err := c.Query(ctx, "SELECT "+ticketColumns+` FROM tickets t WHERE t.pack = ? AND t.category = ? AND t.id <> ?
		AND t.status NOT IN (?, ?) AND t.received_at >= ? AND t.received_at < ? AND `+cond+` ORDER BY t.id LIMIT ?`,
		append(append([]any{r.pack, r.category, r.id, string(StatusClosed), string(StatusMerged), from, to}, args...), maxSimilar)...)
	if err != nil {
		return Similar{}, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanRow(rows)
		if err != nil {
			return Similar{}, err
		}
		d := calendar.DaysBetween(day, calendar.DateOf(store.FromMicros(o.receivedAt).In(store.Zone)))
		if d < -out.WindowDays || d > out.WindowDays {
			continue
		}
		if out.Location != "" && building(o.customerAdr) != out.Location {
			continue
		}
		out.Tickets = append(out.Tickets, Summary{ID: o.id, Number: o.number, Status: o.status, Category: o.category,
			ReceivedAt: store.FromMicros(o.receivedAt)})
	}
	if err := rows.Err(); err != nil {
		return Similar{}, err
	}
	out.Count = len(out.Tickets) + 1
	out.Suggest = out.ClusterID == 0 && out.Threshold > 0 && out.Count >= out.Threshold
	return out, nil
}

// building is the part of an address up to the building (栋, 幢, 号楼),
// spaces removed: "3栋1单元502" → "3栋"; "" when the address names none.
func building(addr string) string {
	addr = strings.Join(strings.Fields(addr), "")
	best := -1
	var mark string
	for _, m := range []string{"号楼", "栋", "幢"} {
		if i := strings.Index(addr, m); i >= 0 && (best < 0 || i < best) {
			best, mark = i, m
		}
	}
	if best < 0 {
		return ""
	}
	return addr[:best+len(mark)]
}
