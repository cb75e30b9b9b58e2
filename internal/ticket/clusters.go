package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Cluster is a set of complaints on one issue raised by many customers
// (反映集中, TKT-008), answered by joint explanation sessions.
type Cluster struct {
	ID        store.ID  `json:"id"`
	Pack      string    `json:"pack"`
	Title     string    `json:"title"`
	Location  string    `json:"location"`
	CreatedBy store.ID  `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Tickets are the members the caller may see.
	Tickets  []Summary `json:"tickets"`
	Sessions []Session `json:"sessions"`
}

// Session is a joint explanation session (联合解释) of a cluster.
type Session struct {
	ID        store.ID  `json:"id"`
	ClusterID store.ID  `json:"cluster_id"`
	HeldAt    time.Time `json:"held_at"`
	Place     string    `json:"place"`
	Record    string    `json:"record"`
	CreatedBy store.ID  `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ClusterInput creates a cluster.
type ClusterInput struct {
	Title     string     `json:"title"`
	Location  string     `json:"location"`
	TicketIDs []store.ID `json:"ticket_ids"`
}

// ClusterTicketsInput adds work orders to a cluster.
type ClusterTicketsInput struct {
	TicketIDs []store.ID `json:"ticket_ids"`
}

// SessionInput records a joint explanation session.
type SessionInput struct {
	HeldAt *time.Time `json:"held_at"`
	Place  string     `json:"place"`
	Record string     `json:"record"`
}

// Timeline actions of clusters and sessions.
const (
	EventClustered = "clustered" // the work order joined a cluster
	EventExplained = "explained" // a joint explanation session was held (TKT-008)
)

// maxBatch caps the work orders of one cluster or letter request.
const maxBatch = 1000

// CreateCluster groups work orders on one issue (TKT-008). Every work order
// must be visible to the caller, of one pack, not closed or merged, and in
// no other cluster; each gets a "clustered" timeline entry.
func (s *Service) CreateCluster(ctx context.Context, p *auth.Principal, in ClusterInput) (Cluster, error) {
	if err := canAct(p); err != nil {
		return Cluster{}, err
	}
	in.Title, in.Location = strings.TrimSpace(in.Title), strings.TrimSpace(in.Location)
	if in.Title == "" {
		return Cluster{}, apperr.Required("title")
	}
	if utf8.RuneCountInString(in.Title) > maxSubject {
		return Cluster{}, tooLong("title", maxSubject)
	}
	if utf8.RuneCountInString(in.Location) > maxSubject {
		return Cluster{}, tooLong("location", maxSubject)
	}
	ids, err := batchIDs(in.TicketIDs)
	if err != nil {
		return Cluster{}, err
	}
	var out Cluster
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		rows, err := s.members(ctx, tx, p, ids, "")
		if err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO ticket_clusters (pack, title, location, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, rows[0].pack, in.Title, in.Location, p.UserID, store.Micros(now))
		if err != nil {
			return err
		}
		if err := s.join(ctx, tx, p, id, in.Title, rows, now); err != nil {
			return err
		}
		if out, err = s.cluster(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "ticket_cluster.create", "ticket_cluster", id.String(),
			map[string]any{"title": in.Title, "location": in.Location, "tickets": ids})
	})
	return out, err
}

// AddToCluster adds work orders to a cluster, on the same terms as
// CreateCluster; the cluster's pack decides.
func (s *Service) AddToCluster(ctx context.Context, p *auth.Principal, id store.ID, in ClusterTicketsInput) (Cluster, error) {
	if err := canAct(p); err != nil {
		return Cluster{}, err
	}
	ids, err := batchIDs(in.TicketIDs)
	if err != nil {
		return Cluster{}, err
	}
	var out Cluster
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		cl, err := s.cluster(ctx, tx, p, id)
		if err != nil {
			return err
		}
		rows, err := s.members(ctx, tx, p, ids, cl.Pack)
		if err != nil {
			return err
		}
		var fresh []*row
		for _, r := range rows {
			in, err := clusterOf(ctx, tx, r.id)
			if err != nil {
				return err
			}
			if in != id {
				fresh = append(fresh, r)
			}
		}
		if err := s.join(ctx, tx, p, id, cl.Title, fresh, now); err != nil {
			return err
		}
		if out, err = s.cluster(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "ticket_cluster.add", "ticket_cluster", id.String(), map[string]any{"tickets": ids})
	})
	return out, err
}

