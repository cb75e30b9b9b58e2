package auth

import (
	"slices"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestColleagues: an agent in a department sees the active staff of the
// whole company (other departments included, for assignment across
// departments, TKT-005) and nobody of another company; group-level staff
// see the group.
func TestColleagues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.user(nil, "agent", f.ad.ID, RoleCSAgent)
		repair := f.user(nil, "repair", f.a.ID, RoleFieldStaff)
		other := f.user(nil, "other", f.b.ID, RoleFieldStaff)
		gone := f.user(nil, "gone", f.a.ID, RoleFieldStaff)
		active := false
		if _, err := f.svc.Update(f.ctx, principal(f.admin), gone.ID, UpdateUserInput{Active: &active}); err != nil {
			t.Fatal(err)
		}
		names := func(p *Principal) []string {
			t.Helper()
			cs, err := f.svc.Colleagues(f.ctx, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, c.Username)
				if c.Username == "repair" && !slices.Contains(c.Roles, RoleFieldStaff) {
					t.Errorf("repair's roles %v", c.Roles)
				}
			}
			slices.Sort(out)
			return out
		}
		if got := names(principal(agent)); !slices.Equal(got, []string{"agent", "repair"}) {
			t.Errorf("agent's colleagues %v, want agent and repair (not other, not the inactive gone)", got)
		}
		if got := names(principal(other)); !slices.Equal(got, []string{"other"}) {
			t.Errorf("company B sees %v", got)
		}
		if got := names(principal(f.admin)); len(got) != 4 {
			t.Errorf("group level sees %v, want the 4 active users", got)
		}
		if got, err := f.svc.DisplayName(f.ctx, repair.ID); err != nil || got != repair.DisplayName {
			t.Errorf("display name %q %v", got, err)
		}
	})
}
