package web_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
)

// cell returns the classes and the tooltip of a date's square in a month grid.
func cell(t *testing.T, body, date string) (class, title string) {
	t.Helper()
	m := regexp.MustCompile(`<td class="([^"]*)" data-date="` + date + `"><a[^>]* title="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no square for %s in the page", date)
	}
	return m[1], html.UnescapeString(m[2])
}

func hasClass(class, c string) bool { return strings.Contains(" "+class+" ", " "+c+" ") }

func notice(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCalendarListAndYearView(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	admin.get("/").want(t, http.StatusOK, `href="/admin/calendars"`)
	list := admin.get("/admin/calendars")
	list.want(t, http.StatusOK, `id="calendars-table"`, ">cn<", ">cn-office<", "内置", "08:30-12:00, 13:30-18:00",
		"2026 正式", "Asia/Shanghai", `id="calendar-form"`, "共用日期表")

	res := admin.get("/admin/calendars/cn?year=2026")
	res.want(t, http.StatusOK, "2026年", "正式安排", `id="year-view"`, `id="m12"`, "国庆节", `id="prev-year"`, `id="next-year"`,
		`id="import-link"`, `id="hours-readonly"`, "CAL-002", `id="calc-form"`)
	res.lacks(t, `id="provisional-banner"`, `id="hours-form"`)
	class, title := cell(t, res.body, "2026-10-01")
	if !hasClass(class, "d-holiday") || !strings.Contains(title, "国庆节") || !strings.Contains(title, "节假日") {
		t.Errorf("2026-10-01: class %q, title %q", class, title)
	}
	if !regexp.MustCompile(`data-date="2026-10-01"><a[^>]*>.*?<span class="dl">国庆</span><span class="dm"[^>]*>休</span>`).MatchString(res.body) {
		t.Error("2026-10-01 lacks its label 国庆 and the mark 休")
	}
	class, title = cell(t, res.body, "2026-09-20")
	if !hasClass(class, "d-makeup") || !hasClass(class, "d-workday") || !strings.Contains(title, "调休上班") {
		t.Errorf("2026-09-20: class %q, title %q", class, title)
	}
	if !regexp.MustCompile(`data-date="2026-09-20"><a[^>]*>.*?<span class="dm"[^>]*>班</span>`).MatchString(res.body) {
		t.Error("2026-09-20 lacks the mark 班")
	}
	if class, _ = cell(t, res.body, "2026-09-19"); !hasClass(class, "d-rest") {
		t.Errorf("2026-09-19 (Saturday): %q", class)
	}
	if class, _ = cell(t, res.body, "2026-09-21"); !hasClass(class, "d-workday") || hasClass(class, "d-makeup") {
		t.Errorf("2026-09-21 (Monday): %q", class)
	}
	// Months start on Monday: 2026-06-01 is a Monday, the first square of June.
	if !regexp.MustCompile(`id="m6">\s*<caption>6月</caption>.*?<tbody><tr><td class="[^"]*" data-date="2026-06-01"`).MatchString(strings.ReplaceAll(res.body, "\n", " ")) {
		t.Error("June does not start with Monday 2026-06-01")
	}
	// The holiday table sums the year up.
	res.want(t, http.StatusOK, `id="holiday-table"`, "10月1日–10月7日", "9月20日 周日", "10月10日 周六")

	prov := admin.get("/admin/calendars/cn?year=2031")
	prov.want(t, http.StatusOK, `id="provisional-banner"`, "本年度尚未导入国务院放假通知，按《全国年节及纪念日放假办法》推算（临时）", "临时安排")
	if class, title := cell(t, prov.body, "2031-10-01"); !hasClass(class, "d-holiday") || !strings.Contains(title, "临时") {
		t.Errorf("2031-10-01: %q %q", class, title)
	}
	admin.get("/admin/calendars/cn?year=2000").want(t, http.StatusOK, "2000年")
	admin.get("/admin/calendars/cn?year=2000").lacks(t, `id="prev-year"`)
	admin.get("/admin/calendars/cn?year=2099").lacks(t, `id="next-year"`)
	admin.get("/admin/calendars/cn?year=2100").want(t, http.StatusNotFound)
	admin.get("/admin/calendars/cn?year=abc").want(t, http.StatusNotFound)
	admin.get("/admin/calendars/nope").want(t, http.StatusNotFound, "页面不存在")
	admin.get("/admin/calendars/cn-office?year=2026").want(t, http.StatusOK, "08:30-12:00, 13:30-18:00", "cn")

	// English.
	en := e.signedIn("admin")
	en.get("/lang/en")
	page := en.get("/admin/calendars/cn?year=2026")
	page.want(t, http.StatusOK, "Official · State Council notice", "Make-up workday", "Deadline calculator", "October", ">Mon<")
	if _, title := cell(t, page.body, "2026-09-20"); !strings.Contains(title, "Make-up workday") || !strings.Contains(title, "Sunday") {
		t.Errorf("English title %q", title)
	}
}