// HoldSession records a joint explanation session of a cluster (TKT-008):
// the record closes the explanation step of every member, which gets an
// "explained" timeline entry at the session time (an event clocks may stop
// on, CAL-013). Merged duplicates are skipped.
func (s *Service) HoldSession(ctx context.Context, p *auth.Principal, id store.ID, in SessionInput) (Cluster, error) {
	if err := canAct(p); err != nil {
		return Cluster{}, err
	}
	in.Place, in.Record = strings.TrimSpace(in.Place), strings.TrimSpace(in.Record)
	switch {
	case in.HeldAt == nil:
		return Cluster{}, apperr.Required("held_at")
	case in.Place == "":
		return Cluster{}, apperr.Required("place")
	case in.Record == "":
		return Cluster{}, apperr.Required("record")
	case utf8.RuneCountInString(in.Place) > maxSubject:
		return Cluster{}, tooLong("place", maxSubject)
	case utf8.RuneCountInString(in.Record) > maxDescription:
		return Cluster{}, tooLong("record", maxDescription)
	}
	held := *in.HeldAt
	var out Cluster
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		now := s.now()
		if held.After(now) {
			return apperr.Validation("held_at", i18n.T("不能晚于现在：请在会后登记", "cannot be in the future: record the session once held"))
		}
		if _, err := s.cluster(ctx, tx, p, id); err != nil {
			return err
		}
		ids, err := userIDs(ctx, tx, "SELECT ticket_id FROM ticket_cluster_members WHERE cluster_id = ? ORDER BY ticket_id", id)
		if err != nil {
			return err
		}
		sid, err := tx.InsertID(ctx, `INSERT INTO ticket_sessions (cluster_id, held_at, place, record, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, store.Micros(held), in.Place, in.Record, p.UserID, store.Micros(now))
		if err != nil {
			return err
		}
		for _, tid := range ids {
			r, err := load(ctx, tx, nil, tid)
			if err != nil {
				return err
			}
			if r.status == StatusMerged {
				continue
			}
			if store.Micros(held) < r.receivedAt {
				return apperr.Validation("held_at", i18n.T("早于工单 %s 的受理时间", "before work order %s was received", r.number))
			}
			detail := map[string]any{"cluster_id": id, "session_id": sid, "place": in.Place}
			if err := s.recordEvent(ctx, tx, r, EventExplained, held, now, p.Actor(), detail, "联合解释"); err != nil {
				return err
			}
		}
		if out, err = s.cluster(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "ticket_cluster.session", "ticket_cluster", id.String(),
			map[string]any{"session_id": sid, "held_at": held, "place": in.Place, "record": in.Record, "tickets": ids})
	})
	if err == nil {
		s.poke()
	}
	return out, err
}

// GetCluster returns a cluster with the members the caller may see; a
// cluster of which the caller sees no member and that they did not create
// is not found.
func (s *Service) GetCluster(ctx context.Context, p *auth.Principal, id store.ID) (Cluster, error) {
	if p == nil || !p.Can(auth.PermTicketsRead) {
		return Cluster{}, apperr.NotFound("cluster")
	}
	return s.cluster(ctx, s.db.Reader(), p, id)
}

func (s *Service) cluster(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Cluster, error) {
	var cl Cluster
	var by store.NullID
	var created int64
	err := c.QueryRow(ctx, "SELECT id, pack, title, location, created_by, created_at FROM ticket_clusters WHERE id = ?", id).
		Scan(&cl.ID, &cl.Pack, &cl.Title, &cl.Location, &by, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Cluster{}, apperr.NotFound("cluster")
	}
	if err != nil {
		return Cluster{}, err
	}
	cl.CreatedBy, cl.CreatedAt = by.ID, store.FromMicros(created)
	if cl.Tickets, err = summaries(ctx, c, p, "SELECT ticket_id FROM ticket_cluster_members WHERE cluster_id = ?", id); err != nil {
		return Cluster{}, err
	}
	if len(cl.Tickets) == 0 && cl.CreatedBy != p.UserID {
		return Cluster{}, apperr.NotFound("cluster")
	}
	rows, err := c.Query(ctx, `SELECT id, cluster_id, held_at, place, record, created_by, created_at FROM ticket_sessions
		WHERE cluster_id = ? ORDER BY held_at, id`, id)
	if err != nil {
		return Cluster{}, err
	}
	defer rows.Close()
	cl.Sessions = []Session{}
	for rows.Next() {
		var se Session
		var held, at int64
		var by store.NullID
		if err := rows.Scan(&se.ID, &se.ClusterID, &held, &se.Place, &se.Record, &by, &at); err != nil {
			return Cluster{}, err
		}
		se.HeldAt, se.CreatedAt, se.CreatedBy = store.FromMicros(held), store.FromMicros(at), by.ID
		cl.Sessions = append(cl.Sessions, se)
	}
	return cl, rows.Err()
}

// members loads the work orders of a cluster request: visible to p (else
// 422), in the pack (the first one's when pack is ""), not closed or merged
// (409).
func (s *Service) members(ctx context.Context, tx store.Conn, p *auth.Principal, ids []store.ID, pack string) ([]*row, error) {
	var out []*row
	for _, id := range ids {
		r, err := visibleRow(ctx, tx, p, id)
		if err != nil {
			return nil, err
		}
		if pack == "" {
			pack = r.pack
		}
		if r.pack != pack {
			return nil, apperr.Validation("ticket_ids", i18n.T("工单 %s 属于政策包 %s，不是 %s", "work order %s is in pack %s, not %s",
				r.number, r.pack, pack))
		}
		if r.status == StatusClosed || r.status == StatusMerged {
			return nil, apperr.Conflict("ticket_ids", i18n.T("工单 %s 状态为 %s", "work order %s is %s", r.number, string(r.status)))
		}
		out = append(out, r)
	}
	return out, nil
}

// join makes the rows members of the cluster, each with a timeline entry.
func (s *Service) join(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID, title string, rows []*row, now time.Time) error {
	for _, r := range rows {
		other, err := clusterOf(ctx, tx, r.id)
		if err != nil {
			return err
		}
		if other != 0 {
			return apperr.Conflict("ticket_ids", i18n.T("工单 %s 已属于集中问题 %d", "work order %s is in cluster %d already", r.number, other))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ticket_cluster_members (cluster_id, ticket_id, added_by, added_at)
			VALUES (?, ?, ?, ?)`, id, r.id, p.UserID, store.Micros(now)); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, r.id, now, now, p.Actor(), EventClustered, "", "",
			map[string]any{"cluster_id": id, "title": title}, ""); err != nil {
			return err
		}
	}
	return nil
}

