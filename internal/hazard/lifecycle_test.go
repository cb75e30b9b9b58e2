package hazard_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"kefu/internal/hazard"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestNumbering: numbers run per company and year without gaps (INS-018:
// H-2026-0114 style); a refused registration takes no number, concurrent
// ones take distinct numbers, and a new year starts again at 0001.
func TestNumbering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		in := hazard.Finding{Source: hazard.SourceStaff, Location: "10kV 开闭所", Description: "电缆沟盖板破损",
			Severity: "general", Responsibility: hazard.ResponsibleCompany}
		if d := f.register("inspector", in); d.Number != "H-2026-0001" || d.Status != hazard.StatusFound || d.CompanyID != f.power.ID {
			t.Fatalf("first: %s %s company %d", d.Number, d.Status, d.CompanyID)
		}
		bad := in
		bad.Severity = "fatal"
		if _, err := f.svc.Register(f.ctx, f.people["inspector"], bad); err == nil {
			t.Fatal("a bad severity was registered")
		}
		var wg sync.WaitGroup
		numbers := make([]string, 6)
		errs := make([]error, 6)
		for i := range numbers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := f.svc.Register(f.ctx, f.people["inspector"], in)
				if errs[i] = err; err == nil {
					numbers[i] = d.Number
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(numbers)
		for i, n := range numbers {
			if want := fmt.Sprintf("H-2026-%04d", i+2); n != want {
				t.Errorf("numbers %v: want %s at %d (no gap after the refused one)", numbers, want, i)
				break
			}
		}
		// Another company counts on its own.
		g := f.register("gas", hazard.Finding{Source: hazard.SourcePublic, ReporterName: "路人李先生", ReporterPhone: "13900000000",
			Location: "幸福里3栋楼道", Description: "楼道阀门漏气", Severity: "general", Responsibility: hazard.ResponsibleCompany})
		if g.Number != "H-2026-0001" || g.CompanyID != f.gas.ID {
			t.Errorf("gas company: %s", g.Number)
		}
		f.clk.Set(at(t, "2027-01-04 08:00"))
		if d := f.register("inspector", in); d.Number != "H-2027-0001" {
			t.Errorf("new year: %s", d.Number)
		}
	})
}

// TestFixedOnSite: a finding fixed during the visit is registered closed at
// once, with its source and the hand-over (SMP-016) on the timeline.
func TestFixedOnSite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		handed := at(t, "2026-03-10 08:30")
		d := f.register("inspector", hazard.Finding{Source: hazard.SourceSampling, SourceID: 12, CustomerID: f.shop,
			Location: "表箱", Description: "表箱门未关", Severity: "minor", Responsibility: hazard.ResponsibleCustomer,
			FixedOnSite: true, HandedUnitID: f.team.ID, HandedTo: "班长王工", HandedAt: &handed})
		if d.Status != hazard.StatusClosed || d.ClosedAt == nil || d.CustomerName != "便民超市" || d.HandedAt == nil || !d.HandedAt.Equal(handed) {
			t.Fatalf("fixed on site: %+v", d.Hazard)
		}
		var kinds []string
		for _, e := range d.Events {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds, []string{hazard.EventRegistered, hazard.EventHandedOver, hazard.EventFixedOnSite}) {
			t.Errorf("timeline %v", kinds)
		}
		if len(d.NextSteps) != 0 || len(d.Clocks) != 0 {
			t.Errorf("a closed hazard has steps %v or clocks %v", d.NextSteps, d.Clocks)
		}
	})
}

