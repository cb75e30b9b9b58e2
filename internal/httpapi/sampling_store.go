package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sampling"
	"kefu/internal/store"
)

// samplingStoreAPI serves the stored side of /api/v1/sampling (issue 10):
// draws and their verification tasks, the verification ledger with
// escalation (SMP-013), and the samplers' failures (SMP-017).
type samplingStoreAPI struct{ svc *sampling.Service }

// samplingReasonInput cancels a draw.
type samplingReasonInput struct {
	Reason string `json:"reason"`
}

// samplingNoteInput escalates a ledger entry.
type samplingNoteInput struct {
	Note string `json:"note"`
}

// samplingDecisionInput is a level's decision on an escalation.
type samplingDecisionInput struct {
	Decision string `json:"decision"`
}

// samplingStoreRoutes serves /api/v1/sampling (draws, tasks, ledger) (issue 10).
func (a *API) samplingStoreRoutes(svc *sampling.Service) []Route {
	if svc == nil {
		return nil
	}
	h := samplingStoreAPI{svc}
	const tag = "sampling"
	page := []Param{{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}}
	return []Route{
		{Method: "POST", Path: "/api/v1/sampling/draws", Permission: auth.PermSamplingWrite, Tag: tag,
			Summary: "抽样 Draw a rule's sample of one checked person's period (SMP-003 to SMP-009): the plan figures, one " +
				"verification task per drawn item with its method; seeded pack|rule|company|user|period, so the same " +
				"population draws the same items; 409 when the period is drawn (cancel it first); the checker must be " +
				"allowed by the level matrix (SMP-002)",
			Request: sampling.DrawInput{}, Response: sampling.DrawRecord{}, Status: http.StatusCreated, handle: h.createDraw},
		{Method: "GET", Path: "/api/v1/sampling/draws", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "抽样列表 Draws in the caller's company, newest first",
			Query: append([]Param{{"rule", "sampling rule key"}, {"checked_user_id", "the checked person"},
				{"checker_id", "the assigned checker"}, {"period", "2026-04, 2026-W15, 2026-04-07"},
				{"status", "open, closed, cancelled"}}, page...),
			Response: list[sampling.DrawRecord]{}, handle: h.listDraws},
		{Method: "GET", Path: "/api/v1/sampling/draws/{id}", Permission: auth.PermSamplingRead, Tag: tag,
			Summary:  "抽样详情 One draw: plan figures (population, rate, quota, floor, strata, methods, shortfall) and its tasks",
			Response: sampling.DrawRecord{}, handle: h.getDraw},
		{Method: "POST", Path: "/api/v1/sampling/draws/{id}/close", Permission: auth.PermSamplingWrite, Tag: tag,
			Summary: "结束抽样 Close an open draw; fewer verified tasks than drawn count a missed quota against the checker " +
				"(SMP-004, SMP-017). Open draws close by themselves when due (the end of the next period)",
			Response: sampling.DrawRecord{}, handle: h.closeDraw},
		{Method: "POST", Path: "/api/v1/sampling/draws/{id}/cancel", Permission: auth.PermSamplingWrite, Tag: tag,
			Summary: "作废抽样 Cancel an open draw with a reason; the period may then be drawn again",
			Request: samplingReasonInput{}, Response: sampling.DrawRecord{}, handle: h.cancelDraw},
		{Method: "POST", Path: "/api/v1/sampling/draws/{id}/verify", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "核查（一次） A check session: several open tasks of the draw verified at once, at least the rule's " +
				"session minimum unless it covers every open task (SMP-009); all or nothing",
			Request: sampling.SessionInput{}, Response: []sampling.Entry{}, Status: http.StatusCreated, handle: h.verifySession},
		{Method: "POST", Path: "/api/v1/sampling/tasks/{id}/verify", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "核查任务 Verify one task into the ledger (SMP-013): checklist scored, findings, a handling proposal when " +
				"anything failed, the employee's and (unless outdoor-hung) the customer's signature on site, hazards found " +
				"registered (SMP-016). The assigned checker, or a holder of sampling:write at the rule's level. A verified " +
				"task verified again is a correction: a new entry with a reason",
			Request: sampling.VerifyInput{}, Response: sampling.Entry{}, Status: http.StatusCreated, handle: h.verify},
		{Method: "GET", Path: "/api/v1/sampling/ledger", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "核查台帐 The verification ledger (SMP-013), newest first: verifications, corrections, escalations, decisions",
			Query: append([]Param{{"kind", "verification, escalation, decision"}, {"rule", "sampling rule key"},
				{"draw_id", "one draw's entries"}, {"checker_id", "the inspector"}, {"checked_user_id", "the inspected employee"},
				{"month", "YYYY-MM of the entry"}, {"failed", "true: verifications with a failed item"},
				{"pending", "true: escalations awaiting their decision"}}, page...),
			Response: list[sampling.Entry]{}, handle: h.listEntries},
		{Method: "GET", Path: "/api/v1/sampling/ledger/{id}", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "台帐记录 One ledger entry with the hazards it registered", Response: sampling.Entry{}, handle: h.getEntry},
		{Method: "POST", Path: "/api/v1/sampling/ledger/{id}/escalate", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "逐级上报 Escalate a problem (a failed verification, or a level's decision) to the next level with a " +
				"note; the next level's checkers are told (SMP-013). The entry's checker or the checkers of its level",
			Request: samplingNoteInput{}, Response: sampling.Entry{}, Status: http.StatusCreated, handle: h.escalate},
		{Method: "POST", Path: "/api/v1/sampling/ledger/{id}/decide", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "处理决定 The decision of the level an escalation reached, by its checkers, once (SMP-013)",
			Request: samplingDecisionInput{}, Response: sampling.Entry{}, Status: http.StatusCreated, handle: h.decide},
		{Method: "POST", Path: "/api/v1/sampling/failures", Permission: auth.PermSamplingWrite, Tag: tag,
			Summary: "登记失职 Record a sampler's failure of a kind of the pack's repeat offences (SMP-017); the threshold-th " +
				"of a kind in the calendar year sends sampling.repeat_offence (warning or demotion) for the merit ledger",
			Request: sampling.FailureInput{}, Response: sampling.Failure{}, Status: http.StatusCreated, handle: h.recordFailure},
		{Method: "GET", Path: "/api/v1/sampling/failures", Permission: auth.PermSamplingRead, Tag: tag,
			Summary: "失职统计 The failures of a calendar year with the counts per person and kind and the consequences " +
				"reached (SMP-017)",
			Query:    []Param{{"user_id", "one person; default everyone"}, {"year", "calendar year; default this year"}},
			Response: sampling.FailureReport{}, handle: h.failures},
	}
}

