package archive

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/policy"
)

// The pure rules of the archive: numbering (ARC-010), retention
// (ARC-014), handover due dates (ARC-006 to ARC-009) and who may approve
// a step of a chain (ARC-005, ARC-012, ARC-015). They take everything
// they need as arguments and are tested on the real 2026 calendar.

var placeholder = regexp.MustCompile(`\{([a-z]+)(?::([1-9]))?\}`)

// NumberParts are the values a numbering scheme fills in.
type NumberParts struct {
	Project, Building, Unit, Category, File string
	Year, Seq                               int
}

// FormatNumber fills a numbering scheme of the pack (ARC-010): {x:N}
// pads a value of digits to N places with zeros ("3" → "03"); a value
// with other characters is written as it is.
func FormatNumber(scheme string, p NumberParts) string {
	return placeholder.ReplaceAllStringFunc(scheme, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		var v string
		switch sub[1] {
		case "project":
			v = p.Project
		case "building":
			v = p.Building
		case "unit":
			v = p.Unit
		case "category":
			v = p.Category
		case "file":
			v = p.File
		case "year":
			v = strconv.Itoa(p.Year)
		case "seq":
			v = strconv.Itoa(p.Seq)
		}
		if sub[2] != "" && v != "" && strings.Trim(v, "0123456789") == "" {
			w, _ := strconv.Atoi(sub[2])
			if len(v) < w {
				v = strings.Repeat("0", w-len(v)) + v
			}
		}
		return v
	})
}

// SortKey orders files in the catalogue: by project, homes before shops
// (seed 004-E §5.6(b)), then building and unit with numbers padded.
func SortKey(kind, project, building, unit, number string) string {
	group := "1"
	switch kind {
	case KindUnit:
		group = "0"
	case KindShop:
		group = "1"
	default:
		group = "2"
	}
	pad := func(s string) string {
		if s != "" && strings.Trim(s, "0123456789") == "" && len(s) < 8 {
			return strings.Repeat("0", 8-len(s)) + s
		}
		return s
	}
	return strings.Join([]string{project, group, pad(building), pad(unit), number}, "\x1f")
}

// EligibleOn is the first day a volume archived on archivedOn may be
// destroyed (ARC-014): the retention runs in months from the archiving
// date to 24:00 of the corresponding date (CAL-007) and is not moved off
// rest days or holidays. Zero years is permanent: ok is false.
func EligibleOn(archivedOn calendar.Date, years int) (day calendar.Date, ok bool) {
	if years <= 0 {
		return calendar.Date{}, false
	}
	return archivedOn.AddMonths(12 * years).AddDays(1), true
}

// HandoverDue is the due instant and period key of one handover of a
// schedule (ARC-006 to ARC-009).
type HandoverDue struct {
	Period      string // event: the event date; weekly: the nominal submission day; 2026-Q3; 2026-H1
	Nominal     calendar.Date
	Due         time.Time // the end of the last day on the calendar
	Provisional bool
}

// EventHandoverDue is the due instant of an event handover: the
// schedule's limit counted from the event day (5wd after a subscription
// is signed, 1mo after the centralised move-in or a case's closure).
func EventHandoverDue(cal *calendar.Calendar, h policy.HandoverSchedule, event calendar.Date) (HandoverDue, error) {
	res, err := cal.Deadline(event.Midnight(cal.Location()), h.Limit)
	if err != nil {
		return HandoverDue{}, err
	}
	return HandoverDue{Period: event.String(), Nominal: event, Due: res.At, Provisional: res.Provisional}, nil
}

// PeriodicHandoverDue is the handover of a periodic schedule that takes
// the documents of day d: weekly, the first submission weekday on or
// after d, moved to the next working day when it is not one (ARC-009,
// G-42); quarterly, the last day of d's quarter (ARC-007); half-yearly,
// 30 June or 31 December (ARC-008) — fixed dates, not moved (CAL-015).
func PeriodicHandoverDue(cal *calendar.Calendar, h policy.HandoverSchedule, d calendar.Date) (HandoverDue, error) {
	switch h.Trigger {
	case policy.HandoverWeekly:
		for i := 0; i < 7; i++ {
			day := d.AddDays(i)
			wd := int(day.Weekday())
			if wd == 0 {
				wd = 7
			}
			if !slices.Contains(h.Weekdays, wd) {
				continue
			}
			actual, prov, err := cal.WorkingDayOnOrAfter(day)
			if err != nil {
				return HandoverDue{}, err
			}
			return HandoverDue{Period: day.String(), Nominal: day, Due: cal.EndOfDay(actual), Provisional: prov}, nil
		}
		return HandoverDue{}, fmt.Errorf("archive: schedule %s has no weekdays", h.Key)
	case policy.HandoverQuarterly, policy.HandoverHalfYearly:
		kind, label := calendar.PeriodQuarter, "Q"
		if h.Trigger == policy.HandoverHalfYearly {
			kind, label = calendar.PeriodHalfYear, "H"
		}
		first, last, _ := calendar.PeriodOf(kind, d)
		n := (int(first.Month)-1)/3 + 1
		if kind == calendar.PeriodHalfYear {
			n = (int(first.Month)-1)/6 + 1
		}
		return HandoverDue{Period: fmt.Sprintf("%d-%s%d", first.Year, label, n), Nominal: last,
			Due: cal.EndOfDay(last)}, nil
	}
	return HandoverDue{}, fmt.Errorf("archive: schedule %s is not periodic", h.Key)
}

// Approver is what a chain step needs to know of a person.
type Approver struct {
	UserID   int64
	Roles    []auth.Role
	Position string
	UnitPath string // the person's org unit path
	Admin    bool
	// CanApprove: holds archives:approve (for steps naming no role or
	// position).
	CanApprove bool
}

// Qualifies reports whether a may decide step st. deptPath is the org
// path of the step's department (the holder's for "holder"); "" when the
// step names none. An administrator always qualifies.
func Qualifies(st policy.ApprovalStep, a Approver, deptPath string) bool {
	if a.Admin {
		return true
	}
	who := false
	if len(st.Roles) == 0 && len(st.Positions) == 0 {
		who = a.CanApprove
	} else {
		who = slices.ContainsFunc(st.Roles, func(r auth.Role) bool { return slices.Contains(a.Roles, r) }) ||
			(a.Position != "" && slices.Contains(st.Positions, a.Position))
	}
	if !who {
		return false
	}
	if st.Department == "" {
		return true
	}
	return deptPath != "" && strings.HasPrefix(a.UnitPath, deptPath)
}
