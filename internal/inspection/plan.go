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
	// Overdue: due before the plan year began, or due now (never inspected,
	// activation unknown); listed in January.
	Overdue bool
	// Combinable are the open campaigns of the point whose window holds
	// Due.Day: one visit may satisfy both when both checklists are
	// completed (INS-002). Periodic track only.
	Combinable []string
	// Rules are the rule IDs the inspection satisfies (INS-008).
	Rules []string
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
	if cal == nil || p == nil || cal.ID() != p.Calendar {
		return Plan{}, fmt.Errorf("inspection: the plan needs the pack's calendar")
	}
	if year < calendar.MinYear || year > calendar.MaxYear {
		return Plan{}, fmt.Errorf("inspection: year %d outside %d–%d", year, calendar.MinYear, calendar.MaxYear)
	}
	r, err := compile(p)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Year: year, Calendar: cal.ID()}
	start := calendar.D(year, time.January, 1)
	for _, ps := range points {
		id := pointOf(ps)
		sel := r.selectFor(Attributes(p, ps.Customer, ps.Point))
		if sel.Empty() {
			plan.Unplanned = append(plan.Unplanned, id)
			continue
		}
		var open []policy.InspectionCampaign
		for _, c := range sel.Campaigns {
			if CampaignDone(c, year, ps.Campaigns[c.Key]) {
				continue
			}
			open = append(open, c)
			d, err := CampaignDue(c, year, cal)
			if err != nil {
				return Plan{}, err
			}
			plan.add(Item{CustomerID: id.CustomerID, PointID: id.PointID, ArchiveNo: id.ArchiveNo, Campaign: c.Key,
				Checklist: c.Checklist, Due: d, Rules: slices.Clone(c.Rules)})
		}
		for _, ch := range sel.Tracks {
			if err := plan.track(ch, ps, id, open, cal, start); err != nil {
				return Plan{}, err
			}
		}
	}
	for i := range plan.Months {
		slices.SortStableFunc(plan.Months[i], compareItems)
	}
	return plan, nil
}

// track lists the inspections of one track of a point within the year.
func (plan *Plan) track(ch Choice, ps PointState, id Point, open []policy.InspectionCampaign, cal *calendar.Calendar, start calendar.Date) error {
	d, err := Schedule(History{Last: ps.Last[ch.Track], Activated: ps.Activated}, ch.Cycle, cal)
	if err != nil {
		return err
	}
	// At most one item a month plus the overdue one: the loop ends.
	for n := 0; n <= 13; n++ {
		it := Item{CustomerID: id.CustomerID, PointID: id.PointID, ArchiveNo: id.ArchiveNo, Track: ch.Track,
			Cycle: ch.Cycle.Key, Interval: ch.Cycle.Interval, Checklist: ch.Cycle.Checklist, Due: d,
			Rules: slices.Clone(ch.Rules)}
		done := d.Day
		switch {
		case d.Basis == DueNow || d.Day.Before(start):
			it.Overdue, done = true, start
		case d.Day.Year > plan.Year:
			return nil
		}
		if ch.Track == policy.TrackPeriodic {
			for _, c := range open {
				if from, to, ok := c.Window(plan.Year); ok && !it.Overdue && !d.Day.Before(from) && !d.Day.After(to) {
					it.Combinable = append(it.Combinable, c.Key)
				}
			}
		}
		plan.add(it)
		var rangeErr *calendar.RangeError
		if d, err = NextDue(done, ch.Cycle, cal); errors.As(err, &rangeErr) {
			return nil // the next one lies beyond the calendar's range, so not in this year
		} else if err != nil {
			return err
		}
	}
	return nil
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
