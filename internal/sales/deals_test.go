package sales

import (
	"context"
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/merit"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// newMonth is the fixture with the real merit ledger as the proposer, so
// that a grab proposes its fine on the ledger (SAL-015).
func newMonth(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	fx := newFixture(t, db)
	m := merit.New(merit.Options{DB: db, Policy: fx.base.Packs, Org: fx.base.Org, Logger: fx.base.Log, Now: fx.clock.Now})
	fx.svc = New(Options{DB: db, Policy: fx.base.Packs, Calendars: fx.base.Calendars, Org: fx.base.Org,
		Merits: m, Logger: fx.base.Log, Now: fx.clock.Now})
	return fx
}

// entry registers a walk-in of today by who without a reception.
func (fx *fixture) entry(who *auth.Principal, name, phone string) Registration {
	fx.t.Helper()
	return must(fx.svc.Register(fx.ctx, who, RegistrationInput{UnitID: fx.unit, CustomerName: name, Phone: phone,
		InfoSource: "online"}))(fx.t)
}

// deal records a closed deal on the entry: deposit and signature on day.
func (fx *fixture) deal(who *auth.Principal, entry store.ID, property, commission, day string) Deal {
	fx.t.Helper()
	return must(fx.svc.RecordDeal(fx.ctx, who, DealInput{UnitID: fx.unit, RegistrationID: entry, PropertyUnit: property,
		SubscriberName: "认购人" + property, Price: "1,500,000", Commission: commission, DepositOn: day, SubscribedOn: day}))(fx.t)
}

// shares are a deal's current shares by agent: amount, and "x" for cancelled.
func shares(t *testing.T, d Deal) map[store.ID]string {
	t.Helper()
	if d.Attribution == nil {
		t.Fatalf("deal %s has no attribution", d.Number)
	}
	out := map[store.ID]string{}
	for _, s := range d.Attribution.Shares {
		v := s.Amount.String()
		if s.Cancelled {
			v += "x"
		}
		out[s.AgentID] = v
	}
	return out
}

func wantShares(t *testing.T, what string, d Deal, want map[store.ID]string) {
	t.Helper()
	got := shares(t, d)
	if len(got) != len(want) {
		t.Fatalf("%s: shares %v, want %v (%+v)", what, got, want, d.Attribution.Steps)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: shares %v, want %v (%+v)", what, got, want, d.Attribution.Steps)
		}
	}
}

