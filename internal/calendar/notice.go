package calendar

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Notice is what ParseNotice read from a State Council holiday notice
// (国务院办公厅关于…年部分节假日安排的通知).
type Notice struct {
	Arrangement
	// Title is the notice's title line, when it has one.
	Title string `json:"title,omitempty"`
	// Notes are sentences of the items that were read and deliberately not
	// turned into days, e.g. the 2024 "鼓励各单位…安排职工在除夕（2月9日）休息"
	// (an encouragement, not an arrangement).
	Notes []string `json:"notes,omitempty"`
}

// NoticeError refuses a notice, naming the sentence that could not be read.
type NoticeError struct {
	Sentence string // the sentence as written in the notice ("" when the text as a whole is refused)
	Reason   string // English reason
	ReasonZH string // Chinese reason
}

func (e *NoticeError) Error() string {
	if e.Sentence == "" {
		return "calendar: notice refused: " + e.Reason
	}
	return fmt.Sprintf("calendar: notice refused at %q: %s", e.Sentence, e.Reason)
}

// Field names the offending request field: "text".
func (e *NoticeError) Field() string { return "text" }

// MaxNoticeLen caps the size of a notice text in bytes.
const MaxNoticeLen = 64 << 10

// ParseNotice reads the holidays and make-up workdays of a State Council
// holiday notice of any year's wording. Rules (decided where the texts are
// silent):
//
//   - The year comes from the title (关于2025年部分节假日安排) or the body
//     (现将2025年…); both present and different is an error.
//   - Arrangements are the items "一、元旦：…" (or an unnumbered paragraph
//     starting "春节：…"). Text before the first item (the preamble, e.g.
//     "如逢周三则只在当日放假") is principles, not days, and is skipped; a
//     later paragraph outside the items that pairs a date with 放假/上班/补休/
//     调休 is refused.
//   - Every date of an off range (放假, 放假调休, 放假公休, 补休) is a holiday
//     named after the item ("春节"; combined items keep their heading, e.g.
//     "国庆节、中秋节"); every 上班 date is a workday named "<item>调休上班".
//   - Dates without a year are in the notice's year; a range that wraps
//     (12月30日至1月1日) starts in the year before; in a New Year item a
//     December date is in the year before. Explicit years are honoured.
//   - Checks that refuse the sentence: 共N天 / 放假N天 disagreeing with the
//     dates; a weekday note (周三, 星期日) or lunar note (农历除夕, 正月初七) that
//     does not match the date; 与周末连休 not next to a weekend; 不调休 with a
//     上班 day; a 上班 day that is not a Saturday or Sunday; a date listed
//     twice; an item without a holiday; anything else in an item that
//     mentions a date or 放假/上班/补休/调休/休息 and cannot be read.
//   - Sentences starting 鼓励 are encouragements: kept in Notes, no days.
//
// Errors are *NoticeError.
func ParseNotice(text string) (Notice, error) {
	if len(text) > MaxNoticeLen {
		return Notice{}, noticeErr("", "text longer than 64 KiB", "文本超过 64 KiB")
	}
	if !utf8.ValidString(text) {
		return Notice{}, noticeErr("", "text is not valid UTF-8", "文本不是有效的 UTF-8")
	}
	text = strings.TrimPrefix(text, "\ufeff")
	orig := []rune(text)
	norm := make([]rune, len(orig))
	for i, r := range orig {
		norm[i] = normRune(r)
	}
	p := &noticeParser{days: map[Date]Override{}}
	paras := paragraphs(norm, orig)
	if err := p.findYear(paras, orig); err != nil {
		return Notice{}, err
	}
	for _, par := range paras {
		if err := p.paragraph(par); err != nil {
			return Notice{}, err
		}
	}
	if p.items == 0 {
		return Notice{}, noticeErr(p.title, "no arrangement items (一、元旦：…) found", "未找到放假安排条目（如“一、元旦：…”）")
	}
	n := Notice{Arrangement: Arrangement{Year: p.year}, Title: p.title, Notes: p.notes}
	for _, o := range p.days {
		n.Days = append(n.Days, o)
	}
	sort.Slice(n.Days, func(i, j int) bool { return n.Days[i].Date.Before(n.Days[j].Date) })
	return n, nil
}

