package seed

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Timer kinds of the work-order service (internal/ticket).
const (
	timerWarn   = "ticket.clock.warn"
	timerBreach = "ticket.clock.breach"
	timerTarget = "ticket.target"
)

// flow is the order in which the actions of a work order happen.
var flow = []policy.Event{policy.EventForward, policy.EventAssign, policy.EventDispatch, policy.EventAccept,
	policy.EventArrive, policy.EventResult, policy.EventResolve, policy.EventReply, policy.EventClose}

// always are the actions of every work order that gets that far; the others
// happen only when a clock of the category counts on them.
var always = map[policy.Event]bool{policy.EventAssign: true, policy.EventAccept: true, policy.EventResolve: true,
	policy.EventClose: true}

// statusAfter is the status an action leaves (internal/ticket transitions).
var statusAfter = map[policy.Event]string{policy.EventForward: "forwarded", policy.EventAssign: "assigned",
	policy.EventDispatch: "assigned", policy.EventAccept: "in_progress", policy.EventArrive: "in_progress",
	policy.EventResult: "result_returned", policy.EventResolve: "resolved", policy.EventReply: "replied",
	policy.EventClose: "closed"}

// lastOf is the last action of the flow taken for a final status.
var lastOf = map[string]policy.Event{"new": "", "assigned": policy.EventDispatch, "in_progress": policy.EventArrive,
	"resolved": policy.EventResolve, "closed": policy.EventClose}

// sclock is a clock being simulated.
type sclock struct {
	kind                                                 policy.ClockKind
	dur                                                  calendar.Duration
	calID                                                string
	cal                                                  *calendar.Calendar
	startsOn                                             []policy.Event
	stopsOn                                              policy.Event
	warnPct                                              int
	isTarget, pausable, provisional                      bool
	state                                                string
	started, target, warnAt, warned, met, breached, stop int64
}

type sevent struct {
	at               int64
	action, from, to string
	actor            string
	detail           map[string]any
}

var channelsNote = []string{"客户来电反映", "客户到营业厅反映", "客户来信反映", "网上留言反映", "上级转办"}

// genChunk generates chunk i of the work orders.
func (s *seeder) genChunk(base ticketBase, i int) *chunk {
	r := rand.New(rand.NewPCG(s.o.Seed^0x5eed, uint64(i)))
	c := &chunk{
		tickets: &insert{table: "tickets", cols: []string{"id", "number", "pack", "pack_version", "category", "channel",
			"severity", "status", "subject", "description", "customer_id", "customer_name", "customer_phone",
			"customer_address", "received_at", "receiving_unit_id", "handling_unit_id", "escalated_unit_id", "written_reply",
			"breached", "next_due_at", "created_at", "updated_at", "closed_at", "crisis"}},
		units: &insert{table: "ticket_units", cols: []string{"ticket_id", "unit_id"}},
		clocks: &insert{table: "ticket_clocks", cols: []string{"id", "ticket_id", "kind", "duration", "calendar",
			"pack_version", "starts_on", "stops_on", "warn_percent", "state", "started_at", "target_at",
			"original_target_at", "warn_at", "warned_at", "met_at", "breached_at", "provisional", "target", "pausable"}},
		events: &insert{table: "ticket_events", cols: []string{"ticket_id", "at", "recorded_at", "actor_id", "actor",
			"action", "from_status", "to_status", "detail", "note"}},
		timers: &insert{table: "timers", cols: []string{"kind", "ref", "due_at", "created_at"}},
	}
	lo := i * ticketsPerTx
	hi := min(lo+ticketsPerTx, s.o.Tickets)
	for idx := lo; idx < hi; idx++ {
		if err := s.genTicket(r, c, base, idx); err != nil {
			c.err = err
			return c
		}
	}
	c.st = Stats{Tickets: int64(c.tickets.rows()), TicketUnits: int64(c.units.rows()), Clocks: int64(c.clocks.rows()),
		Events: int64(c.events.rows()), Timers: int64(c.timers.rows())}
	return c
}