// TestMonthOfMay2026 feeds a month of receptions, registrations and deals
// through the service and checks the attributions RULES.md gives, case by
// case, and the commission report (SAL-008, SAL-012, SAL-015, SAL-018,
// SAL-020, SAL-022, SAL-023).
func TestMonthOfMay2026(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newMonth(t, db)
		a, b, c, d := fx.a.UserID, fx.b.UserID, fx.c.UserID, fx.d.UserID

		// A's own customer buys: the whole commission is hers.
		fx.set("2026-05-04 10:00")
		chen := fx.entry(fx.a, "陈国强", "13800000001")
		fx.set("2026-05-05 15:00")
		sole := fx.deal(fx.a, chen.ID, "1-101", "8000", "2026-05-05")
		if sole.Number != "CJ-2026-0001" || sole.State != DealClosed || sole.DealOn.String() != "2026-05-05" {
			t.Fatalf("sole deal = %+v", sole)
		}
		wantShares(t, "sole", sole, map[store.ID]string{a: "8000.00"})

		// SAL-008 (3): A's caller visits asking for A, who is off; C helps
		// and closes: 12,000 → C 2,400, A 9,600.
		fx.set("2026-05-06 09:30")
		must(fx.svc.Register(fx.ctx, fx.a, RegistrationInput{UnitID: fx.unit, Book: BookPhone, Kind: EntryPhone,
			CustomerName: "李梅", Phone: "13800000002"}))(t)
		fx.set("2026-05-07 10:00")
		help := must(fx.svc.StartReception(fx.ctx, fx.pm, ReceptionInput{UnitID: fx.unit, Kind: ReceptionAssist,
			AgentID: c, NamedAgentID: a}))(t)
		li := fx.register(fx.c, help.ID, "李梅", "13800000002")
		must(fx.svc.EndReception(fx.ctx, fx.c, help.ID))(t)
		assist := fx.deal(fx.c, li.ID, "2-1203", "12000", "2026-05-07")
		wantShares(t, "SAL-008", assist, map[store.ID]string{c: "2400.00", a: "9600.00"})
		if assist.Attribution.Owner != a {
			t.Fatalf("SAL-008 owner %d, want A", assist.Attribution.Owner)
		}

		// SAL-015: D continues with B's customer without asking B, who was
		// on the floor; the Sales Manager finds a grab: D's 2,000 is
		// cancelled, B keeps 8,000, and the fine is proposed to the ledger.
		fx.set("2026-05-08 10:00")
		fx.entry(fx.b, "王建", "13800000003")
		fx.set("2026-05-12 11:00")
		wang := fx.entry(fx.d, "王建", "13800000003")
		if len(wang.Conflicts) != 1 {
			t.Fatalf("kefu found %d conflicts on D's entry, want 1", len(wang.Conflicts))
		}
		grab := fx.deal(fx.d, wang.ID, "3-502", "10000", "2026-05-12")
		if !grab.Attribution.Held {
			t.Fatalf("known colleague's customer without a recorded contact must wait for a ruling: %+v", grab.Attribution)
		}
		_, err := fx.svc.RecordContact(fx.ctx, fx.d, wang.Conflicts[0].ID, ContactInput{Contact: ContactRefused})
		refused(t, err, http.StatusForbidden, "")
		must(fx.svc.RecordContact(fx.ctx, fx.sm, wang.Conflicts[0].ID, ContactInput{Contact: ContactRefused, Note: "B 在场未征得同意"}))(t)
		grab = must(fx.svc.GetDeal(fx.ctx, fx.sm, grab.ID))(t)
		wantShares(t, "SAL-015", grab, map[store.ID]string{d: "2000.00x", b: "8000.00"})
		if grab.Attribution.Grabber != d {
			t.Fatalf("grabber %d, want D", grab.Attribution.Grabber)
		}
		var fines int
		if err := db.Reader().QueryRow(fx.ctx, `SELECT COUNT(*) FROM merit_entries WHERE user_id = ? AND item = ? AND source_kind = ?
			AND source_id = ? AND state = ?`, d, "customer_grabbed", merit.SourceSalesDeal, grab.ID, merit.StateProposed).Scan(&fines); err != nil || fines != 1 {
			t.Fatalf("grab fines proposed for D: %d, %v; want 1", fines, err)
		}

		// SAL-018: C registered 赵 under a name D's entry does not match; D
		// closes on 05-15; C's correction on 05-18 (3 days) finds him: 50/50.
		// The same with 钱, corrected on 05-19 (4 days): all D's.
		fx.set("2026-05-06 16:00")
		zhao0 := fx.entry(fx.c, "赵先生", "")
		qian0 := fx.entry(fx.c, "钱先生", "")
		fx.set("2026-05-13 10:00")
		zhao := fx.entry(fx.d, "赵明", "13900000003")
		qian := fx.entry(fx.d, "钱亮", "13900000004")
		if len(zhao.Conflicts)+len(qian.Conflicts) != 0 {
			t.Fatalf("nothing matches yet: %+v %+v", zhao.Conflicts, qian.Conflicts)
		}
		fx.set("2026-05-15 17:00")
		unaware3 := fx.deal(fx.d, zhao.ID, "5-801", "10000", "2026-05-15")
		unaware4 := fx.deal(fx.d, qian.ID, "5-802", "10000", "2026-05-15")
		wantShares(t, "new customer", unaware3, map[store.ID]string{d: "10000.00"})
		fx.set("2026-05-18 09:00")
		must(fx.svc.Register(fx.ctx, fx.c, RegistrationInput{UnitID: fx.unit, CustomerName: "赵明", Phone: "13900000003",
			ReceivedOn: "2026-05-06", CorrectsID: zhao0.ID, CorrectionReason: "补全姓名电话"}))(t)
		fx.set("2026-05-19 09:00")
		must(fx.svc.Register(fx.ctx, fx.c, RegistrationInput{UnitID: fx.unit, CustomerName: "钱亮", Phone: "13900000004",
			ReceivedOn: "2026-05-06", CorrectsID: qian0.ID, CorrectionReason: "补全姓名电话"}))(t)
		unaware3 = must(fx.svc.GetDeal(fx.ctx, fx.sm, unaware3.ID))(t)
		unaware4 = must(fx.svc.GetDeal(fx.ctx, fx.sm, unaware4.ID))(t)
		wantShares(t, "SAL-018 day 3", unaware3, map[store.ID]string{d: "5000.00", c: "5000.00"})
		wantShares(t, "SAL-018 day 4", unaware4, map[store.ID]string{d: "10000.00", c: "0.00"})

		// SAL-022: an agent may not rule; the Sales Manager rules 30/70 on
		// the day-4 deal with a reason, and a later recomputation keeps it.
		cur := unaware4.Attribution
		_, err = fx.svc.Rule(fx.ctx, fx.c, cur.ID, RulingInput{OwnerAgentID: c, Reason: "x",
			Shares: []ShareInput{{AgentID: c, Percent: 30}, {AgentID: d, Percent: 70}}})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.Rule(fx.ctx, fx.sm, cur.ID, RulingInput{OwnerAgentID: c,
			Shares: []ShareInput{{AgentID: c, Percent: 30}, {AgentID: d, Percent: 70}}})
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = fx.svc.Rule(fx.ctx, fx.sm, cur.ID, RulingInput{OwnerAgentID: c, Reason: "x",
			Shares: []ShareInput{{AgentID: c, Percent: 30}, {AgentID: d, Percent: 60}}})
		refused(t, err, http.StatusUnprocessableEntity, "shares")
		ruled := must(fx.svc.Rule(fx.ctx, fx.sm, cur.ID, RulingInput{OwnerAgentID: c, Reason: "C 早已多次跟进，D 知情",
			Shares: []ShareInput{{AgentID: c, Percent: 30}, {AgentID: d, Percent: 70}}}))(t)
		if ruled.Kind != AttributionRuling || ruled.SupersedesID != cur.ID || ruled.Reason == "" || ruled.Steps[0].Rule != "SAL-022" {
			t.Fatalf("ruling = %+v", ruled)
		}
		_, err = fx.svc.Rule(fx.ctx, fx.sm, cur.ID, RulingInput{OwnerAgentID: c, Reason: "again",
			Shares: []ShareInput{{AgentID: c, Percent: 100}}})
		refused(t, err, http.StatusConflict, "attribution_id")
		err = db.Tx(fx.ctx, func(tx store.Conn) error {
			ce, err := fx.svc.loadCentre(fx.ctx, tx, nil, fx.unit)
			if err != nil {
				return err
			}
			again, err := fx.svc.decide(fx.ctx, tx, ce, qian.ID, unaware4.ID, 0)
			if err == nil && again.ID != ruled.ID {
				t.Errorf("a recomputation replaced the ruling: %+v", again)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		unaware4 = must(fx.svc.GetDeal(fx.ctx, fx.d, unaware4.ID))(t)
		wantShares(t, "ruled", unaware4, map[store.ID]string{c: "3000.00", d: "7000.00"})
		hist := must(fx.svc.Attributions(fx.ctx, fx.sm, unaware4.ID, 0))(t)
		if len(hist) < 3 || hist[len(hist)-1].ID != ruled.ID {
			t.Fatalf("history = %+v", hist)
		}

		// SAL-023: a company-referred customer's deal waits for the PM.
		fx.set("2026-05-20 10:00")
		co := must(fx.svc.StartReception(fx.ctx, fx.pm, ReceptionInput{UnitID: fx.unit, Kind: ReceptionCompany, AgentID: a}))(t)
		coEntry := fx.register(fx.a, co.ID, "孙总", "13700000001")
		must(fx.svc.EndReception(fx.ctx, fx.a, co.ID))(t)
		_, err = fx.svc.RecordDeal(fx.ctx, fx.a, DealInput{UnitID: fx.unit, RegistrationID: coEntry.ID, PropertyUnit: "9-901",
			SubscriberName: "孙总", Commission: "5000", DepositOn: "2026-05-20", SubscribedOn: "2026-05-20"})
		refused(t, err, http.StatusUnprocessableEntity, "commission")
		company := fx.deal(fx.a, coEntry.ID, "9-901", "", "2026-05-20")
		if !company.CompanyReferred || !company.Attribution.Held {
			t.Fatalf("company-referred deal = %+v", company.Attribution)
		}

		// SAL-020: a group bonus of 1,000 among A–D received by B.
		must(fx.svc.ShareGroupBonus(fx.ctx, fx.pm, GroupBonusInput{UnitID: fx.unit, Month: "2026-05", Pot: "1000",
			ReceivingAgentID: b, AgentIDs: []store.ID{a, b, c, d}}))(t)

		// 50,000 of the five deals − 2,000 cancelled + 1,000 of the bonus −
		// 0.02 of it not shared out (尾差).
		rep := must(fx.svc.Commission(fx.ctx, fx.sm, fx.unit, "2026-05"))(t)
		lines := map[store.ID]CommissionLine{}
		for _, l := range rep.Lines {
			lines[l.AgentID] = l
		}
		want := map[store.ID][2]string{ // total, cancelled
			a: {"17841.66", "0.00"}, // 8,000 + 9,600 + 241.66
			b: {"8275.00", "0.00"},  // 8,000 + 275
			c: {"10641.66", "0.00"}, // 2,400 + 5,000 + 3,000 + 241.66
			d: {"12241.66", "2000.00"},
		}
		for id, w := range want {
			if l := lines[id]; l.Total.String() != w[0] || l.Cancelled.String() != w[1] {
				t.Fatalf("line of %d = %+v, want total %s cancelled %s", id, l, w[0], w[1])
			}
		}
		if rep.Total.String() != "48999.98" || len(rep.Deals) != 5 || len(rep.Held) != 1 || rep.Held[0].ID != company.ID {
			t.Fatalf("report total %s, %d deals, held %+v", rep.Total, len(rep.Deals), rep.Held)
		}
		mine := must(fx.svc.Commission(fx.ctx, fx.b, fx.unit, "2026-05"))(t)
		if len(mine.Lines) != 1 || mine.Lines[0].AgentID != b || mine.Total.String() != "8275.00" {
			t.Fatalf("B's report = %+v", mine.Lines)
		}

		// The PM enters the company-referred commission: it is A's.
		fx.set("2026-05-21 10:00")
		_, err = fx.svc.UpdateDealFacts(fx.ctx, fx.a, company.ID, DealFactsInput{Manual: "6000"})
		refused(t, err, http.StatusForbidden, "")
		company = must(fx.svc.UpdateDealFacts(fx.ctx, fx.pm, company.ID, DealFactsInput{Manual: "6000"}))(t)
		wantShares(t, "SAL-023", company, map[store.ID]string{a: "6000.00"})
	})
}

// TestRecordDealChecks: bad money and days are refused naming the field;
// a deposit alone is no deal (SAL-019) until the signature; a void deal
// takes no more facts; an agent sees only her deals.
func TestRecordDealChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		e := fx.entry(fx.a, "周一", "13600000001")
		in := DealInput{UnitID: fx.unit, RegistrationID: e.ID, PropertyUnit: "8-1203", SubscriberName: "周一", Commission: "12000"}
		for _, c := range []struct {
			mod   func(*DealInput)
			field string
		}{
			{func(i *DealInput) { i.Commission = "12,000.123" }, "commission"},
			{func(i *DealInput) { i.Commission = "-5" }, "commission"},
			{func(i *DealInput) { i.Commission = "" }, "commission"},
			{func(i *DealInput) { i.Price = "abc" }, "price"},
			{func(i *DealInput) { i.DepositOn = "2026-05-12" }, "deposit_on"}, // tomorrow
			{func(i *DealInput) { i.SubscribedOn = "2026-13-01" }, "subscribed_on"},
			{func(i *DealInput) { i.PropertyUnit = " " }, "property_unit"},
			{func(i *DealInput) { i.ClosingAgentID = fx.b.UserID }, ""},
		} {
			bad := in
			c.mod(&bad)
			_, err := fx.svc.RecordDeal(fx.ctx, fx.a, bad)
			status := http.StatusUnprocessableEntity
			if c.field == "" {
				status = http.StatusForbidden
			}
			refused(t, err, status, c.field)
		}
		in.DepositOn = "2026-05-08"
		pending := must(fx.svc.RecordDeal(fx.ctx, fx.a, in))(t)
		if pending.State != DealPending || pending.DealOn != nil || pending.Attribution != nil {
			t.Fatalf("deposit alone = %+v", pending)
		}
		closed := must(fx.svc.UpdateDealFacts(fx.ctx, fx.a, pending.ID, DealFactsInput{SubscribedOn: "2026-05-10"}))(t)
		if closed.State != DealClosed || closed.DealOn.String() != "2026-05-10" || closed.Attribution == nil {
			t.Fatalf("signed = %+v", closed)
		}
		_, err := fx.svc.UpdateDealFacts(fx.ctx, fx.a, pending.ID, DealFactsInput{DepositOn: "2026-05-09"})
		refused(t, err, http.StatusConflict, "deposit_on")
		_, err = fx.svc.GetDeal(fx.ctx, fx.b, closed.ID)
		refused(t, err, http.StatusNotFound, "id")
		if list := must(fx.svc.Deals(fx.ctx, fx.b, fx.unit, "2026-05"))(t); len(list) != 0 {
			t.Fatalf("B sees %d deals of A", len(list))
		}
		if list := must(fx.svc.Deals(fx.ctx, fx.pm, fx.unit, "2026-05"))(t); len(list) != 1 {
			t.Fatalf("the PM sees %d deals", len(list))
		}
		_, err = fx.svc.VoidDeal(fx.ctx, fx.a, closed.ID, "退订")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.VoidDeal(fx.ctx, fx.pm, closed.ID, "")
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		void := must(fx.svc.VoidDeal(fx.ctx, fx.pm, closed.ID, "客户退订"))(t)
		if void.State != DealVoid {
			t.Fatalf("void = %+v", void)
		}
		_, err = fx.svc.UpdateDealFacts(fx.ctx, fx.pm, closed.ID, DealFactsInput{DepositOn: "2026-05-09"})
		refused(t, err, http.StatusConflict, "state")

		// Without a register entry the deal is held (SAL-022, SEC-004).
		bare := must(fx.svc.RecordDeal(fx.ctx, fx.a, DealInput{UnitID: fx.unit, PropertyUnit: "8-1204", SubscriberName: "无登记",
			Commission: "100", DepositOn: "2026-05-11", SubscribedOn: "2026-05-11"}))(t)
		if bare.Attribution == nil || !bare.Attribution.Held {
			t.Fatalf("deal without entry = %+v", bare.Attribution)
		}
		rep := must(fx.svc.Commission(fx.ctx, fx.pm, fx.unit, "2026-05"))(t)
		if len(rep.Held) != 1 || rep.Held[0].ID != bare.ID || len(rep.Lines) != 0 {
			t.Fatalf("report = %+v", rep)
		}
	})
}

