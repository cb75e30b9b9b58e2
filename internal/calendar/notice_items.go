package calendar

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// item is one arrangement item being read ("二、春节：…").
type item struct {
	name     string
	holidays []Date
	workdays []Date
	noAdjust bool // 不调休
	early    bool // has a holiday in January (or the December before): a New Year item
}

// decemberBefore: a December date without a year belongs to the year before.
func (it *item) decemberBefore() bool { return it.early || strings.Contains(it.name, "元旦") }

// paragraph reads one paragraph: the items it holds, or a paragraph outside
// the items.
func (p *noticeParser) paragraph(par text) error {
	r := par.norm
	hs := headings(par)
	if len(hs) == 0 {
		return p.outside(par)
	}
	if err := p.outside(par.slice(0, hs[0].start)); err != nil {
		return err
	}
	for k, h := range hs {
		end := len(r)
		if k+1 < len(hs) {
			end = hs[k+1].start
		}
		name := strings.TrimSpace(string(r[h.ns:h.ne]))
		if err := p.item(name, par.slice(h.start, end), par.slice(h.body, end)); err != nil {
			return err
		}
	}
	return nil
}

// outside checks text that is not part of an item: before the first item
// it is the preamble (principles such as 如逢周三则只在当日放假) and is
// skipped; after it, a sentence pairing a date with an arrangement word is
// refused rather than guessed at.
func (p *noticeParser) outside(t text) error {
	if p.items == 0 {
		return nil
	}
	for _, s := range sentences(t) {
		if mentionsDate(s.norm) && hasArrangementWord(s.norm) && !strings.HasPrefix(string(s.norm), "鼓励") {
			return noticeErr(s.String(), "an arrangement outside the numbered items",
				"放假安排不在编号条目之内，无法确定归属")
		}
	}
	return nil
}

var signatureRE = regexp.MustCompile(`^国务院办公厅\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$`)

// item reads one arrangement item and records its days.
func (p *noticeParser) item(name string, whole, body text) error {
	p.items++
	it := &item{name: name}
	for _, s := range sentences(body) {
		str := string(s.norm)
		if strings.HasPrefix(str, "鼓励") {
			p.notes = append(p.notes, s.String())
			continue
		}
		if signatureRE.MatchString(str) {
			continue
		}
		if err := p.sentence(it, s); err != nil {
			return err
		}
	}
	if len(it.holidays) == 0 {
		return noticeErr(whole.String(), "the item names no day off", "该条目没有放假日期")
	}
	if !closeTogether(it) {
		return noticeErr(whole.String(), fmt.Sprintf("the days of one item lie more than %d days apart", maxItemSpread),
			fmt.Sprintf("同一条目的日期相隔超过 %d 天", maxItemSpread))
	}
	if it.noAdjust && len(it.workdays) > 0 {
		return noticeErr(whole.String(), "不调休 but the item lists make-up workdays (上班)", "写明“不调休”却列出了上班日期")
	}
	add := func(d Date, o Override) error {
		if _, dup := p.days[d]; dup {
			return noticeErr(whole.String(), fmt.Sprintf("%s is listed twice", d), fmt.Sprintf("%s 重复出现", d))
		}
		p.days[d] = o
		return nil
	}
	for _, d := range it.holidays {
		if err := add(d, Override{Date: d, Kind: Holiday, Name: name}); err != nil {
			return err
		}
	}
	for _, d := range it.workdays {
		if err := add(d, Override{Date: d, Kind: Workday, Name: name + "调休上班"}); err != nil {
			return err
		}
	}
	return nil
}

// sentences splits at 。 ; . ! ? outside parentheses.
func sentences(t text) []text {
	return splitAt(t, "。;.!?")
}

// splitAt splits t at any of seps outside parentheses, dropping empty parts.
func splitAt(t text, seps string) []text {
	var out []text
	depth, a := 0, 0
	for i, r := range t.norm {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0 && strings.ContainsRune(seps, r):
			if s := t.slice(a, i).trim(); len(s.norm) > 0 {
				out = append(out, s)
			}
			a = i + 1
		}
	}
	if s := t.slice(a, len(t.norm)).trim(); len(s.norm) > 0 {
		out = append(out, s)
	}
	return out
}

var arrangementWords = []string{"放假", "上班", "补休", "调休", "休息", "连休", "休假", "公休"}

