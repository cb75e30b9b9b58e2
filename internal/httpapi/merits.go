package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/merit"
	"kefu/internal/store"
)

// meritAPI serves /api/v1/merits (issue 11): the merit and demerit ledger
// (MER-001 to MER-013) with its summaries, proposals, appeals, flags,
// publications and the customer bounty register. The route table names the
// permission; the service narrows it further: merits:read reads only the
// caller's own rows, the company's need merits:write, and deciders are the
// pack's decider_roles holding merits:approve.
type meritAPI struct{ svc *merit.Service }

// meritNoteInput is a note on an appeal step (accept, escalate).
type meritNoteInput struct {
	Note string `json:"note"`
}

// meritFlagInput records what was done about a flag: state done or void.
type meritFlagInput struct {
	State string `json:"state"`
	Note  string `json:"note"`
}

// meritRoutes serves /api/v1/merits (issue 11). Static paths (summary,
// monthly, appeals, flags, publications, bounties) are more specific than
// {id}, so the mux prefers them.
func (a *API) meritRoutes(svc *merit.Service) []Route {
	if svc == nil {
		return nil
	}
	h := meritAPI{svc}
	const tag = "merits"
	read, write, approve := auth.PermMeritsRead, auth.PermMeritsWrite, auth.PermMeritsApprove
	return []Route{
		{Method: "POST", Path: "/api/v1/merits", Permission: write, Tag: tag,
			Summary: "记录奖惩 Record a reward or penalty (MER-001): kind or a catalogue item of the pack, amount or points, " +
				"date, reason, rule and source record; confirmed at once for a decider (merits:approve and the pack's " +
				"decider_roles), a proposal otherwise. Nobody records about themselves",
			Request: merit.EntryInput{}, Response: merit.Entry{}, Status: http.StatusCreated, handle: h.record},
		{Method: "GET", Path: "/api/v1/merits", Permission: read, Tag: tag,
			Summary: "奖惩台账 Ledger entries, newest first; merits:read sees only the caller's own, merits:write the " +
				"company's (SEC-002: append-only, corrections are new entries)",
			Query: []Param{{"user_id", "one person"}, {"unit_id", "a unit and the units below it"},
				{"kind", "commendation, minor_merit, major_merit, criticism, minor_demerit, major_demerit, warning, demotion, " +
					"termination, points_added, points_deducted, bonus, fine, special_award"},
				{"state", "proposed, confirmed, rejected, withdrawn, changed"},
				{"source_kind", "manual, ticket, sampling_failure, sales_reception, appeal"},
				{"from", "YYYY-MM-DD, inclusive"}, {"to", "YYYY-MM-DD, inclusive"},
				{"unpublished", "true: confirmed entries not yet published to the unit (SEC-011)"},
				{"after", "next of the previous page"}, {"limit", "1–500, default 50"}},
			Response: merit.Page{}, handle: h.list},
		{Method: "GET", Path: "/api/v1/merits/summary", Permission: read, Tag: tag,
			Summary: "个人奖惩汇总 A person's summary derived from the ledger at a date: net counts after the pack's " +
				"roll-ups and offsets (MER-002 to MER-004), warnings this year (MER-005), termination, reassignment, " +
				"bonus, and the steps with the entries each rests on",
			Query:    []Param{{"user_id", "the person; default the caller"}, {"at", "YYYY-MM-DD; default today"}},
			Response: merit.PersonSummary{}, handle: h.summary},
		{Method: "GET", Path: "/api/v1/merits/monthly", Permission: write, Tag: tag,
			Summary: "单位月度奖惩表 A unit's monthly table: each person's confirmed entries of the month, points, fines, " +
				"rewards, net counts at the month's end, flags, pending and unpublished entries, and the publications (SEC-011)",
			Query:    []Param{{"unit_id", "the unit (required)"}, {"month", "YYYY-MM (required)"}},
			Response: merit.MonthTable{}, handle: h.monthly},
		{Method: "GET", Path: "/api/v1/merits/appeals", Permission: read, Tag: tag,
			Summary:  "申诉列表 Appeals (MER-006): the caller's own with merits:read, the company's with merits:write",
			Query:    []Param{{"state", "mediation, mediated, investigation, resolved"}, {"user_id", "the appellant"}},
			Response: list[merit.Appeal]{}, handle: h.appeals},
		{Method: "GET", Path: "/api/v1/merits/appeals/{id}", Permission: read, Tag: tag,
			Summary:  "申诉详情 An appeal with its steps",
			Response: merit.Appeal{}, handle: h.appeal},
		{Method: "POST", Path: "/api/v1/merits/appeals/{id}/mediate", Permission: write, Tag: tag,
			Summary: "主管调解 The supervising leader's mediation: outcome upheld, changed (with the new kind, amount or " +
				"points) or withdrawn (MER-006)",
			Request: merit.OutcomeInput{}, Response: merit.Appeal{}, handle: h.mediate},
		{Method: "POST", Path: "/api/v1/merits/appeals/{id}/accept", Permission: read, Tag: tag,
			Summary: "接受调解 The appellant accepts the mediation; its outcome is entered in the ledger",
			Request: meritNoteInput{}, Response: merit.Appeal{}, handle: h.accept},
		{Method: "POST", Path: "/api/v1/merits/appeals/{id}/escalate", Permission: read, Tag: tag,
			Summary: "向上级申诉 The appellant still disputes: the appeal goes to the next-level leader and HR (MER-006)",
			Request: meritNoteInput{}, Response: merit.Appeal{}, handle: h.escalate},
		{Method: "POST", Path: "/api/v1/merits/appeals/{id}/resolve", Permission: approve, Tag: tag,
			Summary: "申诉处理结果 The next level's final outcome of an investigated appeal: upheld, changed or withdrawn",
			Request: merit.OutcomeInput{}, Response: merit.Appeal{}, handle: h.resolve},
		{Method: "GET", Path: "/api/v1/merits/flags", Permission: approve, Tag: tag,
			Summary: "奖惩后果 The deciders' list of flags raised from the ledger: termination for HR (MER-002), the one-off bonus (MER-003), " +
				"reassignment or demotion (MER-005)",
			Query:    []Param{{"state", "open, done, void"}, {"user_id", "one person"}},
			Response: list[merit.FlagRecord]{}, handle: h.flags},
		{Method: "POST", Path: "/api/v1/merits/flags/{id}/close", Permission: approve, Tag: tag,
			Summary: "处理后果 Record what HR or the payer did about a flag: state done or void, with a note",
			Request: meritFlagInput{}, Response: merit.FlagRecord{}, handle: h.closeFlag},
		{Method: "POST", Path: "/api/v1/merits/publications", Permission: approve, Tag: tag,
			Summary: "公示 Record that a unit's confirmed results of a month were posted on a channel (SEC-011); their " +
				"entries are published",
			Request: merit.PublishInput{}, Response: merit.Publication{}, Status: http.StatusCreated, handle: h.publish},
		{Method: "GET", Path: "/api/v1/merits/bounties", Permission: read, Tag: tag,
			Summary: "举报奖励登记簿 The customer bounty register (MER-007, MER-008); reporters are shown as \"protected " +
				"reporter\" except to the pack's reporter_viewers (SEC-007)",
			Query:    []Param{{"state", "proposed, approved, paid, rejected"}},
			Response: list[merit.Bounty]{}, handle: h.bounties},
		{Method: "POST", Path: "/api/v1/merits/bounties", Permission: write, Tag: tag,
			Summary: "登记举报奖励 Register a verified report: a hazard not in the reporter's own home rewarded by " +
				"severity (MER-007), or gas theft at a percentage of the penalty or recovered fees (MER-008); the " +
				"reporter's identity is sealed (SEC-007)",
			Request: merit.BountyInput{}, Response: merit.Bounty{}, Status: http.StatusCreated, handle: h.registerBounty},
		{Method: "GET", Path: "/api/v1/merits/bounties/{id}", Permission: read, Tag: tag,
			Summary: "举报奖励详情 One bounty", Response: merit.Bounty{}, handle: h.bounty},
		{Method: "POST", Path: "/api/v1/merits/bounties/{id}/approve", Permission: approve, Tag: tag,
			Summary: "批准奖励 Approve a bounty", Request: merit.BountyDecision{}, Response: merit.Bounty{}, handle: h.approveBounty},
		{Method: "POST", Path: "/api/v1/merits/bounties/{id}/reject", Permission: approve, Tag: tag,
			Summary: "驳回奖励 Reject a bounty with a note", Request: merit.BountyDecision{}, Response: merit.Bounty{}, handle: h.rejectBounty},
		{Method: "POST", Path: "/api/v1/merits/bounties/{id}/pay", Permission: approve, Tag: tag,
			Summary: "发放奖励 Record the payment of an approved bounty (day paid, voucher)",
			Request: merit.BountyDecision{}, Response: merit.Bounty{}, handle: h.payBounty},
		{Method: "GET", Path: "/api/v1/merits/{id}", Permission: read, Tag: tag,
			Summary:  "奖惩详情 One entry with its decisions, the jointly liable entries, what superseded it and its appeals",
			Response: merit.EntryDetail{}, handle: h.get},
		{Method: "POST", Path: "/api/v1/merits/{id}/confirm", Permission: approve, Tag: tag,
			Summary: "确认 Confirm a proposal (MER-010: the amount of an item with a range is set here); a decider, never " +
				"about themselves",
			Request: merit.DecisionInput{}, Response: merit.Entry{}, handle: h.confirm},
		{Method: "POST", Path: "/api/v1/merits/{id}/reject", Permission: approve, Tag: tag,
			Summary: "驳回 Reject a proposal with a note", Request: merit.DecisionInput{}, Response: merit.Entry{}, handle: h.reject},
		{Method: "POST", Path: "/api/v1/merits/{id}/offset", Permission: approve, Tag: tag,
			Summary: "功过相抵 Rule whether a merit revokes a penalty within the penalty period (MER-004, at the " +
				"manager's discretion): apply false keeps the penalty",
			Request: merit.OffsetInput{}, Response: merit.Entry{}, handle: h.offset},
		{Method: "POST", Path: "/api/v1/merits/{id}/appeals", Permission: read, Tag: tag,
			Summary: "申诉 The person appeals their own entry with specific evidence (mandatory, MER-006); the supervising " +
				"leader mediates",
			Request: merit.AppealInput{}, Response: merit.Appeal{}, Status: http.StatusCreated, handle: h.fileAppeal},
	}
}

