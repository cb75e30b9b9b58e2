package httpapi

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/sales"
)

// leasingRoutes are the leasing variant of seed 003-D: daily submissions
// (SAL-025, SAL-027), customer archive forms (SAL-028) and the General
// Manager's view grants (SEC-005).
func (h salesAPI) leasingRoutes(tag string, unit Param) []Route {
	read, receive := auth.PermSalesRead, auth.PermSalesReceive
	return []Route{
		{Method: "POST", Path: "/api/v1/sales/submissions", Permission: receive, Tag: tag,
			Summary: "报送客户信息登记表 Submit one's day to General Services (SAL-025): due 18:00 that day on cn-office, " +
				"10:00 the next day with a special_reason (G-55); late proposes MER-013; every entry must say with or " +
				"without an intermediary (SAL-027); once per day",
			Request: sales.SubmissionInput{}, Response: sales.Submission{}, Status: http.StatusCreated, handle: h.submit},
		{Method: "GET", Path: "/api/v1/sales/submissions/due", Permission: read, Tag: tag,
			Summary: "待报送 Days with leasing entries not yet submitted, with their due time and whether overdue",
			Query:   []Param{unit}, Response: list[sales.SubmissionDue]{}, handle: h.submissionsDue},
		{Method: "GET", Path: "/api/v1/sales/submissions", Permission: read, Tag: tag,
			Summary: "报送记录 A leasing centre's submissions: one's own, or every manager's for the custodian or a " +
				"holder of the General Manager's grant (SEC-005)",
			Query:    []Param{unit, {"from", "YYYY-MM-DD, inclusive"}, {"to", "YYYY-MM-DD, inclusive"}},
			Response: list[sales.Submission]{}, handle: h.submissions},
		{Method: "POST", Path: "/api/v1/sales/archive-forms", Permission: receive, Tag: tag,
			Summary: "建立客户档案表 File a customer archive form with its first content (SAL-028)",
			Request: sales.ArchiveFormInput{}, Response: sales.ArchiveForm{}, Status: http.StatusCreated,
			handle: h.createArchiveForm},
		{Method: "GET", Path: "/api/v1/sales/archive-forms", Permission: read, Tag: tag,
			Summary: "客户档案表 A leasing centre's archive forms (own, or all with a grant, SEC-005)",
			Query:   []Param{unit, {"state", "following, closed, unclosed"}}, Response: list[sales.ArchiveForm]{},
			handle: h.archiveForms},
		{Method: "GET", Path: "/api/v1/sales/archive-forms/{id}", Permission: read, Tag: tag,
			Summary:  "档案表详情 A form with every update sent; another manager's needs a grant and the read is audited",
			Response: sales.ArchiveForm{}, handle: h.archiveForm},
		{Method: "POST", Path: "/api/v1/sales/archive-forms/{id}/updates", Permission: receive, Tag: tag,
			Summary: "月度更新 Send the month's update (month YYYY-MM, content), due on the month's last day, a fixed " +
				"date (CAL-015); late proposes MER-013", Request: sales.ArchiveFormInput{}, Response: sales.ArchiveForm{},
			handle: h.archiveUpdate},
		{Method: "POST", Path: "/api/v1/sales/archive-forms/{id}/close", Permission: receive, Tag: tag,
			Summary: "归档 Archive the form: outcome closed (deal) or unclosed (未成交档案); kept retention_years",
			Request: sales.ArchiveFormInput{}, Response: sales.ArchiveForm{}, handle: h.closeArchiveForm},
		{Method: "POST", Path: "/api/v1/sales/grants", Permission: read, Tag: tag,
			Summary: "总经理授权查阅 The General Manager's permission to view a leasing centre's registers and archives, " +
				"valid 7d (SEC-005); only the pack's grantor_roles",
			Request: sales.ViewGrantInput{}, Response: sales.ViewGrant{}, Status: http.StatusCreated, handle: h.grant},
		{Method: "GET", Path: "/api/v1/sales/grants", Permission: read, Tag: tag,
			Summary: "授权列表 A leasing centre's grants (one's own unless grantor or custodian)",
			Query:   []Param{unit}, Response: list[sales.ViewGrant]{}, handle: h.grants},
		{Method: "POST", Path: "/api/v1/sales/grants/{id}/revoke", Permission: read, Tag: tag,
			Summary: "撤销授权 End a grant early; only a grantor", Response: sales.ViewGrant{}, handle: h.revokeGrant},
	}
}

func (h salesAPI) submit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.Submit)
}

func (h salesAPI) submissionsDue(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.SubmissionsDue(r.Context(), p, unit)
	return salesList(w, items, err)
}

func (h salesAPI) submissions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	from, err := salesDay(r, "from")
	if err != nil {
		return err
	}
	to, err := salesDay(r, "to")
	if err != nil {
		return err
	}
	items, err := h.svc.Submissions(r.Context(), p, unit, from, to)
	return salesList(w, items, err)
}

func (h salesAPI) createArchiveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CreateArchiveForm)
}

func (h salesAPI) archiveForms(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.ArchiveForms(r.Context(), p, unit, r.URL.Query().Get("state"))
	return salesList(w, items, err)
}

func (h salesAPI) archiveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "archive_form", h.svc.GetArchiveForm)
}

func (h salesAPI) archiveUpdate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "archive_form", http.StatusOK, h.svc.SendArchiveUpdate)
}

func (h salesAPI) closeArchiveForm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "archive_form", http.StatusOK, h.svc.CloseArchiveForm)
}

func (h salesAPI) grant(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.Grant)
}

func (h salesAPI) grants(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Grants(r.Context(), p, unit)
	return salesList(w, items, err)
}

func (h salesAPI) revokeGrant(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "grant", h.svc.RevokeGrant)
}