// The modules that start a clock from a signed subscription (ARC-006) are
// told once: when the signing day is first recorded, at once or later.
func TestSubscribedHook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var told []Subscription
		fx.svc.OnSubscribed(func(_ context.Context, _ store.Conn, s Subscription) error {
			told = append(told, s)
			return nil
		})
		e := fx.entry(fx.a, "周二", "13600000002")
		d := fx.deal(fx.a, e.ID, "5-0802", "12000", "2026-05-10")
		if len(told) != 1 || told[0].DealID != d.ID || told[0].Number != d.Number || told[0].PropertyUnit != "5-0802" ||
			told[0].SignedOn.String() != "2026-05-10" || told[0].CentreID != fx.unit {
			t.Fatalf("told %+v for %+v", told, d)
		}
		later := must(fx.svc.RecordDeal(fx.ctx, fx.a, DealInput{UnitID: fx.unit, RegistrationID: fx.entry(fx.a, "周三", "13600000003").ID,
			PropertyUnit: "5-0803", SubscriberName: "周三", Commission: "9000", DepositOn: "2026-05-09"}))(t)
		if len(told) != 1 {
			t.Fatalf("a deposit alone told %+v", told)
		}
		must(fx.svc.UpdateDealFacts(fx.ctx, fx.a, later.ID, DealFactsInput{SubscribedOn: "2026-05-11"}))(t)
		if len(told) != 2 || told[1].DealID != later.ID || told[1].SignedOn.String() != "2026-05-11" || told[1].Subscriber != "周三" {
			t.Fatalf("told %+v", told)
		}
		must(fx.svc.UpdateDealFacts(fx.ctx, fx.pm, later.ID, DealFactsInput{SubscribedOn: "2026-05-10"}))(t)
		if len(told) != 2 {
			t.Fatalf("a corrected signing day told again: %+v", told)
		}
	})
}
