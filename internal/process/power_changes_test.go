package process_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestTariffChange: PRC-029 — accepted Thu 2026-04-30 → survey due end of
// Fri 05-08 (05-06, 07, 08); survey done Fri 05-08 → change due end of
// Mon 05-11 (Sat 05-09 make-up counts). A change of use the survey does
// not confirm ends the request.
func TestTariffChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区小商品店")
		p := f.start("agent", "2026-04-30 09:00", "change.tariff", sp.ID, map[string]any{"new_category": "general_commercial"})
		f.gated("agent", p, "checklist", "tariff_change_application")
		p = f.receiveAll("agent", "2026-04-30 09:30", p)
		p = f.complete("agent", "2026-04-30 10:00", p, "", "")
		due(t, p, "survey", "2026-05-09 00:00")
		onUnit(t, p, f.units["branch"].ID)
		p = f.complete("field", "2026-05-08 16:00", p, "confirmed", "")
		due(t, p, "change", "2026-05-12 00:00")
		p = f.complete("marketing", "2026-05-11 10:00", p, "", "")
		finished(t, p, map[string]int{"tariff_change_notice": 1})

		q := f.start("agent", "2026-05-11 09:00", "change.tariff", sp.ID, map[string]any{"new_category": "large_industrial"})
		q = f.receiveAll("agent", "2026-05-11 09:10", q)
		q = f.complete("agent", "2026-05-11 09:20", q, "", "")
		q = f.complete("field", "2026-05-12 10:00", q, "not_allowed", "受电装置不变，用途未改变。")
		if q.Status != process.StatusCancelled {
			t.Fatalf("refused tariff change: status %s, want cancelled", q.Status)
		}
	})
}

// TestTemporaryRemoval: PRC-028 — procedures done Mon 2026-03-02 → the
// last day Sat 03-07 is a rest day → removal due end of Mon 03-09.
func TestTemporaryRemoval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区洗车行")
		p := f.start("agent", "2026-03-02 09:00", "change.temporary_removal", sp.ID, nil)
		f.gated("agent", p, "checklist", "removal_application")
		p = f.receiveAll("agent", "2026-03-02 09:30", p)
		p = f.complete("agent", "2026-03-02 10:00", p, "", "")
		due(t, p, "removal", "2026-03-10 00:00")
		onUnit(t, p, f.units["branch"].ID)
		p = f.complete("field", "2026-03-09 15:00", p, "", "")
		finished(t, p, map[string]int{"removal_notice": 1})
		if !hasFact(p, "removed") {
			t.Fatalf("facts %+v", p.Facts)
		}
	})
}

// TestReinstallation: PRC-028 — reinstallation within 5 days of the
// procedures (fees first); the meter removed Thu 2026-01-15 may be
// reinstalled until the end of Wed 07-15; a request on 07-20 is refused
// as a new connection.
func TestReinstallation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区洗车行")
		removed := map[string]any{"removed_on": "2026-01-15"}
		p := f.start("agent", "2026-03-02 09:00", "change.reinstallation", sp.ID, removed)
		p = f.receiveAll("agent", "2026-03-02 09:10", p)
		f.gated("agent", p, "requires", "fees_paid")
		p = f.fact("agent", "2026-03-02 09:40", p, "fees_paid")
		p = f.complete("agent", "2026-03-02 10:00", p, "", "")
		due(t, p, "reinstall", "2026-03-10 00:00")
		p = f.complete("field", "2026-03-06 10:00", p, "", "")
		finished(t, p, map[string]int{"supply_notice": 1})

		e := f.startRefused("agent", "2026-07-20 09:00", "change.reinstallation", sp.ID, removed, "PRC-028", "within")
		if msg := e.Message.In(i18n.ZH); e.Field != "attributes.removed_on" || !strings.Contains(msg, "须按新装办理") ||
			!strings.Contains(msg, "2026-07-15") {
			t.Fatalf("refusal %q on %s, want the new-connection message ending 2026-07-15", msg, e.Field)
		}
		f.startRefused("agent", "2026-07-16 00:00", "change.reinstallation", sp.ID, removed, "PRC-028", "within")
		q := f.start("agent", "2026-07-15 23:00", "change.reinstallation", sp.ID, removed)
		due(t, q, "application", "")
	})
}

// TestMeterRelocation: PRC-027 — relocation at the customer's cost with
// address, category and supply point unchanged; a relocation that also
// changes the supply point is refused.
func TestMeterRelocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区茶馆")
		same := map[string]any{"same_address": true, "same_category": true, "same_supply_point": true}
		p := f.start("agent", "2026-05-18 09:00", "change.meter_relocation", sp.ID, same)
		p = f.receiveAll("agent", "2026-05-18 09:10", p)
		p = f.complete("agent", "2026-05-18 09:30", p, "", "")
		due(t, p, "relocate", "") // PRC-027 sets no time limit
		f.gated("field", p, "requires", "fees_paid")
		p = f.fact("marketing", "2026-05-19 10:00", p, "fees_paid")
		p = f.complete("field", "2026-05-21 10:00", p, "", "")
		finished(t, p, map[string]int{"relocation_notice": 1})

		f.clk.Set(at("2026-05-18 10:00"))
		_, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "change.meter_relocation", ServicePointID: sp.ID,
			Attributes: map[string]any{"same_address": true, "same_category": true, "same_supply_point": false}})
		e, ok := apperr.As(err)
		if !ok || e.Status != http.StatusUnprocessableEntity || e.Details["rule"] != "PRC-027" || e.Details["guard"] != "require" {
			t.Fatalf("relocation changing the supply point: %v, want refused with PRC-027", err)
		}
	})
}

