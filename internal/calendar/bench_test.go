package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

type benchCase struct {
	c     *Calendar
	start time.Time
	d     Duration
}

// mixed: every unit (m h d wd wh hd mo 0d) with small and large sizes,
// starts spread over 2025–2026, both built-in calendars.
func mixedCases(n int) []benchCase {
	r := rand.New(rand.NewPCG(42, 42))
	durs := []Duration{{30, Minutes}, {10, Minutes}, {24, Hours}, {6, Hours}, {3, CalendarDays}, {7, CalendarDays},
		{30, CalendarDays}, {0, CalendarDays}, {1, WorkingDays}, {3, WorkingDays}, {7, WorkingDays}, {30, WorkingDays},
		{4, WorkingHours}, {16, WorkingHours}, {1, HalfDays}, {1, Months}, {6, Months}, {24, Months}}
	cals := []*Calendar{BuiltinCN(), BuiltinCNOffice()}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, shanghai)
	out := make([]benchCase, n)
	for i := range out {
		out[i] = benchCase{cals[r.IntN(2)], base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))), durs[r.IntN(len(durs))]}
	}
	return out
}

func BenchmarkDeadline(b *testing.B) {
	cases := mixedCases(4096)
	b.Run("mixed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			bc := &cases[i&4095]
			if _, err := bc.c.Deadline(bc.start, bc.d); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, s := range []string{"30m", "24h", "3d", "0d", "3wd", "30wd", "2600wd", "4wh", "hd", "2000wh", "1mo", "120mo"} {
		d, _ := ParseDuration(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				bc := &cases[i&4095]
				if _, err := bc.c.Deadline(bc.start, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWorkingTime(b *testing.B) {
	c := BuiltinCNOffice()
	from := time.Date(2025, 3, 3, 10, 0, 0, 0, shanghai)
	to := time.Date(2026, 11, 20, 16, 0, 0, 0, shanghai)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.WorkingTime(from, to)
	}
}

func BenchmarkParseNotice(b *testing.B) {
	text, _ := BuiltinNotice(2025)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseNotice(text); err != nil {
			b.Fatal(err)
		}
	}
}