func (h meritAPI) record(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in merit.EntryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := h.svc.Record(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (h meritAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	f := merit.Filter{Kind: q.Get("kind"), State: q.Get("state"), SourceKind: q.Get("source_kind"), From: q.Get("from"),
		To: q.Get("to"), Limit: defaultLimit}
	var err error
	if f.UserID, err = queryID(r, "user_id"); err != nil {
		return err
	}
	if f.UnitID, err = queryID(r, "unit_id"); err != nil {
		return err
	}
	if f.After, err = queryID(r, "after"); err != nil {
		return err
	}
	if f.Unpublished, err = queryBool(r, "unpublished"); err != nil {
		return err
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return apperr.Validation("limit", i18n.T("limit 须为正整数", "limit must be a positive integer"))
		}
		f.Limit = min(n, maxLimit)
	}
	pg, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	if pg.Items == nil {
		pg.Items = []merit.Entry{}
	}
	writeJSON(w, http.StatusOK, pg)
	return nil
}

func (h meritAPI) summary(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	user, err := queryID(r, "user_id")
	if err != nil {
		return err
	}
	s, err := h.svc.Summary(r.Context(), p, user, r.URL.Query().Get("at"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (h meritAPI) monthly(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	unit, err := queryID(r, "unit_id")
	if err != nil {
		return err
	}
	t, err := h.svc.Monthly(r.Context(), p, unit, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h meritAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "entry", h.svc.Get)
}

func (h meritAPI) confirm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "entry", http.StatusOK, h.svc.Confirm)
}

func (h meritAPI) reject(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "entry", http.StatusOK, h.svc.Reject)
}

func (h meritAPI) offset(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "entry", http.StatusOK, h.svc.SetOffset)
}

