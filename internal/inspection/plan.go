package inspection

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// PointState is a service point with what a plan needs to know of it.
type PointState struct {
	Customer *customer.Customer
	Point    *customer.ServicePoint
	// Last is the date of the last completed inspection per track
	// ("periodic", "grid_marketing", …); a missing track was never inspected.
	Last map[string]calendar.Date
	// Campaigns is the date of the last completed special inspection per
	// campaign key (INS-002).
	Campaigns map[string]calendar.Date
	// Activated is the date the point was connected or commissioned; zero
	// when unknown (Schedule).
	Activated calendar.Date
}

// Item is one inspection a plan lists.
type Item struct {
	CustomerID store.ID
	PointID    store.ID
	ArchiveNo  string
	// Track and Cycle name the periodic obligation and its winning cycle
	// (INS-008); both are empty for a campaign.
	Track string
	Cycle string
	// Campaign is the key of a special inspection (INS-002); "" otherwise.
	Campaign string
	// Interval is the winning cycle's interval; zero for a campaign.
	Interval  calendar.Duration
	Checklist string
	// Due is when the inspection falls due; the item is listed in the month
	// of Due.Day.
	Due Due
	// Overdue: due before the period began, or due now (never inspected,
	// activation unknown); listed in the period's first month.
	Overdue bool
	// Combinable are the open campaigns of the point whose window holds
	// Due.Day: one visit may satisfy both when both checklists are
	// completed (INS-002). Periodic track only.
	Combinable []string
	// Rules are the rule IDs the inspection satisfies (INS-008).
	Rules []string
	// Seq numbers the items of one obligation (track or campaign) of the
	// point within the period, from 1: with the point and the obligation
	// it identifies the item when a stored plan is regenerated.
	Seq int
	// Record and DoneOn: the completed inspection that did this item (a
	// stored plan, Planner.Point); zero while open.
	Record store.ID
	DoneOn calendar.Date
}

// Point identifies a service point in a plan.
type Point struct {
	CustomerID store.ID
	PointID    store.ID
	ArchiveNo  string
}

// Plan is a year's inspection plan of a pack, by month (INS-009).
type Plan struct {
	Year     int
	Calendar string
	// Months holds the items due in each month, January first, ordered by
	// due day, archive number and then track (campaigns last).
	Months [12][]Item
	// Unplanned are the points to which no cycle and no campaign applies.
	Unplanned []Point
	// Provisional: some due date consulted a year whose official
	// arrangement is not loaded.
	Provisional bool
}

// Month returns the items due in month m.
func (p *Plan) Month(m time.Month) []Item {
	if m < time.January || m > time.December {
		return nil
	}
	return p.Months[m-1]
}

// Quarter returns the items due in quarter q (1–4), by month (CAL-009).
func (p *Plan) Quarter(q int) []Item {
	var out []Item
	for m := 3*q - 2; q >= 1 && q <= 4 && m <= 3*q; m++ {
		out = append(out, p.Months[m-1]...)
	}
	return out
}

// Items returns every item of the year, by month.
func (p *Plan) Items() []Item {
	var out []Item
	for _, m := range p.Months {
		out = append(out, m...)
	}
	return out
}

