package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// salesAPI serves /api/v1/sales (issue 12): sales centres and their
// rotation (SAL-001 to SAL-004), receptions, the append-only registers with
// the Project Manager's verification (SAL-006, SAL-007, SEC-002 to
// SEC-004), conflicts, deals, attributions and rulings (SAL-008 to
// SAL-023), commission, group bonuses, applications for restricted actions
// (SAL-021), follow-ups (SAL-024) and the leasing variant (SAL-025 to
// SAL-028, SEC-005). The route table names the permission; the service
// narrows it (register scope, deciders, custodians, grants).
type salesAPI struct {
	svc *sales.Service
	now func() time.Time
}

// salesReasonInput is a body that carries only a reason.
type salesReasonInput struct {
	Reason string `json:"reason"`
}

// salesUserInput names a rotation member with a reason (the pointer, a
// make-up turn).
type salesUserInput struct {
	UserID store.ID `json:"user_id"`
	Reason string   `json:"reason"`
}

// salesNoteInput is a body that carries only a note.
type salesNoteInput struct {
	Note string `json:"note"`
}

// salesRegistrationPage is a page of register entries: next is the id the
// following page starts after ("" on the last page).
type salesRegistrationPage struct {
	Items []sales.Registration `json:"items"`
	Next  string               `json:"next,omitempty"`
}

