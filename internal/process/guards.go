package process

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// refusal is the 422 of a guard: the pack's message with the rule ID and
// the particulars, naming the attribute the guard reads.
func refusal(g policy.Guard, field string, zh, en string) error {
	e := apperr.Validation(field, i18n.T("%[1]s（%[2]s）：%[3]s", "%[4]s (%[5]s): %[6]s", g.Message.ZH, g.Rule, zh,
		nameEN(g.Message), g.Rule, en))
	e.Details = map[string]any{"rule": g.Rule, "guard": g.Kind}
	return e
}

// dateAttr is a date attribute's value; ok is false when it is not given.
func dateAttr(attrs map[string]any, key string) (calendar.Date, bool) {
	s, _ := attrs[key].(string)
	d, err := calendar.ParseDate(s)
	return d, err == nil
}

// sibling is another process of the same definition and service point.
type sibling struct {
	from, to calendar.Date
	hasTo    bool
}

// siblings are the other processes (not cancelled) of the definition on
// the same service point, or the same customer when there is no point.
func siblings(ctx context.Context, tx store.Conn, def *policy.ProcessDef, point, cust, exclude store.ID, g policy.Guard) ([]sibling, error) {
	col, ref := "service_point_id", point
	if point == 0 {
		col, ref = "customer_id", cust
	}
	if ref == 0 {
		return nil, nil
	}
	raws, err := store.QueryAll(ctx, tx, func(s store.Scanner) (string, error) {
		var a string
		return a, s.Scan(&a)
	}, "SELECT attributes FROM processes WHERE "+col+" = ? AND definition = ? AND status <> ? AND id <> ?",
		ref, def.Key, string(StatusCancelled), exclude)
	if err != nil {
		return nil, err
	}
	var out []sibling
	for _, raw := range raws {
		var attrs map[string]any
		if json.Unmarshal([]byte(raw), &attrs) != nil {
			continue
		}
		from, ok := dateAttr(attrs, g.From)
		if !ok {
			continue
		}
		to, hasTo := dateAttr(attrs, g.To)
		out = append(out, sibling{from: from, to: to, hasTo: hasTo})
	}
	return out, nil
}

// checkGuards refuses a process the pack's guards forbid (PRC-028,
// PRC-032, PRC-033). applied is the application time.
func (s *Service) checkGuards(ctx context.Context, tx store.Conn, pack *policy.Pack, def *policy.ProcessDef,
	point, cust store.ID, attrs map[string]any, applied time.Time, exclude store.ID) error {
	today := calendar.DateOf(applied.In(store.Zone))
	if err := lockQuota(ctx, tx, def, point, cust); err != nil {
		return err
	}
	for _, g := range def.Guards {
		if g.Kind == policy.GuardRequire {
			if !policy.Holds(g.When, values(def, attrs)) {
				field := "attributes"
				if c, err := policy.ParseCondition(g.When); err == nil && len(c.Attributes()) > 0 {
					field += "." + c.Attributes()[0]
				}
				return refusal(g, field, "条件不满足："+g.When, "not satisfied: "+g.When)
			}
			continue
		}
		field := "attributes." + g.From
		from, ok := dateAttr(attrs, g.From)
		if !ok {
			continue // an optional date not given: nothing to check
		}
		to, hasTo := dateAttr(attrs, g.To)
		switch g.Kind {
		case policy.GuardLeadDays: // CAL-015: counted back in calendar days
			if latest := from.AddDays(-g.Days); today.Compare(latest) > 0 {
				return refusal(g, field, fmt.Sprintf("%s 起须最迟于 %s 申请（提前 %d 天），今天是 %s", from, latest, g.Days, today),
					fmt.Sprintf("for %s the application is due by %s (%d days ahead); today is %s", from, latest, g.Days, today))
			}
		case policy.GuardMinDays:
			if span := calendar.DaysBetween(from, to); hasTo && span < g.Days {
				return refusal(g, "attributes."+g.To, fmt.Sprintf("%s 至 %s 仅 %d 天，至少 %d 天", from, to, span, g.Days),
					fmt.Sprintf("%s to %s is %d days, at least %d", from, to, span, g.Days))
			}
		case policy.GuardPerYear:
			sibs, err := siblings(ctx, tx, def, point, cust, exclude, g)
			if err != nil {
				return err
			}
			n := 1
			for _, sb := range sibs {
				if sb.from.Year == from.Year {
					n++
				}
			}
			if n > g.Max {
				return refusal(g, field, fmt.Sprintf("%d 年已有 %d 次，每年最多 %d 次", from.Year, n-1, g.Max),
					fmt.Sprintf("%d already has %d, at most %d a year", from.Year, n-1, g.Max))
			}
		case policy.GuardDaysPerYear:
			if !hasTo {
				continue
			}
			sibs, err := siblings(ctx, tx, def, point, cust, exclude, g)
			if err != nil {
				return err
			}
			used := 0
			for _, sb := range sibs {
				if sb.hasTo && sb.from.Year == from.Year {
					used += calendar.DaysBetween(sb.from, sb.to)
				}
			}
			if span := calendar.DaysBetween(from, to); used+span > g.Days {
				left := max(g.Days-used, 0)
				return refusal(g, "attributes."+g.To,
					fmt.Sprintf("%d 年已累计 %d 天，本次 %d 天，合计 %d 天超过 %d 天；最迟 %s 恢复（%d 天）",
						from.Year, used, span, used+span, g.Days, from.AddDays(left), left),
					fmt.Sprintf("%d already counts %d days; %d more make %d, over %d; resume by %s at the latest (%d days)",
						from.Year, used, span, used+span, g.Days, from.AddDays(left), left))
			}
		case policy.GuardWithin:
			cal, ok := s.cals.Get(calendarOf(pack, def))
			if !ok {
				return fmt.Errorf("process %s: no calendar %q", def.Key, calendarOf(pack, def))
			}
			end, err := cal.Deadline(from.Midnight(cal.Location()), g.Duration)
			if err != nil {
				return err
			}
			if !applied.Before(end.At) {
				last := calendar.DateOf(end.At.In(cal.Location()).Add(-time.Nanosecond))
				return refusal(g, field, fmt.Sprintf("自 %s 起 %s 已于 %s 届满", from, g.Duration, last),
					fmt.Sprintf("%s from %s ended on %s", g.Duration, from, last))
			}
		}
	}
	return nil
}

// quotaLock is the high half of the advisory lock key of a quota check.
const quotaLock = int64(0x6b656675) << 32 // "kefu"

// lockQuota serialises the quota checks of one service point (or customer)
// until the transaction ends, so that two applications at once cannot both
// pass a per-year count on PostgreSQL; SQLite has one writer already.
func lockQuota(ctx context.Context, tx store.Conn, def *policy.ProcessDef, point, cust store.ID) error {
	if tx.Dialect() != store.Postgres || len(def.Guards) == 0 {
		return nil
	}
	ref := point
	if ref == 0 {
		ref = -cust
	}
	return store.LockXact(ctx, tx, quotaLock^int64(ref))
}

// calendarOf is the calendar id of a definition's clocks.
func calendarOf(pack *policy.Pack, def *policy.ProcessDef) string {
	if def.Calendar != "" {
		return def.Calendar
	}
	return pack.Calendar
}
