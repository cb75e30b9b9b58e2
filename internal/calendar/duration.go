package calendar

import (
	"fmt"
	"strconv"
	"time"
)

// Unit is the unit of a Duration (PRODUCT.md §3).
type Unit uint8

// Units, written m h d wd wh hd mo.
const (
	Minutes      Unit = iota + 1 // m: elapsed minutes, around the clock
	Hours                        // h: elapsed hours, around the clock
	CalendarDays                 // d: calendar days, end of the last day, holiday extension
	WorkingDays                  // wd: working days after the start day
	WorkingHours                 // wh: hours inside business hours of working days
	HalfDays                     // hd: half a working day = 4wh
	Months                       // mo: same day-of-month n months later, extension as d
)

var unitNames = [...]string{Minutes: "m", Hours: "h", CalendarDays: "d", WorkingDays: "wd",
	WorkingHours: "wh", HalfDays: "hd", Months: "mo"}

// String writes the unit's symbol ("wd").
func (u Unit) String() string {
	if u >= Minutes && u <= Months {
		return unitNames[u]
	}
	return "Unit(" + strconv.Itoa(int(u)) + ")"
}

// maxN caps each unit at a size no rule needs to exceed (about ten years).
var maxN = [...]int{Minutes: 100000, Hours: 10000, CalendarDays: 3660, WorkingDays: 2600,
	WorkingHours: 20000, HalfDays: 5000, Months: 120}

// MaxN is the largest number ParseDuration accepts for u (0 for an unknown unit).
func MaxN(u Unit) int {
	if u >= Minutes && u <= Months {
		return maxN[u]
	}
	return 0
}

// Duration is a period written <n><unit>: 30m, 24h, 3d, 3wd, 4wh, hd, 1mo, 0d.
type Duration struct {
	N    int
	Unit Unit
}

// String writes the canonical form: "3wd", "0d", and "hd" for one half-day.
func (d Duration) String() string {
	if d.Unit == HalfDays && d.N == 1 {
		return "hd"
	}
	return strconv.Itoa(d.N) + d.Unit.String()
}

// IsSameDay reports whether d is 0d, "the end of the start day".
func (d Duration) IsSameDay() bool { return d.N == 0 && d.Unit == CalendarDays }

// MarshalText writes the canonical form.
func (d Duration) MarshalText() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads a duration with ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DurationField is the request parameter a bad duration is reported against.
const DurationField = "duration"

// DurationError is a duration that cannot be used; the API answers 422 on
// the field DurationField.
type DurationError struct {
	Input    string // the text as given (or the Duration's String for Validate)
	Reason   string // English reason
	ReasonZH string // Chinese reason
}

func (e *DurationError) Error() string {
	return fmt.Sprintf("calendar: invalid duration %q: %s", e.Input, e.Reason)
}

// Field names the offending parameter: "duration".
func (e *DurationError) Field() string { return DurationField }

func durErr(in, en, zh string) *DurationError {
	return &DurationError{Input: in, Reason: en, ReasonZH: zh}
}

// Validate checks the unit, the sign and the cap of d. Zero is allowed only
// as 0d (end of the start day); 0m, 0h, 0wd, 0wh, 0hd and 0mo are refused
// because they have no agreed meaning.
func (d Duration) Validate() error {
	if d.Unit < Minutes || d.Unit > Months {
		return durErr(d.String(), "unknown unit", "未知的时限单位")
	}
	if d.N < 0 {
		return durErr(d.String(), "negative", "时限不能为负数")
	}
	if d.N == 0 && d.Unit != CalendarDays {
		return durErr(d.String(), "zero is allowed only as 0d", "零时限只能写作 0d（当天）")
	}
	if max := maxN[d.Unit]; d.N > max {
		return durErr(d.String(), fmt.Sprintf("too large (at most %d%s)", max, d.Unit),
			fmt.Sprintf("时限过长（最多 %d%s）", max, d.Unit))
	}
	return nil
}

// ParseDuration reads <n><unit> with unit m, h, d, wd, wh, hd or mo
// (PRODUCT.md §3). The grammar is strict: ASCII digits without sign, without
// leading zeros (except "0d") and without spaces, a lower-case unit, and "hd"
// may stand alone for one half-day. Sizes are capped (MaxN: 100000m, 10000h,
// 3660d, 2600wd, 20000wh, 5000hd, 120mo). Errors are *DurationError.
func ParseDuration(s string) (Duration, error) {
	const maxLen = 16
	if s == "" {
		return Duration{}, durErr(s, "empty", "时限为空")
	}
	if len(s) > maxLen {
		return Duration{}, durErr(s, "too long", "时限写法过长")
	}
	for j := 0; j < len(s); j++ {
		if c := s[j]; c == ' ' || c == '\t' || c == '\n' || c == '\r' || c >= 0x80 {
			return Duration{}, durErr(s, "only ASCII digits and a unit, without spaces", "只能写阿拉伯数字加单位，不能有空格或全角字符")
		}
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits, unit := s[:i], s[i:]
	u, ok := parseUnit(unit)
	if !ok {
		switch {
		case unit == "":
			return Duration{}, durErr(s, "missing unit (m, h, d, wd, wh, hd, mo)", "缺少单位（m、h、d、wd、wh、hd、mo）")
		case i == 0 && len(s) > 0 && (s[0] == '-' || s[0] == '+'):
			return Duration{}, durErr(s, "sign not allowed", "时限不能带正负号")
		default:
			return Duration{}, durErr(s, fmt.Sprintf("unknown unit %q (m, h, d, wd, wh, hd, mo)", unit),
				fmt.Sprintf("未知的单位 %q（可用 m、h、d、wd、wh、hd、mo）", unit))
		}
	}
	if digits == "" {
		if u == HalfDays {
			return Duration{N: 1, Unit: HalfDays}, nil
		}
		return Duration{}, durErr(s, "missing number", "缺少数字")
	}
	if len(digits) > 1 && digits[0] == '0' {
		return Duration{}, durErr(s, "leading zero", "数字不能以 0 开头")
	}
	if len(digits) > 6 {
		return Duration{}, durErr(s, "number too large", "数字过大")
	}
	n, _ := strconv.Atoi(digits)
	d := Duration{N: n, Unit: u}
	if err := d.Validate(); err != nil {
		err.(*DurationError).Input = s
		return Duration{}, err
	}
	return d, nil
}

func parseUnit(s string) (Unit, bool) {
	switch s {
	case "m":
		return Minutes, true
	case "h":
		return Hours, true
	case "d":
		return CalendarDays, true
	case "wd":
		return WorkingDays, true
	case "wh":
		return WorkingHours, true
	case "hd":
		return HalfDays, true
	case "mo":
		return Months, true
	}
	return 0, false
}

// SpanDuration writes the elapsed time from from to to as whole minutes
// (at least 1m), or whole hours when the minutes pass MaxN(Minutes), both
// rounded up; ok is false when even the hours pass MaxN(Hours).
func SpanDuration(from, to time.Time) (d Duration, ok bool) {
	span := to.Sub(from)
	m := int((span + time.Minute - 1) / time.Minute)
	if m <= MaxN(Minutes) {
		return Duration{N: max(m, 1), Unit: Minutes}, true
	}
	h := int((span + time.Hour - 1) / time.Hour)
	return Duration{N: h, Unit: Hours}, h <= MaxN(Hours)
}