// salesRoutes serves /api/v1/sales. Static paths come before {id}.
func (a *API) salesRoutes(svc *sales.Service) []Route {
	if svc == nil {
		return nil
	}
	h := salesAPI{svc, a.now}
	const tag = "sales"
	read, receive, manage := auth.PermSalesRead, auth.PermSalesReceive, auth.PermSalesManage
	unit := Param{"unit_id", "the sales centre's org unit (required)"}
	routes := []Route{
		{Method: "GET", Path: "/api/v1/sales/centres", Permission: read, Tag: tag,
			Summary: "案场列表 The sales centres the caller sees", Response: list[sales.Centre]{}, handle: h.centres},
		{Method: "POST", Path: "/api/v1/sales/centres", Permission: manage, Tag: tag,
			Summary: "设立案场 Set an org unit up as a sales centre: mode sales or leasing, make-up policy art7_triggers, " +
				"always, never or \"\" for the pack's (SAL-002, G-26)",
			Request: sales.CentreInput{}, Response: sales.Centre{}, Status: http.StatusCreated, handle: h.setupCentre},
		{Method: "GET", Path: "/api/v1/sales/centres/{unit}", Permission: read, Tag: tag,
			Summary: "案场详情 One sales centre", Response: sales.Centre{}, handle: h.centre},
		{Method: "PATCH", Path: "/api/v1/sales/centres/{unit}", Permission: manage, Tag: tag,
			Summary: "修改案场 Change a centre's mode or make-up policy, with a reason (logged, SAL-004)",
			Request: sales.CentreInput{}, Response: sales.Centre{}, handle: h.patchCentre},
		{Method: "GET", Path: "/api/v1/sales/centres/{unit}/rotation", Permission: read, Tag: tag,
			Summary: "轮排表 The live rotation: members, who is busy or absent, make-up turns waiting, who is next " +
				"(SAL-001 to SAL-004) and the latest log", Response: sales.Rotation{}, handle: h.rotation},
		{Method: "PUT", Path: "/api/v1/sales/centres/{unit}/rotation/members", Permission: manage, Tag: tag,
			Summary: "调整轮排顺序 Replace the rotation's members and order, with a reason (SAL-004)",
			Request: sales.MembersInput{}, Response: sales.Rotation{}, handle: h.members},
		{Method: "POST", Path: "/api/v1/sales/centres/{unit}/rotation/absence", Permission: manage, Tag: tag,
			Summary: "登记缺席 Mark a member absent today (SAL-003: leave earns no make-up; a task of the project team " +
				"does), or back with absence \"\"", Request: sales.AbsenceInput{}, Response: sales.Rotation{}, handle: h.absence},
		{Method: "POST", Path: "/api/v1/sales/centres/{unit}/rotation/pointer", Permission: manage, Tag: tag,
			Summary: "调整指针 Move the pointer to a member, with a reason (SAL-004)",
			Request: salesUserInput{}, Response: sales.Rotation{}, handle: h.pointer},
		{Method: "POST", Path: "/api/v1/sales/centres/{unit}/rotation/credits", Permission: manage, Tag: tag,
			Summary: "补接 Grant a make-up turn by hand, with a reason (SAL-003)",
			Request: salesUserInput{}, Response: sales.Rotation{}, Status: http.StatusCreated, handle: h.grantCredit},
		{Method: "DELETE", Path: "/api/v1/sales/centres/{unit}/rotation/credits/{id}", Permission: manage, Tag: tag,
			Summary: "撤销补接 Withdraw a make-up turn (?reason= required)",
			Query:   []Param{{"reason", "why (required)"}}, Response: sales.Rotation{}, handle: h.clearCredit},

		{Method: "POST", Path: "/api/v1/sales/receptions", Permission: receive, Tag: tag,
			Summary: "开始接待 Start a reception: kind rotation takes the rotation's next agent (SAL-001); named, own_old, " +
				"colleague_old, assist, public, company_referred name the agent; one active reception per agent (SAL-004)",
			Request: sales.ReceptionInput{}, Response: sales.Reception{}, Status: http.StatusCreated, handle: h.startReception},
		{Method: "GET", Path: "/api/v1/sales/receptions", Permission: read, Tag: tag,
			Summary: "接待列表 A centre's receptions of a day",
			Query:   []Param{unit, {"day", "YYYY-MM-DD; default today"}}, Response: list[sales.Reception]{}, handle: h.receptions},
		{Method: "GET", Path: "/api/v1/sales/receptions/{id}", Permission: read, Tag: tag,
			Summary: "接待详情 One reception", Response: sales.Reception{}, handle: h.reception},
		{Method: "POST", Path: "/api/v1/sales/receptions/{id}/end", Permission: receive, Tag: tag,
			Summary: "结束接待 End a reception (the agent is free again)", Response: sales.Reception{}, handle: h.endReception},
		{Method: "POST", Path: "/api/v1/sales/receptions/{id}/reclassify", Permission: receive, Tag: tag,
			Summary: "改判接待 A customer who named an agent during the first visit (SAL-013) or a public customer (SAL-010): " +
				"the slot comes back as a make-up turn", Request: sales.ReclassifyInput{}, Response: sales.Reception{},
			handle: h.reclassify},

		{Method: "POST", Path: "/api/v1/sales/registrations", Permission: receive, Tag: tag,
			Summary: "登记 Enter a register entry (visit, phone, leasing; SAL-006, SAL-007, SAL-025) or a correction " +
				"referencing the entry it corrects (SEC-002); identity conflicts are found on entry (CUS-016)",
			Request: sales.RegistrationInput{}, Response: sales.Registration{}, Status: http.StatusCreated, handle: h.register},
		{Method: "GET", Path: "/api/v1/sales/registrations", Permission: read, Tag: tag,
			Summary: "登记簿 Register entries: an agent sees her own, the register's viewers and custodian all (SEC-003); " +
				"leasing centres need a grant besides (SEC-005); every read of another's entry is audited",
			Query: []Param{unit, {"book", "visit, phone, leasing"}, {"agent_id", "one agent"},
				{"from", "YYYY-MM-DD, inclusive"}, {"to", "YYYY-MM-DD, inclusive"}, {"q", "name, phone or plate fragment"},
				{"unverified", "true: waiting for the Project Manager"}, {"late", "true: registered after the day"},
				{"history", "true: include corrected entries"}, {"after", "next of the previous page"},
				{"limit", "1–500, default 50"}},
			Response: salesRegistrationPage{}, handle: h.registrations},
		{Method: "GET", Path: "/api/v1/sales/registrations/{id}", Permission: read, Tag: tag,
			Summary: "登记详情 One entry with its conflicts", Response: sales.Registration{}, handle: h.registration},
		{Method: "GET", Path: "/api/v1/sales/registrations/{id}/history", Permission: read, Tag: tag,
			Summary: "更正记录 The entry and every correction of it (SEC-002)", Response: list[sales.Registration]{},
			handle: h.history},
		{Method: "POST", Path: "/api/v1/sales/registrations/{id}/verify", Permission: manage, Tag: tag,
			Summary: "核实登记 The Project Manager verifies an entry (SAL-006)", Request: salesNoteInput{},
			Response: sales.Registration{}, handle: h.verify},

		{Method: "POST", Path: "/api/v1/sales/conflicts", Permission: receive, Tag: tag,
			Summary: "提出冲突 An agent claims an entry as her customer (SAL-014 referral within 7d, SAL-018)",
			Request: sales.ClaimInput{}, Response: sales.Conflict{}, Status: http.StatusCreated, handle: h.claim},
		{Method: "GET", Path: "/api/v1/sales/conflicts", Permission: read, Tag: tag,
			Summary: "冲突列表 A centre's conflicts", Query: []Param{unit, {"state", "open, decided, ruled"}},
			Response: list[sales.Conflict]{}, handle: h.conflicts},
		{Method: "GET", Path: "/api/v1/sales/conflicts/{id}", Permission: read, Tag: tag,
			Summary: "冲突详情 A conflict with both entries and its attribution", Response: sales.Conflict{}, handle: h.conflict},
		{Method: "POST", Path: "/api/v1/sales/conflicts/{id}/contact", Permission: receive, Tag: tag,
			Summary: "联系原售楼员 Record what the agent did on learning the customer was a colleague's: consent, " +
				"unreachable, handed_back or grabbed (SAL-015, SAL-026)",
			Request: sales.ContactInput{}, Response: sales.Conflict{}, handle: h.contact},
	}
	return append(append(routes, h.dealRoutes(tag, unit)...), h.leasingRoutes(tag, unit)...)
}