// TestFollowUpClock is INS-013's example on the 2026 calendar: a notice
// signed Tue 2026-03-10 → follow-up due 2026-03-18 00:00 (end of Tue
// 2026-03-17); due soon from Mon 2026-03-16, overdue from the due time; a
// follow-up on Wed 2026-03-18 sets the next one 7 days on, and a next date
// beyond the interval is refused naming next_on.
func TestFollowUpClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h := f.register("inspector", hazard.Finding{Source: hazard.SourceInspection, CustomerID: f.shop, Location: "配电箱",
			Description: "漏电保护器失灵", Severity: "general", Responsibility: hazard.ResponsibleCustomer})
		d, err := f.svc.IssueNotice(f.ctx, f.people["inspector"], h.ID, hazard.NoticeInput{Risk: "漏电可能造成触电",
			Measures: "更换漏电保护器", DeadlineOn: "2026-04-10", Signature: &hazard.SignInput{Signer: "店主刘女士"}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != hazard.StatusRectifying || len(d.Notices) != 1 || d.Notices[0].Kind != "opinion" ||
			d.Notices[0].Number != h.Number+"-1" || d.Notices[0].Signature == nil || d.Notices[0].Signature.Signer != "店主刘女士" {
			t.Fatalf("signed notice: %s %+v", d.Status, d.Notices)
		}
		c := clock(&d.Hazard, hazard.ClockFollowUp)
		if c == nil || !c.DueAt.Equal(at(t, "2026-03-18 00:00")) || c.State != hazard.ClockOnTime || c.Duration != "7d" || c.Calendar != "cn" {
			t.Fatalf("follow-up clock %+v, want due 2026-03-18 00:00 on time", c)
		}
		if !c.SoonAt.Equal(at(t, "2026-03-16 00:00")) {
			t.Errorf("due soon from %v, want 2026-03-16 00:00", c.SoonAt)
		}
		for _, step := range []struct {
			now, state string
			overdue    bool
		}{{"2026-03-15 23:59", hazard.ClockOnTime, false}, {"2026-03-16 00:00", hazard.ClockDueSoon, false},
			{"2026-03-17 23:59", hazard.ClockDueSoon, false}, {"2026-03-18 00:00", hazard.ClockOverdue, true}} {
			f.clk.Set(at(t, step.now))
			g, err := f.svc.Get(f.ctx, f.people["inspector"], h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c := clock(&g.Hazard, hazard.ClockFollowUp); c.State != step.state || g.Overdue != step.overdue {
				t.Errorf("at %s: %s overdue=%v, want %s", step.now, c.State, g.Overdue, step.state)
			}
			l, err := f.svc.List(f.ctx, f.people["inspector"], hazard.Filter{Overdue: true})
			if err != nil {
				t.Fatal(err)
			}
			if (len(l) == 1) != step.overdue {
				t.Errorf("at %s: overdue list has %d", step.now, len(l))
			}
		}
		f.clk.Set(at(t, "2026-03-18 10:00"))
		_, err = f.svc.FollowUp(f.ctx, f.people["inspector"], h.ID, hazard.FollowUpInput{Method: hazard.MethodPhone,
			Found: "客户已购买新保护器", NextOn: "2026-03-26"})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "next_on" {
			t.Errorf("next follow-up beyond 7d: %d %s", st, field)
		}
		d, err = f.svc.FollowUp(f.ctx, f.people["inspector"], h.ID, hazard.FollowUpInput{Method: hazard.MethodPhone,
			Found: "客户已购买新保护器，待安装"})
		if err != nil {
			t.Fatal(err)
		}
		if c := clock(&d.Hazard, hazard.ClockFollowUp); !c.DueAt.Equal(at(t, "2026-03-26 00:00")) || c.State != hazard.ClockOnTime {
			t.Errorf("next follow-up %+v, want 2026-03-26 00:00 (end of Wed 2026-03-25)", c)
		}
		d, err = f.svc.FollowUp(f.ctx, f.people["inspector"], h.ID, hazard.FollowUpInput{Method: hazard.MethodOnSite,
			Found: "安装中", NextOn: "2026-03-20"})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.FollowUps) != 2 || !d.FollowUpDueAt.Equal(at(t, "2026-03-21 00:00")) {
			t.Errorf("follow-ups %d, due %v", len(d.FollowUps), d.FollowUpDueAt)
		}
	})
}

