package auth

import (
	"slices"

	"kefu/internal/i18n"
)

// Role is one of the fixed role keys of API.md.
type Role string

// The built-in roles.
const (
	RoleAdmin        Role = "admin"
	RoleCSAgent      Role = "cs_agent"
	RoleCSSupervisor Role = "cs_supervisor"
	RoleFieldStaff   Role = "field_staff"
	RoleDeptStaff    Role = "dept_staff"
	RoleAuditor      Role = "auditor"
	RoleManager      Role = "manager"
	RoleSalesAgent   Role = "sales_agent"
	RoleSalesManager Role = "sales_manager"
	RoleArchivist    Role = "archivist"
	RoleViewer       Role = "viewer"
)

// Permission is a `resource:action` string checked in the route tables.
type Permission string

// Permissions of the whole product. Each module checks its own; the role
// catalogue below grants them (SEC-001).
const (
	PermUsersRead  Permission = "users:read"
	PermUsersWrite Permission = "users:write"
	PermOrgRead    Permission = "org:read"
	PermOrgWrite   Permission = "org:write"
	PermAuditRead  Permission = "audit:read"

	PermCalendarsRead  Permission = "calendars:read"
	PermCalendarsWrite Permission = "calendars:write"
	PermPolicyRead     Permission = "policy:read"
	PermPolicyWrite    Permission = "policy:write"

	PermCustomersRead         Permission = "customers:read"
	PermCustomersWrite        Permission = "customers:write"
	PermCustomersConfidential Permission = "customers:confidential"
	PermCustomersImport       Permission = "customers:import"
	PermCustomersExport       Permission = "customers:export"
	// PermCustomersManage: classify, regrade and merge customers (CUS-004,
	// CUS-006, CUS-016) — supervisors and managers, not agents.
	PermCustomersManage Permission = "customers:manage"

	PermTicketsRead    Permission = "tickets:read"
	PermTicketsCreate  Permission = "tickets:create"
	PermTicketsAct     Permission = "tickets:act"
	PermTicketsApprove Permission = "tickets:approve"

	PermProcessesRead    Permission = "processes:read"
	PermProcessesAct     Permission = "processes:act"
	PermProcessesApprove Permission = "processes:approve"
	PermVisitsRead       Permission = "visits:read"
	PermVisitsAct        Permission = "visits:act"
	PermSurveysRead      Permission = "surveys:read"
	PermSurveysWrite     Permission = "surveys:write"
	// PermSurveysAnswer: fill in a survey form with the customer, on the
	// phone or in person with the customer signing on screen (SUR-001).
	PermSurveysAnswer    Permission = "surveys:answer"
	PermSamplingRead     Permission = "sampling:read"
	PermSamplingWrite    Permission = "sampling:write"
	PermInspectionsRead  Permission = "inspections:read"
	PermInspectionsWrite Permission = "inspections:write"
	PermMeritsRead       Permission = "merits:read"
	PermMeritsWrite      Permission = "merits:write"
	PermMeritsApprove    Permission = "merits:approve"
	PermSalesRead        Permission = "sales:read"
	PermSalesReceive     Permission = "sales:receive"
	PermSalesManage      Permission = "sales:manage"
	PermArchivesRead     Permission = "archives:read"
	PermArchivesWrite    Permission = "archives:write"
	PermArchivesApprove  Permission = "archives:approve"
	// PermArchivesBorrow: apply to borrow an archive file and follow the
	// application (ARC-011); every staff role may, the approval chain of
	// the pack decides (ARC-012).
	PermArchivesBorrow Permission = "archives:borrow"
	PermCalcUse        Permission = "calc:use"
	PermReportsRead    Permission = "reports:read"
	PermKnowledgeRead  Permission = "knowledge:read"
	PermKnowledgeWrite Permission = "knowledge:write"
	PermStaffRead      Permission = "staff:read"
	PermStaffWrite     Permission = "staff:write"
	PermWebhooksManage Permission = "webhooks:manage" // admin: outgoing webhooks and their deliveries
)

// PermAll is granted to admin: every permission.
const PermAll Permission = "*"

// RoleInfo describes a role for people.
type RoleInfo struct {
	Key         Role         `json:"key"`
	Name        i18n.Text    `json:"-"`
	Permissions []Permission `json:"permissions"`
}

var readAll = []Permission{PermOrgRead, PermCalendarsRead, PermPolicyRead, PermCustomersRead,
	PermTicketsRead, PermProcessesRead, PermVisitsRead, PermSurveysRead, PermSamplingRead,
	PermInspectionsRead, PermMeritsRead, PermArchivesRead, PermReportsRead, PermKnowledgeRead,
	PermStaffRead, PermSalesRead, PermCalcUse, PermArchivesBorrow}