// salesUnit reads the required unit_id query parameter.
func salesUnit(r *http.Request) (store.ID, error) {
	id, err := queryID(r, "unit_id")
	if err == nil && id == 0 {
		err = apperr.Required("unit_id")
	}
	return id, err
}

// salesDay reads an optional YYYY-MM-DD query parameter.
func salesDay(r *http.Request, name string) (calendar.Date, error) {
	if r.URL.Query().Get(name) == "" {
		return calendar.Date{}, nil
	}
	return queryDate(r, name)
}

// salesList answers a list of a centre's records.
func salesList[Out any](w http.ResponseWriter, items []Out, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h salesAPI) centres(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	items, err := h.svc.Centres(r.Context(), p)
	return salesList(w, items, err)
}

func (h salesAPI) setupCentre(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.SetupCentre)
}

func (h salesAPI) centre(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := pathID(r, "unit")
	if err != nil {
		return err
	}
	c, err := h.svc.GetCentre(r.Context(), p, unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h salesAPI) patchCentre(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in sales.CentreInput
	if err := decode(r, &in); err != nil {
		return err
	}
	unit, err := pathID(r, "unit")
	if err != nil {
		return err
	}
	if in.UnitID != 0 && in.UnitID != unit {
		return apperr.Validation("unit_id", i18n.T("与路径中的案场不符", "does not match the centre of the path"))
	}
	in.UnitID = unit
	c, err := h.svc.SetupCentre(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// onCentre runs a rotation command on the path's centre and answers status.
func onCentre[In any](w http.ResponseWriter, r *http.Request, status int,
	run func(unit store.ID, in In) (sales.Rotation, error)) error {
	var in In
	if err := decode(r, &in); err != nil {
		return err
	}
	unit, err := pathID(r, "unit")
	if err != nil {
		return err
	}
	out, err := run(unit, in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func (h salesAPI) rotation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := pathID(r, "unit")
	if err != nil {
		return err
	}
	out, err := h.svc.Rotation(r.Context(), p, unit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h salesAPI) members(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return onCentre(w, r, http.StatusOK, func(unit store.ID, in sales.MembersInput) (sales.Rotation, error) {
		return h.svc.SetMembers(r.Context(), p, unit, in)
	})
}

func (h salesAPI) absence(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return onCentre(w, r, http.StatusOK, func(unit store.ID, in sales.AbsenceInput) (sales.Rotation, error) {
		return h.svc.SetAbsence(r.Context(), p, unit, in)
	})
}

func (h salesAPI) pointer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return onCentre(w, r, http.StatusOK, func(unit store.ID, in salesUserInput) (sales.Rotation, error) {
		return h.svc.SetPointer(r.Context(), p, unit, in.UserID, in.Reason)
	})
}

func (h salesAPI) grantCredit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return onCentre(w, r, http.StatusCreated, func(unit store.ID, in salesUserInput) (sales.Rotation, error) {
		return h.svc.GrantCredit(r.Context(), p, unit, in.UserID, in.Reason)
	})
}

func (h salesAPI) clearCredit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := pathID(r, "unit")
	if err != nil {
		return err
	}
	credit, err := recordID(r, "credit")
	if err != nil {
		return err
	}
	out, err := h.svc.ClearCredit(r.Context(), p, unit, credit, r.URL.Query().Get("reason"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h salesAPI) startReception(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.StartReception)
}

func (h salesAPI) receptions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	day, err := salesDay(r, "day")
	if err != nil {
		return err
	}
	if day.IsZero() {
		day = calendar.DateOf(h.now().In(store.Zone))
	}
	items, err := h.svc.Receptions(r.Context(), p, unit, day)
	return salesList(w, items, err)
}

func (h salesAPI) reception(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "reception", h.svc.GetReception)
}

func (h salesAPI) endReception(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "reception", h.svc.EndReception)
}

