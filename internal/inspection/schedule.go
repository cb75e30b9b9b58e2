package inspection

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// DueView is a due date as the API shows it.
type DueView struct {
	Basis       Basis          `json:"basis"` // completion, activation, now, window
	From        *calendar.Date `json:"from,omitempty"`
	Day         *calendar.Date `json:"day,omitempty"`
	At          *time.Time     `json:"at,omitempty"`
	Provisional bool           `json:"provisional,omitempty"`
	Overdue     bool           `json:"overdue"`
}

func viewOf(d Due, now time.Time) DueView {
	v := DueView{Basis: d.Basis, Provisional: d.Provisional, Overdue: d.Overdue(now)}
	if !d.From.IsZero() {
		v.From = &d.From
	}
	if !d.Day.IsZero() {
		v.Day, v.At = &d.Day, &d.At
	}
	return v
}

// TrackSchedule is the governing cycle of one track of a point and its
// next due date (INS-008, CAL-010).
type TrackSchedule struct {
	Track      string   `json:"track"`
	Cycle      string   `json:"cycle"`
	CycleName  string   `json:"cycle_name"`
	Interval   string   `json:"interval"`
	Applicable []string `json:"applicable"` // every applicable cycle, in pack order
	Rules      []string `json:"rules"`
	Checklist  string   `json:"checklist"`
	// Last is the last completed inspection on the track and its record.
	Last       *calendar.Date `json:"last,omitempty"`
	LastRecord store.ID       `json:"last_record,omitempty"`
	Due        DueView        `json:"due"`
}

// CampaignSchedule is a campaign of this year for the point (INS-002).
type CampaignSchedule struct {
	Key    string         `json:"key"`
	Name   string         `json:"name"`
	Year   int            `json:"year"`
	Window [2]string      `json:"window"` // MM-DD, MM-DD
	Done   *calendar.Date `json:"done,omitempty"`
	Due    DueView        `json:"due"`
}

// PointSchedule is what applies to one service point and when each
// inspection is next due.
type PointSchedule struct {
	ServicePointID store.ID           `json:"service_point_id"`
	CustomerID     store.ID           `json:"customer_id"`
	ArchiveNo      string             `json:"archive_no"`
	Address        string             `json:"address"`
	Pack           string             `json:"pack"`
	Calendar       string             `json:"calendar"`
	Tracks         []TrackSchedule    `json:"tracks"`
	Campaigns      []CampaignSchedule `json:"campaigns"`
	// WorkSheet is the work sheet an inspection of the point must reach
	// the system with (INS-011), "" none.
	WorkSheet string `json:"work_sheet,omitempty"`
}

// Schedule returns a point's cycles per track with the next due date from
// its closed records (CAL-010), and this year's campaigns.
func (s *Service) Schedule(ctx context.Context, p *auth.Principal, pointID store.ID) (*PointSchedule, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	r := s.db.Reader()
	cond, args := visible(p, "sp.company_id")
	var company store.ID
	pt, err := scanPoint(r.QueryRow(ctx, "SELECT "+pointColumns+` FROM service_points sp JOIN customers c ON c.id = sp.customer_id
		WHERE sp.id = ? AND `+cond, append([]any{pointID}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("service_point")
	}
	if err != nil {
		return nil, err
	}
	if err := r.QueryRow(ctx, "SELECT company_id FROM service_points WHERE id = ?", pointID).Scan(&company); err != nil {
		return nil, err
	}
	pack, cal, err := s.packOf(ctx, company)
	if err != nil {
		return nil, err
	}
	sel, err := Cycle(pack, &pt.cust, &pt.sp)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &PointSchedule{ServicePointID: pt.sp.ID, CustomerID: pt.cust.ID, ArchiveNo: pt.sp.ArchiveNo, Address: pt.sp.Address,
		Pack: pack.Key, Calendar: cal.ID(), Tracks: []TrackSchedule{}, Campaigns: []CampaignSchedule{}}
	if out.WorkSheet, _, err = workSheet(pack, cal, &pt, now); err != nil {
		return nil, err
	}
	type last struct {
		record          store.ID
		track, campaign string
		day             string
	}
	rows, err := store.QueryAll(ctx, r, func(sc store.Scanner) (last, error) {
		var l last
		return l, sc.Scan(&l.record, &l.track, &l.campaign, &l.day)
	}, `SELECT r.id, r.track, r.campaign, r.inspected_on FROM inspection_records r WHERE r.service_point_id = ? AND `+counted+`
		ORDER BY r.inspected_on, r.inspected_at, r.id`, pointID)
	if err != nil {
		return nil, err
	}
	lastOf := func(match func(last) bool) (calendar.Date, store.ID) {
		var d calendar.Date
		var id store.ID
		for _, l := range rows {
			if match(l) {
				d, _ = calendar.ParseDate(l.day)
				id = l.record
			}
		}
		return d, id
	}
	for _, ch := range sel.Tracks {
		d, rec := lastOf(func(l last) bool { return l.track == ch.Track })
		due, err := Schedule(History{Last: d}, ch.Cycle, cal)
		if err != nil {
			return nil, err
		}
		ts := TrackSchedule{Track: ch.Track, Cycle: ch.Cycle.Key, CycleName: ch.Cycle.Name.ZH, Interval: ch.Cycle.Interval.String(),
			Rules: ch.Rules, Checklist: ch.Cycle.Checklist, LastRecord: rec, Due: viewOf(due, now)}
		if !d.IsZero() {
			ts.Last = &d
		}
		for _, c := range ch.Applicable {
			ts.Applicable = append(ts.Applicable, c.Key)
		}
		out.Tracks = append(out.Tracks, ts)
	}
	year := dayOf(cal, now).Year
	for _, c := range sel.Campaigns {
		d, _ := lastOf(func(l last) bool { return l.campaign == c.Key })
		due, err := CampaignDue(c, year, cal)
		if err != nil {
			return nil, err
		}
		cs := CampaignSchedule{Key: c.Key, Name: c.Name.ZH, Year: year, Window: [2]string{c.From, c.To}, Due: viewOf(due, now)}
		if CampaignDone(c, year, d) {
			cs.Done, cs.Due.Overdue = &d, false
		}
		out.Campaigns = append(out.Campaigns, cs)
	}
	return out, nil
}

// InspectedHouseholds are the service points (households, accounts) the
// inspector inspected between from and to (to excluded) in the company:
// the population of the inspector's monthly sampling check (SMP-006: 2 %
// of the month, at least 20). Ids as text, ascending, each once; closed
// records only, a corrected record counting once through its correction.
func (s *Service) InspectedHouseholds(ctx context.Context, company, inspector store.ID, from, to time.Time) ([]string, error) {
	return store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (string, error) {
		var id store.ID
		err := sc.Scan(&id)
		return id.String(), err
	}, `SELECT DISTINCT r.service_point_id FROM inspection_records r WHERE r.company_id = ? AND r.inspector_id = ?
		AND r.inspected_at >= ? AND r.inspected_at < ? AND `+counted+` ORDER BY r.service_point_id`,
		company, inspector, store.Micros(from), store.Micros(to))
}
