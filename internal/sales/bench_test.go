package sales

import (
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// BenchmarkAttribute: one deal's attribution against 50 earlier entries of
// the customer (a busy customer visiting a busy sales centre) and a
// referral claim.
func BenchmarkAttribute(b *testing.B) {
	packs, err := policy.Builtins()
	if err != nil {
		b.Fatal(err)
	}
	var r *policy.SalesRules
	for _, p := range packs {
		if p.Key == "realestate" {
			r = &p.Sales
		}
	}
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, store.Zone)
	var prior []Fact
	for i := range 50 {
		at := start.Add(time.Duration(i) * 26 * time.Hour)
		prior = append(prior, Fact{ID: store.ID(i + 1), AgentID: store.ID(i%7 + 1), Book: BookVisit, Kind: EntryVisit,
			RegisteredAt: at, ReceivedOn: calendar.DateOf(at), Reception: ReceptionRotation, Keys: []string{"phone"}})
	}
	subj := time.Date(2026, 5, 1, 10, 0, 0, 0, store.Zone)
	c := Case{Subject: Fact{ID: 99, AgentID: 9, Book: BookVisit, Kind: EntryVisit, RegisteredAt: subj, ReceivedOn: calendar.DateOf(subj),
		Reception: ReceptionRotation}, Prior: prior, Claim: &Claim{RaisedAt: subj.Add(72 * time.Hour)},
		Deal: &DealFacts{On: calendar.DateOf(subj), Closing: 9, Commission: money.FromYuan(12000)}, Today: calendar.DateOf(subj),
		Calendar: calendar.BuiltinCN()}
	b.ReportAllocs()
	for b.Loop() {
		if o := Attribute(c, r); len(o.Steps) == 0 {
			b.Fatal("no steps")
		}
	}
}

// BenchmarkNextAgent: a 30-agent rotation with a third absent or busy and
// five make-up turns waiting.
func BenchmarkNextAgent(b *testing.B) {
	st := RotationState{Policy: policy.MakeUpArt7, Pointer: 5}
	for i := range 30 {
		m := Member{UserID: store.ID(i + 1)}
		switch i % 3 {
		case 1:
			m.Absence = AbsentSickLeave
		case 2:
			m.Busy = ReceptionOwnOld
		}
		st.Members = append(st.Members, m)
	}
	for i := range 5 {
		st.Credits = append(st.Credits, Credit{ID: store.ID(i + 1), UserID: store.ID(3*i + 3)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NextAgent(st); err != nil {
			b.Fatal(err)
		}
	}
}