func (h salesAPI) reclassify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "reception", http.StatusOK, h.svc.Reclassify)
}

func (h salesAPI) register(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.Register)
}

func (h salesAPI) registrations(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	f := sales.RegistrationFilter{Book: q.Get("book"), Q: q.Get("q"), Limit: defaultLimit}
	var err error
	if f.UnitID, err = salesUnit(r); err != nil {
		return err
	}
	if f.AgentID, err = queryID(r, "agent_id"); err != nil {
		return err
	}
	if f.After, err = queryID(r, "after"); err != nil {
		return err
	}
	if f.From, err = salesDay(r, "from"); err != nil {
		return err
	}
	if f.To, err = salesDay(r, "to"); err != nil {
		return err
	}
	for name, b := range map[string]*bool{"unverified": &f.Unverified, "late": &f.Late, "history": &f.History} {
		if *b, err = queryBool(r, name); err != nil {
			return err
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return apperr.Validation("limit", i18n.T("limit 须为正整数", "limit must be a positive integer"))
		}
		f.Limit = min(n, maxLimit)
	}
	items, next, err := h.svc.Registrations(r.Context(), p, f)
	if err != nil {
		return err
	}
	pg := salesRegistrationPage{Items: items}
	if pg.Items == nil {
		pg.Items = []sales.Registration{}
	}
	if next != 0 {
		pg.Next = next.String()
	}
	writeJSON(w, http.StatusOK, pg)
	return nil
}

func (h salesAPI) registration(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "registration", h.svc.GetRegistration)
}

func (h salesAPI) history(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "registration")
	if err != nil {
		return err
	}
	items, err := h.svc.History(r.Context(), p, id)
	return salesList(w, items, err)
}

func (h salesAPI) verify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "registration", http.StatusOK, func(id store.ID, in salesNoteInput) (sales.Registration, error) {
		return h.svc.Verify(r.Context(), p, id, in.Note)
	})
}

func (h salesAPI) claim(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.Claim)
}

func (h salesAPI) conflicts(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := salesUnit(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Conflicts(r.Context(), p, unit, r.URL.Query().Get("state"))
	return salesList(w, items, err)
}

func (h salesAPI) conflict(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "conflict", h.svc.GetConflict)
}

func (h salesAPI) contact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "conflict", http.StatusOK, h.svc.RecordContact)
}