func TestCalendarViewerReadsButCannotChange(t *testing.T) {
	e := newEnv(t)
	e.user("viewer", "赵六", e.dept, auth.RoleViewer)
	v := e.signedIn("viewer")
	v.get("/admin/calendars").want(t, http.StatusOK, ">cn<")
	v.get("/admin/calendars").lacks(t, `id="calendar-form"`, "新建日历")
	year := v.get("/admin/calendars/cn?year=2026")
	year.want(t, http.StatusOK, `id="year-view"`, `id="calc-form"`, `id="hours-readonly"`)
	year.lacks(t, `id="import-link"`, `id="hours-form"`, `method="post" action="/admin/calendars`)
	day := v.get("/admin/calendars/cn/days/2026-10-01")
	day.want(t, http.StatusOK, "国庆节", `id="day-read-only"`)
	day.lacks(t, `id="day-form"`, `id="clear-form"`)
	// The calculator is for readers too.
	v.get("/admin/calendars/cn?start=2026-09-30T16:00&duration=3wd").want(t, http.StatusOK, `id="calc-result"`)

	v.get("/admin/calendars/cn/import").want(t, http.StatusForbidden, "无权访问", "calendars:write")
	for path, form := range map[string]url.Values{
		"/admin/calendars":                          {"id": {"sneaky"}, "name": {"x"}},
		"/admin/calendars/cn/hours":                 {"business_hours": {"09:00-17:00"}},
		"/admin/calendars/cn/days/2026-10-09":       {"kind": {"holiday"}, "name": {"x"}},
		"/admin/calendars/cn/days/2026-10-09/clear": nil,
		"/admin/calendars/cn/import":                {"text": {notice(t, "2027-notice.txt")}, "action": {"preview"}},
	} {
		v.post(path, form).want(t, http.StatusForbidden, "calendars:write")
	}
	cal, _ := e.cal.Get("cn")
	if len(e.cal.List()) != 2 || len(cal.Overrides()) != 0 || cal.YearSource(2027) != calendar.Provisional {
		t.Fatal("a refused POST changed the calendars")
	}
}

func TestCalendarAgentLacksWrite(t *testing.T) {
	e := newEnv(t)
	for _, who := range []string{"agent", "super"} {
		c := e.signedIn(who)
		c.get("/admin/calendars/cn?year=2026").want(t, http.StatusOK, "国庆节")
		c.get("/admin/calendars/cn/import").want(t, http.StatusForbidden)
		c.post("/admin/calendars/cn/days/2026-10-09", url.Values{"kind": {"holiday"}}).want(t, http.StatusForbidden)
		c.post("/admin/calendars", url.Values{"id": {"x-" + who}, "name": {"x"}}).want(t, http.StatusForbidden)
	}
	if cal, _ := e.cal.Get("cn"); len(cal.Overrides()) != 0 || len(e.cal.List()) != 2 {
		t.Fatal("a refused POST changed the calendars")
	}
}

var checksumRE = regexp.MustCompile(`name="checksum" value="([0-9a-f]+)"`)

