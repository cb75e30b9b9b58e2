package auth

import (
	"slices"
	"strings"
	"testing"

	"kefu/internal/i18n"
)

func TestRolesCatalogue(t *testing.T) {
	want := []Role{RoleAdmin, RoleCSAgent, RoleCSSupervisor, RoleFieldStaff, RoleDeptStaff, RoleAuditor,
		RoleManager, RoleSalesAgent, RoleSalesManager, RoleArchivist, RoleViewer}
	var keys []Role
	for _, r := range Roles {
		keys = append(keys, r.Key)
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("role keys = %v, want the fixed keys of API.md %v", keys, want)
	}
	for _, r := range Roles {
		got, ok := LookupRole(r.Key)
		if !ok || got.Key != r.Key {
			t.Errorf("LookupRole(%s) = %v, %v", r.Key, got.Key, ok)
		}
		if r.Name.In(i18n.ZH) == "" || r.Name.In(i18n.EN) == "" || r.Name.In(i18n.ZH) == r.Name.In(i18n.EN) {
			t.Errorf("role %s has no name in both languages: %+v", r.Key, r.Name)
		}
		if len(r.Permissions) == 0 {
			t.Errorf("role %s grants nothing", r.Key)
		}
		seen := map[Permission]bool{}
		for _, p := range r.Permissions {
			if seen[p] {
				t.Errorf("role %s lists %s twice", r.Key, p)
			}
			seen[p] = true
			if p != PermAll && strings.Count(string(p), ":") != 1 {
				t.Errorf("role %s: permission %q is not resource:action", r.Key, p)
			}
		}
		// Every role may read the org tree (everyone belongs to a unit).
		if !Grants([]Role{r.Key}, PermOrgRead) {
			t.Errorf("role %s cannot read the org tree", r.Key)
		}
		// Everyone may use routes that need only a sign-in.
		if !Grants([]Role{r.Key}, "") {
			t.Errorf("role %s is refused the empty permission", r.Key)
		}
	}
	if _, ok := LookupRole("root"); ok {
		t.Error("LookupRole accepts an unknown role")
	}
}

// allPermissions lists every permission some role names.
func allPermissions() []Permission {
	var out []Permission
	for _, r := range Roles {
		for _, p := range r.Permissions {
			if p != PermAll && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return append(out, PermUsersWrite, PermOrgWrite, PermCalendarsWrite, PermPolicyWrite, "never:granted")
}

func TestGrants(t *testing.T) {
	for _, p := range allPermissions() {
		if !Grants([]Role{RoleAdmin}, p) {
			t.Errorf("admin lacks %s", p)
		}
		if Grants(nil, p) || Grants([]Role{"nobody"}, p) {
			t.Errorf("no role (or an unknown one) grants %s", p)
		}
	}
	for _, p := range allPermissions() {
		s := string(p)
		if strings.HasSuffix(s, ":write") || strings.HasSuffix(s, ":create") || strings.HasSuffix(s, ":act") ||
			strings.HasSuffix(s, ":approve") || strings.HasSuffix(s, ":import") || strings.HasSuffix(s, ":manage") ||
			strings.HasSuffix(s, ":receive") || p == PermCustomersConfidential || p == PermAuditRead || p == PermUsersRead {
			if Grants([]Role{RoleViewer}, p) {
				t.Errorf("viewer (read-only) holds %s", p)
			}
		}
	}
	// Only admin may administer users, the tree, calendars and policy.
	for _, p := range []Permission{PermUsersWrite, PermOrgWrite, PermCalendarsWrite, PermPolicyWrite} {
		for _, r := range Roles {
			if r.Key != RoleAdmin && Grants([]Role{r.Key}, p) {
				t.Errorf("role %s holds %s", r.Key, p)
			}
		}
	}
	// Roles combine: the union of their permissions.
	if !Grants([]Role{RoleViewer, RoleCSAgent}, PermTicketsCreate) || Grants([]Role{RoleViewer}, PermTicketsCreate) {
		t.Error("roles do not combine as a union")
	}
	for _, c := range []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleCSAgent, PermTicketsCreate, true},
		{RoleCSAgent, PermUsersRead, false},
		{RoleCSSupervisor, PermUsersRead, true},
		{RoleCSSupervisor, PermUsersWrite, false},
		{RoleAuditor, PermAuditRead, true},
		{RoleManager, PermAuditRead, true},
		{RoleCSAgent, PermAuditRead, false},
		{RoleSalesAgent, PermTicketsRead, false},
		{RoleArchivist, PermArchivesWrite, true},
		{RoleFieldStaff, PermCustomersWrite, false},
	} {
		if got := Grants([]Role{c.role}, c.perm); got != c.want {
			t.Errorf("Grants(%s, %s) = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
}

func TestPrincipalNil(t *testing.T) {
	var p *Principal
	if p.Can("") || p.Can(PermOrgRead) || p.IsAdmin() {
		t.Error("a nil principal may do something")
	}
	admin := &Principal{Roles: []Role{RoleViewer, RoleAdmin}, OrgPath: "/1/2/"}
	if !admin.Scope().All {
		t.Error("admin's scope is not everything")
	}
	staff := &Principal{Roles: []Role{RoleCSSupervisor}, OrgPath: "/1/2/"}
	if sc := staff.Scope(); sc.All || sc.Path != "/1/2/" {
		t.Errorf("supervisor scope = %+v", sc)
	}
}