// TestFollowUpOverHoliday: a 7d follow-up whose last day is a holiday moves
// to the first working day after it (CAL-005): signed Mon 2026-09-28 → last
// day Mon 2026-10-05 (National Day) → due 2026-10-09 00:00 (end of Thu
// 2026-10-08).
func TestFollowUpOverHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at(t, "2026-09-28 10:00"))
		h := f.register("inspector", hazard.Finding{Source: hazard.SourceStaff, CustomerID: f.shop, Location: "表计",
			Description: "表计封印缺失", Severity: "minor", Responsibility: hazard.ResponsibleCustomer})
		d, err := f.svc.IssueNotice(f.ctx, f.people["inspector"], h.ID, hazard.NoticeInput{Risk: "窃电风险",
			DeadlineOn: "2026-10-20", Signature: &hazard.SignInput{Signer: "刘女士"}})
		if err != nil {
			t.Fatal(err)
		}
		if c := clock(&d.Hazard, hazard.ClockFollowUp); c == nil || !c.DueAt.Equal(at(t, "2026-10-09 00:00")) {
			t.Errorf("follow-up over National Day: %+v", c)
		}
	})
}

// TestLifecycle runs a serious hazard at an important customer from the
// finding to its closure on the 2026 calendar (INS-013, INS-015, INS-016):
// the notice is the 限期整改告知书 with deadline 2026-05-20 filed with the
// three bodies; follow-ups; the deadline passes and at 2026-05-21 00:00 the
// case moves to "reported to government"; the manager orders the
// disconnection, field staff disconnect; restoration is refused until the
// verification; then restored and closed. Every step is on the timeline.
func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at(t, "2026-05-06 10:00"))
		h := f.serious()
		if !h.Important || h.Status != hazard.StatusFound || h.CustomerName != "市第一人民医院" {
			t.Fatalf("found: %+v", h.Hazard)
		}
		if !slices.Equal(h.NextSteps, []string{hazard.StepNotice, hazard.StepVerify}) {
			t.Errorf("steps when found: %v", h.NextSteps)
		}
		insp, mgr := f.people["inspector"], f.people["manager"]
		// INS-015: the written opinion is refused for this hazard.
		_, err := f.svc.IssueNotice(f.ctx, insp, h.ID, hazard.NoticeInput{Kind: "opinion", Risk: "可能造成人身伤亡", DeadlineOn: "2026-05-20"})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "kind" {
			t.Errorf("opinion for a serious hazard at an important customer: %d %s", st, field)
		}
		d, err := f.svc.IssueNotice(f.ctx, insp, h.ID, hazard.NoticeInput{Risk: "闭锁失效可能造成人身伤亡及电网二类障碍",
			Measures: "修复电气闭锁与机械闭锁", DeadlineOn: "2026-05-20",
			Filings: []hazard.FilingInput{{Body: "government", FiledOn: "2026-05-06", Reference: "市发改委 2026-031"}}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != hazard.StatusNotified || d.Notices[0].Kind != "deadline" || !d.DeadlineAt.Equal(at(t, "2026-05-21 00:00")) {
			t.Fatalf("deadline notice: %s %+v deadline %v", d.Status, d.Notices, d.DeadlineAt)
		}
		if due, ok := f.timerAt(h.ID); !ok || !due.Equal(at(t, "2026-05-21 00:00")) {
			t.Errorf("deadline timer %v %v", due, ok)
		}
		f.clk.Set(at(t, "2026-05-07 09:00"))
		if d, err = f.svc.AddFilings(f.ctx, insp, h.ID, []hazard.FilingInput{{Body: "safety_dept", FiledOn: "2026-05-07"},
			{Body: "regulator", FiledOn: "2026-05-07", Reference: "华中能监 备 12"}}); err != nil {
			t.Fatal(err)
		}
		if len(d.Filings) != 3 || d.Filings[2].BodyName != "当地电力监管机构" {
			t.Errorf("filings %+v", d.Filings)
		}
		if d, err = f.svc.Sign(f.ctx, insp, h.ID, hazard.SignInput{Signer: "院办主任 陈"}); err != nil {
			t.Fatal(err)
		}
		if d.Status != hazard.StatusRectifying || !d.FollowUpDueAt.Equal(at(t, "2026-05-15 00:00")) {
			t.Errorf("signed 2026-05-07: %s follow-up %v, want 2026-05-15 00:00", d.Status, d.FollowUpDueAt)
		}
		f.clk.Set(at(t, "2026-05-14 15:00"))
		if d, err = f.svc.FollowUp(f.ctx, insp, h.ID, hazard.FollowUpInput{Method: hazard.MethodOnSite, Found: "配件未到"}); err != nil {
			t.Fatal(err)
		}
		if c := clock(&d.Hazard, hazard.ClockDeadline); c.State != hazard.ClockOnTime {
			t.Errorf("deadline 2026-05-14: %s", c.State)
		}
		f.clk.Set(at(t, "2026-05-20 23:59"))
		f.fire()
		if g, _ := f.svc.Get(f.ctx, insp, h.ID); g.Status != hazard.StatusRectifying || clock(&g.Hazard, hazard.ClockDeadline).State != hazard.ClockDueSoon {
			t.Errorf("2026-05-20 23:59: %s", g.Status)
		}
		// INS-016: the deadline passes → reported to government on 2026-05-21.
		f.clk.Set(at(t, "2026-05-21 00:00"))
		f.fire()
		d, _ = f.svc.Get(f.ctx, insp, h.ID)
		if d.Status != hazard.StatusEscalated || !d.EscalatedAt.Equal(at(t, "2026-05-21 00:00")) || !d.Overdue ||
			clock(&d.Hazard, hazard.ClockDeadline).State != hazard.ClockOverdue {
			t.Fatalf("after the deadline: %s escalated %v", d.Status, d.EscalatedAt)
		}
		last := d.Events[len(d.Events)-1]
		if last.Kind != hazard.EventDeadlinePassed || last.ActorID != 0 || last.ActorName != "kefu" || !last.At.Equal(at(t, "2026-05-21 00:00")) {
			t.Errorf("deadline event %+v", last)
		}
		// The manager records the report; field staff may not.
		esc := hazard.EscalateInput{Reason: "逾期未整改，危及电网安全", Filings: []hazard.FilingInput{{Body: "government", FiledOn: "2026-05-21"},
			{Body: "regulator", FiledOn: "2026-05-21"}}}
		if _, err = f.svc.Escalate(f.ctx, insp, h.ID, esc); err == nil {
			t.Error("field staff escalated")
		}
		if d, err = f.svc.Escalate(f.ctx, mgr, h.ID, esc); err != nil {
			t.Fatal(err)
		}
		f.clk.Set(at(t, "2026-05-22 09:00"))
		if _, err = f.svc.Disconnect(f.ctx, insp, h.ID, hazard.DisconnectInput{Stage: hazard.StageOrdered, Basis: "供用电合同"}); err == nil {
			t.Error("field staff ordered the disconnection")
		}
		if _, err = f.svc.Disconnect(f.ctx, insp, h.ID, hazard.DisconnectInput{Stage: hazard.StageDone, Basis: "已拉闸"}); err == nil {
			t.Error("disconnected before the order")
		}
		if d, err = f.svc.Disconnect(f.ctx, mgr, h.ID, hazard.DisconnectInput{Stage: hazard.StageOrdered,
			Basis: "政府电力管理部门组织停电（INS-016）"}); err != nil || d.Status != hazard.StatusDisconnectionOrdered {
			t.Fatalf("order: %v %s", err, d.Status)
		}
		f.clk.Set(at(t, "2026-05-22 14:00"))
		if d, err = f.svc.Disconnect(f.ctx, insp, h.ID, hazard.DisconnectInput{Stage: hazard.StageDone, Basis: "10kV 进线开关已断开"}); err != nil ||
			d.Status != hazard.StatusDisconnected {
			t.Fatalf("disconnected: %v", err)
		}
		// INS-016: restoration waits for the verification record.
		_, err = f.svc.Restore(f.ctx, mgr, h.ID, hazard.NoteInput{Note: "客户申请恢复"})
		if st, field := refusal(t, err); st != http.StatusConflict || field != "verification" {
			t.Errorf("restore before verification: %d %s", st, field)
		}
		if _, err = f.svc.Close(f.ctx, insp, h.ID, hazard.NoteInput{}); err == nil {
			t.Error("closed before verification")
		}
		f.clk.Set(at(t, "2026-05-25 10:00"))
		if d, err = f.svc.Verify(f.ctx, insp, h.ID, hazard.VerifyInput{Verifier: "用电检查员 张工", Method: "现场检查并传动试验",
			Result: "闭锁装置已修复，试验合格"}); err != nil {
			t.Fatal(err)
		}
		if c := clock(&d.Hazard, hazard.ClockDeadline); d.Status != hazard.StatusVerified || c.State != hazard.ClockLate ||
			clock(&d.Hazard, hazard.ClockFollowUp) != nil {
			t.Errorf("verified after the deadline: %s %+v", d.Status, d.Clocks)
		}
		if _, err = f.svc.Close(f.ctx, insp, h.ID, hazard.NoteInput{}); err == nil {
			t.Error("closed before restoration")
		}
		if _, err = f.svc.Restore(f.ctx, insp, h.ID, hazard.NoteInput{}); err == nil {
			t.Error("field staff restored supply")
		}
		f.clk.Set(at(t, "2026-05-25 16:00"))
		if d, err = f.svc.Restore(f.ctx, mgr, h.ID, hazard.NoteInput{Note: "验收合格，恢复供电"}); err != nil || d.Status != hazard.StatusRestored {
			t.Fatalf("restore: %v", err)
		}
		if d, err = f.svc.Close(f.ctx, insp, h.ID, hazard.NoteInput{Note: "销号"}); err != nil || d.Status != hazard.StatusClosed {
			t.Fatalf("close: %v", err)
		}
		var kinds []string
		for _, e := range d.Events {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"registered", "handed_over", "notice", "filed", "filed", "filed", "signed", "follow_up", "deadline_passed",
			"escalated", "filed", "filed", "disconnection_ordered", "disconnected", "verified", "restored", "closed"}
		if !slices.Equal(kinds, want) {
			t.Errorf("timeline\n got %v\nwant %v", kinds, want)
		}
		for _, e := range d.Events {
			if e.Kind != hazard.EventDeadlinePassed && e.ActorID == 0 {
				t.Errorf("%s has no actor", e.Kind)
			}
		}
		if _, ok := f.timerAt(h.ID); ok {
			t.Error("the deadline timer is left")
		}
		var n int
		if err := db.Reader().QueryRow(f.ctx, "SELECT count(*) FROM hazard_events WHERE hazard_id = ?", h.ID).Scan(&n); err != nil || n != len(want) {
			t.Errorf("events stored %d", n)
		}
	})
}