func TestCalendarImportPreviewAndConfirm(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	admin.get("/admin/calendars/cn/import").want(t, http.StatusOK, `id="import-form"`, `name="text"`, "通知全文")

	// The 2025 notice is built in: the preview lists its days and finds nothing to change.
	res := admin.post("/admin/calendars/cn/import", url.Values{"text": {notice(t, "2025-notice.txt")}, "action": {"preview"}})
	res.want(t, http.StatusOK, "已读懂通知：2025年", "国务院办公厅关于2025年部分节假日安排的通知", `id="notice-days"`,
		"2025-01-28", "春节", "2025-01-26", "春节调休上班", "与现有日期表相同", `id="confirm-import"`, "确认导入2025年放假安排",
		"将被此通知替换", "cn-office")
	if !regexp.MustCompile(`<td class="mono">2025-01-28</td><td>周二</td><td><span class="badge badge-k-holiday">节假日</span></td><td>春节</td>`).MatchString(res.body) {
		t.Error("the preview lacks the row of 2025-01-28")
	}
	admin.get("/admin/audit?action=calendar.import_notice").want(t, http.StatusOK, "没有符合条件的记录")

	// 2027 is provisional: the preview shows what changes, and stores nothing.
	text := notice(t, "2027-notice.txt")
	res = admin.post("/admin/calendars/cn/import", url.Values{"text": {text}, "action": {"preview"}})
	res.want(t, http.StatusOK, "已读懂通知：2027年，放假 28 天，调休上班 5 天", "目前为临时安排", `id="notice-changes"`,
		"2027-02-20", `id="notice-notes"`, "鼓励各单位", `id="import-year"`, "导入后的2027年")
	if class, _ := cell(t, res.body, "2027-02-20"); !hasClass(class, "d-changed") || !hasClass(class, "d-makeup") {
		t.Errorf("preview square of 2027-02-20: %q", class)
	}
	cal, _ := e.cal.Get("cn")
	if cal.YearSource(2027) != calendar.Provisional {
		t.Fatal("the preview stored the notice")
	}
	m := checksumRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("no checksum in the preview")
	}

	// Confirming a text edited after its preview shows the new preview.
	edited := text + "\n"
	res = admin.post("/admin/calendars/cn/import", url.Values{"text": {edited}, "action": {"confirm"}, "checksum": {m[1]}})
	res.want(t, http.StatusOK, "通知内容在预览后有修改")
	if cal, _ := e.cal.Get("cn"); cal.YearSource(2027) != calendar.Provisional {
		t.Fatal("an edited text was imported without its preview")
	}

	res = admin.post("/admin/calendars/cn/import", url.Values{"text": {strings.ReplaceAll(text, "\n", "\r\n")},
		"action": {"confirm"}, "checksum": {m[1]}})
	if res.status != http.StatusSeeOther || res.location != "/admin/calendars/cn?year=2027" {
		t.Fatalf("confirm: %d → %q\n%s", res.status, res.location, res.body)
	}
	year := admin.get(res.location)
	year.want(t, http.StatusOK, "已导入2027年放假安排，相关期限已重新计算", "正式安排")
	year.lacks(t, `id="provisional-banner"`)
	if class, title := cell(t, year.body, "2027-02-20"); !hasClass(class, "d-makeup") || !strings.Contains(title, "春节调休上班") {
		t.Errorf("2027-02-20 after the import: %q %q", class, title)
	}
	for _, id := range []string{"cn", "cn-office"} {
		if c, _ := e.cal.Get(id); c.YearSource(2027) != calendar.Official || c.Day(calendar.D(2027, 2, 20)).Kind != calendar.Workday {
			t.Errorf("%s: 2027 not imported", id)
		}
	}
	admin.get("/admin/calendars").want(t, http.StatusOK, "2027 正式")
	admin.get("/admin/audit?action=calendar.import_notice").want(t, http.StatusOK, "导入放假通知", "admin")
}

