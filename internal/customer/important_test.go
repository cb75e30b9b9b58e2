package customer_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func minutes(n int) *int { return &n }

// TestValidateSupply walks the CUS-007 table; its example: two circuits
// from substation S1 bus I and S1 bus II are invalid for grade 1 (one
// substation) and valid for grade 2.
func TestValidateSupply(t *testing.T) {
	s1 := []customer.Source{{Substation: "S1", Bus: "I", CanSupplyAlone: true}, {Substation: "S1", Bus: "II", CanSupplyAlone: true}}
	three := []customer.Source{{Substation: "S1", CanSupplyAlone: true}, {Substation: "S2", CanSupplyAlone: true},
		{Substation: "S3", CanSupplyAlone: true}}
	weakThird := []customer.Source{three[0], three[1], {Substation: "S3"}}
	for _, c := range []struct {
		name  string
		grade string
		s     customer.Supply
		valid bool
		code  string // first problem (or warning when valid)
	}{
		{"CUS-007 example, grade 1", "grade1", customer.Supply{Sources: s1}, false, "substations"},
		{"CUS-007 example, grade 2", "grade2", customer.Supply{Sources: s1}, true, "allowed_interruption"},
		{"grade 2 one bus", "grade2", customer.Supply{Sources: []customer.Source{{Substation: "S1", Bus: "I"}, {Substation: "S1", Bus: "I"}}}, false, "dual_circuit"},
		{"grade 1 two substations", "grade1", customer.Supply{Sources: []customer.Source{three[0], three[1]},
			AllowedInterruptionMinutes: minutes(10), SwitchoverMinutes: minutes(5)}, true, ""},
		{"grade 1 one cannot carry", "grade1", customer.Supply{Sources: []customer.Source{three[0], {Substation: "S2"}}}, false, "survivability"},
		{"special three", "special", customer.Supply{Sources: three}, true, "allowed_interruption"},
		{"special two", "special", customer.Supply{Sources: three[:2]}, false, "min_sources"},
		{"special third cannot carry", "special", customer.Supply{Sources: weakThird}, false, "survivability"},
		{"switchover too slow", "grade2", customer.Supply{Sources: s1, AllowedInterruptionMinutes: minutes(1), SwitchoverMinutes: minutes(3)}, false, "switchover"},
		{"temporary warns only", "temporary", customer.Supply{Sources: s1[:1]}, true, "min_sources"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := customer.ValidateSupply(c.grade, c.s)
			isNil(t, err)
			if got.Valid != c.valid {
				t.Fatalf("valid %v, want %v: %+v", got.Valid, c.valid, got)
			}
			list := got.Problems
			if c.valid {
				list = got.Warnings
				if len(got.Problems) != 0 {
					t.Errorf("valid with problems %+v", got.Problems)
				}
			}
			switch {
			case c.code == "" && len(list) != 0:
				t.Errorf("unexpected %+v", list)
			case c.code != "" && (len(list) == 0 || list[0].Code != c.code):
				t.Errorf("problems %+v, want first %s", list, c.code)
			}
		})
	}
	_, err := customer.ValidateSupply("grade9", customer.Supply{})
	wantErr(t, err, http.StatusUnprocessableEntity, "grade")
}

// TestImportantCustomerApproval: the states of CUS-006, approval blocked
// without the designated outage contact and maintainer (CUS-010) and with
// a supply that fails CUS-007; every move is in the classification history.
func TestImportantCustomerApproval(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		manager := f.as(auth.RoleManager, f.power)
		sup := f.as(auth.RoleCSSupervisor, f.power) // edits the archive (customers:write)
		hospital := f.create(f.as(auth.RoleCSAgent, f.power), customer.Input{Name: "市第一人民医院", Kind: customer.Organisation,
			Type: "hv_dual", Importance: "grade1",
			Supply: &customer.Supply{Sources: []customer.Source{{Substation: "S1", Bus: "I", CanSupplyAlone: true},
				{Substation: "S1", Bus: "II", CanSupplyAlone: true}}}})
		if hospital.ImportanceState != customer.StateCandidate {
			t.Fatalf("state %q, want candidate", hospital.ImportanceState)
		}
		move := func(state string) error {
			_, err := f.svc.SetClassification(f.ctx, manager, hospital.ID, customer.Change{Dimension: "importance_state", Value: state,
				Reason: "2026年度审查"})
			return err
		}
		wantErr(t, move(customer.StateApproved), http.StatusConflict, "value") // candidate cannot jump to approved
		isNil(t, move(customer.StateProposed))
		wantErr(t, move(customer.StateApproved), http.StatusUnprocessableEntity, "outage_contact")
		cur, err := f.svc.Get(f.ctx, manager, hospital.ID)
		isNil(t, err)
		maint := f.user("maint", f.power)
		contact := "院办 王主任 13800001111"
		cur, err = f.svc.Update(f.ctx, sup, hospital.ID, customer.Patch{Version: cur.Version, OutageContact: &contact, MaintainerID: &maint})
		isNil(t, err)
		e := wantErr(t, move(customer.StateApproved), http.StatusUnprocessableEntity, "supply") // CUS-007: one substation
		if e.Message.ZH == "" {
			t.Error("no message")
		}
		good := customer.Supply{Sources: []customer.Source{{Substation: "S1", Bus: "I", CanSupplyAlone: true},
			{Substation: "S2", Bus: "I", CanSupplyAlone: true}}, AllowedInterruptionMinutes: minutes(5), SwitchoverMinutes: minutes(1)}
		cur, err = f.svc.Update(f.ctx, sup, hospital.ID, customer.Patch{Version: cur.Version, Supply: &good})
		isNil(t, err)
		isNil(t, move(customer.StateApproved))
		// An approved customer's supply may not be lowered (CUS-007 re-run).
		after, err := f.svc.Get(f.ctx, manager, hospital.ID)
		isNil(t, err)
		bad := customer.Supply{Sources: good.Sources[:1]}
		_, err = f.svc.Update(f.ctx, sup, hospital.ID, customer.Patch{Version: after.Version, Supply: &bad})
		wantErr(t, err, http.StatusUnprocessableEntity, "supply")
		// A new grade sends it back to proposed (CUS-006).
		c, err := f.svc.SetClassification(f.ctx, manager, hospital.ID, customer.Change{Dimension: "importance", Value: "grade2", Reason: "复核"})
		isNil(t, err)
		if c.Importance != "grade2" || c.ImportanceState != customer.StateProposed {
			t.Errorf("after regrading: %s %s", c.Importance, c.ImportanceState)
		}
		h, err := f.svc.History(f.ctx, manager, hospital.ID)
		isNil(t, err)
		var states []string
		for _, g := range h.Classification {
			if g.Dimension == "importance_state" {
				states = append(states, g.Value)
			}
		}
		if want := []string{"proposed", "approved", "proposed", "candidate"}; len(states) != 4 || states[0] != want[0] ||
			states[1] != want[1] || states[2] != want[2] || states[3] != want[3] {
			t.Errorf("state history (newest first) %v, want %v", states, want)
		}
		// A cs_agent may not classify.
		_, err = f.svc.SetClassification(f.ctx, f.as(auth.RoleCSAgent, f.power), hospital.ID, customer.Change{Dimension: "grade", Value: "A", Reason: "x"})
		wantErr(t, err, http.StatusForbidden, "")
	})
}
