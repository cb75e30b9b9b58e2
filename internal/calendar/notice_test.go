package calendar

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// Older notices (testdata/notices) and what they must yield.
var olderTables = map[int][]expItem{
	2015: {
		{"元旦", []span2{{"2015-01-01", "2015-01-03"}}, []string{"2015-01-04"}},
		{"春节", []span2{{"2015-02-18", "2015-02-24"}}, []string{"2015-02-15", "2015-02-28"}},
		{"清明节", []span2{{"2015-04-05", ""}, {"2015-04-06", ""}}, nil},
		{"劳动节", []span2{{"2015-05-01", ""}}, nil},
		{"端午节", []span2{{"2015-06-20", ""}, {"2015-06-22", ""}}, nil},
		{"中秋节", []span2{{"2015-09-27", ""}}, nil},
		{"国庆节", []span2{{"2015-10-01", "2015-10-07"}}, []string{"2015-10-10"}},
	},
	2017: {
		{"元旦", []span2{{"2017-01-01", "2017-01-02"}}, nil},
		{"春节", []span2{{"2017-01-27", "2017-02-02"}}, []string{"2017-01-22", "2017-02-04"}},
		{"清明节", []span2{{"2017-04-02", "2017-04-04"}}, []string{"2017-04-01"}},
		{"劳动节", []span2{{"2017-05-01", ""}}, nil},
		{"端午节", []span2{{"2017-05-28", "2017-05-30"}}, []string{"2017-05-27"}},
		{"中秋节、国庆节", []span2{{"2017-10-01", "2017-10-08"}}, []string{"2017-09-30"}},
	},
	2018: {
		{"元旦", []span2{{"2018-01-01", ""}}, nil},
		{"春节", []span2{{"2018-02-15", "2018-02-21"}}, []string{"2018-02-11", "2018-02-24"}},
		{"清明节", []span2{{"2018-04-05", "2018-04-07"}}, []string{"2018-04-08"}},
		{"劳动节", []span2{{"2018-04-29", "2018-05-01"}}, []string{"2018-04-28"}},
		{"端午节", []span2{{"2018-06-18", ""}}, nil},
		{"中秋节", []span2{{"2018-09-24", ""}}, nil},
		{"国庆节", []span2{{"2018-10-01", "2018-10-07"}}, []string{"2018-09-29", "2018-09-30"}},
	},
	2019: {
		{"元旦", []span2{{"2018-12-30", "2019-01-01"}}, []string{"2018-12-29"}},
		{"春节", []span2{{"2019-02-04", "2019-02-10"}}, []string{"2019-02-02", "2019-02-03"}},
		{"清明节", []span2{{"2019-04-05", ""}}, nil},
		{"劳动节", []span2{{"2019-05-01", ""}}, nil},
		{"端午节", []span2{{"2019-06-07", ""}}, nil},
		{"中秋节", []span2{{"2019-09-13", ""}}, nil},
		{"国庆节", []span2{{"2019-10-01", "2019-10-07"}}, []string{"2019-09-29", "2019-10-12"}},
	},
	2020: {
		{"元旦", []span2{{"2020-01-01", ""}}, nil},
		{"春节", []span2{{"2020-01-24", "2020-01-30"}}, []string{"2020-01-19", "2020-02-01"}},
		{"清明节", []span2{{"2020-04-04", "2020-04-06"}}, nil},
		{"劳动节", []span2{{"2020-05-01", "2020-05-05"}}, []string{"2020-04-26", "2020-05-09"}},
		{"端午节", []span2{{"2020-06-25", "2020-06-27"}}, []string{"2020-06-28"}},
		{"国庆节、中秋节", []span2{{"2020-10-01", "2020-10-08"}}, []string{"2020-09-27", "2020-10-10"}},
	},
	2023: {
		{"元旦", []span2{{"2022-12-31", "2023-01-02"}}, nil},
		{"春节", []span2{{"2023-01-21", "2023-01-27"}}, []string{"2023-01-28", "2023-01-29"}},
		{"清明节", []span2{{"2023-04-05", ""}}, nil},
		{"劳动节", []span2{{"2023-04-29", "2023-05-03"}}, []string{"2023-04-23", "2023-05-06"}},
		{"端午节", []span2{{"2023-06-22", "2023-06-24"}}, []string{"2023-06-25"}},
		{"中秋节、国庆节", []span2{{"2023-09-29", "2023-10-06"}}, []string{"2023-10-07", "2023-10-08"}},
	},
}