func TestCalendarImportRefusedKeepsText(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	garbage := "今天天气很好，明天放假吗？\n<script>alert(1)</script>"
	res := admin.post("/admin/calendars/cn/import", url.Values{"text": {garbage}, "action": {"preview"}})
	res.want(t, http.StatusUnprocessableEntity, `id="f-text-err"`, "今天天气很好，明天放假吗？", "&lt;script&gt;alert(1)&lt;/script&gt;")
	res.lacks(t, "<script>alert(1)", `id="confirm-import"`)
	if msg := fieldError(res.body, "f-text"); !strings.Contains(msg, "无法读懂") {
		t.Errorf("error under the text: %q", msg)
	}

	// One unreadable sentence is named.
	bad := strings.Replace(notice(t, "2027-notice.txt"), "2月20日（周六）上班", "2月20日（周五）上班", 1)
	res = admin.post("/admin/calendars/cn/import", url.Values{"text": {bad}, "action": {"confirm"}, "checksum": {"x"}})
	res.want(t, http.StatusUnprocessableEntity, "2月20日（周五）上班")
	if msg := fieldError(res.body, "f-text"); !strings.Contains(html.UnescapeString(msg), "2月20日") {
		t.Errorf("error under the text: %q", msg)
	}
	admin.post("/admin/calendars/cn/import", url.Values{"text": {"  "}, "action": {"preview"}}).want(t, http.StatusUnprocessableEntity, "必填项")
	if cal, _ := e.cal.Get("cn"); cal.YearSource(2027) != calendar.Provisional {
		t.Fatal("a refused notice was stored")
	}
}

func TestCalendarDayEditAndClear(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	path := "/admin/calendars/cn/days/2026-10-09"
	day := admin.get(path)
	day.want(t, http.StatusOK, "2026年10月9日 星期五", "工作日", "与 cn-office 共用日期表", `id="day-form"`,
		`value="workday" checked`, `id="m10"`)
	day.lacks(t, `id="clear-form"`)
	if class, _ := cell(t, day.body, "2026-10-09"); !hasClass(class, "d-selected") {
		t.Errorf("the day is not marked in its month: %q", class)
	}

	res := admin.post(path, url.Values{"kind": {"party"}, "name": {"公司年会"}})
	res.want(t, http.StatusUnprocessableEntity, `value="公司年会"`)
	if msg := fieldError(res.body, "f-kind"); msg != "请选择工作日、休息日或节假日" {
		t.Errorf("kind error %q", msg)
	}
	res = admin.post(path, url.Values{"kind": {"holiday"}, "name": {strings.Repeat("长", 65)}})
	res.want(t, http.StatusUnprocessableEntity)
	if msg := fieldError(res.body, "f-name"); msg != "名称不能超过64个字" {
		t.Errorf("name error %q", msg)
	}

	res = admin.post(path, url.Values{"kind": {"holiday"}, "name": {"公司年会"}})
	if res.status != http.StatusSeeOther || res.location != "/admin/calendars/cn?year=2026&mark=2026-10-09#m10" {
		t.Fatalf("save: %d → %q\n%s", res.status, res.location, res.body)
	}
	year := admin.get(res.location)
	year.want(t, http.StatusOK, "日期已设置", `id="override-table"`, "公司年会")
	if class, title := cell(t, year.body, "2026-10-09"); !hasClass(class, "d-holiday") || !hasClass(class, "d-override") ||
		!hasClass(class, "d-selected") || !strings.Contains(title, "手动设置") {
		t.Errorf("2026-10-09 after saving: %q %q", class, title)
	}
	if c, _ := e.cal.Get("cn-office"); c.Day(calendar.D(2026, 10, 9)).Kind != calendar.Holiday {
		t.Error("cn-office does not share the day")
	}
	day = admin.get(path)
	day.want(t, http.StatusOK, "手动设置", `id="clear-form"`, "恢复官方安排", `id="day-official"`, `value="holiday" checked`)
	admin.get("/admin/audit?action=calendar.set_day").want(t, http.StatusOK, "设置日期", "admin")

	res = admin.post(path+"/clear", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("clear: %d\n%s", res.status, res.body)
	}
	admin.get(res.location).want(t, http.StatusOK, "已恢复官方安排")
	if c, _ := e.cal.Get("cn"); c.Day(calendar.D(2026, 10, 9)).Kind != calendar.Workday || len(c.Overrides()) != 0 {
		t.Error("the day was not restored")
	}
	admin.post(path+"/clear", nil).want(t, http.StatusConflict, "这一天没有手动设置")
	admin.get("/admin/calendars/cn/days/2026-13-01").want(t, http.StatusNotFound)
	admin.get("/admin/calendars/cn/days/1999-12-31").want(t, http.StatusNotFound)
}

