package archive

import (
	"testing"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/policy"
)

func realestate(t *testing.T) *policy.ArchiveRules {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "realestate" {
			return &p.Archives
		}
	}
	t.Fatal("no realestate pack")
	return nil
}

// ARC-010: XD-03-0501 and its volume XD-03-0501-3.2; numbers are padded,
// letters are not.
func TestFormatNumber(t *testing.T) {
	r := realestate(t)
	file := FormatNumber(r.Numbering.Unit, NumberParts{Project: "XD", Building: "3", Unit: "501"})
	if file != "XD-03-0501" {
		t.Fatalf("unit file = %q", file)
	}
	if v := FormatNumber(r.Numbering.Volume, NumberParts{File: file, Category: "3.2"}); v != "XD-03-0501-3.2" {
		t.Errorf("volume = %q", v)
	}
	if v := FormatNumber(r.Numbering.Shop, NumberParts{Project: "XD", Unit: "12"}); v != "XD-SP-0012" {
		t.Errorf("shop = %q", v)
	}
	if v := FormatNumber(r.Numbering.Destruction, NumberParts{Year: 2036, Seq: 1}); v != "D-2036-01" {
		t.Errorf("destruction = %q (ARC-015 example)", v)
	}
	if v := FormatNumber(r.Numbering.Litigation, NumberParts{Year: 2026, Seq: 4}); v != "L-2026-04" {
		t.Errorf("litigation = %q (ARC-002 example)", v)
	}
	if v := FormatNumber("{project}-{building:2}", NumberParts{Project: "XD", Building: "A"}); v != "XD-A" {
		t.Errorf("letters are not padded: %q", v)
	}
}

// Homes come before shops of the same project, buildings in number order.
func TestSortKey(t *testing.T) {
	home10 := SortKey(KindUnit, "XD", "10", "101", "XD-10-0101")
	home2 := SortKey(KindUnit, "XD", "2", "1101", "XD-02-1101")
	shop := SortKey(KindShop, "XD", "", "1", "XD-SP-0001")
	other := SortKey(KindUnit, "YY", "1", "101", "YY-01-0101")
	if !(home2 < home10 && home10 < shop && shop < other) {
		t.Errorf("order wrong: %q %q %q %q", home2, home10, shop, other)
	}
}

// ARC-014 examples: not extended off rest days (2036-03-15 is a Saturday).
func TestEligibleOn(t *testing.T) {
	for _, tc := range []struct {
		on    calendar.Date
		years int
		want  calendar.Date
	}{
		{calendar.D(2026, 3, 15), 10, calendar.D(2036, 3, 16)},
		{calendar.D(2026, 7, 20), 2, calendar.D(2028, 7, 21)},
		{calendar.D(2026, 7, 20), 1, calendar.D(2027, 7, 21)},
		{calendar.D(2024, 2, 29), 1, calendar.D(2025, 3, 1)}, // CAL-007: 28 Feb 2025 is the corresponding date
	} {
		got, ok := EligibleOn(tc.on, tc.years)
		if !ok || got != tc.want {
			t.Errorf("EligibleOn(%s, %d) = %s, %v; want %s", tc.on, tc.years, got, ok, tc.want)
		}
	}
	if _, ok := EligibleOn(calendar.D(2026, 1, 1), 0); ok {
		t.Error("zero years is permanent")
	}
}