// receivedAt spreads the work orders over the year before now, in id
// order, mostly in office hours.
func (s *seeder) receivedAt(r *rand.Rand, idx int) time.Time {
	const span = 365 * 24 * time.Hour
	t := s.now.Add(-span + time.Duration(float64(span)*(float64(idx)+0.5)/float64(s.o.Tickets)))
	t = t.In(store.Zone)
	h := 8 + r.IntN(10)
	switch x := r.IntN(20); {
	case x < 4:
		h = 18 + r.IntN(4)
	case x == 4:
		h = r.IntN(8)
	}
	t = time.Date(t.Year(), t.Month(), t.Day(), h, r.IntN(60), r.IntN(60), 0, store.Zone)
	if lim := s.now.Add(-time.Minute); t.After(lim) {
		t = lim.Add(-time.Duration(r.IntN(3600)) * time.Second)
	}
	return t
}

// finalStatus draws where a work order of this age stands.
func finalStatus(r *rand.Rand, age time.Duration) string {
	x := r.IntN(100)
	var cut [4]int // new, assigned, in_progress, resolved; the rest closed
	switch {
	case age > 30*24*time.Hour:
		cut = [4]int{0, 1, 4, 8}
	case age > 3*24*time.Hour:
		cut = [4]int{3, 10, 25, 40}
	default:
		cut = [4]int{15, 35, 65, 80}
	}
	switch {
	case x < cut[0]:
		return "new"
	case x < cut[1]:
		return "assigned"
	case x < cut[2]:
		return "in_progress"
	case x < cut[3]:
		return "resolved"
	}
	return "closed"
}