func TestCalendarDeadlineCalculator(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn("agent")
	res := c.get("/admin/calendars/cn?year=2026&start=2026-09-30T16:00&duration=3wd")
	res.want(t, http.StatusOK, `id="calc-result"`, "2026年10月10日 星期六 24:00", "即 2026-10-11 00:00（次日零时）", "3个工作日",
		"10月8日 周四、10月9日 周五、10月10日 周六 (调休上班)")
	res.lacks(t, `id="calc-provisional"`)
	if !strings.Contains(res.body, `value="2026-09-30T16:00"`) || !strings.Contains(res.body, `value="3wd"`) {
		t.Error("the calculator form lost its values")
	}

	c.get("/admin/calendars/cn-office?start=2026-09-30T16:00&duration=3wd").want(t, http.StatusOK, "2026年10月10日 星期六 18:00")
	c.get("/admin/calendars/cn?start=2026-04-30T10:00&duration=3d").
		want(t, http.StatusOK, "2026年5月6日 星期三 24:00", "期间最后一日2026年5月3日是节假日，顺延至2026年5月6日")
	c.get("/admin/calendars/cn?start=2026-04-30T10:00&duration=3d&no_extension=1").
		want(t, http.StatusOK, "2026年5月3日 星期日 24:00", `name="no_extension" value="1" id="c-no_extension" checked`)
	c.get("/admin/calendars/cn?start=2026-09-30T16:00&duration=24h").want(t, http.StatusOK, "2026年10月1日 星期四 16:00")
	c.get("/admin/calendars/cn?start=2031-09-30T16:00&duration=3wd").want(t, http.StatusOK, `id="calc-provisional"`, "临时")

	res = c.get("/admin/calendars/cn?start=2026-09-30T16:00&duration=3x")
	res.want(t, http.StatusOK, `value="3x"`)
	if msg := fieldError(res.body, "c-duration"); !strings.Contains(msg, "时限格式错误") {
		t.Errorf("duration error %q", msg)
	}
	if msg := fieldError(c.get("/admin/calendars/cn?start=yesterday&duration=3wd").body, "c-start"); msg != "请填写有效的开始时间" {
		t.Errorf("start error %q", msg)
	}
	if msg := fieldError(c.get("/admin/calendars/cn?start=2099-12-30T10:00&duration=30d").body, "c-start"); !strings.Contains(msg, "超出支持范围") {
		t.Errorf("range error %q", msg)
	}
	// Without a duration the form is prefilled with now, in the calendar's zone.
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if !strings.Contains(c.get("/admin/calendars/cn").body, `value="`+time.Now().In(loc).Format("2006-01-02T")) {
		t.Error("the calculator is not prefilled with today")
	}
}