func (h meritAPI) fileAppeal(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "entry", http.StatusCreated, h.svc.FileAppeal)
}

func (h meritAPI) appeals(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	f := merit.AppealFilter{State: r.URL.Query().Get("state")}
	var err error
	if f.UserID, err = queryID(r, "user_id"); err != nil {
		return err
	}
	items, err := h.svc.Appeals(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h meritAPI) appeal(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "appeal", h.svc.GetAppeal)
}

func (h meritAPI) mediate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "appeal", http.StatusOK, h.svc.Mediate)
}

func (h meritAPI) accept(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "appeal", http.StatusOK, func(id store.ID, in meritNoteInput) (*merit.Appeal, error) {
		return h.svc.AcceptMediation(r.Context(), p, id, in.Note)
	})
}

func (h meritAPI) escalate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "appeal", http.StatusOK, func(id store.ID, in meritNoteInput) (*merit.Appeal, error) {
		return h.svc.Escalate(r.Context(), p, id, in.Note)
	})
}

func (h meritAPI) resolve(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "appeal", http.StatusOK, h.svc.Resolve)
}

func (h meritAPI) flags(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	user, err := queryID(r, "user_id")
	if err != nil {
		return err
	}
	items, err := h.svc.Flags(r.Context(), p, r.URL.Query().Get("state"), user)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h meritAPI) closeFlag(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "flag", http.StatusOK, func(id store.ID, in meritFlagInput) (*merit.FlagRecord, error) {
		return h.svc.CloseFlag(r.Context(), p, id, in.State, in.Note)
	})
}

func (h meritAPI) publish(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in merit.PublishInput
	if err := decode(r, &in); err != nil {
		return err
	}
	pub, err := h.svc.Publish(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, pub)
	return nil
}

func (h meritAPI) bounties(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	items, err := h.svc.Bounties(r.Context(), p, r.URL.Query().Get("state"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h meritAPI) registerBounty(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in merit.BountyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := h.svc.RegisterBounty(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (h meritAPI) bounty(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "bounty", h.svc.GetBounty)
}

// decideBounty approves, rejects or pays the path's bounty.
func (h meritAPI) decideBounty(w http.ResponseWriter, r *http.Request, p *auth.Principal, action string) error {
	return recordCommand(w, r, "bounty", http.StatusOK, func(id store.ID, in merit.BountyDecision) (*merit.Bounty, error) {
		return h.svc.DecideBounty(r.Context(), p, id, action, in)
	})
}

func (h meritAPI) approveBounty(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return h.decideBounty(w, r, p, "approve")
}

func (h meritAPI) rejectBounty(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return h.decideBounty(w, r, p, "reject")
}

func (h meritAPI) payBounty(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return h.decideBounty(w, r, p, "pay")
}
