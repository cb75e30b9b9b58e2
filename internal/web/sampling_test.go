package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/org"
)

// TestSamplingPage: an auditor of the gas company sees the pack's
// four-level matrix and rules, and computes a period's sample — SMP-006's
// inspector with 850 households → 20 (the floor), 10 on site and 10 by
// phone; SMP-003's 3,600 readings without wall-hung boilers → 24/24/12/12/0;
// a bad count is refused under its field; field staff may not open the page.
func TestSamplingPage(t *testing.T) {
	e := newSurveyEnv(t) // kefu as it runs, with the policy packs
	gas, err := e.app.Org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "燃气公司",
		Code: "RQ", Pack: "gas"})
	if err != nil {
		t.Fatal(err)
	}
	e.user("audit", "赵稽查", gas, auth.RoleAuditor)
	e.user("gasfield", "钱抄表", gas, auth.RoleFieldStaff)
	c := e.signedIn("audit")
	page := c.get("/sampling")
	page.want(t, http.StatusOK, "稽查抽查", `id="levels-table"`, `data-level="1"`, "热线员", "安检员",
		`data-rule="customer_manager.residential"`, "户内表", "SMP-003", `href="/sampling"`)

	res := c.get("/sampling?rule=inspector&population=850")
	res.want(t, http.StatusOK, `id="smp-result"`, "本期工作量 850，应抽查 20", `id="smp-floor"`, "现场 10", "电话 10")

	res = c.get("/sampling?rule=customer_manager.residential&population=3600&s.indoor=2000&s.outdoor=1200" +
		"&s.not_seen=200&s.not_using=200&s.wall_hung_boiler=0")
	res.want(t, http.StatusOK, "应抽查 72")
	for key, size := range map[string]string{"indoor": "24", "outdoor": "24", "not_seen": "12", "not_using": "12", "wall_hung_boiler": "0"} {
		row := `data-stratum="` + key + `"`
		i := strings.Index(res.body, row)
		if i < 0 || !strings.Contains(res.body[i:min(i+400, len(res.body))], `data-k="size">`+size+`<`) {
			t.Errorf("stratum %s: want %s", key, size)
		}
	}

	res = c.get("/sampling?rule=inspector&population=八百")
	res.want(t, http.StatusUnprocessableEntity, `id="f-population-err"`, "须为整数")
	res.lacks(t, `id="smp-result"`)
	c.get("/sampling?rule=inspector&population=-3").want(t, http.StatusUnprocessableEntity, `id="f-population-err"`)
	c.get("/sampling?rule=nope&population=3").want(t, http.StatusUnprocessableEntity, `id="f-rule-err"`)

	e.signedIn("gasfield").get("/sampling").want(t, http.StatusForbidden)
	// The property company's pack has no sampling rules.
	e.user("propaudit", "孙稽查", e.co, auth.RoleAuditor)
	e.signedIn("propaudit").get("/sampling").want(t, http.StatusOK, `id="smp-empty"`)
}