func (h samplingStoreAPI) createDraw(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in sampling.DrawInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := h.svc.CreateDraw(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (h samplingStoreAPI) listDraws(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sampling.DrawFilter{Rule: q.Get("rule"), Period: q.Get("period"), Status: sampling.DrawStatus(q.Get("status")), Limit: pg.Limit}
	if f.CheckedUserID, err = queryID(r, "checked_user_id"); err != nil {
		return err
	}
	if f.CheckerID, err = queryID(r, "checker_id"); err != nil {
		return err
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.ListDraws(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, keysetNext(items, f.Limit, func(d *sampling.DrawRecord) store.ID { return d.ID })))
	return nil
}

func (h samplingStoreAPI) getDraw(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "draw")
	if err != nil {
		return err
	}
	d, err := h.svc.GetDraw(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (h samplingStoreAPI) closeDraw(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "draw")
	if err != nil {
		return err
	}
	d, err := h.svc.CloseDraw(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (h samplingStoreAPI) cancelDraw(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "draw", http.StatusOK, func(id store.ID, in samplingReasonInput) (*sampling.DrawRecord, error) {
		return h.svc.CancelDraw(r.Context(), p, id, in.Reason)
	})
}

func (h samplingStoreAPI) verifySession(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "draw", http.StatusCreated, h.svc.VerifySession)
}

func (h samplingStoreAPI) verify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "task", http.StatusCreated, h.svc.Verify)
}

func (h samplingStoreAPI) listEntries(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sampling.LedgerFilter{Kind: q.Get("kind"), Rule: q.Get("rule"), Month: q.Get("month"), Limit: pg.Limit}
	for name, dst := range map[string]*store.ID{"draw_id": &f.DrawID, "checker_id": &f.CheckerID, "checked_user_id": &f.CheckedUserID} {
		if *dst, err = queryID(r, name); err != nil {
			return err
		}
	}
	if f.Failed, err = queryBool(r, "failed"); err != nil {
		return err
	}
	if f.Pending, err = queryBool(r, "pending"); err != nil {
		return err
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.ListEntries(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, keysetNext(items, f.Limit, func(e *sampling.Entry) store.ID { return e.ID })))
	return nil
}

func (h samplingStoreAPI) getEntry(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "entry")
	if err != nil {
		return err
	}
	e, err := h.svc.GetEntry(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (h samplingStoreAPI) escalate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "entry", http.StatusCreated, func(id store.ID, in samplingNoteInput) (*sampling.Entry, error) {
		return h.svc.Escalate(r.Context(), p, id, in.Note)
	})
}

func (h samplingStoreAPI) decide(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "entry", http.StatusCreated, func(id store.ID, in samplingDecisionInput) (*sampling.Entry, error) {
		return h.svc.Decide(r.Context(), p, id, in.Decision)
	})
}

func (h samplingStoreAPI) recordFailure(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in sampling.FailureInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f, err := h.svc.RecordFailure(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (h samplingStoreAPI) failures(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	user, err := queryID(r, "user_id")
	if err != nil {
		return err
	}
	year := 0
	if v := r.URL.Query().Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil {
			return apperr.Validation("year", i18n.T("须为年份", "must be a year"))
		}
	}
	rep, err := h.svc.Failures(r.Context(), p, user, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