func join(groups ...[]Permission) []Permission {
	var out []Permission
	for _, g := range groups {
		for _, p := range g {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

var (
	agentPerms = []Permission{PermOrgRead, PermCalendarsRead, PermPolicyRead, PermCustomersRead,
		PermCustomersWrite, PermTicketsRead, PermTicketsCreate, PermTicketsAct, PermVisitsRead,
		PermVisitsAct, PermSurveysRead, PermSurveysAnswer, PermCalcUse, PermKnowledgeRead, PermProcessesRead,
		PermProcessesAct,                   // the business window accepts applications (PRC-001)
		PermMeritsRead, PermArchivesBorrow} // everybody reads their own ledger and appeals (MER-006); the company's needs merits:write
	salesAgentPerms = []Permission{PermOrgRead, PermCalendarsRead, PermPolicyRead, PermCustomersRead,
		PermCustomersWrite, PermSalesRead, PermSalesReceive, PermKnowledgeRead, PermCalcUse, PermMeritsRead, PermArchivesBorrow}
)

// Roles is the role catalogue, in the order shown to people.
var Roles = []RoleInfo{
	{RoleAdmin, i18n.T("系统管理员", "Administrator"), []Permission{PermAll}},
	// Hotline operators are level-1 checkers of supervision sampling
	// (SMP-002): they read the sampling records and verify the tasks
	// assigned to them (sampling:read + being the task's checker); drawing,
	// closing and recording failures need sampling:write.
	{RoleCSAgent, i18n.T("客服专员/热线员", "Customer service agent"), join(agentPerms, []Permission{PermSamplingRead})},
	{RoleCSSupervisor, i18n.T("客服主管", "Customer service supervisor"), join(agentPerms, []Permission{
		PermUsersRead, PermTicketsApprove, PermSurveysWrite, PermCustomersImport, PermCustomersExport,
		PermCustomersConfidential, PermCustomersManage, PermKnowledgeWrite, PermReportsRead, PermSamplingRead,
		PermSamplingWrite,               // team leaders and supervisors: level-2 checkers (SMP-002, SMP-009)
		PermMeritsRead, PermMeritsWrite, // supervisors propose entries and mediate appeals (MER-006)
		PermProcessesAct, PermStaffRead})},
	{RoleFieldStaff, i18n.T("现场人员(维修员/安检员/物业助理)", "Field staff"), []Permission{PermOrgRead,
		PermCalendarsRead, PermPolicyRead, PermCustomersRead, PermTicketsRead, PermTicketsAct,
		PermInspectionsRead, PermInspectionsWrite, PermVisitsRead, PermVisitsAct, PermKnowledgeRead, PermCalcUse,
		PermProcessesRead, PermProcessesAct, // site surveys, inspections, energising (PRC-017, PRC-021)
		PermSurveysRead, PermSurveysAnswer, // survey forms filled in with the customer (SUR-001)
		PermMeritsRead, PermArchivesBorrow}},
	{RoleDeptStaff, i18n.T("职能部门", "Department staff"), []Permission{PermOrgRead, PermCalendarsRead,
		PermPolicyRead, PermCustomersRead, PermTicketsRead, PermTicketsAct, PermProcessesRead,
		PermProcessesAct, PermKnowledgeRead, PermCalcUse, PermMeritsRead, PermArchivesBorrow}},
	{RoleAuditor, i18n.T("稽查员/安监部", "Auditor"), join(readAll, []Permission{PermUsersRead,
		PermAuditRead, PermSamplingWrite, PermMeritsWrite, PermInspectionsWrite,
		PermProcessesAct})}, // the safety department countersigns acceptance (PRC-019)
	{RoleManager, i18n.T("经理/领导", "Manager"), join(readAll, []Permission{PermUsersRead, PermAuditRead,
		PermTicketsApprove, PermProcessesAct, PermProcessesApprove, PermVisitsAct, PermMeritsWrite, PermMeritsApprove, PermArchivesApprove,
		PermCustomersConfidential, PermCustomersExport, PermCustomersManage, PermSurveysWrite, PermSurveysAnswer, PermSalesManage,
		PermSamplingWrite})}, // levels 3 and 4 decide escalated problems and record failures (SMP-013, SMP-017)
	{RoleSalesAgent, i18n.T("售楼员", "Sales agent"), salesAgentPerms},
	{RoleSalesManager, i18n.T("销售经理", "Sales manager"), join(salesAgentPerms, []Permission{
		PermUsersRead, PermSalesManage, PermReportsRead, PermCustomersExport, PermCustomersManage,
		PermMeritsWrite, PermMeritsApprove})}, // the Sales Director confirms the department's fines (MER-010)
	{RoleArchivist, i18n.T("档案管理员", "Archivist"), []Permission{PermOrgRead, PermCalendarsRead,
		PermCustomersRead, PermCustomersWrite, PermCustomersConfidential, PermCustomersImport, PermArchivesRead,
		PermArchivesWrite, PermArchivesBorrow, PermKnowledgeRead, PermPolicyRead}},
	{RoleViewer, i18n.T("只读用户", "Viewer"), []Permission{PermOrgRead, PermCalendarsRead, PermPolicyRead,
		PermCustomersRead, PermTicketsRead, PermProcessesRead, PermReportsRead, PermKnowledgeRead}},
}

// Label is the role's name in both languages; an unknown key names itself.
func (r Role) Label() i18n.Text {
	if info, ok := LookupRole(r); ok {
		return info.Name
	}
	return i18n.Text{ZH: string(r), EN: string(r)}
}

// LookupRole returns the catalogue entry of a role key.
func LookupRole(key Role) (RoleInfo, bool) {
	for _, r := range Roles {
		if r.Key == key {
			return r, true
		}
	}
	return RoleInfo{}, false
}

// Grants reports whether any of the roles grants p. The empty permission
// means "any signed-in user".
func Grants(roles []Role, p Permission) bool {
	if p == "" {
		return true
	}
	for _, key := range roles {
		r, ok := LookupRole(key)
		if !ok {
			continue
		}
		if slices.Contains(r.Permissions, PermAll) || slices.Contains(r.Permissions, p) {
			return true
		}
	}
	return false
}
