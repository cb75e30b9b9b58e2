package visit_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
	"kefu/internal/testkit"
	"kefu/internal/visit"
)

// households are n households of 幸福里, numbered from 1.
func households(n int) []visit.HouseholdInput {
	out := make([]visit.HouseholdInput, n)
	for i := range out {
		out[i] = visit.HouseholdInput{Name: fmt.Sprintf("住户%d", i+1), Phone: fmt.Sprintf("1370000%04d", i+1),
			Address: fmt.Sprintf("幸福里%d栋%d室", i/20+1, i%20+101)}
	}
	return out
}

// occasion registers an occasion as who and fails the test on refusal.
func (f *fixture) occasion(who, rule, title, happened string, n int) *visit.Occasion {
	f.t.Helper()
	o, err := f.visits.CreateOccasion(f.ctx, f.people[who], visit.OccasionInput{Rule: rule, Title: title, HappenedAt: happened,
		Households: households(n)})
	if err != nil {
		f.t.Fatalf("occasion %s: %v", rule, err)
	}
	return o
}

// visitsOf lists the visits of an occasion, oldest first.
func (f *fixture) visitsOf(o *visit.Occasion) []*visit.Visit {
	f.t.Helper()
	admin := &auth.Principal{Username: "admin", Roles: []auth.Role{auth.RoleAdmin}}
	vs, err := f.visits.List(f.ctx, admin, visit.Filter{Occasion: o.ID, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Reverse(vs)
	return vs
}

// refusal is the status and field of a service refusal.
func refusal(t *testing.T, err error) (int, string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want a refusal, got %v", err)
	}
	return e.Status, e.Field
}

// TestActivityOccasion is VIS-006's worked example on the real calendar:
// an activity that ended Mon 2026-08-31 with 120 participating households
// draws exactly 12 visits (10 %), for the property assistant (社区文化文员),
// all due Wed 2026-09-30 18:00 (1mo on cn-office); the draw is recorded
// with the seed pack|rule|company|occasion:<id> and repeats: the same seed
// picks the same households.
func TestActivityOccasion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.occasion("supervisor", "activity", "中秋游园会", "2026-08-31 16:00", 120)
		seed := fmt.Sprintf("property|activity|%d|occasion:%d", f.co.ID, o.ID)
		if o.Draw == nil || o.Draw.Population != 120 || o.Draw.Quota != 12 || o.Draw.Drawn != 12 || o.Draw.RatePct != 10 ||
			o.Draw.Seed != seed {
			t.Fatalf("draw %+v, want 12 of 120 at 10 %% seeded %s", o.Draw, seed)
		}
		if o.Trigger != "activity_ended" || o.Households != 120 || !o.DueAt.Equal(at("2026-09-30 18:00")) || o.Role != "field_staff" {
			t.Errorf("occasion %+v", o)
		}
		vs := f.visitsOf(o)
		if len(vs) != 12 {
			t.Fatalf("%d visits for 120 households at 10 %%, want 12 (VIS-006)", len(vs))
		}
		var lines []int
		for _, v := range vs {
			if v.RefType != "occasion" || v.OccasionID != o.ID || v.Role != "field_staff" || v.Round != 1 ||
				v.Status != visit.StatusOpen || !v.DueAt.Equal(at("2026-09-30 18:00")) || v.Customer.Name == "" {
				t.Errorf("visit %+v", v)
			}
			line, err := strconv.Atoi(strings.TrimPrefix(v.RefNumber, fmt.Sprintf("SX%d-", o.ID)))
			if err != nil {
				t.Fatalf("ref number %q", v.RefNumber)
			}
			if want := fmt.Sprintf("住户%d", line); v.Customer.Name != want {
				t.Errorf("%s calls on %s, want %s", v.RefNumber, v.Customer.Name, want)
			}
			lines = append(lines, line)
		}
		// The same seed over the same 120 households picks the same ones.
		batch := make([]visit.Candidate, 120)
		var want []int
		for _, i := range visit.Draw(10, 0, 0, batch, seed) {
			want = append(want, i+1)
		}
		slices.Sort(lines)
		if !slices.Equal(lines, want) {
			t.Errorf("households drawn %v, the seed draws %v", lines, want)
		}
		// The daily draw leaves the occasion alone.
		f.clk.Set(at("2026-09-02 00:10"))
		if _, err := f.engine.FireDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if again := f.visitsOf(o); len(again) != 12 {
			t.Errorf("after the daily draw: %d visits", len(again))
		}
		// The month's figures: population and quota of the occasion.
		st, err := f.visits.Stats(f.ctx, f.people["supervisor"], "2026-08")
		if err != nil || len(st) != 1 {
			t.Fatalf("stats %+v %v", st, err)
		}
		if s := st[0]; s.Rule != "activity" || s.Population != 120 || s.Quota != 12 || s.Drawn != 12 || s.RatePct != 10 {
			t.Errorf("stats %+v", s)
		}
		// A second occasion of the month adds its own quota: ceil per occasion.
		f.occasion("manager", "activity", "社区乒乓球赛", "2026-08-30 11:00", 15)
		st, _ = f.visits.Stats(f.ctx, f.people["supervisor"], "2026-08")
		if s := st[0]; s.Population != 135 || s.Quota != 14 || s.Drawn != 14 {
			t.Errorf("two occasions: %+v, want 135 households, 12 + 2 visits", s)
		}
		list, err := f.visits.ListOccasions(f.ctx, f.people["assistant"], visit.OccasionFilter{Limit: 1})
		if err != nil || len(list) != 1 || list[0].Title != "社区乒乓球赛" {
			t.Fatalf("the newest occasion: %+v %v", list, err)
		}
		if more, _ := f.visits.ListOccasions(f.ctx, f.people["assistant"], visit.OccasionFilter{Before: list[0].ID}); len(more) != 1 ||
			more[0].ID != o.ID {
			t.Errorf("the next page: %+v", more)
		}
	})
}