func (s *seeder) genTicket(r *rand.Rand, c *chunk, base ticketBase, idx int) error {
	id := base.ticket + int64(idx) + 1
	pd := s.packs[r.IntN(len(s.packs))]
	p := pd.pack
	cat := &p.Categories[r.IntN(len(p.Categories))]
	channel := ""
	if len(p.Channels) > 0 {
		channel = p.Channels[r.IntN(len(p.Channels))].Key
	}
	sevKey := cat.Severity
	if sevKey == "" && len(p.Severities) > 0 {
		sevKey = p.Severities[0].Key
	}
	u := pd.units[r.IntN(len(pd.units))]
	var cust party
	var custID any
	if len(pd.customers) > 0 {
		cust = pd.customers[r.IntN(len(pd.customers))]
		custID = cust.id
	}
	received := s.receivedAt(r, idx)
	created := received.Add(time.Duration(r.IntN(180)) * time.Second)
	if created.After(s.now) {
		created = s.now
	}
	recv, crt := store.Micros(received), store.Micros(created)
	nowUS := store.Micros(s.now)

	// The clocks and targets of the category (internal/ticket packClocks).
	var clocks []*sclock
	for _, rule := range cat.Clocks {
		k := &sclock{kind: rule.Kind, dur: rule.Duration, calID: p.ClockCalendar(rule), startsOn: rule.StartsOn,
			stopsOn: rule.StopsOn, warnPct: rule.WarnPercent, pausable: rule.Pausable, state: "pending"}
		if k.stopsOn == "" {
			k.stopsOn = policy.DefaultStop(rule.Kind)
		}
		if k.warnPct <= 0 || k.warnPct >= 100 {
			k.warnPct = 80
		}
		clocks = append(clocks, k)
	}
	for _, g := range cat.Targets {
		k := &sclock{kind: g.Kind, dur: g.Duration, calID: p.Calendar, startsOn: g.StartsOn, stopsOn: g.StopsOn,
			warnPct: 100, isTarget: true, state: "pending"}
		if k.stopsOn == "" {
			k.stopsOn = policy.DefaultStop(g.Kind)
		}
		clocks = append(clocks, k)
	}
	for _, k := range clocks {
		if len(k.startsOn) == 0 {
			k.startsOn = []policy.Event{policy.EventReceived}
		}
		k.cal = s.cals[k.calID]
	}
	done := map[policy.Event]int64{}
	var start func(ev policy.Event, at int64) error
	start = func(ev policy.Event, at int64) error {
		done[ev] = at
		for _, k := range clocks {
			if k.stop == 0 && k.stopsOn == ev && k.started != 0 {
				k.stop = at
			}
			if k.started != 0 || slices.ContainsFunc(k.startsOn, func(e policy.Event) bool { _, ok := done[e]; return !ok }) {
				continue
			}
			res, err := k.cal.Deadline(store.FromMicros(at), k.dur)
			if err != nil {
				return fmt.Errorf("seed: deadline of %s/%s: %w", cat.Key, k.kind, err)
			}
			k.started, k.target, k.provisional = at, store.Micros(res.At), res.Provisional
			if k.isTarget {
				k.warnAt = k.target
			} else {
				w, err := k.cal.WarningAt(store.FromMicros(at), res.At, k.dur.Unit, k.warnPct)
				if err != nil {
					return err
				}
				k.warnAt = store.Micros(w)
			}
			if _, ok := done[k.stopsOn]; ok { // the stop event came first: met at once
				k.stop = at
			}
		}
		return nil
	}
	if err := start(policy.EventReceived, recv); err != nil {
		return err
	}

	// The actions, up to the final status, as long as they lie in the past.
	need := map[policy.Event]bool{}
	for _, k := range clocks {
		need[k.stopsOn] = true
		for _, e := range k.startsOn {
			need[e] = true
		}
	}
	final := finalStatus(r, s.now.Sub(received))
	status := "new"
	var events []sevent
	events = append(events, sevent{at: recv, action: "received", to: "new", actor: "seed",
		detail: map[string]any{"pack": p.Key, "pack_version": p.Version, "category": cat.Key, "channel": channel, "severity": sevKey}})
	var handling, escalated any
	units := []store.ID{u.id}
	if sev, ok := p.Severity(sevKey); ok && sev.EscalateTo != "" {
		target := u.id
		switch org.Kind(sev.EscalateTo) {
		case org.Department:
			if u.dept != 0 {
				target = u.dept
			}
		case org.Company:
			target = u.company
		case org.Group:
			target = u.root
		}
		if target != u.id {
			escalated = target
			units = append(units, target)
		}
		events = append(events, sevent{at: recv, action: "raised", actor: "seed",
			detail: map[string]any{"severity": sevKey, "unit": target}})
	}
	var closedAt int64
	prev := recv
	if last := lastOf[final]; last != "" {
		for _, ev := range flow {
			if !always[ev] && !need[ev] {
				if ev == last {
					break
				}
				continue
			}
			at := prev + int64(10*time.Minute/time.Microsecond) + r.Int64N(int64(3*time.Hour/time.Microsecond))
			for _, k := range clocks {
				if k.stopsOn == ev && k.started != 0 && k.stop == 0 && !k.isTarget {
					frac := 0.05 + 0.85*r.Float64()
					if r.IntN(100) < 12 { // late: the clock breaches
						frac = 1.02 + r.Float64()
					}
					at = k.started + int64(frac*float64(k.target-k.started))
					break
				}
			}
			if at <= prev {
				at = prev + int64(time.Minute/time.Microsecond) + r.Int64N(int64(30*time.Minute/time.Microsecond))
			}
			if at > nowUS-int64(time.Minute/time.Microsecond) {
				break
			}
			detail := map[string]any{}
			if ev == policy.EventAssign {
				h := pd.handling(r, u)
				handling = h
				detail["org_unit"] = h
				if !slices.Contains(units, h) {
					units = append(units, h)
				}
			}
			to := statusAfter[ev]
			events = append(events, sevent{at: at, action: string(ev), from: status, to: to, actor: "seed", detail: detail})
			status = to
			if ev == policy.EventClose {
				closedAt = at
			}
			if err := start(ev, at); err != nil {
				return err
			}
			prev = at
			if ev == last {
				break
			}
		}
	}

	// The clocks as the timers would have left them by now.
	breached := false
	var nextDue int64
	for k0, k := range clocks {
		cid := base.clock + int64(idx)*base.maxClocks + int64(k0) + 1
		switch {
		case k.started == 0:
		case k.isTarget:
			k.state = "running"
			end := nowUS
			if k.stop != 0 {
				k.state, k.met, end = "met", k.stop, k.stop
			}
			if end >= k.target {
				k.warned = k.target
				events = append(events, sevent{at: k.target, action: "target.passed", actor: "system",
					detail: map[string]any{"clock": k.kind, "target_at": store.FromMicros(k.target)}})
			}
		default:
			end := nowUS
			if k.stop != 0 {
				end = k.stop
			}
			switch {
			case end > k.target:
				k.state, k.breached = "breached", k.target
				if k.stop != 0 {
					k.met = k.stop
				}
			case k.stop != 0:
				k.state, k.met = "met", k.stop
			default:
				k.state = "running"
			}
			if k.warnAt < k.target && end >= k.warnAt {
				k.warned = k.warnAt
				events = append(events, sevent{at: k.warnAt, action: "clock.warning", actor: "system",
					detail: map[string]any{"clock": k.kind, "target_at": store.FromMicros(k.target)}})
			}
			if k.state == "breached" {
				breached = true
				events = append(events, sevent{at: k.target, action: "clock.breached", actor: "system",
					detail: map[string]any{"clock": k.kind, "target_at": store.FromMicros(k.target)}})
			}
		}
		if k.state == "running" {
			if nextDue == 0 || k.target < nextDue {
				nextDue = k.target
			}
			switch {
			case k.isTarget && k.warned == 0:
				c.timers.add(timerTarget, cid, k.target, crt)
			case !k.isTarget:
				if k.warned == 0 && k.warnAt < k.target {
					c.timers.add(timerWarn, cid, k.warnAt, crt)
				}
				c.timers.add(timerBreach, cid, k.target, crt)
			}
		}
		c.clocks.add(cid, id, string(k.kind), k.dur.String(), k.calID, p.Version, joinEvents(k.startsOn), string(k.stopsOn),
			k.warnPct, k.state, k.started, k.target, k.target, k.warnAt, k.warned, k.met, k.breached, k.provisional,
			k.isTarget, k.pausable)
	}
	slices.SortStableFunc(events, func(a, b sevent) int { return cmp.Compare(a.at, b.at) })
	updated := crt
	for _, e := range events {
		rec := max(e.at, crt)
		updated = max(updated, rec)
		c.events.add(id, e.at, rec, nil, e.actor, e.action, e.from, e.to, encode(e.detail), "")
	}
	for _, unit := range units {
		c.units.add(id, unit)
	}
	day := created.In(store.Zone).Format("20060102")
	c.numbers = append(c.numbers, numberSlot{arg: len(c.tickets.args) + 1, day: day})
	subject := cat.Name.ZH
	desc := channelsNote[r.IntN(len(channelsNote))] + "：" + cat.Name.ZH
	if cust.address != "" {
		desc += "，地址" + cust.address
	}
	c.tickets.add(id, "", p.Key, p.Version, cat.Key, channel, sevKey, status, subject, desc, custID, cust.name, cust.phone,
		cust.address, recv, u.id, handling, escalated, cat.WrittenReply && status == "closed", breached, nextDue, crt,
		updated, closedAt, false)
	return nil
}

func joinEvents(es []policy.Event) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = string(e)
	}
	return strings.Join(parts, ",")
}