// clusterOf is the cluster a work order belongs to, or 0.
func clusterOf(ctx context.Context, c store.Conn, ticketID store.ID) (store.ID, error) {
	var id store.ID
	err := c.QueryRow(ctx, "SELECT cluster_id FROM ticket_cluster_members WHERE ticket_id = ?", ticketID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// recordEvent puts an event that is not an action on a work order's
// timeline and lets the clocks see it (CAL-013).
func (s *Service) recordEvent(ctx context.Context, tx store.Conn, r *row, ev string, when, now time.Time, actor audit.Actor,
	detail map[string]any, note string) error {
	clocks, err := loadClocks(ctx, tx, r.id)
	if err != nil {
		return err
	}
	done, err := happened(ctx, tx, r.id)
	if err != nil {
		return err
	}
	if err := appendEvent(ctx, tx, r.id, when, now, actor, ev, "", "", detail, note); err != nil {
		return err
	}
	if err := s.applyEvent(ctx, tx, clocks, policy.Event(ev), when, done, "held_at"); err != nil {
		return err
	}
	return refreshQueueColumns(ctx, tx, r.id, now)
}

// canAct checks tickets:act for cluster and letter changes.
func canAct(p *auth.Principal) error {
	if p == nil || !p.Can(auth.PermTicketsAct) {
		return apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required", string(auth.PermTicketsAct)))
	}
	return nil
}

// batchIDs checks a list of work-order ids: required, at most maxBatch,
// duplicates dropped, order kept.
func batchIDs(ids []store.ID) ([]store.ID, error) {
	if len(ids) == 0 {
		return nil, apperr.Required("ticket_ids")
	}
	if len(ids) > maxBatch {
		return nil, apperr.Validation("ticket_ids", i18n.T("一次最多 %d 张工单", "at most %d work orders at once", maxBatch))
	}
	var out []store.ID
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// visibleRow loads a work order p may see; any other id is a 422 on
// ticket_ids that does not tell whether it exists.
func visibleRow(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (*row, error) {
	r, err := load(ctx, tx, p, id)
	if apperr.Is(err, apperr.CodeNotFound) {
		return nil, apperr.Validation("ticket_ids", i18n.T("工单 %d 不存在", "no work order %d", int64(id)))
	}
	return r, err
}

// summaries are the work orders p may see among the ids the query selects.
func summaries(ctx context.Context, c store.Conn, p *auth.Principal, q string, args ...any) ([]Summary, error) {
	cond, vargs := visible(c.Dialect(), p)
	rows, err := c.Query(ctx, fmt.Sprintf(`SELECT t.id, t.number, t.status, t.category, t.received_at FROM tickets t
		WHERE t.id IN (%s) AND %s ORDER BY t.id`, q, cond), append(args, vargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var sm Summary
		var rec int64
		if err := rows.Scan(&sm.ID, &sm.Number, &sm.Status, &sm.Category, &rec); err != nil {
			return nil, err
		}
		sm.ReceivedAt = store.FromMicros(rec)
		out = append(out, sm)
	}
	return out, rows.Err()
}
