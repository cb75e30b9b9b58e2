package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// ownerAnswers answers every question of the property owners'
// questionnaire with the same option.
func ownerAnswers(option string) map[string]string {
	a := map[string]string{}
	for _, k := range []string{"overall", "inquiry", "phone", "reception", "customer_reception", "repair_intake",
		"consultation", "complaints", "activities", "return_visits", "special_services", "notices"} {
		a[k] = option
	}
	return a
}

// TestSurveyLinkOverHTTP (issue 9, SUR-001 to SUR-009): the supervisor
// plans a campaign on the owners' questionnaire and issues forms; a field
// assistant answers one in person with the on-screen signature, an agent
// sends the customer a link, which works without a login exactly once;
// the supervisor draws the verification and reads the report and its
// .xlsx. Each role is refused what it may not do.
func TestSurveyLinkOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		co, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "甲物业", Pack: "property"})
		if err != nil {
			t.Fatal(err)
		}
		tok := map[string]string{}
		for name, role := range map[string]auth.Role{"sup": auth.RoleCSSupervisor, "agent": auth.RoleCSAgent,
			"field": auth.RoleFieldStaff, "viewer": auth.RoleViewer, "rev": auth.RoleCSSupervisor, "mgr": auth.RoleManager} {
			e.user(name, co.ID, role)
			tok[name] = e.login(name)
		}
		r := e.do("POST", "/api/v1/surveys", tok["sup"], map[string]any{"title": "业主满意度调查", "channel": "face_to_face",
			"starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 10, "questionnaire": "owner",
			"purpose": "了解业主满意度", "scope": "1 号楼", "penalties": "弄虚作假扣罚"})
		var c struct {
			ID, Number, Questionnaire string
		}
		r.decode(t, &c)
		if r.Code != http.StatusCreated || c.Questionnaire != "owner" {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", "/api/v1/surveys", tok["sup"], map[string]any{"title": "x", "channel": "paper",
			"starts_on": "2026-03-01", "ends_on": "2026-03-31", "households": 10, "questionnaire": "nope"}),
			http.StatusUnprocessableEntity, "validation_failed", "questionnaire")
		path := "/api/v1/surveys/" + c.ID

		issue := map[string]any{"households": []map[string]any{{"household": "1-101", "name": "王先生"}, {"household": "1-102"}}}
		wantError(t, e.do("POST", path+"/forms", tok["field"], issue), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do("POST", path+"/forms", tok["sup"], map[string]any{"households": []map[string]any{{"household": ""}}}),
			http.StatusUnprocessableEntity, "validation_failed", "households[0].household")
		r = e.do("POST", path+"/forms", tok["sup"], issue)
		var forms struct {
			Items []struct {
				ID, Number, Status, Channel string
				Satisfied, Signed           bool
			}
		}
		r.decode(t, &forms)
		if r.Code != http.StatusCreated || len(forms.Items) != 2 || forms.Items[0].Number != c.Number+"-0001" {
			t.Fatalf("issue: %d %s", r.Code, r.Body)
		}
		f1, f2 := path+"/forms/"+forms.Items[0].ID, path+"/forms/"+forms.Items[1].ID
		approvePlan(t, e, path, tok["sup"], tok["rev"], tok["mgr"]) // the forms are the plan's sample (SUR-002)

		// In person: the customer signs on screen.
		answer := map[string]any{"channel": "face_to_face", "answers": ownerAnswers("very_satisfied")}
		wantError(t, e.do("POST", f1+"/answers", tok["field"], answer), http.StatusUnprocessableEntity, "validation_failed", "signature")
		wantError(t, e.do("POST", f1+"/answers", tok["viewer"], answer), http.StatusForbidden, "forbidden", "")
		answer["signature"] = "data:image/png;base64,iVBORw0KGgo="
		r = e.do("POST", f1+"/answers", tok["field"], answer)
		var f struct {
			Status, Channel   string
			Satisfied, Signed bool
		}
		r.decode(t, &f)
		if r.Code != http.StatusOK || f.Status != "returned" || !f.Satisfied || !f.Signed || f.Channel != "face_to_face" {
			t.Fatalf("answer: %d %s", r.Code, r.Body)
		}
		if strings.Contains(string(r.Body), "iVBORw0KGgo") {
			t.Error("the signature image is echoed back")
		}
		wantError(t, e.do("POST", f1+"/answers", tok["field"], answer), http.StatusConflict, "conflict", "status")

		// The customer's link: no login, once.
		wantError(t, e.do("POST", f2+"/link", tok["viewer"], nil), http.StatusForbidden, "forbidden", "")
		r = e.do("POST", f2+"/link", tok["agent"], nil)
		var link struct{ Token, Path string }
		r.decode(t, &link)
		if r.Code != http.StatusOK || link.Token == "" || link.Path != "/s/"+link.Token {
			t.Fatalf("link: %d %s", r.Code, r.Body)
		}
		public := "/api/v1/public/surveys/" + link.Token
		r = e.do("GET", public, "", nil)
		if r.Code != http.StatusOK || !strings.Contains(string(r.Body), "业主满意度调查表") || strings.Contains(string(r.Body), "王先生") {
			t.Fatalf("public sheet: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", public, "", map[string]any{"answers": map[string]string{"overall": "satisfied"}}),
			http.StatusUnprocessableEntity, "validation_failed", "answers.inquiry")
		if r = e.do("POST", public, "", map[string]any{"answers": ownerAnswers("neutral")}); r.Code != http.StatusOK {
			t.Fatalf("public answer: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", public, "", map[string]any{"answers": ownerAnswers("neutral")}), http.StatusNotFound, "not_found", "link")
		wantError(t, e.do("GET", "/api/v1/public/surveys/nonsense", "", nil), http.StatusNotFound, "not_found", "link")

		// Verification: ceil(5 % × 2) = 1 form, the supervisor's.
		wantError(t, e.do("POST", path+"/verification", tok["agent"], nil), http.StatusForbidden, "forbidden", "")
		r = e.do("POST", path+"/verification", tok["sup"], nil)
		var d struct {
			Quota, Picked int
			Forms         []struct{ ID string }
		}
		r.decode(t, &d)
		if r.Code != http.StatusOK || d.Quota != 1 || d.Picked != 1 || len(d.Forms) != 1 {
			t.Fatalf("draw: %d %s", r.Code, r.Body)
		}
		wantError(t, e.do("POST", path+"/forms/"+d.Forms[0].ID+"/verify", tok["sup"], map[string]any{"result": "fake"}),
			http.StatusUnprocessableEntity, "validation_failed", "note")
		if r = e.do("POST", path+"/forms/"+d.Forms[0].ID+"/verify", tok["sup"], map[string]any{"result": "genuine"}); r.Code != http.StatusOK {
			t.Fatalf("verify: %d %s", r.Code, r.Body)
		}

		// The report: 2 of 10 households (20 %), both returned, 1 of 2 satisfied.
		r = e.do("GET", path+"/report", tok["agent"], nil)
		var rep struct {
			VerificationQuota int `json:"verification_quota"`
			Questions         []struct {
				Key  string
				Rate *float64
			}
			Channels map[string]int
		}
		r.decode(t, &rep)
		if r.Code != http.StatusOK || rep.VerificationQuota != 1 || len(rep.Questions) != 13 || *rep.Questions[0].Rate != 50 ||
			rep.Channels["link"] != 1 || rep.Channels["face_to_face"] != 1 {
			t.Fatalf("report: %d %s", r.Code, r.Body)
		}
		r = e.do("GET", path+"/report.xlsx", tok["agent"], nil)
		if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
			t.Fatalf("xlsx: %d %s", r.Code, r.Header)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if sheets := x.GetSheetList(); len(sheets) != 3 || sheets[0] != "汇总" {
			t.Fatalf("sheets %v", sheets)
		}
		rows, err := x.GetRows("汇总")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			if len(row) >= 2 && row[0] == "发放率 %" && row[1] == "20" {
				found = true
			}
		}
		if !found {
			t.Errorf("summary rows %v", rows)
		}
		formRows, _ := x.GetRows("调查表明细")
		if len(formRows) != 3 || formRows[1][3] != "当面（屏幕签名）" || formRows[2][3] != "客户链接" {
			t.Errorf("form rows %v", formRows)
		}
		wantError(t, e.do("GET", path+"/report", tok["viewer"], nil), http.StatusForbidden, "forbidden", "")
	})
}
