package customer_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/policy"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestNormalize: full-width digits and letters as Chinese input methods
// type them become ASCII in phone, account, identity and plate numbers.
func TestNormalize(t *testing.T) {
	in := customer.Input{Name: " 王芳 ", Phone: "１３８－０００１－２３４５", IDNumber: "１１０１０１１９９００３０７１２３ｘ",
		CarPlate: "粤ｂ·１２３４５", ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: " ３-２-５０１ "}}}
	in.Normalize()
	if in.Name != "王芳" || in.Phone != "138-0001-2345" || customer.PhoneKey(in.Phone) != "13800012345" {
		t.Errorf("name %q phone %q", in.Name, in.Phone)
	}
	if in.IDNumber != "11010119900307123X" || in.CarPlate != "粤B12345" || in.ServicePoints[0].AccountNo != "3-2-501" {
		t.Errorf("id %q plate %q account %q", in.IDNumber, in.CarPlate, in.ServicePoints[0].AccountNo)
	}
	if in.Kind != customer.Person {
		t.Errorf("kind %q, want person by default", in.Kind)
	}
}

// TestValidateNamesTheField: every refusal is a 422 naming the field, in
// both languages, by the rules of the pack (CUS-002, CUS-003, CUS-004,
// CUS-005, CUS-012, CUS-017, CUS-019).
func TestValidateNamesTheField(t *testing.T) {
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	pack := map[string]*policy.Pack{}
	for _, p := range packs {
		pack[p.Key] = p
	}
	gas := func(mod func(*customer.Input)) customer.Input {
		in := customer.Input{Name: "王芳", Phone: "13800000000", Type: "residential"}
		mod(&in)
		return in
	}
	for _, c := range []struct {
		name  string
		pack  string
		in    customer.Input
		field string
	}{
		{"ok", "gas", gas(func(*customer.Input) {}), ""},
		{"full-width phone", "gas", gas(func(in *customer.Input) { in.Phone = "１３８００００００００" }), ""},
		{"type required (CUS-002)", "gas", gas(func(in *customer.Input) { in.Type = "" }), "type"},
		{"type not in the pack", "gas", gas(func(in *customer.Input) { in.Type = "hv_dual" }), "type"},
		{"type optional in property", "property", customer.Input{Name: "业主"}, ""},
		{"grade", "gas", gas(func(in *customer.Input) { in.Grade = "E" }), "grade"},
		{"importance not in gas (CUS-005)", "gas", gas(func(in *customer.Input) { in.Importance = "grade1" }), "importance"},
		{"importance in power", "power", customer.Input{Name: "医院", Type: "hv_dual", Importance: "grade1"}, ""},
		{"special group (CUS-012)", "gas", gas(func(in *customer.Input) { in.SpecialGroups = []string{"elderly", "rich"} }), "special_groups[1]"},
		{"gas flag (CUS-019)", "gas", gas(func(in *customer.Input) { in.Flags = []string{"suspected_theft"} }), ""},
		{"no gas flags in power", "power", customer.Input{Name: "厂", Type: "hv_single", Flags: []string{"abnormal"}}, "flags[0]"},
		{"credit limit (CUS-017)", "gas", gas(func(in *customer.Input) { in.CreditLimit = "5万" }), "credit_limit"},
		{"credit grade", "gas", gas(func(in *customer.Input) { in.CreditGrade = "Z" }), "credit_grade"},
		{"phone letters", "gas", gas(func(in *customer.Input) { in.Phone = "138abc00000" }), "phone"},
		{"name", "gas", gas(func(in *customer.Input) { in.Name = "" }), "name"},
		{"profile key", "property", customer.Input{Name: "业主", Profile: map[string]string{"健康": "良好"}}, "profile.健康"},
		{"point kind of another pack", "gas", gas(func(in *customer.Input) {
			in.ServicePoints = []customer.ServicePointInput{{Kind: "property_unit", AccountNo: "1"}}
		}), "service_points[0].kind"},
		{"point account", "gas", gas(func(in *customer.Input) {
			in.ServicePoints = []customer.ServicePointInput{{Kind: "gas_account"}}
		}), "service_points[0].account_no"},
		{"reading frequency", "gas", gas(func(in *customer.Input) {
			in.ServicePoints = []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "1", Attributes: map[string]any{"reading_frequency": "hourly"}}}
		}), "service_points[0].attributes.reading_frequency"},
		{"unknown attribute", "gas", gas(func(in *customer.Input) {
			in.ServicePoints = []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "1", Attributes: map[string]any{"colour": "red"}}}
		}), "service_points[0].attributes.colour"},
		{"voltage (CUS-003)", "power", customer.Input{Name: "厂", Type: "hv_single", ServicePoints: []customer.ServicePointInput{
			{Kind: "power_supply_point", AccountNo: "P1", Attributes: map[string]any{"voltage": "ten kV"}}}}, "service_points[0].attributes.voltage"},
		{"two points, one account", "gas", gas(func(in *customer.Input) {
			in.ServicePoints = []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "7"}, {Kind: "gas_account", AccountNo: "7"}}
		}), "service_points[1].account_no"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Normalize()
			err := in.Validate(pack[c.pack])
			if c.field == "" {
				isNil(t, err)
				return
			}
			wantErr(t, err, http.StatusUnprocessableEntity, c.field)
		})
	}
}