// TestDeadlineVerifiedInTime: verified before the deadline → met, the timer
// is cancelled and nothing escalates; a pack that only lists overdue cases
// is tested through the gas pack's rectification notice.
func TestDeadlineVerifiedInTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h := f.register("inspector", hazard.Finding{Source: hazard.SourceInspection, CustomerID: f.shop, Location: "配电箱",
			Description: "接线端子过热", Severity: "larger", Responsibility: hazard.ResponsibleCustomer})
		insp := f.people["inspector"]
		if _, err := f.svc.IssueNotice(f.ctx, insp, h.ID, hazard.NoticeInput{Risk: "过热可能引发火灾", DeadlineOn: "2026-03-20",
			Signature: &hazard.SignInput{Signer: "刘女士"}}); err != nil {
			t.Fatal(err)
		}
		f.clk.Set(at(t, "2026-03-19 11:00"))
		d, err := f.svc.Verify(f.ctx, insp, h.ID, hazard.VerifyInput{Verifier: "张工", Method: "现场复查", Result: "已紧固"})
		if err != nil {
			t.Fatal(err)
		}
		if c := clock(&d.Hazard, hazard.ClockDeadline); c.State != hazard.ClockMet {
			t.Errorf("verified in time: %+v", c)
		}
		if _, ok := f.timerAt(h.ID); ok {
			t.Error("the timer survived the verification")
		}
		f.clk.Set(at(t, "2026-03-21 00:00"))
		f.fire()
		if d, _ = f.svc.Get(f.ctx, insp, h.ID); d.Status != hazard.StatusVerified {
			t.Errorf("escalated after verification: %s", d.Status)
		}
		if _, err := f.svc.Restore(f.ctx, f.people["manager"], h.ID, hazard.NoteInput{}); err == nil {
			t.Error("restored a hazard that was never disconnected")
		}
		if d, err = f.svc.Close(f.ctx, insp, h.ID, hazard.NoteInput{}); err != nil || d.Status != hazard.StatusClosed {
			t.Errorf("close: %v", err)
		}
	})
}