func TestCalendarCreateAndBusinessHours(t *testing.T) {
	e := newEnv(t)
	admin := e.signedIn("admin")
	form := url.Values{"id": {"gas-office"}, "name": {"燃气营业厅"}, "time_zone": {"Asia/Shanghai"},
		"business_hours": {"8:30-12:00"}, "days_from": {"cn"}}
	res := admin.post("/admin/calendars", form)
	res.want(t, http.StatusUnprocessableEntity, `value="燃气营业厅"`, `value="8:30-12:00"`)
	if msg := fieldError(res.body, "f-business_hours"); !strings.Contains(msg, "无法识别的时段「8:30-12:00」") {
		t.Errorf("hours error %q", msg)
	}
	form.Set("business_hours", "13:30-18:00, 08:30-12:00")
	if msg := fieldError(admin.post("/admin/calendars", form).body, "f-business_hours"); !strings.Contains(msg, "重叠") {
		t.Errorf("order error %q", msg)
	}
	form.Set("business_hours", "08:30-12:00，13:30-17:30")
	form.Set("time_zone", "Mars/Olympus")
	if msg := fieldError(admin.post("/admin/calendars", form).body, "f-time_zone"); !strings.Contains(msg, "未知的时区") {
		t.Errorf("zone error %q", msg)
	}
	form.Set("time_zone", "Asia/Shanghai")
	form.Set("id", "Gas Office")
	if msg := fieldError(admin.post("/admin/calendars", form).body, "f-id"); !strings.Contains(msg, "日历标识须为") {
		t.Errorf("id error %q", msg)
	}
	form.Set("id", "cn")
	admin.post("/admin/calendars", form).want(t, http.StatusConflict, "日历标识已存在")
	if len(e.cal.List()) != 2 {
		t.Fatal("an invalid form created a calendar")
	}

	form.Set("id", "gas-office")
	res = admin.post("/admin/calendars", form)
	if res.status != http.StatusSeeOther || res.location != "/admin/calendars/gas-office" {
		t.Fatalf("create: %d → %q\n%s", res.status, res.location, res.body)
	}
	page := admin.get(res.location)
	page.want(t, http.StatusOK, "日历已创建", "燃气营业厅", `id="hours-form"`, `value="08:30-12:00, 13:30-17:30"`, "cn、cn-office")
	page.lacks(t, "CAL-002")
	admin.get("/admin/calendars/cn/days/2026-10-09").want(t, http.StatusOK, "与 cn-office、gas-office 共用日期表")

	res = admin.post("/admin/calendars/gas-office/hours", url.Values{"business_hours": {"09:00-17:00"}, "year": {"2026"}})
	res.want(t, http.StatusSeeOther)
	if res.location != "/admin/calendars/gas-office?year=2026#hours" {
		t.Errorf("hours saved → %q", res.location)
	}
	admin.get(res.location).want(t, http.StatusOK, "工作时间已保存", `value="09:00-17:00"`)
	if in, _ := e.cal.Info("gas-office"); len(in.BusinessHours) != 1 || in.BusinessHours[0].String() != "09:00-17:00" {
		t.Errorf("hours: %+v", in.BusinessHours)
	}
	admin.get("/admin/calendars/gas-office?start=2026-09-30T16:00&duration=3wd").want(t, http.StatusOK, "2026年10月10日 星期六 17:00")
	res = admin.post("/admin/calendars/gas-office/hours", url.Values{"business_hours": {"9-17"}, "year": {"2026"}})
	res.want(t, http.StatusUnprocessableEntity, `value="9-17"`)
	if msg := fieldError(res.body, "h-business_hours"); !strings.Contains(msg, "无法识别的时段") {
		t.Errorf("hours error %q", msg)
	}
	// No hours: deadlines end at 24:00.
	admin.post("/admin/calendars/gas-office/hours", url.Values{"business_hours": {""}}).want(t, http.StatusSeeOther)
	if in, _ := e.cal.Info("gas-office"); len(in.BusinessHours) != 0 {
		t.Errorf("hours not cleared: %+v", in.BusinessHours)
	}
	// The built-in calendars keep theirs (CAL-002).
	res = admin.post("/admin/calendars/cn-office/hours", url.Values{"business_hours": {"09:00-17:00"}, "year": {"2026"}})
	res.want(t, http.StatusConflict, "内置日历的工作时间固定")
	if in, _ := e.cal.Info("cn-office"); len(in.BusinessHours) != 2 {
		t.Error("a built-in calendar's hours changed")
	}
}