// TestOtherTriggersDueTimes: the VIS-007 occasions on the real calendar —
// a burst pipe closed Mon 2026-03-09 gives post-emergency visits to every
// affected household due Thu 2026-03-12 18:00 (3d on cn-office); move-in
// visits are due a month after the key handover; a holiday visit falls due
// at the end of the holiday itself, for the company manager, and may be
// registered before it.
func TestOtherTriggersDueTimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clk.Set(at("2026-03-10 09:00"))
		o := f.occasion("supervisor", "emergency", "3栋爆管", "2026-03-09 15:30", 7)
		vs := f.visitsOf(o)
		if len(vs) != 7 || o.Draw.Quota != 7 {
			t.Fatalf("%d post-emergency visits for 7 households (quota %d), want all 7", len(vs), o.Draw.Quota)
		}
		for _, v := range vs {
			if !v.DueAt.Equal(at("2026-03-12 18:00")) || v.Role != "field_staff" {
				t.Errorf("post-emergency visit due %v for %s, want Thu 2026-03-12 18:00 (VIS-007)", v.DueAt, v.Role)
			}
		}
		// Keys handed over Fri 2026-02-06 → a month later, Fri 03-06.
		m := f.occasion("manager", "move_in", "5栋交房", "2026-02-06 10:00", 3)
		if !m.DueAt.Equal(at("2026-03-06 18:00")) || len(f.visitsOf(m)) != 3 {
			t.Errorf("move-in due %v with %d visits, want Fri 2026-03-06 18:00 and 3", m.DueAt, len(f.visitsOf(m)))
		}
		f.clk.Set(at("2026-09-20 09:00"))
		h := f.occasion("manager", "holiday", "国庆节走访", "2026-10-01 09:00", 2)
		hv := f.visitsOf(h)
		if !h.DueAt.Equal(at("2026-10-01 18:00")) || len(hv) != 2 || hv[0].Role != "manager" {
			t.Errorf("holiday visit due %v, %d visits, role %v; want 2026-10-01 18:00 for the manager", h.DueAt, len(hv), hv)
		}
	})
}

