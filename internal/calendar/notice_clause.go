package calendar

import (
	"fmt"
	"strings"
	"time"
)

// clauseErr is why a clause cannot be read, in both languages.
type clauseErr struct{ en, zh string }

var errNoDates = &clauseErr{"no dates", "没有日期"}

func cerrf(en, zh string, args ...any) *clauseErr {
	return &clauseErr{fmt.Sprintf(en, args...), fmt.Sprintf(zh, args...)}
}

// dateTok is a date as written; 0 marks a missing year or month.
type dateTok struct{ y, m, d int }

func (t dateTok) String() string {
	s := fmt.Sprintf("%d日", t.d)
	if t.m != 0 {
		s = fmt.Sprintf("%d月", t.m) + s
	}
	if t.y != 0 {
		s = fmt.Sprintf("%d年", t.y) + s
	}
	return s
}

// rawItem is one date or range of a clause with its notes.
type rawItem struct {
	a, b         dateTok
	aNote, bNote []string
	isRange      bool
}

// rawClause is "dates verb [N天] [(note)]".
type rawClause struct {
	items    []rawItem
	off      bool // 放假…/补休 (else 上班)
	count    int  // N of 放假N天, -1 when absent
	tailNote []string
}

type scanner struct {
	r []rune
	i int
}

func (s *scanner) eof() bool { return s.i >= len(s.r) }

func (s *scanner) skip() {
	for s.i < len(s.r) && s.r[s.i] == ' ' {
		s.i++
	}
}

func (s *scanner) lit(w string) bool {
	j := s.i
	for _, c := range w {
		if j >= len(s.r) || s.r[j] != c {
			return false
		}
		j++
	}
	s.i = j
	return true
}

func (s *scanner) num() (int, bool) {
	n, j := 0, s.i
	for j < len(s.r) && s.r[j] >= '0' && s.r[j] <= '9' && j-s.i < 4 {
		n = n*10 + int(s.r[j]-'0')
		j++
	}
	if j == s.i || (j < len(s.r) && s.r[j] >= '0' && s.r[j] <= '9') {
		return 0, false
	}
	s.i = j
	return n, true
}

// date reads [YYYY年][M月]D日.
func (s *scanner) date() (dateTok, bool) {
	save := s.i
	var t dateTok
	parts := 0
	for {
		n, ok := s.num()
		if !ok {
			break
		}
		s.skip()
		switch {
		case parts == 0 && s.lit("年"):
			t.y = n
		case parts <= 1 && t.m == 0 && s.lit("月"):
			t.m = n
		case s.lit("日") || s.lit("号"):
			t.d = n
			return t, true
		default:
			s.i = save
			return dateTok{}, false
		}
		parts++
		s.skip()
	}
	s.i = save
	return dateTok{}, false
}