// PlanYear lists, per month of year, the inspections due at the given
// points under pack p, counted on cal, which must be the pack's calendar.
//
// Per track, the winning cycle (INS-008) gives the first due date from the
// point's history (Schedule); one due before the year, or due now, is
// listed in January as overdue. Each planned inspection is assumed done on
// its due day (the last day allowed; an overdue one on 1 January), and the
// next is counted from there, so a point appears as often as its cycle
// requires within the year: monthly, quarterly, twice or once, or not at
// all when its next inspection falls in a later year. Each applicable
// campaign not yet done inside this year's window is listed in the month
// its window ends (INS-002).
func PlanYear(p *policy.Pack, cal *calendar.Calendar, year int, points []PointState) (Plan, error) {
	if year < calendar.MinYear || year > calendar.MaxYear {
		return Plan{}, fmt.Errorf("inspection: year %d outside %d–%d", year, calendar.MinYear, calendar.MaxYear)
	}
	pl, err := NewPlanner(p, cal, calendar.D(year, time.January, 1), calendar.D(year, time.December, 31))
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Year: year, Calendar: cal.ID()}
	for _, ps := range points {
		items, planned, err := pl.Point(ps, nil)
		if err != nil {
			return Plan{}, err
		}
		if !planned {
			plan.Unplanned = append(plan.Unplanned, pointOf(ps))
		}
		for _, it := range items {
			plan.add(it)
		}
	}
	for i := range plan.Months {
		slices.SortStableFunc(plan.Months[i], compareItems)
	}
	return plan, nil
}

// Completion is a completed inspection a plan counts: on a track, on a
// campaign, or both in one visit (INS-002), on Day.
type Completion struct {
	Day      calendar.Date
	Track    string
	Campaign string
	Record   store.ID
}

// Planner lists the inspections due at points over one period (INS-009: a
// month, a quarter or a year) under one pack, on the pack's calendar.
type Planner struct {
	r        *rules
	cal      *calendar.Calendar
	from, to calendar.Date
	limit    int // the most items one track can have in the period
}

// NewPlanner returns a planner of pack p for the days from to to (one
// calendar year at most), counted on cal, which must be the pack's calendar.
func NewPlanner(p *policy.Pack, cal *calendar.Calendar, from, to calendar.Date) (*Planner, error) {
	if cal == nil || p == nil || cal.ID() != p.Calendar {
		return nil, fmt.Errorf("inspection: the plan needs the pack's calendar")
	}
	if !from.Valid() || !to.Valid() || to.Before(from) || from.Year != to.Year {
		return nil, fmt.Errorf("inspection: period %v–%v is not inside one year", from, to)
	}
	if from.Year < calendar.MinYear || to.Year > calendar.MaxYear {
		return nil, fmt.Errorf("inspection: year %d outside %d–%d", from.Year, calendar.MinYear, calendar.MaxYear)
	}
	r, err := compile(p)
	if err != nil {
		return nil, err
	}
	months := (to.Year-from.Year)*12 + int(to.Month) - int(from.Month) + 1
	return &Planner{r: r, cal: cal, from: from, to: to, limit: months + 2}, nil
}

// Point lists the inspections due at one point in the period, per track and
// then per campaign, each obligation's items numbered from 1 (Seq).
// planned is false when no cycle and no campaign applies to the point.
//
// ps carries the history before the period: the last completion per track
// and per campaign. done are the completions the plan counts: those from
// the first day of the period on, and earlier ones that did an item of the
// plan early (a stored plan's); taken in date order. Each completion
// completes the earliest open item of its track (and its campaign's item
// when it lies inside that year's window, INS-002), even late, after the
// period; the next item is then counted from the day it was done
// (CAL-010), so an early or late inspection moves the dates that follow. An item not done is assumed done on its due day (an overdue one
// on the period's first day) for counting the next.
func (pl *Planner) Point(ps PointState, done []Completion) (items []Item, planned bool, err error) {
	id := pointOf(ps)
	sel := pl.r.selectFor(Attributes(pl.r.pack, ps.Customer, ps.Point))
	if sel.Empty() {
		return nil, false, nil
	}
	done = slices.Clone(done)
	slices.SortStableFunc(done, func(a, b Completion) int { return a.Day.Compare(b.Day) })
	for _, ch := range sel.Tracks {
		track, err := pl.track(ch, ps, id, sel.Campaigns, done)
		if err != nil {
			return nil, true, err
		}
		items = append(items, track...)
	}
	for y := pl.from.Year; y <= pl.to.Year; y++ {
		for _, c := range sel.Campaigns {
			if CampaignDone(c, y, ps.Campaigns[c.Key]) {
				continue // done before the period
			}
			d, err := CampaignDue(c, y, pl.cal)
			if err != nil {
				return nil, true, err
			}
			if d.Day.Before(pl.from) || d.Day.After(pl.to) {
				continue
			}
			it := Item{CustomerID: id.CustomerID, PointID: id.PointID, ArchiveNo: id.ArchiveNo, Campaign: c.Key,
				Checklist: c.Checklist, Due: d, Rules: slices.Clone(c.Rules), Seq: y - pl.from.Year + 1}
			for _, cp := range done {
				if cp.Campaign == c.Key && CampaignDone(c, y, cp.Day) {
					it.Record, it.DoneOn = cp.Record, cp.Day
					break
				}
			}
			items = append(items, it)
		}
	}
	return items, true, nil
}