// ARC-006, ARC-007, ARC-008 and ARC-009 examples on the 2026 calendar.
func TestHandoverDue(t *testing.T) {
	r := realestate(t)
	cal := calendar.BuiltinCN()
	loc := cal.Location()
	sched := func(key string) policy.HandoverSchedule {
		h, ok := r.Handover(key)
		if !ok {
			t.Fatalf("no schedule %s", key)
		}
		return h
	}
	end := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d+1, 0, 0, 0, 0, loc) }
	for _, tc := range []struct {
		key   string
		event calendar.Date
		want  time.Time
	}{
		{"sales", calendar.D(2026, 9, 24), end(2026, 10, 9)},      // 5wd: Sep 28, 29, 30, Oct 8, 9
		{"move_in", calendar.D(2026, 6, 30), end(2026, 7, 30)},    // 1mo
		{"litigation", calendar.D(2026, 6, 30), end(2026, 7, 30)}, // 1mo after closure
	} {
		got, err := EventHandoverDue(cal, sched(tc.key), tc.event)
		if err != nil || !got.Due.Equal(tc.want) {
			t.Errorf("%s from %s: due %v, %v; want %v", tc.key, tc.event, got.Due, err, tc.want)
		}
	}
	for _, tc := range []struct {
		key    string
		day    calendar.Date
		period string
		want   time.Time
	}{
		{"company_archive", calendar.D(2026, 4, 3), "2026-04-06", end(2026, 4, 7)}, // Qingming Monday → Tuesday
		{"company_archive", calendar.D(2026, 4, 7), "2026-04-09", end(2026, 4, 9)}, // Thursday
		{"company_archive", calendar.D(2026, 4, 9), "2026-04-09", end(2026, 4, 9)}, // on the day itself
		{"quarterly", calendar.D(2026, 8, 15), "2026-Q3", end(2026, 9, 30)},        // fixed date, a Wednesday
		{"csc", calendar.D(2026, 2, 1), "2026-H1", end(2026, 6, 30)},
		{"csc", calendar.D(2026, 12, 31), "2026-H2", end(2026, 12, 31)},
	} {
		got, err := PeriodicHandoverDue(cal, sched(tc.key), tc.day)
		if err != nil || got.Period != tc.period || !got.Due.Equal(tc.want) {
			t.Errorf("%s on %s: %s due %v, %v; want %s due %v", tc.key, tc.day, got.Period, got.Due, err, tc.period, tc.want)
		}
	}
	// A quarter end on a Sunday is not moved (CAL-015 fixed date).
	got, _ := PeriodicHandoverDue(cal, sched("quarterly"), calendar.D(2029, 9, 1))
	if !got.Due.Equal(end(2029, 9, 30)) {
		t.Errorf("2029-Q3 due %v; want the end of Sun 2029-09-30", got.Due)
	}
}

// ARC-012: who qualifies for a step.
func TestQualifies(t *testing.T) {
	r := realestate(t)
	leasing, _ := r.Chain("leasing")
	central, _ := r.Chain("central")
	sales, _ := r.Chain("sales_office")
	gmoPath := "/1/2/9/"
	head := Approver{UserID: 5, Roles: []auth.Role{auth.RoleManager}, Position: "招商部负责人", UnitPath: "/1/2/7/"}
	gm := Approver{UserID: 6, Roles: []auth.Role{auth.RoleManager}, Position: "总经理", UnitPath: "/1/2/"}
	clerk := Approver{UserID: 7, Roles: []auth.Role{auth.RoleArchivist}, UnitPath: "/1/2/9/3/"}
	outsider := Approver{UserID: 8, Roles: []auth.Role{auth.RoleArchivist}, UnitPath: "/1/2/7/"}
	director := Approver{UserID: 9, Roles: []auth.Role{auth.RoleSalesManager}, UnitPath: "/1/2/5/"}
	for _, tc := range []struct {
		name string
		st   policy.ApprovalStep
		a    Approver
		path string
		want bool
	}{
		{"head reviews", leasing.Steps[0], head, "", true},
		{"GM may not take the head's step", leasing.Steps[0], gm, "", false},
		{"GM approves", leasing.Steps[1], gm, "", true},
		{"head is not the GM", leasing.Steps[1], head, "", false},
		{"GMO archivist approves central files", central.Steps[0], clerk, gmoPath, true},
		{"an archivist outside the GMO does not", central.Steps[0], outsider, gmoPath, false},
		{"unbound GMO: nobody", central.Steps[0], clerk, "\x00unbound", false},
		{"Sales Director signs", sales.Steps[0], director, "", true},
		{"a manager is not the Sales Director", sales.Steps[0], gm, "", false},
		{"admin always", sales.Steps[0], Approver{Admin: true}, "", true},
	} {
		if got := Qualifies(tc.st, tc.a, tc.path); got != tc.want {
			t.Errorf("%s: Qualifies = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The chain advances one step per approval and stops at a rejection.
func TestChainState(t *testing.T) {
	steps := []policy.ApprovalStep{{Key: "head"}, {Key: "gm"}}
	if n, rej := chainState(steps, nil); n != 0 || rej {
		t.Errorf("fresh: %d %v", n, rej)
	}
	one := []Approval{{Step: 0, Decision: "approve"}}
	if n, rej := chainState(steps, one); n != 1 || rej {
		t.Errorf("after head: %d %v", n, rej)
	}
	both := append(one, Approval{Step: 1, Decision: "approve"})
	if n, rej := chainState(steps, both); n != 2 || rej {
		t.Errorf("complete: %d %v", n, rej)
	}
	st := stepStatuses(steps, both, true)
	if st[0].State != "approved" || st[1].State != "approved" || st[1].CanDecide {
		t.Errorf("statuses %+v", st)
	}
	rejected := append(one, Approval{Step: 1, Decision: "reject"})
	if n, rej := chainState(steps, rejected); n != 1 || !rej {
		t.Errorf("rejected: %d %v", n, rej)
	}
	st = stepStatuses(steps, one, true)
	if st[1].State != "current" || !st[1].CanDecide {
		t.Errorf("current step %+v", st[1])
	}
}