func readNotice(t testing.TB, year int) string {
	t.Helper()
	if text, err := BuiltinNotice(year); err == nil {
		return text
	}
	b, err := os.ReadFile("testdata/notices/" + itoa(year) + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func allTables() map[int][]expItem {
	all := map[int][]expItem{}
	for y, v := range olderTables {
		all[y] = v
	}
	for y, v := range officialTables {
		all[y] = v
	}
	return all
}

func checkNotice(t *testing.T, label string, text string, year int, items []expItem) {
	t.Helper()
	n, err := ParseNotice(text)
	if err != nil {
		t.Errorf("%s: %v", label, err)
		return
	}
	want := expected(t, year, items)
	if n.Year != year || !reflect.DeepEqual(n.Days, want) {
		t.Errorf("%s: year %d\n got %v\nwant %v", label, n.Year, n.Days, want)
	}
}

func TestParseNoticeOfficialTexts(t *testing.T) {
	for y, items := range allTables() {
		text := readNotice(t, y)
		checkNotice(t, itoa(y), text, y, items)
		n, _ := ParseNotice(text)
		if !strings.Contains(n.Title, itoa(y)+"年部分节假日安排的通知") {
			t.Errorf("%d: title %q", y, n.Title)
		}
	}
}

// The same notices pasted in other shapes still read the same.
func TestParseNoticeShapes(t *testing.T) {
	halfWidth := strings.NewReplacer("（", "(", "）", ")", "：", ":", "，", ",", "；", ";")
	星期 := strings.NewReplacer("（周", "（星期")
	for y, items := range allTables() {
		text := readNotice(t, y)
		oneLine := strings.NewReplacer("\n", "", "\r", "").Replace(text)
		checkNotice(t, itoa(y)+" one line", oneLine, y, items)
		checkNotice(t, itoa(y)+" half-width", halfWidth.Replace(text), y, items)
		checkNotice(t, itoa(y)+" CRLF", strings.ReplaceAll(text, "\n", "\r\n"), y, items)
		checkNotice(t, itoa(y)+" 星期", 星期.Replace(text), y, items)
		checkNotice(t, itoa(y)+" BOM+spaces", "\ufeff  "+strings.ReplaceAll(text, "\n", "  \n　"), y, items)
		// hard-wrapped every 17 characters, as copied from a PDF
		var b strings.Builder
		for i, r := range []rune(text) {
			b.WriteRune(r)
			if i%17 == 16 && r != '\n' {
				b.WriteRune('\n')
			}
		}
		checkNotice(t, itoa(y)+" wrapped", b.String(), y, items)
	}
	// full-width digits and a range dash
	checkNotice(t, "full-width", "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：１月１日至３日放假调休，共３天。１月４日（周日）上班。",
		2026, []expItem{{"元旦", []span2{{"2026-01-01", "2026-01-03"}}, []string{"2026-01-04"}}})
	checkNotice(t, "dash and 号", "现将2026年放假安排通知如下。\n国庆节：10月1日—10月7日放假调休，共七天。9月20日（星期天）、10月10号（礼拜六）上班。",
		2026, []expItem{{"国庆节", []span2{{"2026-10-01", "2026-10-07"}}, []string{"2026-09-20", "2026-10-10"}}})
	// "放假1天（星期五）" and a wrapping range without years
	checkNotice(t, "older forms", "国务院办公厅关于2019年部分节假日安排的通知\n一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。\n二、中秋节：9月13日放假1天（星期五），与周末连休。",
		2019, []expItem{{"元旦", []span2{{"2018-12-30", "2019-01-01"}}, []string{"2018-12-29"}},
			{"中秋节", []span2{{"2019-09-13", ""}}, nil}})
}

func TestParseNoticeRefusals(t *testing.T) {
	const head = "国务院办公厅关于2025年部分节假日安排的通知\n现将2025年元旦等放假调休日期的具体安排通知如下。\n"
	cases := []struct {
		name, text, sentence string
	}{
		{"共N天 disagrees", head + "二、春节：1月28日至2月4日放假调休，共7天。",
			"1月28日至2月4日放假调休，共7天"},
		{"放假N天 disagrees", head + "一、元旦：1月1日（周三）放假2天，不调休。",
			"1月1日（周三）放假2天，不调休"},
		{"weekday note wrong", head + "二、春节：1月28日至2月4日放假调休，共8天。1月26日（周六）上班。",
			"1月26日（周六）上班"},
		{"lunar note wrong", head + "二、春节：1月28日（农历正月初一、周二）至2月4日放假调休，共8天。",
			"1月28日（农历正月初一、周二）至2月4日放假调休，共8天"},
		{"unknown note", head + "二、春节：1月28日（大年）至2月4日放假调休，共8天。",
			"1月28日（大年）至2月4日放假调休，共8天"},
		{"unclassified date in item", head + "一、元旦：1月1日放假。其中，1月1日为法定节假日。",
			"其中，1月1日为法定节假日"},
		{"与周末连休 not next to a weekend", head + "五、端午节：5月7日放假，与周末连休。",
			"5月7日放假，与周末连休"},
		{"make-up on a weekday", head + "四、劳动节：5月1日至5日放假调休，共5天。4月28日（周一）上班。",
			"4月28日（周一）上班"},
		{"date that does not exist", head + "二、春节：2月30日放假。", "2月30日放假"},
		{"reversed range", head + "二、春节：2月4日至1月28日放假调休。", "2月4日至1月28日放假调休"},
		{"range too long", head + "二、春节：1月1日至2月4日放假调休。", "1月1日至2月4日放假调休"},
		{"date outside the year", head + "二、春节：2024年2月10日放假。", "2024年2月10日放假"},
		{"verb missing", head + "二、春节：1月28日至2月4日。", "1月28日至2月4日"},
		{"trailing words", head + "二、春节：1月28日至2月4日放假调休（暂定）。", "1月28日至2月4日放假调休（暂定）"},
		{"dateless arrangement", head + "二、春节：放假8天。", "放假8天"},
		{"other wording", head + "一、元旦：1月1日休息一天。", "1月1日休息一天"},
		{"arrangement outside items", head + "一、元旦：1月1日放假。\n另外，9月3日放假1天。", "另外，9月3日放假1天"},
	}
	for _, c := range cases {
		_, err := ParseNotice(c.text)
		var ne *NoticeError
		if !errors.As(err, &ne) {
			t.Errorf("%s: got %v, want a *NoticeError", c.name, err)
			continue
		}
		if ne.Sentence != c.sentence || ne.Reason == "" || ne.ReasonZH == "" || ne.Field() != "text" {
			t.Errorf("%s: sentence %q (%s), want %q", c.name, ne.Sentence, ne.Reason, c.sentence)
		}
	}
	// refusals that name the item or the text as a whole
	whole := []struct{ name, text, contains string }{
		{"no year", "一、元旦：1月1日放假。", "一、元旦"},
		{"title and body disagree", "国务院办公厅关于2025年部分节假日安排的通知\n现将2026年元旦放假安排通知如下。\n一、元旦：1月1日放假。", "2025"},
		{"no items", head + "今年不放假。", "通知"},
		{"item without a day off", head + "一、元旦：1月1日放假。\n八、其他：请各地遵照执行。", "八、其他"},
		{"不调休 with 上班", head + "一、元旦：1月1日放假，不调休。1月4日（周六）上班。", "一、元旦"},
		{"date twice", head + "一、元旦：1月1日放假。\n二、春节：1月1日放假。", "二、春节"},
		{"year out of range", strings.Replace(head, "2025", "2100", -1) + "一、元旦：1月1日放假。", "2100"},
		{"not UTF-8", "\xff\xfe", ""},
		{"too long", strings.Repeat("放", MaxNoticeLen), ""},
		{"2008 wording", "国务院办公厅关于2008年部分节假日安排的通知\n一、元旦：2007年12月30日—2008年1月1日放假，共3天。其中，1月1日（星期二）为法定节假日，12月30日（星期日）为公休日，12月29日（星期六）公休日调至12月31日（星期一），12月29日（星期六）上班。",
			"其中"},
	}
	for _, c := range whole {
		_, err := ParseNotice(c.text)
		var ne *NoticeError
		if !errors.As(err, &ne) || !strings.Contains(ne.Sentence, c.contains) {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
}

// The 2025 preamble states principles with dates and 放假 (如逢周三则只在当日放假,
// 国庆节自10月1日起放假调休7天); it must be skipped, not read as days.
func TestParseNoticePreambleIgnored(t *testing.T) {
	text := readNotice(t, 2025)
	if !strings.Contains(text, "如逢周三则只在当日放假") || !strings.Contains(text, "自10月1日起放假调休7天") {
		t.Fatal("fixture changed")
	}
	n, err := ParseNotice(text)
	if err != nil || len(n.Days) != 33 || len(n.Notes) != 0 {
		t.Fatalf("%v %d %q", err, len(n.Days), n.Notes)
	}
}

func TestParseNoticeMisattributionGuards(t *testing.T) {
	const head = "国务院办公厅关于2025年部分节假日安排的通知\n"
	for _, c := range []struct{ name, text, contains string }{
		{"stray day on the next line joins the item and is refused", head + "一、元旦：1月1日放假。\n9月3日放假1天。", "一、元旦"},
		{"unreadable clause beside a date", head + "一、元旦：1月1日放假，另行通知。", "另行通知"},
	} {
		_, err := ParseNotice(c.text)
		var ne *NoticeError
		if !errors.As(err, &ne) || !strings.Contains(ne.Sentence, c.contains) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// pure boilerplate inside an item is skipped
	n, err := ParseNotice(head + "一、元旦：1月1日（周三）放假1天，不调休。节假日期间，各地区、各部门要妥善安排好值班工作。")
	if err != nil || len(n.Days) != 1 {
		t.Fatal(n, err)
	}
}