// TestOccasionRefusals: only the CS supervisor (the pack's owner role) or a
// manager registers, a rule of an occasion trigger of the company's pack,
// every household with a name or a phone; bad input is a 422 naming the
// field; another company sees nothing of it.
func TestOccasionRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ok := visit.OccasionInput{Rule: "activity", Title: "中秋游园会", HappenedAt: "2026-08-31 16:00", Households: households(3)}
		with := func(change func(*visit.OccasionInput)) visit.OccasionInput {
			in := ok
			in.Households = households(3)
			change(&in)
			return in
		}
		for who, want := range map[string]int{"agent": http.StatusForbidden, "assistant": http.StatusForbidden} {
			if s, _ := refusal(t, ignore(f.visits.CreateOccasion(f.ctx, f.people[who], ok))); s != want {
				t.Errorf("%s registered an occasion: %d", who, s)
			}
		}
		for _, c := range []struct {
			in    visit.OccasionInput
			field string
		}{
			{with(func(in *visit.OccasionInput) { in.Rule = "" }), "rule"},
			{with(func(in *visit.OccasionInput) { in.Rule = "complaint" }), "rule"},
			{with(func(in *visit.OccasionInput) { in.Title = " " }), "title"},
			{with(func(in *visit.OccasionInput) { in.HappenedAt = "昨天" }), "happened_at"},
			{with(func(in *visit.OccasionInput) { in.HappenedAt = "2026-09-02 10:00" }), "happened_at"}, // not yet
			{with(func(in *visit.OccasionInput) { in.Households = nil }), "households"},
			{with(func(in *visit.OccasionInput) { in.Households = households(visit.MaxHouseholds + 1) }), "households"},
			{with(func(in *visit.OccasionInput) { in.Households[1].Name, in.Households[1].Phone = "", " " }), "households[1].name"},
			{with(func(in *visit.OccasionInput) { in.Households[2].Phone = "12345" }), "households[2].phone"},
			{with(func(in *visit.OccasionInput) { in.Households[2] = in.Households[0] }), "households[2].name"},
			{with(func(in *visit.OccasionInput) { in.Households[0].CustomerID = 987654 }), "households[0].customer_id"},
		} {
			s, field := refusal(t, ignore(f.visits.CreateOccasion(f.ctx, f.people["supervisor"], c.in)))
			if s != http.StatusUnprocessableEntity || field != c.field {
				t.Errorf("want 422 at %s, got %d at %s", c.field, s, field)
			}
		}
		if n := countRows(t, db, "visit_occasions"); n != 0 {
			t.Fatalf("refusals wrote %d occasions", n)
		}
		o, err := f.visits.CreateOccasion(f.ctx, f.people["supervisor"], ok)
		if err != nil {
			t.Fatal(err)
		}
		// Another company's people see neither the occasion nor its visits.
		other := testkit.Unit(t, f.org, f.root.ID, org.Company, "另一物业", "property")
		outsider := testkit.User(t, db, other, auth.RoleCSSupervisor)
		if s, _ := refusal(t, ignore(f.visits.GetOccasion(f.ctx, outsider, o.ID))); s != http.StatusNotFound {
			t.Errorf("another company read the occasion: %d", s)
		}
		if l, err := f.visits.ListOccasions(f.ctx, outsider, visit.OccasionFilter{}); err != nil || len(l) != 0 {
			t.Errorf("another company lists %v %v", l, err)
		}
		if got, err := f.visits.GetOccasion(f.ctx, f.people["assistant"], o.ID); err != nil || got.Draw.Drawn != 1 {
			t.Errorf("the assistant reads %+v %v", got, err)
		}
	})
}

func ignore[T any](_ T, err error) error { return err }

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLargestOccasion: an occasion of the most households accepted, 5000,
// is stored whole and draws exactly its quota (VIS-016: 10 % → 500).
func TestLargestOccasion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.occasion("supervisor", "activity", "社区运动会", "2026-08-29 18:00", visit.MaxHouseholds)
		if o.Households != 5000 || o.Draw.Population != 5000 || o.Draw.Quota != 500 || o.Draw.Drawn != 500 {
			t.Fatalf("occasion %+v draw %+v", o, o.Draw)
		}
		if n := countRows(t, db, "visit_candidates"); n != 5000 {
			t.Errorf("%d candidates, want 5000", n)
		}
		if n := len(f.visitsOf(o)); n != 500 {
			t.Errorf("%d visits, want 500", n)
		}
	})
}