// TestAccountSplit: PRC-031 — the split is blocked until the original
// account has settled all charges (312.50 yuan owed in the example).
func TestAccountSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区综合楼")
		p := f.start("agent", "2026-06-01 09:00", "change.account_split", sp.ID, map[string]any{"capacity_kva": 100.0, "parts": 2.0})
		f.gated("agent", p, "checklist", "split_application", "capacity_agreement")
		p = f.receiveAll("agent", "2026-06-01 09:30", p)
		p = f.complete("agent", "2026-06-01 10:00", p, "", "")
		p = f.complete("field", "2026-06-03 10:00", p, "feasible", "")
		p = f.receiveAll("marketing", "2026-06-04 09:00", p)
		e := f.gated("marketing", p, "requires", "charges_settled")
		if rules, _ := e.Details["rules"].([]string); !slices.Contains(rules, "PRC-031") {
			t.Errorf("refusal rules %v, want PRC-031", rules)
		}
		p = f.fact("marketing", "2026-06-04 15:00", p, "charges_settled")
		p = f.complete("marketing", "2026-06-05 10:00", p, "", "")
		p = f.complete("field", "2026-06-08 10:00", p, "passed", "")
		finished(t, p, map[string]int{"split_notice": 1})
	})
}

// TestAccountClosure: PRC-030 — the closure waits for the capacity
// stopped, the charges paid (86.40 yuan owed in the example) and the
// metering checked.
func TestAccountClosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城区旧仓库")
		p := f.start("agent", "2026-08-03 09:00", "change.account_closure", sp.ID, nil)
		p = f.receiveAll("agent", "2026-08-03 09:10", p)
		p = f.complete("agent", "2026-08-03 09:30", p, "", "")
		f.refused("marketing", p.ID, process.ActionInput{Action: process.ActionComplete}, http.StatusForbidden)
		p = f.complete("field", "2026-08-04 10:00", p, "", "")
		if !hasFact(p, "metering_checked") {
			t.Fatal("the metering check did not record its fact")
		}
		f.gated("field", p, "requires", "capacity_stopped", "arrears_settled")
		p = f.fact("marketing", "2026-08-04 11:00", p, "capacity_stopped")
		e := f.gated("field", p, "requires", "arrears_settled")
		if rules, _ := e.Details["rules"].([]string); !slices.Contains(rules, "PRC-030") {
			t.Errorf("refusal rules %v, want PRC-030", rules)
		}
		p = f.fact("marketing", "2026-08-05 09:00", p, "arrears_settled")
		p = f.complete("field", "2026-08-06 10:00", p, "", "")
		finished(t, p, map[string]int{"closure_notice": 1})
	})
}

// TestSuspensionQuotas: the PRC-032 example — #1 03-01 to 06-01 (92 days);
// #2 08-01 to 11-30 would make 213 > 183 days, 08-01 to 10-31 (91 days)
// is the most allowed; a third in 2026 is refused; each lasts at least
// 15 days and is applied for 5 days ahead.
func TestSuspensionQuotas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城北纺织厂")
		span := func(from, to string) map[string]any {
			return map[string]any{"from": from, "to": to, "capacity_kva": 400.0}
		}
		f.clk.Set(at("2026-02-20 10:00"))
		first, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "change.suspension",
			ServicePointID: sp.ID, Attributes: span("2026-03-01", "2026-06-01")})
		if err != nil {
			t.Fatal(err)
		}
		first = f.receiveAll("agent", "2026-02-20 10:10", first)
		first = f.complete("agent", "2026-02-20 10:20", first, "", "")
		first = f.complete("field", "2026-03-01 09:00", first, "", "")
		first = f.complete("field", "2026-06-01 09:00", first, "", "")
		finished(t, first, map[string]int{"suspension_notice": 1})

		e := f.startRefused("agent", "2026-07-20 10:00", "change.suspension", sp.ID, span("2026-08-01", "2026-11-30"),
			"PRC-032", "days_per_year")
		if msg := e.Message.In(i18n.ZH); e.Field != "attributes.to" || !strings.Contains(msg, "213") || !strings.Contains(msg, "2026-10-31") {
			t.Fatalf("refusal %q on %s, want 213 days and the latest resumption 2026-10-31", msg, e.Field)
		}
		f.start("agent", "2026-07-20 10:05", "change.suspension", sp.ID, span("2026-08-01", "2026-10-31"))
		e = f.startRefused("agent", "2026-11-02 10:00", "change.suspension", sp.ID, span("2026-12-01", "2026-12-20"),
			"PRC-032", "per_year")
		if msg := e.Message.In(i18n.ZH); !strings.Contains(msg, "每年最多 2 次") {
			t.Fatalf("third suspension refused with %q", msg)
		}

		// Another customer: at least 15 days, applied 5 days ahead.
		other := f.supplyPoint("城北印刷厂")
		f.startRefused("agent", "2026-07-20 10:00", "change.suspension", other.ID, span("2026-08-01", "2026-08-11"),
			"PRC-032", "min_days")
		e = f.startRefused("agent", "2026-07-29 10:00", "change.suspension", other.ID, span("2026-08-01", "2026-09-01"),
			"PRC-032", "lead_days")
		if msg := e.Message.In(i18n.ZH); e.Field != "attributes.from" || !strings.Contains(msg, "2026-07-27") {
			t.Fatalf("late application refused with %q on %s, want the latest date 2026-07-27", msg, e.Field)
		}
		f.start("agent", "2026-07-27 10:00", "change.suspension", other.ID, span("2026-08-01", "2026-09-01"))
	})
}
