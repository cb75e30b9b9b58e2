package calendar

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30m", "24h", "3d", "0d", "3wd", "4wh", "hd", "2hd", "1mo", "120mo", "2600wd",
		"", "d", "-3d", "+3d", "03d", "0wd", "3 d", "３d", "3D", "1e3m", "99999999999999999999d", "3wdx",
		"\x00", "hd\n", "0", "00", "mo", "wh", "1.5h", "3660d", "3661d"} {
		f.Add(s)
	}
	start := time.Date(2026, 9, 30, 16, 0, 0, 0, shanghai)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			var de *DurationError
			if !errors.As(err, &de) || de.Field() != "duration" || de.Reason == "" || de.ReasonZH == "" {
				t.Fatalf("%q: error %v is not a complete *DurationError", s, err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("%q parsed to invalid %+v", s, d)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Fatalf("%q → %+v → %q → %+v %v", s, d, d.String(), back, err)
		}
		for _, c := range []*Calendar{BuiltinCN(), BuiltinCNOffice()} {
			r, err := c.Deadline(start, d)
			if err != nil || r.At.Before(start) {
				t.Fatalf("%q: %v %v", s, r, err)
			}
		}
	})
}

func FuzzParseNotice(f *testing.F) {
	for _, y := range builtinNoticeYears {
		text, _ := BuiltinNotice(y)
		f.Add(text)
	}
	files, _ := filepath.Glob("testdata/notices/*.txt")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b))
	}
	const h = "国务院办公厅关于2025年部分节假日安排的通知\n"
	for _, s := range []string{
		"", "通知", h, h + "一、元旦：", h + "一、元旦：1月1日放假",
		h + "一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。",
		h + "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。",
		h + "二、春节：1月28日(农历除夕,周二)至2月4日放假调休,共8天.",
		h + "二、春节：1月28日（（周二））至2月4日放假",
		h + "二、春节：1月28日至至2月4日放假", h + "二、春节：1月28日—2月4日放假，共八天。",
		h + "二、春节：9999年99月99日放假", h + "二、春节：1月放假", h + "二、春节：日放假", h + "二、春节：、、放假",
		h + "一、元旦：1月1日（周三）放假1天（星期三），不调休。",
		h + "鼓励各单位安排职工在除夕（1月28日）休息。\n一、元旦：1月1日放假。",
		h + "一、元旦：1月1日放假。\n二、春节：\n1月28日至\n2月4日放假调休，共8天。",
		h + "元旦：1月1日放假。\n春节：1月28日至2月4日放假调休，共8天。",
		h + "十、国庆节、中秋节：10月1日至8日放假调休，共8天。9月28日（周日）、10月11日（周六）上班。",
		"现将2019年元旦放假安排通知如下：一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。",
		h + "一、元旦：1月1日放假（农历闰四月初一）",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := ParseNotice(text)
		if err != nil {
			var ne *NoticeError
			if !errors.As(err, &ne) || ne.Reason == "" || ne.ReasonZH == "" {
				t.Fatalf("error %v is not a complete *NoticeError", err)
			}
			if ne.Sentence != "" && !strings.Contains(text, ne.Sentence) && !strings.Contains(joinedLines(text), ne.Sentence) {
				// the quoted sentence comes from the text (lines joined as the notice is read)
				t.Fatalf("sentence %q is not in the text", ne.Sentence)
			}
			return
		}
		if len(n.Days) == 0 {
			t.Fatal("accepted a notice without days")
		}
		for i, d := range n.Days {
			if i > 0 && !n.Days[i-1].Date.Before(d.Date) {
				t.Fatalf("days not sorted and unique: %v", n.Days)
			}
			if !(d.Date.Year == n.Year || (d.Date.Year == n.Year-1 && d.Date.Month == time.December)) {
				t.Fatalf("%s outside %d", d.Date, n.Year)
			}
			w := d.Date.Weekday()
			if d.Name == "" || (d.Kind == Workday && w != time.Saturday && w != time.Sunday) || (d.Kind != Workday && d.Kind != Holiday) {
				t.Fatalf("bad day %+v", d)
			}
		}
		if _, err := BuiltinCN().WithArrangement(n.Arrangement); err != nil {
			t.Fatalf("parsed arrangement refused by the calendar: %v", err)
		}
		again, _ := ParseNotice(text)
		if !reflect.DeepEqual(again, n) {
			t.Fatal("not deterministic")
		}
	})
}

// joinedLines is text as ParseNotice reads a paragraph: every line trimmed
// of the spaces around it and the lines joined without separator.
func joinedLines(text string) string {
	var b strings.Builder
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		b.WriteString(strings.TrimFunc(line, func(r rune) bool { return normRune(r) == ' ' }))
	}
	return b.String()
}
