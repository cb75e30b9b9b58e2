package calendar

import (
	"math/rand/v2"
	"testing"
	"testing/quick"
	"time"
)

// naive computes a deadline by walking day by day with Calendar.Day: the
// oracle for the indexed implementation.
func naive(c *Calendar, start time.Time, d Duration, o Options) (Result, bool) {
	t := start.In(c.loc)
	day := DateOf(t)
	prov := false
	consult := func(x Date) Day {
		dd := c.Day(x)
		prov = prov || dd.Provisional
		return dd
	}
	end := func(x Date) Result { return Result{At: c.EndOfDay(x), Provisional: prov} }
	next := func(x Date) Date { // first working day after x
		for x = x.AddDays(1); !consult(x).Working(); x = x.AddDays(1) {
		}
		return x
	}
	switch d.Unit {
	case Minutes:
		return Result{At: t.Add(time.Duration(d.N) * time.Minute)}, true
	case Hours:
		return Result{At: t.Add(time.Duration(d.N) * time.Hour)}, true
	case CalendarDays, Months:
		if d.N == 0 {
			if c.hasHours && timeOfDay(t) >= c.biz.close {
				return end(next(day)), true
			}
			return end(day), true
		}
		last := day.AddDays(d.N)
		if d.Unit == Months {
			last = day.AddMonths(d.N)
		}
		if !consult(last).Working() && !o.NoExtension {
			last = next(last)
		}
		return end(last), true
	case WorkingDays:
		x := day
		for i := 0; i < d.N; i++ {
			x = next(x)
		}
		return end(x), true
	}
	need := time.Duration(d.N) * time.Hour
	if d.Unit == HalfDays {
		need *= 4
	}
	tod := time.Duration(timeOfDay(t))
	for x := day; ; x, tod = x.AddDays(1), 0 {
		if !consult(x).Working() {
			continue
		}
		for _, s := range c.wh.spans {
			from := max(time.Duration(s.start), tod)
			if avail := time.Duration(s.end) - from; avail > 0 {
				if need <= avail {
					return Result{At: x.Midnight(c.loc).Add(from + need), Provisional: prov}, true
				}
				need -= avail
			}
		}
	}
}

func randomDuration(r *rand.Rand, small bool) Duration {
	u := Unit(1 + r.IntN(7))
	lim := MaxN(u)
	if small {
		lim = min(lim, 60)
	}
	n := 1 + r.IntN(lim)
	if u == CalendarDays && r.IntN(6) == 0 {
		n = 0
	}
	return Duration{n, u}
}

func randomStart(r *rand.Rand, fromYear, years int) time.Time {
	base := time.Date(fromYear, 1, 1, 0, 0, 0, 0, shanghai)
	return base.Add(time.Duration(r.Int64N(int64(years) * 365 * 24 * int64(time.Hour))))
}

func TestDeadlineAgreesWithNaiveWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 10))
	cals := []*Calendar{BuiltinCN(), BuiltinCNOffice()}
	for i := 0; i < 20000; i++ {
		c := cals[i%2]
		start := randomStart(r, 2023, 6)
		d := randomDuration(r, true)
		o := Options{NoExtension: r.IntN(4) == 0}
		got, err := c.DeadlineWith(start, d, o)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := naive(c, start, d, o)
		if !got.At.Equal(want.At) || got.Provisional != want.Provisional {
			t.Fatalf("%s %s + %s %+v: got %s %v, naive %s %v", c.ID(), start, d, o, got.At, got.Provisional, want.At, want.Provisional)
		}
	}
}

func TestDeadlineProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	cals := []*Calendar{BuiltinCN(), BuiltinCNOffice()}
	for i := 0; i < 20000; i++ {
		c := cals[i%2]
		start := randomStart(r, 2024, 5)
		d := randomDuration(r, i%3 != 0)
		if d.N == MaxN(d.Unit) {
			d.N--
		}
		got, err := c.Deadline(start, d)
		if err != nil {
			t.Fatal(err)
		}
		// never before the start
		if got.At.Before(start) {
			t.Fatalf("%s %s + %s = %s before the start", c.ID(), start, d, got.At)
		}
		// n+1 never earlier than n
		more, err := c.Deadline(start, Duration{d.N + 1, d.Unit})
		if err != nil || more.At.Before(got.At) {
			t.Fatalf("%s %s: %d%s = %s but %d%s = %s", c.ID(), start, d.N, d.Unit, got.At, d.N+1, d.Unit, more.At)
		}
		lastDay := DateOf(got.At)
		if !c.hasHours && timeOfDay(got.At) == 0 {
			lastDay = lastDay.AddDays(-1)
		}
		switch {
		case d.Unit == WorkingDays, d.Unit == CalendarDays && d.N > 0, d.Unit == Months:
			// ends on a working day, at its end
			if !c.IsWorkingDay(lastDay) || !got.At.Equal(c.EndOfDay(lastDay)) {
				t.Fatalf("%s %s + %s = %s: not the end of a working day", c.ID(), start, d, got.At)
			}
		case d.Unit == WorkingHours || d.Unit == HalfDays:
			h := time.Duration(d.N) * time.Hour
			if d.Unit == HalfDays {
				h *= 4
			}
			el, err := c.WorkingHoursBetween(start, got.At)
			if err != nil || el.Duration != h {
				t.Fatalf("%s %s + %s = %s but %s of working hours between", c.ID(), start, d, got.At, el.Duration)
			}
		}
	}
}

func TestWorkingTimeIsAdditive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		c := []*Calendar{BuiltinCN(), BuiltinCNOffice()}[i%2]
		a, b, x := randomStart(r, 2024, 4), randomStart(r, 2024, 4), randomStart(r, 2024, 4)
		ab, _ := c.WorkingTime(a, b)
		bx, _ := c.WorkingTime(b, x)
		ax, _ := c.WorkingTime(a, x)
		if ab.Duration+bx.Duration != ax.Duration {
			t.Fatalf("%s: %s..%s + %s..%s != %s..%s", c.ID(), a, b, b, x, a, x)
		}
	}
}

func TestDurationRoundTripQuick(t *testing.T) {
	f := func(n uint32, u uint8) bool {
		d := Duration{int(n % 200000), Unit(u % 9)}
		if d.Validate() != nil {
			return true
		}
		back, err := ParseDuration(d.String())
		return err == nil && back == d
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 20000}); err != nil {
		t.Error(err)
	}
}