// TestOneArchivePerAccount is CUS-001's example: account 3-2-501 already
// has archive G-000001, so a second archive for it — typed with full-width
// digits — is refused with 409 naming the field and the existing archive,
// and nothing is written. Another company may hold the same account
// number; a customer's several points cross-reference each other (ARC-002).
func TestOneArchivePerAccount(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		first := f.create(agent, customer.Input{Name: "张三", Phone: "13800000001", Type: "residential",
			ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "3-2-501", Address: "幸福里3栋2单元501",
				Attributes: map[string]any{"meters": []string{"Ｍ-0001"}, "reading_frequency": "weekly"}}}})
		if len(first.ServicePoints) != 1 || first.ServicePoints[0].ArchiveNo != "G-000001" {
			t.Fatalf("first archive: %+v", first.ServicePoints)
		}
		if m := first.ServicePoints[0].Attributes["meters"]; !slices.Equal(m.([]any), []any{"M-0001"}) {
			t.Errorf("meters %v, want the folded meter number", m)
		}
		customers := f.count("SELECT count(*) FROM customers")
		_, _, err := f.svc.Create(f.ctx, agent, customer.Input{Name: "李四", Phone: "13900000002", Type: "residential",
			ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "３-２-５０１"}}})
		e := wantErr(t, err, http.StatusConflict, "service_points[0].account_no")
		if !strings.Contains(e.Message.In("zh-CN"), "G-000001") || !strings.Contains(e.Message.In("en"), "G-000001") {
			t.Errorf("message %q does not name the existing archive", e.Message.In("en"))
		}
		if got := f.count("SELECT count(*) FROM customers"); got != customers {
			t.Errorf("refused creation wrote a customer: %d → %d", customers, got)
		}
		// The same through AddServicePoint names the body's field.
		_, err = f.svc.AddServicePoint(f.ctx, agent, first.ID, customer.ServicePointInput{Kind: "gas_account", AccountNo: "3-2-501"})
		wantErr(t, err, http.StatusConflict, "account_no")

		// Property units: account from building-unit-room, cross-referenced.
		pa := f.as(auth.RoleCSAgent, f.property)
		owner := f.create(pa, customer.Input{Name: "赵业主", ServicePoints: []customer.ServicePointInput{
			{Kind: "property_unit", Attributes: map[string]any{"building": "2", "unit": "1", "room": 1101}},
			{Kind: "property_unit", AccountNo: "2-1-1102"}}})
		if len(owner.ServicePoints) != 2 {
			t.Fatalf("points: %+v", owner.ServicePoints)
		}
		a, b := owner.ServicePoints[0], owner.ServicePoints[1]
		if a.AccountNo != "2-1-1101" || !strings.HasPrefix(a.ArchiveNo, "H-") {
			t.Errorf("unit account %q archive %q", a.AccountNo, a.ArchiveNo)
		}
		if len(a.Related) != 1 || a.Related[0].ArchiveNo != b.ArchiveNo || a.Related[0].Relation != "same_owner" ||
			len(b.Related) != 1 || b.Related[0].ArchiveNo != a.ArchiveNo {
			t.Errorf("cross-references: %+v / %+v", a.Related, b.Related)
		}
		// Power: HV derived from the voltage (CUS-003).
		po := f.as(auth.RoleCSAgent, f.power)
		plant := f.create(po, customer.Input{Name: "机械厂", Type: "hv_single", Kind: customer.Organisation,
			ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: "3-2-501",
				Attributes: map[string]any{"voltage": "10 kv", "contracted_capacity_kva": "800", "hv": false}},
				{Kind: "power_supply_point", AccountNo: "3-2-502", Attributes: map[string]any{"voltage": "380V"}}}})
		if at := plant.ServicePoints[0].Attributes; at["voltage"] != "10kV" || at["hv"] != true || at["contracted_capacity_kva"] != 800.0 {
			t.Errorf("10 kV point: %v", at)
		}
		if at := plant.ServicePoints[1].Attributes; at["hv"] != false {
			t.Errorf("380 V point: %v", at)
		}
	})
}