// note reads an optional "(…)" and splits it at 、 and ,.
func (s *scanner) note() ([]string, *clauseErr) {
	s.skip()
	if !s.lit("(") {
		return nil, nil
	}
	j := s.i
	for j < len(s.r) && s.r[j] != ')' {
		if s.r[j] == '(' {
			return nil, cerrf("nested parentheses", "括号嵌套")
		}
		j++
	}
	if j >= len(s.r) {
		return nil, cerrf("unclosed parenthesis", "括号未闭合")
	}
	inner := string(s.r[s.i:j])
	s.i = j + 1
	var parts []string
	for _, p := range strings.FieldsFunc(inner, func(r rune) bool { return r == '、' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil, cerrf("empty parentheses", "括号为空")
	}
	return parts, nil
}

var offVerbs = []string{"放假调休", "放假公休", "调休放假", "放假", "补休"}
var workVerbs = []string{"调休上班", "上班"}

// scanClause reads "dates verb [N天] [(note)]"; errNoDates when the clause
// does not start with a date.
func scanClause(r []rune) (rawClause, *clauseErr) {
	s := &scanner{r: r}
	s.skip()
	if s.eof() || s.r[s.i] < '0' || s.r[s.i] > '9' {
		return rawClause{}, errNoDates
	}
	rc := rawClause{count: -1}
	for {
		var it rawItem
		var ok bool
		var err *clauseErr
		if it.a, ok = s.date(); !ok {
			return rc, cerrf("cannot read the date at %q", "无法识别日期“%s”", string(s.r[s.i:]))
		}
		if it.aNote, err = s.note(); err != nil {
			return rc, err
		}
		s.skip()
		if s.lit("至") || s.lit("-") {
			for s.lit("-") {
			}
			s.skip()
			it.isRange = true
			if it.b, ok = s.date(); !ok {
				return rc, cerrf("cannot read the end of the range at %q", "无法识别区间终点“%s”", string(s.r[s.i:]))
			}
			if it.bNote, err = s.note(); err != nil {
				return rc, err
			}
			s.skip()
		}
		rc.items = append(rc.items, it)
		if !s.lit("、") && !s.lit("和") {
			break
		}
		s.skip()
	}
	verb := ""
	for _, v := range append(offVerbs, workVerbs...) {
		if s.lit(v) {
			verb = v
			break
		}
	}
	if verb == "" {
		return rc, cerrf("no 放假, 补休 or 上班 after the dates (%q)", "日期之后没有“放假”“补休”或“上班”（“%s”）", string(s.r[s.i:]))
	}
	rc.off = verb != "上班" && verb != "调休上班"
	s.skip()
	if n, ok := s.num(); ok {
		if !rc.off || !s.lit("天") {
			return rc, cerrf("cannot read %q", "无法理解“%s”", string(s.r))
		}
		rc.count = n
	}
	var err *clauseErr
	if rc.tailNote, err = s.note(); err != nil {
		return rc, err
	}
	s.skip()
	if !s.eof() {
		return rc, cerrf("cannot read %q after %s", "无法理解“%[1]s”（在“%[2]s”之后）", string(s.r[s.i:]), verb)
	}
	return rc, nil
}

// resolve gives every written date its year and month (see ParseNotice),
// checks the notes, and expands ranges.
func (p *noticeParser) resolve(it *item, rc rawClause) ([]Date, *clauseErr) {
	var out []Date
	var prev Date
	havePrev := false
	for _, ri := range rc.items {
		a, b := ri.a, ri.b
		if a.m == 0 {
			if !havePrev {
				return nil, cerrf("%s has no month", "%s 缺少月份", a)
			}
			a.m = int(prev.Month)
			if a.y == 0 {
				a.y = prev.Year
			}
		}
		defaulted := false
		switch {
		case a.y != 0:
		case ri.isRange && b.y != 0 && b.m != 0:
			a.y = b.y
			if a.m > b.m {
				a.y--
			}
		case havePrev:
			a.y = prev.Year
			if a.m < int(prev.Month) {
				a.y++
			}
		case a.m == 12 && it.decemberBefore():
			a.y = p.year - 1
		default:
			a.y, defaulted = p.year, true
		}
		if ri.isRange {
			if b.m == 0 {
				if b.y != 0 {
					return nil, cerrf("%s has a year but no month", "%s 有年份却无月份", ri.b)
				}
				b.m, b.y = a.m, a.y
			} else if b.y == 0 {
				b.y = a.y
				if b.m < a.m {
					b.y++
				}
			}
			if defaulted && b.y > p.year { // 12月30日至1月1日: starts the year before
				a.y--
				b.y--
			}
		}
		da := Date{a.y, time.Month(a.m), a.d}
		if !da.Valid() {
			return nil, cerrf("no such date %s", "日期 %s 不存在", ri.a)
		}
		if err := checkNotes(da, ri.aNote); err != nil {
			return nil, err
		}
		if !ri.isRange {
			out = append(out, da)
			prev, havePrev = da, true
			continue
		}
		db := Date{b.y, time.Month(b.m), b.d}
		if !db.Valid() {
			return nil, cerrf("no such date %s", "日期 %s 不存在", ri.b)
		}
		if err := checkNotes(db, ri.bNote); err != nil {
			return nil, err
		}
		n := DaysBetween(da, db) + 1
		if n < 2 || n > 15 {
			return nil, cerrf("range %s to %s is not 2 to 15 days", "区间 %s 至 %s 不是 2 到 15 天", da, db)
		}
		for i := 0; i < n; i++ {
			out = append(out, da.AddDays(i))
		}
		prev, havePrev = db, true
	}
	if len(rc.tailNote) > 0 {
		if len(out) != 1 {
			return nil, cerrf("a note after the verb but %d dates", "动词后的括注对应 %d 个日期，无法确定", len(out))
		}
		if err := checkNotes(out[0], rc.tailNote); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var weekdayNames = map[rune]time.Weekday{'一': time.Monday, '二': time.Tuesday, '三': time.Wednesday,
	'四': time.Thursday, '五': time.Friday, '六': time.Saturday, '日': time.Sunday, '天': time.Sunday}

// checkNotes verifies weekday (周三, 星期日) and lunar (农历除夕, 正月初七) notes.
func checkNotes(d Date, notes []string) *clauseErr {
	for _, n := range notes {
		switch {
		case strings.HasPrefix(n, "周") || strings.HasPrefix(n, "星期") || strings.HasPrefix(n, "礼拜"):
			rest := []rune(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(n, "周"), "星期"), "礼拜"))
			w, ok := weekdayNames[firstRune(rest)]
			if !ok || len(rest) != 1 {
				return cerrf("cannot read the note (%s)", "无法理解括注（%s）", n)
			}
			if d.Weekday() != w {
				return cerrf("%s is a %s, not %s", "%s 不是%[3]s", d, d.Weekday(), n)
			}
		case strings.HasPrefix(n, "农历"):
			if err := checkLunar(d, strings.TrimPrefix(n, "农历")); err != nil {
				return err
			}
		default:
			return cerrf("cannot read the note (%s)", "无法理解括注（%s）", n)
		}
	}
	return nil
}

func firstRune(r []rune) rune {
	if len(r) == 0 {
		return 0
	}
	return r[0]
}

var lunarMonths = []struct {
	name string
	m    int
}{{"十一月", 11}, {"十二月", 12}, {"正月", 1}, {"一月", 1}, {"二月", 2}, {"三月", 3}, {"四月", 4},
	{"五月", 5}, {"六月", 6}, {"七月", 7}, {"八月", 8}, {"九月", 9}, {"十月", 10}, {"冬月", 11}, {"腊月", 12}}

func checkLunar(d Date, s string) *clauseErr {
	bad := cerrf("cannot read the lunar date 农历%s", "无法理解农历日期“农历%s”", s)
	written := s
	if s == "除夕" {
		if !isLunarNewYearsEve(d) {
			return cerrf("%s is not 农历除夕", "%s 不是农历除夕", d)
		}
		return nil
	}
	leap := strings.HasPrefix(s, "闰")
	s = strings.TrimPrefix(s, "闰")
	month := 0
	for _, lm := range lunarMonths {
		if strings.HasPrefix(s, lm.name) {
			month, s = lm.m, strings.TrimPrefix(s, lm.name)
			break
		}
	}
	if month == 0 {
		return bad
	}
	var day int
	var ok bool
	if strings.HasPrefix(s, "初") {
		day, ok = cjkNumber(strings.TrimPrefix(s, "初"))
		ok = ok && day <= 10
	} else if strings.HasPrefix(s, "廿") {
		day, ok = cjkNumber(strings.TrimPrefix(s, "廿"))
		day += 20
		ok = ok && day < 30
	} else {
		day, ok = cjkNumber(s)
		ok = ok && day > 10
	}
	if !ok || day > 30 {
		return bad
	}
	if leap {
		month = -month
	}
	if gm, gd := lunarDate(d); gm != month || gd != day {
		return cerrf("%s is not 农历%s", "%s 不是农历%s", d, written)
	}
	return nil
}

// cjkNumber reads 一 … 九十九 (also 两).
func cjkNumber(s string) (int, bool) {
	digit := func(r rune) (int, bool) {
		if r == '两' {
			return 2, true
		}
		i := strings.IndexRune("〇一二三四五六七八九", r)
		if i < 0 {
			return 0, false
		}
		return len([]rune("〇一二三四五六七八九"[:i])), true
	}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		return digit(rs[0])
	case len(rs) == 2 && rs[0] == '十':
		d, ok := digit(rs[1])
		return 10 + d, ok && d > 0
	case len(rs) == 2 && rs[1] == '十':
		d, ok := digit(rs[0])
		return d * 10, ok && d > 1
	case len(rs) == 3 && rs[1] == '十':
		t, ok1 := digit(rs[0])
		d, ok2 := digit(rs[2])
		return t*10 + d, ok1 && ok2 && t > 1 && d > 0
	}
	return 0, false
}
