package hazard_test

import (
	"net/http"
	"testing"

	"kefu/internal/hazard"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestPermissions: reading needs inspections:read, the steps
// inspections:write, the enforcement decisions one of the pack's
// enforcement roles (INS-016): each role is refused what it may not do.
func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h := f.serious()
		in := hazard.Finding{Source: hazard.SourceStaff, Location: "变压器", Description: "油位低", Severity: "minor",
			Responsibility: hazard.ResponsibleCompany}
		for _, who := range []string{"agent", "viewer", "manager"} {
			if _, err := f.svc.Register(f.ctx, f.people[who], in); err == nil {
				t.Errorf("%s registered a hazard", who)
			} else if st, _ := refusal(t, err); st != http.StatusForbidden {
				t.Errorf("%s: %d", who, st)
			}
		}
		for _, who := range []string{"agent", "viewer"} {
			if _, err := f.svc.Get(f.ctx, f.people[who], h.ID); err == nil {
				t.Errorf("%s read a hazard", who)
			}
			if _, err := f.svc.List(f.ctx, f.people[who], hazard.Filter{}); err == nil {
				t.Errorf("%s listed hazards", who)
			}
		}
		if _, err := f.svc.Get(f.ctx, f.people["manager"], h.ID); err != nil {
			t.Errorf("the manager reads: %v", err)
		}
		if _, err := f.svc.IssueNotice(f.ctx, f.people["manager"], h.ID, hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-04-01"}); err == nil {
			t.Error("the manager (no inspections:write) issued a notice")
		}
		for _, who := range []string{"auditor", "inspector"} {
			if _, err := f.svc.IssueNotice(f.ctx, f.people[who], h.ID, hazard.NoticeInput{Risk: "危险", DeadlineOn: "2026-04-01"}); err != nil {
				t.Errorf("%s issues a notice: %v", who, err)
			}
		}
		esc := hazard.EscalateInput{Reason: "拒不整改", Filings: []hazard.FilingInput{{Body: "government", FiledOn: "2026-03-10"}}}
		if _, err := f.svc.Escalate(f.ctx, f.people["inspector"], h.ID, esc); err == nil {
			t.Error("field staff escalated")
		} else if st, _ := refusal(t, err); st != http.StatusForbidden {
			t.Errorf("field staff escalation: %d", st)
		}
		if _, err := f.svc.Escalate(f.ctx, f.people["auditor"], h.ID, esc); err != nil {
			t.Errorf("the auditor (安监部) escalates: %v", err)
		}
		if _, err := f.svc.Disconnect(f.ctx, f.people["admin"], h.ID, hazard.DisconnectInput{Stage: hazard.StageOrdered, Basis: "合同"}); err != nil {
			t.Errorf("the administrator orders: %v", err)
		}
		if _, err := f.svc.Disconnect(f.ctx, f.people["viewer"], h.ID, hazard.DisconnectInput{Stage: hazard.StageDone, Basis: "x"}); err == nil {
			t.Error("a viewer recorded the disconnection")
		}
	})
}

// TestScope: another company's people neither see nor change the hazard
// (404, as if it did not exist), and may not register for that company.
func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h := f.serious()
		other := f.people["gas"]
		if _, err := f.svc.Get(f.ctx, other, h.ID); err == nil {
			t.Fatal("another company reads the hazard")
		} else if st, field := refusal(t, err); st != http.StatusNotFound || field != "hazard" {
			t.Errorf("read: %d %s", st, field)
		}
		if _, err := f.svc.IssueNotice(f.ctx, other, h.ID, hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-04-01"}); err == nil {
			t.Error("another company issued a notice")
		} else if st, _ := refusal(t, err); st != http.StatusNotFound {
			t.Errorf("notice: %d", st)
		}
		if _, err := f.svc.Restore(f.ctx, f.people["gasboss"], h.ID, hazard.NoteInput{}); err == nil {
			t.Error("another company's manager restored")
		} else if st, _ := refusal(t, err); st != http.StatusNotFound {
			t.Errorf("restore: %d", st)
		}
		l, err := f.svc.List(f.ctx, other, hazard.Filter{})
		if err != nil || len(l) != 0 {
			t.Errorf("another company lists %d", len(l))
		}
		_, err = f.svc.Register(f.ctx, other, hazard.Finding{Source: hazard.SourceStaff, CompanyID: f.power.ID, Location: "x",
			Description: "x", Severity: "minor", Responsibility: hazard.ResponsibleCompany})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "company_id" {
			t.Errorf("register for another company: %d %s", st, field)
		}
		_, err = f.svc.Register(f.ctx, other, hazard.Finding{Source: hazard.SourceStaff, CustomerID: f.hospital, Location: "x",
			Description: "x", Severity: "minor", Responsibility: hazard.ResponsibleCompany})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "customer_id" {
			t.Errorf("another company's customer: %d %s", st, field)
		}
	})
}