// TestGradeCounts is CUS-004's rounding: counts to the nearest, A at least 1.
func TestGradeCounts(t *testing.T) {
	cuts := []int{10, 20, 30, 40}
	for n, want := range map[int][4]int{50: {5, 10, 15, 20}, 1: {1, 0, 0, 0}, 3: {1, 1, 1, 0}, 7: {1, 1, 2, 3},
		15: {2, 3, 5, 5}, 0: {0, 0, 0, 0}} {
		if got := customer.GradeCounts(n, cuts); got != want {
			t.Errorf("GradeCounts(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestRegrade is CUS-004's example: 50 customers of a region graded
// 5/10/15/20 in one run with one history row each; the 6th may then be
// overridden to A only with a reason.
func TestRegrade(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		metrics := map[store.ID]float64{}
		var ids []store.ID
		for i := range 50 {
			c := f.create(agent, customer.Input{Name: "客户" + string(rune('甲'+i)), Type: "commercial"})
			metrics[c.ID] = float64(1000 - 10*i) // the first created sells most
			ids = append(ids, c.ID)
		}
		if _, err := f.svc.Regrade(f.ctx, agent, customer.RegradeInput{Unit: f.gas.ID, Metrics: metrics}); err == nil {
			t.Error("a cs_agent ran a regrade")
		}
		manager := f.as(auth.RoleManager, f.gas)
		res, err := f.svc.Regrade(f.ctx, manager, customer.RegradeInput{Unit: f.gas.ID, Metrics: metrics})
		isNil(t, err)
		if res.Total != 50 || res.Counts["A"] != 5 || res.Counts["B"] != 10 || res.Counts["C"] != 15 || res.Counts["D"] != 20 {
			t.Fatalf("counts %v of %d", res.Counts, res.Total)
		}
		if len(res.Changes) != 50 || res.RunID == 0 {
			t.Errorf("%d changes, run %d", len(res.Changes), res.RunID)
		}
		want := map[int]string{0: "A", 4: "A", 5: "B", 14: "B", 15: "C", 29: "C", 30: "D", 49: "D"}
		for i, g := range want {
			c, err := f.svc.Get(f.ctx, manager, ids[i])
			isNil(t, err)
			if c.Grade != g {
				t.Errorf("customer ranked %d: grade %s, want %s", i+1, c.Grade, g)
			}
		}
		if n := f.count("SELECT count(*) FROM customer_grades WHERE run_id = ?", res.RunID); n != 50 {
			t.Errorf("%d history rows for the run, want 50", n)
		}
		again, err := f.svc.Regrade(f.ctx, manager, customer.RegradeInput{Unit: f.gas.ID, Metrics: metrics})
		isNil(t, err)
		if len(again.Changes) != 0 || again.RunID == res.RunID {
			t.Errorf("second run: %d changes, run %d", len(again.Changes), again.RunID)
		}
		// Override the 6th to A: a reason is required (CUS-004).
		_, err = f.svc.SetClassification(f.ctx, manager, ids[5], customer.Change{Dimension: "grade", Value: "A"})
		wantErr(t, err, http.StatusUnprocessableEntity, "reason")
		c, err := f.svc.SetClassification(f.ctx, manager, ids[5], customer.Change{Dimension: "grade", Value: "a", Reason: "strategic project"})
		isNil(t, err)
		if c.Grade != "A" {
			t.Errorf("override: grade %s", c.Grade)
		}
		h, err := f.svc.History(f.ctx, manager, ids[5])
		isNil(t, err)
		if g := h.Classification[0]; g.Dimension != "grade" || g.Value != "A" || g.Previous != "B" || g.Reason != "strategic project" {
			t.Errorf("newest classification row %+v", g)
		}
		_, err = f.svc.Regrade(f.ctx, manager, customer.RegradeInput{Unit: f.gas.ID, Metrics: map[store.ID]float64{ids[0]: -1}})
		wantErr(t, err, http.StatusUnprocessableEntity, "metrics."+ids[0].String())
		_, err = f.svc.Regrade(f.ctx, manager, customer.RegradeInput{Unit: f.power.ID})
		wantErr(t, err, http.StatusUnprocessableEntity, "unit") // outside the manager's scope
	})
}