func hasArrangementWord(r []rune) bool {
	s := string(r)
	for _, w := range arrangementWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// mentionsDate reports a number followed by 年, 月, 日 or 号.
func mentionsDate(r []rune) bool {
	for i := 0; i+1 < len(r); i++ {
		if r[i] >= '0' && r[i] <= '9' {
			j := i + 1
			for j < len(r) && (r[j] == ' ' || (r[j] >= '0' && r[j] <= '9')) {
				j++
			}
			if j < len(r) && strings.ContainsRune("年月日号", r[j]) {
				return true
			}
		}
	}
	return false
}

// sentence reads one sentence of an item, clause by clause.
func (p *noticeParser) sentence(it *item, s text) error {
	fail := func(en, zh string) error { return noticeErr(s.String(), en, zh) }
	var sentDays []Date // holidays of this sentence, for 共N天
	var block []Date    // holidays of the latest off clause, for 与周末连休
	// In a sentence that mentions a date or an arrangement every clause must
	// be read; only pure boilerplate (no date, no arrangement word) is skipped.
	arranging := mentionsDate(s.norm) || hasArrangementWord(s.norm)
	for _, c := range splitAt(s, ",") {
		cs := strings.ReplaceAll(string(c.norm), " ", "")
		switch {
		case strings.HasPrefix(cs, "共"):
			n, ok := countDays(strings.TrimPrefix(cs, "共"))
			if !ok {
				return fail("cannot read the total "+cs, "无法理解“"+cs+"”")
			}
			if len(sentDays) == 0 {
				return fail(cs+" without days off before it", "“"+cs+"”之前没有放假日期")
			}
			if n != len(sentDays) {
				return fail(fmt.Sprintf("%s but the dates give %d days", cs, len(sentDays)),
					fmt.Sprintf("写明%s，但日期合计 %d 天", cs, len(sentDays)))
			}
		case cs == "与周末连休":
			if len(block) == 0 || !nextToWeekend(block) {
				return fail("与周末连休 but the days off are not next to a weekend", "写明“与周末连休”，但放假日期不与周末相邻")
			}
		case cs == "不调休":
			it.noAdjust = true
		default:
			raw, cerr := scanClause(c.norm)
			if cerr == errNoDates {
				if arranging {
					return fail("cannot read this clause: "+c.String(), "无法理解：“"+c.String()+"”")
				}
				continue // boilerplate run into the last item of a one-line text
			}
			if cerr != nil {
				return fail(cerr.en, cerr.zh)
			}
			dates, cerr := p.resolve(it, raw)
			if cerr != nil {
				return fail(cerr.en, cerr.zh)
			}
			for _, d := range dates {
				if !(d.Year == p.year || (d.Year == p.year-1 && d.Month == time.December)) {
					return fail(fmt.Sprintf("%s is outside the notice's year %d", d, p.year),
						fmt.Sprintf("%s 不在通知的年份 %d 年内", d, p.year))
				}
			}
			if raw.off {
				if raw.count >= 0 && raw.count != len(dates) {
					return fail(fmt.Sprintf("放假%d天 but the dates give %d days", raw.count, len(dates)),
						fmt.Sprintf("写明放假%d天，但日期为 %d 天", raw.count, len(dates)))
				}
				it.holidays = append(it.holidays, dates...)
				sentDays = append(sentDays, dates...)
				block = dates
				for _, d := range dates {
					if d.Month == time.January || d.Year < p.year {
						it.early = true
					}
				}
			} else {
				for _, d := range dates {
					if w := d.Weekday(); w != time.Saturday && w != time.Sunday {
						return fail(fmt.Sprintf("make-up workday %s is a %s, not a weekend day", d, w),
							fmt.Sprintf("调休上班日 %s 不是周六或周日", d))
					}
				}
				it.workdays = append(it.workdays, dates...)
			}
		}
	}
	return nil
}

// nextToWeekend: a Saturday or Sunday lies in or right next to the days.
func nextToWeekend(ds []Date) bool {
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		if d.Before(lo) {
			lo = d
		}
		if d.After(hi) {
			hi = d
		}
	}
	for d := lo.AddDays(-1); !d.After(hi.AddDays(1)); d = d.AddDays(1) {
		if w := d.Weekday(); w == time.Saturday || w == time.Sunday {
			return true
		}
	}
	return false
}

// countDays reads "8天" or "八天".
func countDays(s string) (int, bool) {
	num, ok := strings.CutSuffix(s, "天")
	if !ok || num == "" {
		return 0, false
	}
	if n, ok := cjkNumber(num); ok {
		return n, true
	}
	n := 0
	for _, r := range num {
		if r < '0' || r > '9' || n > 1000 {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// maxItemSpread bounds how far apart the days of one item may lie: the
// longest arrangements span 9 days with make-up days a week around them.
const maxItemSpread = 21

func closeTogether(it *item) bool {
	lo, hi := it.holidays[0], it.holidays[0]
	for _, d := range append(append([]Date(nil), it.holidays...), it.workdays...) {
		if d.Before(lo) {
			lo = d
		}
		if d.After(hi) {
			hi = d
		}
	}
	return DaysBetween(lo, hi) <= maxItemSpread
}