// TestBadInput: each bad field is refused with 4xx naming it, and nothing
// is written.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ok := hazard.Finding{Source: hazard.SourceStaff, Location: "x", Description: "x", Severity: "minor", Responsibility: "company"}
		future := at(t, "2026-03-11 09:00")
		for _, c := range []struct {
			field string
			edit  func(*hazard.Finding)
		}{
			{"source", func(f *hazard.Finding) { f.Source = "rumour" }},
			{"location", func(f *hazard.Finding) { f.Location = " " }},
			{"description", func(f *hazard.Finding) { f.Description = "" }},
			{"severity", func(f *hazard.Finding) { f.Severity = "" }},
			{"severity", func(f *hazard.Finding) { f.Severity = "grave" }},
			{"responsibility", func(f *hazard.Finding) { f.Responsibility = "nobody" }},
			{"reporter_name", func(f *hazard.Finding) { f.Source = hazard.SourcePublic }},
			{"found_at", func(f *hazard.Finding) { f.FoundAt = &future }},
			{"handed_to", func(f *hazard.Finding) { f.HandedAt = &future }},
			{"customer_id", func(f *hazard.Finding) { f.CustomerID = 987654 }},
			{"service_point_id", func(f *hazard.Finding) { f.ServicePointID = 5 }},
		} {
			in := ok
			c.edit(&in)
			_, err := f.svc.Register(f.ctx, f.people["inspector"], in)
			if st, field := refusal(t, err); st/100 != 4 || field != c.field {
				t.Errorf("%s: %d %s", c.field, st, field)
			}
		}
		var n int
		if err := db.Reader().QueryRow(f.ctx, "SELECT count(*) FROM hazards").Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused registrations wrote %d hazards", n)
		}
		h := f.register("inspector", ok)
		insp := f.people["inspector"]
		for _, c := range []struct {
			field string
			in    hazard.NoticeInput
		}{
			{"risk", hazard.NoticeInput{DeadlineOn: "2026-04-01"}},
			{"deadline_on", hazard.NoticeInput{Risk: "x"}},
			{"deadline_on", hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-03-10"}},
			{"deadline_on", hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-02-30"}},
			{"kind", hazard.NoticeInput{Kind: "letter", Risk: "x", DeadlineOn: "2026-04-01"}},
			{"filings", hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-04-01", Filings: []hazard.FilingInput{{Body: "government", FiledOn: "2026-03-10"}}}},
			{"signature.signer", hazard.NoticeInput{Risk: "x", DeadlineOn: "2026-04-01", Signature: &hazard.SignInput{}}},
		} {
			_, err := f.svc.IssueNotice(f.ctx, insp, h.ID, c.in)
			if st, field := refusal(t, err); st/100 != 4 || field != c.field {
				t.Errorf("notice %s: %d %s", c.field, st, field)
			}
		}
		if d, _ := f.svc.Get(f.ctx, insp, h.ID); len(d.Notices) != 0 || len(d.Events) != 1 || d.Status != hazard.StatusFound {
			t.Errorf("refused notices wrote: %d notices, %d events, %s", len(d.Notices), len(d.Events), d.Status)
		}
		// Steps the status does not allow are conflicts naming the step.
		_, err := f.svc.FollowUp(f.ctx, insp, h.ID, hazard.FollowUpInput{Method: "phone", Found: "x"})
		if st, field := refusal(t, err); st != http.StatusConflict || field != "follow_up" {
			t.Errorf("follow-up before a notice: %d %s", st, field)
		}
		_, err = f.svc.Sign(f.ctx, insp, h.ID, hazard.SignInput{Signer: "x"})
		if st, field := refusal(t, err); st != http.StatusConflict || field != "signature" {
			t.Errorf("sign without a notice: %d %s", st, field)
		}
		_, err = f.svc.Verify(f.ctx, insp, h.ID, hazard.VerifyInput{Verifier: "x", Method: "x"})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "result" {
			t.Errorf("verify without a result: %d %s", st, field)
		}
		_, err = f.svc.List(f.ctx, insp, hazard.Filter{Status: "lost"})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "status" {
			t.Errorf("list by a bad status: %d %s", st, field)
		}
	})
}

// TestListFilters: status, severity, source, customer, q and the keyset page.
func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		s := f.serious()
		f.register("inspector", hazard.Finding{Source: hazard.SourceCustomer, CustomerID: f.shop, Location: "楼道",
			Description: "电线私拉乱接", Severity: "general", Responsibility: hazard.ResponsibleCustomer})
		f.register("inspector", hazard.Finding{Source: hazard.SourceStaff, Location: "开闭所", Description: "门锁损坏_100%",
			Severity: "minor", Responsibility: hazard.ResponsibleCompany})
		p := f.people["inspector"]
		count := func(fl hazard.Filter) int {
			t.Helper()
			l, err := f.svc.List(f.ctx, p, fl)
			if err != nil {
				t.Fatal(err)
			}
			return len(l)
		}
		for name, c := range map[string]struct {
			f    hazard.Filter
			want int
		}{
			"all": {hazard.Filter{}, 3}, "serious": {hazard.Filter{Severity: "serious"}, 1},
			"customer source": {hazard.Filter{Source: "customer"}, 1}, "hospital": {hazard.Filter{CustomerID: f.hospital}, 1},
			"q number": {hazard.Filter{Q: s.Number}, 1}, "q name": {hazard.Filter{Q: "医院"}, 1},
			"q literal %": {hazard.Filter{Q: "_100%"}, 1}, "q wildcard": {hazard.Filter{Q: "门%损"}, 0},
			"found": {hazard.Filter{Status: hazard.StatusFound}, 3}, "page": {hazard.Filter{Limit: 2}, 2},
			"before": {hazard.Filter{Before: s.ID + 1}, 1},
		} {
			if n := count(c.f); n != c.want {
				t.Errorf("%s: %d, want %d", name, n, c.want)
			}
		}
	})
}