// track lists the inspections of one track of a point within the period.
func (pl *Planner) track(ch Choice, ps PointState, id Point, campaigns []policy.InspectionCampaign, done []Completion) ([]Item, error) {
	d, err := Schedule(History{Last: ps.Last[ch.Track], Activated: ps.Activated}, ch.Cycle, pl.cal)
	if err != nil {
		return nil, err
	}
	var comps []Completion
	for _, c := range done {
		if c.Track == ch.Track {
			comps = append(comps, c)
		}
	}
	var out []Item
	for n := 0; n < pl.limit; n++ {
		overdue := d.Basis == DueNow || d.Day.Before(pl.from)
		if !overdue && d.Day.After(pl.to) {
			break
		}
		it := Item{CustomerID: id.CustomerID, PointID: id.PointID, ArchiveNo: id.ArchiveNo, Track: ch.Track,
			Cycle: ch.Cycle.Key, Interval: ch.Cycle.Interval, Checklist: ch.Cycle.Checklist, Due: d,
			Rules: slices.Clone(ch.Rules), Seq: n + 1, Overdue: overdue}
		next := d.Day
		if overdue {
			next = pl.from
		}
		if n < len(comps) {
			it.Record, it.DoneOn, next = comps[n].Record, comps[n].Day, comps[n].Day
		}
		if ch.Track == policy.TrackPeriodic && !overdue {
			for _, c := range campaigns {
				y := d.Day.Year
				if from, to, ok := c.Window(y); ok && !d.Day.Before(from) && !d.Day.After(to) && !CampaignDone(c, y, ps.Campaigns[c.Key]) {
					it.Combinable = append(it.Combinable, c.Key)
				}
			}
		}
		out = append(out, it)
		var rangeErr *calendar.RangeError
		if d, err = NextDue(next, ch.Cycle, pl.cal); errors.As(err, &rangeErr) {
			break // the next one lies beyond the calendar's range, so not in this period
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (plan *Plan) add(it Item) {
	m := time.January
	if !it.Overdue {
		m = it.Due.Day.Month
	}
	plan.Months[m-1] = append(plan.Months[m-1], it)
	plan.Provisional = plan.Provisional || it.Due.Provisional
}

func pointOf(ps PointState) Point {
	var id Point
	if ps.Customer != nil {
		id.CustomerID = ps.Customer.ID
	}
	if ps.Point != nil {
		id.PointID, id.ArchiveNo = ps.Point.ID, ps.Point.ArchiveNo
		if id.CustomerID == 0 {
			id.CustomerID = ps.Point.CustomerID
		}
	}
	return id
}

// compareItems orders a month: overdue first, then by due day, archive
// number, point, periodic tracks before campaigns, then by key.
func compareItems(a, b Item) int {
	return cmp.Or(
		-boolCmp(a.Overdue, b.Overdue),
		a.Due.Day.Compare(b.Due.Day),
		cmp.Compare(a.ArchiveNo, b.ArchiveNo),
		cmp.Compare(a.PointID, b.PointID),
		boolCmp(a.Campaign != "", b.Campaign != ""),
		cmp.Compare(a.Track, b.Track),
		cmp.Compare(a.Campaign, b.Campaign),
	)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