func noticeErr(sentence, en, zh string) *NoticeError {
	return &NoticeError{Sentence: strings.TrimSpace(sentence), Reason: en, ReasonZH: zh}
}

// normRune maps full-width and variant characters one-for-one onto the
// forms the parser reads, so that positions in the normalized text are
// positions in the original.
func normRune(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r == '\r':
		return '\n'
	}
	switch r {
	case '（':
		return '('
	case '）':
		return ')'
	case '：':
		return ':'
	case '，':
		return ','
	case '；':
		return ';'
	case '．':
		return '.'
	case '！':
		return '!'
	case '？':
		return '?'
	case '\u3000', '\t', '\u00a0', '\u2002', '\u2003', '\u200b', '\ufeff':
		return ' '
	case '—', '–', '－', '‐', '−', '~', '～', '〜', '―':
		return '-'
	case '､': // half-width ideographic comma
		return '、'
	}
	return r
}

var (
	titleYearRE = regexp.MustCompile(`关于\s*(\d{4})\s*年[^。]{0,16}?节假日`)
	titleEndRE  = regexp.MustCompile(`^[^。]{0,12}?通知`)
	bodyYearRE  = regexp.MustCompile(`现将\s*(\d{4})\s*年`)
)

type noticeParser struct {
	year  int
	title string
	items int
	days  map[Date]Override
	notes []string
}

func (p *noticeParser) findYear(paras []text, orig []rune) error {
	ty, by := 0, 0
	for _, par := range paras {
		s := string(par.norm)
		if m := titleYearRE.FindStringSubmatchIndex(s); m != nil && ty == 0 {
			ty, _ = strconv.Atoi(s[m[2]:m[3]])
			end := utf8.RuneCountInString(s[:m[1]])
			if e := titleEndRE.FindStringIndex(s[m[1]:]); e != nil {
				end = utf8.RuneCountInString(s[:m[1]+e[1]])
			}
			start := utf8.RuneCountInString(s[:m[0]])
			for start > 0 && !par.line[start] && !strings.ContainsRune(terminators, par.norm[start-1]) {
				start--
			}
			p.title = strings.TrimSpace(string(par.orig[start:end]))
		}
		if m := bodyYearRE.FindStringSubmatch(s); m != nil && by == 0 {
			by, _ = strconv.Atoi(m[1])
		}
	}
	switch {
	case ty != 0 && by != 0 && ty != by:
		return noticeErr(p.title, fmt.Sprintf("title says %d but the body says %d", ty, by),
			fmt.Sprintf("标题为 %d 年，正文为 %d 年", ty, by))
	case ty != 0:
		p.year = ty
	case by != 0:
		p.year = by
	default:
		return noticeErr(firstLine(orig), "cannot find the year (关于YYYY年部分节假日安排 or 现将YYYY年)",
			"找不到年份（应有“关于YYYY年部分节假日安排”或“现将YYYY年”）")
	}
	if p.year < MinYear || p.year > MaxYear {
		return noticeErr(p.title, fmt.Sprintf("year %d outside %d..%d", p.year, MinYear, MaxYear),
			fmt.Sprintf("年份 %d 超出 %d–%d", p.year, MinYear, MaxYear))
	}
	return nil
}

