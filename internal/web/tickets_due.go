package web

import (
	"fmt"
	"time"

	"kefu/internal/i18n"
	"kefu/internal/ticket"
)

// dueBadge is a deadline clock shown as a countdown badge: "剩 2小时15分"
// (ok), the same in amber once the warning point has passed (warn), "超时
// 35分" (over). A running clock carries Deadline and WarnAt (RFC 3339) so
// that kefu.js can count down live; without the script the text stands.
type dueBadge struct {
	Class    string // ok, warn, over, met, late (met after a breach), pending, paused, cancelled
	Text     string
	Deadline string
	WarnAt   string
	Title    string // the exact target
	Prefix   string // the clock's name, in a queue
}

// span writes a duration as people read it: "3天4小时", "2小时15分", "35分".
func span(d time.Duration, l i18n.Locale) string {
	if d < 0 {
		d = -d
	}
	m := int(d / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	en := l == i18n.EN
	switch {
	case days > 0 && en:
		return fmt.Sprintf("%dd %dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case hours > 0 && en:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d小时%d分", hours, mins)
	case en:
		return fmt.Sprintf("%dm", mins)
	default:
		return fmt.Sprintf("%d分", mins)
	}
}

// exact is a target written in full, to the minute, in Beijing time.
func exact(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

// dueOf is the badge of one clock at now.
func dueOf(c ticket.Clock, now time.Time, l i18n.Locale) dueBadge {
	b := dueBadge{}
	if c.TargetAt != nil {
		b.Title = label("tkt.due.target", exact(*c.TargetAt)).In(l)
	}
	switch c.State {
	case ticket.ClockRunning:
		if c.TargetAt == nil {
			b.Class, b.Text = "pending", label("tkt.state.running").In(l)
			return b
		}
		left := c.TargetAt.Sub(now)
		b.Deadline = c.TargetAt.Format(time.RFC3339)
		if c.WarnAt != nil {
			b.WarnAt = c.WarnAt.Format(time.RFC3339)
		}
		switch {
		case left < 0:
			b.Class, b.Text = "over", label("tkt.due.over", span(left, l)).In(l)
		case c.WarnAt != nil && !now.Before(*c.WarnAt):
			b.Class, b.Text = "warn", label("tkt.due.left", span(left, l)).In(l)
		default:
			b.Class, b.Text = "ok", label("tkt.due.left", span(left, l)).In(l)
		}
	case ticket.ClockBreached:
		if c.MetAt != nil {
			b.Class, b.Text = "late", label("tkt.due.late").In(l)
		} else {
			b.Class = "over"
			if c.TargetAt != nil {
				b.Text = label("tkt.due.over", span(c.TargetAt.Sub(now), l)).In(l)
			} else {
				b.Text = label("tkt.state.breached").In(l)
			}
		}
	case ticket.ClockMet:
		b.Class, b.Text = "met", label("tkt.state.met").In(l)
	case ticket.ClockPaused:
		b.Class, b.Text = "paused", label("tkt.state.paused").In(l)
	case ticket.ClockCancelled:
		b.Class, b.Text = "cancelled", label("tkt.state.cancelled").In(l)
	default:
		b.Class, b.Text = "pending", label("tkt.state.pending").In(l)
	}
	return b
}

// nearestDue is the badge of a work order in a queue: its running clock
// with the earliest target; else "超时" when a clock breached; else nil.
func nearestDue(t *ticket.Ticket, now time.Time, l i18n.Locale) *dueBadge {
	var best *ticket.Clock
	breached := false
	for i := range t.Clocks {
		c := &t.Clocks[i]
		if c.State == ticket.ClockBreached && c.MetAt == nil {
			breached = true
		}
		if c.State != ticket.ClockRunning || c.TargetAt == nil {
			continue
		}
		if best == nil || c.TargetAt.Before(*best.TargetAt) {
			best = c
		}
	}
	if best != nil {
		b := dueOf(*best, now, l)
		b.Prefix = labelOr("tkt.clock."+string(best.Kind), string(best.Kind), l)
		return &b
	}
	if breached || t.Breached {
		return &dueBadge{Class: "over", Text: label("tkt.state.breached").In(l)}
	}
	return nil
}
