package web

import (
	"kefu/internal/auth"
	"kefu/internal/i18n"
)

// navItem is one entry of the left navigation. Href "" marks a module that
// is not built yet: it is shown greyed as "建设中", not as a link. A module
// that gets its UI sets its Href here.
type navItem struct {
	Key  string // label "nav.<Key>" and the Active key of its pages
	Href string
	Perm auth.Permission // shown only to users holding it ("" = everyone)
}

// navSections are the modules of PRODUCT.md §2, then administration, then
// the user's own account.
var navSections = []struct {
	Key   string
	Items []navItem
}{
	{"business", []navItem{
		{"home", "/", ""},
		{"tickets", "/tickets", auth.PermTicketsRead},
		{"customers", "/customers", auth.PermCustomersRead},
		{"processes", "/processes", auth.PermProcessesRead},
		{"visits", "/visits", auth.PermVisitsRead},
		{"surveys", "/surveys", auth.PermSurveysRead},
		{"sampling", "/sampling", auth.PermSamplingRead},
		{"inspections", "/inspections", auth.PermInspectionsRead},
		{"hazards", "/hazards", auth.PermInspectionsRead},
		{"merits", "/merits", auth.PermMeritsRead},
		{"sales", "/sales", auth.PermSalesRead},
		{"archives", "/archives", auth.PermArchivesRead},
		{"archive_loans", "/archives/loans", auth.PermArchivesBorrow},
		{"calc", "", auth.PermCalcUse},
		{"knowledge", "", auth.PermKnowledgeRead},
		{"reports", "", auth.PermReportsRead},
		{"staff", "/staff/certificates", auth.PermStaffRead},
	}},
	{"admin", []navItem{
		{"users", "/admin/users", auth.PermUsersRead},
		{"org", "/admin/org", auth.PermOrgRead},
		{"audit", "/admin/audit", auth.PermAuditRead},
		{"calendars", "/admin/calendars", auth.PermCalendarsRead},
		{"policy", "/admin/policy", auth.PermPolicyRead},
		{"webhooks", "/admin/webhooks", auth.PermWebhooksManage},
	}},
	{"account", []navItem{
		{"password", "/account/password", ""},
	}},
}

// navSection and navLink are the navigation as one user sees it.
type navSection struct {
	Title string
	Items []navLink
}

type navLink struct {
	Key    string
	Label  string
	Href   string
	Built  bool
	Active bool
}

// navFor returns the entries the principal may see, with active highlighted.
func navFor(p *auth.Principal, active string, l i18n.Locale) []navSection {
	var out []navSection
	for _, sec := range navSections {
		s := navSection{Title: label("nav.section." + sec.Key).In(l)}
		for _, it := range sec.Items {
			if !p.Can(it.Perm) {
				continue
			}
			s.Items = append(s.Items, navLink{Key: it.Key, Label: label("nav." + it.Key).In(l), Href: it.Href,
				Built: it.Href != "", Active: it.Key == active})
		}
		if len(s.Items) > 0 {
			out = append(out, s)
		}
	}
	return out
}