func firstLine(r []rune) string {
	s := strings.TrimSpace(string(r))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// text is a stretch of the notice: normalized runes to read, original runes
// to quote, and which runes began a line of the original.
type text struct {
	norm, orig []rune
	line       []bool
}

func (t text) slice(a, b int) text { return text{t.norm[a:b], t.orig[a:b], t.line[a:b]} }

// trim drops surrounding spaces.
func (t text) trim() text {
	a, b := 0, len(t.norm)
	for a < b && (t.norm[a] == ' ' || t.norm[a] == '\n') {
		a++
	}
	for b > a && (t.norm[b-1] == ' ' || t.norm[b-1] == '\n') {
		b--
	}
	return t.slice(a, b)
}

func (t text) String() string { return string(t.orig) }

// paragraphs splits the notice at blank lines. The lines of a paragraph are
// joined without separator (Chinese needs none), so text hard-wrapped at
// any point reads as written; where each line began is remembered for
// unnumbered item headings.
func paragraphs(norm, orig []rune) []text {
	var out []text
	var cur text
	flush := func() {
		if len(cur.norm) > 0 {
			out = append(out, cur)
		}
		cur = text{}
	}
	all := text{norm, orig, make([]bool, len(norm))}
	for a := 0; a <= len(norm); {
		b := a
		for b < len(norm) && norm[b] != '\n' {
			b++
		}
		line := all.slice(a, b).trim()
		if len(line.norm) == 0 {
			flush()
		} else {
			cur.norm = append(cur.norm, line.norm...)
			cur.orig = append(cur.orig, line.orig...)
			cur.line = append(cur.line, true)
			cur.line = append(cur.line, make([]bool, len(line.norm)-1)...)
		}
		a = b + 1
	}
	flush()
	return out
}

// head is an item heading found in a paragraph.
type head struct{ start, ns, ne, body int }

const terminators = "。:;.!?"

// headings finds the item headings of a paragraph: numbered ones ("一、元旦:")
// at the start of a line or after a sentence end; unnumbered ones ("春节:",
// known festival names only) at the start of a line that follows a sentence
// end (or starts the paragraph).
func headings(t text) []head {
	r := t.norm
	var hs []head
	for i := 0; i < len(r); i++ {
		if r[i] == ' ' {
			continue
		}
		k := i - 1
		for k >= 0 && r[k] == ' ' {
			k--
		}
		afterEnd := k < 0 || strings.ContainsRune(terminators, r[k])
		if !afterEnd && !t.line[i] {
			continue
		}
		// numbered: at a line start or after a sentence end; unnumbered: both
		if ns, ne, body, ok := heading(r, i, afterEnd && (k < 0 || t.line[i])); ok {
			hs = append(hs, head{i, ns, ne, body})
			i = body - 1
		}
	}
	return hs
}

const cjkDigits = "〇一二三四五六七八九十"

// knownFestivals may head an unnumbered item.
var knownFestivals = map[string]bool{"元旦": true, "春节": true, "清明节": true, "清明": true,
	"劳动节": true, "五一": true, "国际劳动节": true, "端午节": true, "端午": true, "中秋节": true,
	"中秋": true, "国庆节": true, "国庆": true}

// heading reads an item heading at i: "一、元旦:" (numbered), or, at the
// start of a paragraph, "春节:" / "国庆节、中秋节:" (known names only). It
// returns the name's bounds and where the body starts.
func heading(r []rune, i int, paraStart bool) (ns, ne, body int, ok bool) {
	j := i
	for j < len(r) && j-i < 3 && strings.ContainsRune(cjkDigits, r[j]) {
		j++
	}
	numbered := j > i && j < len(r) && r[j] == '、'
	if numbered {
		j++
		for j < len(r) && r[j] == ' ' {
			j++
		}
	} else if !paraStart {
		return 0, 0, 0, false
	} else {
		j = i
	}
	ns = j
	for j < len(r) && r[j] != ':' {
		if strings.ContainsRune(",。;()[]  \n.!?\"“”", r[j]) || j-ns >= 24 {
			return 0, 0, 0, false
		}
		j++
	}
	if j >= len(r) || j == ns {
		return 0, 0, 0, false
	}
	ne = j
	if !numbered {
		for _, part := range strings.Split(strings.NewReplacer("和", "、", "及", "、").Replace(string(r[ns:ne])), "、") {
			if !knownFestivals[strings.TrimSpace(part)] {
				return 0, 0, 0, false
			}
		}
	}
	return ns, ne, j + 1, true
}
