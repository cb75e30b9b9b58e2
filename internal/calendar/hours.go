package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Clock is a time of day in minutes after midnight, 0 (00:00) to 1440 (24:00).
type Clock int

// ParseClock reads "HH:MM" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("calendar: invalid time of day %q (want HH:MM)", s)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("calendar: invalid time of day %q (want HH:MM)", s)
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("calendar: invalid time of day %q", s)
	}
	return Clock(h*60 + m), nil
}

// String writes HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText writes HH:MM.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads HH:MM.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

func (c Clock) ns() int64 { return int64(c) * int64(time.Minute) }

// Window is one stretch of business hours on a working day, [Start, End).
type Window struct {
	Start Clock `json:"start"`
	End   Clock `json:"end"`
}

// ParseWindow reads "08:30-12:00" (also with – — ~ as separator).
func ParseWindow(s string) (Window, error) {
	for _, sep := range []string{"-", "–", "—", "~", "～"} {
		if a, b, ok := strings.Cut(s, sep); ok {
			start, err := ParseClock(strings.TrimSpace(a))
			if err != nil {
				return Window{}, err
			}
			end, err := ParseClock(strings.TrimSpace(b))
			if err != nil {
				return Window{}, err
			}
			w := Window{start, end}
			if w.End <= w.Start {
				return Window{}, fmt.Errorf("calendar: window %q ends before it starts", s)
			}
			return w, nil
		}
	}
	return Window{}, fmt.Errorf("calendar: invalid window %q (want HH:MM-HH:MM)", s)
}

// String writes "08:30-12:00".
func (w Window) String() string { return w.Start.String() + "-" + w.End.String() }

// StandardOfficeHours are 08:30–12:00 and 13:30–18:00: the business hours of
// cn-office, and the hours in which wh/hd durations count on a calendar
// without business hours (RULES CAL-002, CAL-006).
func StandardOfficeHours() []Window {
	return []Window{{8*60 + 30, 12 * 60}, {13*60 + 30, 18 * 60}}
}

// MaxWindows caps the number of business-hour windows per day.
const MaxWindows = 12

// validateWindows checks that windows are ordered, non-empty, within the day
// and do not overlap.
func validateWindows(ws []Window) error {
	if len(ws) > MaxWindows {
		return fmt.Errorf("at most %d windows", MaxWindows)
	}
	var prev Clock
	for i, w := range ws {
		if w.Start < 0 || w.End > 24*60 || w.End <= w.Start {
			return fmt.Errorf("window %d (%s) is not a stretch of one day", i+1, w)
		}
		if i > 0 && w.Start < prev {
			return fmt.Errorf("window %d (%s) overlaps or precedes the one before", i+1, w)
		}
		prev = w.End
	}
	return nil
}

// span is a window in nanoseconds after midnight (wall clock).
type span struct{ start, end int64 }

// hoursPlan is a precomputed set of windows.
type hoursPlan struct {
	spans  []span
	perDay int64 // total ns per working day
	close  int64 // end of the last window
}

func newHoursPlan(ws []Window) hoursPlan {
	p := hoursPlan{}
	for _, w := range ws {
		s := span{w.Start.ns(), w.End.ns()}
		p.spans = append(p.spans, s)
		p.perDay += s.end - s.start
		p.close = s.end
	}
	return p
}

// before is the business time in [00:00, tod) of a working day.
func (p *hoursPlan) before(tod int64) int64 {
	var n int64
	for _, s := range p.spans {
		if tod <= s.start {
			break
		}
		if tod >= s.end {
			n += s.end - s.start
		} else {
			n += tod - s.start
		}
	}
	return n
}

// at is the time of day at which the business time counted since opening
// reaches r (0 < r <= perDay); an exact window end stays at that end.
func (p *hoursPlan) at(r int64) int64 {
	for _, s := range p.spans {
		if l := s.end - s.start; r <= l {
			return s.start + r
		} else {
			r -= l
		}
	}
	return p.close
}

// contains reports whether tod lies inside a window.
func (p *hoursPlan) contains(tod int64) bool {
	for _, s := range p.spans {
		if tod >= s.start && tod < s.end {
			return true
		}
	}
	return false
}