// TestRefusalWithWitness: a refusal needs a witness (INS-013); it is
// recorded, the case is flagged for the INS-016 review, and its follow-up
// clock runs all the same.
func TestRefusalWithWitness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		g := f.register("gas", hazard.Finding{Source: hazard.SourceInspection, Location: "厨房", Description: "燃气软管老化",
			Severity: "general", Responsibility: hazard.ResponsibleCustomer})
		d, err := f.svc.IssueNotice(f.ctx, f.people["gas"], g.ID, hazard.NoticeInput{Risk: "软管老化可能漏气引发爆炸", DeadlineOn: "2026-03-17"})
		if err != nil || d.Notices[0].Kind != "rectification" || d.Status != hazard.StatusNotified {
			t.Fatalf("gas notice: %v %+v", err, d)
		}
		_, err = f.svc.Sign(f.ctx, f.people["gas"], g.ID, hazard.SignInput{Refused: true})
		if st, field := refusal(t, err); st != http.StatusUnprocessableEntity || field != "witness" {
			t.Errorf("refusal without witness: %d %s", st, field)
		}
		if d, err = f.svc.Sign(f.ctx, f.people["gas"], g.ID, hazard.SignInput{Refused: true, Witness: "物业管理员 赵"}); err != nil {
			t.Fatal(err)
		}
		s := d.Notices[0].Signature
		if d.Status != hazard.StatusRefusedToSign || !d.Review || s == nil || !s.Refused || s.Witness != "物业管理员 赵" {
			t.Fatalf("refusal: %s review=%v %+v", d.Status, d.Review, s)
		}
		if c := clock(&d.Hazard, hazard.ClockFollowUp); c == nil || !c.DueAt.Equal(at(t, "2026-03-18 00:00")) {
			t.Errorf("follow-up after the refusal: %+v", c)
		}
		if _, err = f.svc.Sign(f.ctx, f.people["gas"], g.ID, hazard.SignInput{Signer: "改主意"}); err == nil {
			t.Error("signed twice")
		}
		if d.Events[len(d.Events)-1].Kind != hazard.EventRefused || d.Events[len(d.Events)-1].Note != "物业管理员 赵" {
			t.Errorf("refusal event %+v", d.Events[len(d.Events)-1])
		}
		// The gas pack escalates too when its deadline passes.
		f.clk.Set(at(t, "2026-03-18 00:00"))
		f.fire()
		if d, _ = f.svc.Get(f.ctx, f.people["gasboss"], g.ID); d.Status != hazard.StatusEscalated {
			t.Errorf("gas deadline passed: %s", d.Status)
		}
	})
}
