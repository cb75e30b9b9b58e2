package httpapi

import (
	"context"
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// hazardAPI serves /api/v1/hazards: the hazard register and every step of a
// hazard's rectification (issue 10, INS-013 to INS-018).
type hazardAPI struct{ svc *hazard.Service }

// filingsInput adds filings of the latest deadline notice (INS-015).
type filingsInput struct {
	Filings []hazard.FilingInput `json:"filings"`
}

// hazardRoutes serves /api/v1/hazards (issue 10). Every step answers the
// hazard with its timeline (hazard.Detail); a step the status does not
// allow is a 409 naming it, a bad field a 422 naming the field.
func (a *API) hazardRoutes(svc *hazard.Service) []Route {
	if svc == nil {
		return nil
	}
	h := hazardAPI{svc}
	const tag = "hazards"
	read, write := auth.PermInspectionsRead, auth.PermInspectionsWrite
	return []Route{
		{Method: "GET", Path: "/api/v1/hazards", Permission: read, Tag: tag,
			Summary: "隐患登记簿 Hazards in the caller's company, newest first, with their clocks and badges (INS-018)",
			Query: []Param{{"status", "found, notified, rectifying, refused_to_sign, escalated, disconnection_ordered, disconnected, verified, restored, closed"},
				{"severity", "minor, general, larger, serious"}, {"source", "inspection, sampling, staff, customer, public"},
				{"overdue", "true: a follow-up (INS-013) or the rectification deadline is overdue"},
				{"customer_id", "the hazards at one customer"}, {"q", "number, location, description or customer name contains"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[hazard.Hazard]{}, handle: h.list},
		{Method: "POST", Path: "/api/v1/hazards", Permission: write, Tag: tag,
			Summary: "登记隐患 Register a hazard found by staff or reported by a customer or the public (INS-018, SMP-016): " +
				"numbered H-<year>-<nnnn> per company without gaps; fixed_on_site registers it closed",
			Request: hazard.Finding{}, Response: hazard.Detail{}, Status: http.StatusCreated, handle: h.register},
		{Method: "GET", Path: "/api/v1/hazards/{id}", Permission: read, Tag: tag,
			Summary:  "隐患详情 One hazard with its timeline, notices, filings, follow-ups and verifications",
			Response: hazard.Detail{}, handle: h.get},
		{Method: "POST", Path: "/api/v1/hazards/{id}/notices", Permission: write, Tag: tag,
			Summary: "下达整改通知 Issue the rectification notice (安全隐患整改通知书 / written opinion, INS-013) or, for a serious " +
				"hazard at an important customer, the 限期整改告知书 (INS-015) with its deadline, filings and optionally the signature",
			Request: hazard.NoticeInput{}, Response: hazard.Detail{}, Status: http.StatusCreated, handle: h.notice},
		{Method: "POST", Path: "/api/v1/hazards/{id}/sign", Permission: write, Tag: tag,
			Summary: "客户签收 The customer's signature of the latest notice, or the refusal with a witness (flags the case for " +
				"INS-016 review); starts the follow-up clock (INS-013)",
			Request: hazard.SignInput{}, Response: hazard.Detail{}, handle: h.sign},
		{Method: "POST", Path: "/api/v1/hazards/{id}/filings", Permission: write, Tag: tag,
			Summary: "告知书备案 Filings of the latest 限期整改告知书 with the government power authority, the safety supervision " +
				"department and the power regulator (INS-015)",
			Request: filingsInput{}, Response: hazard.Detail{}, handle: h.filings},
		{Method: "POST", Path: "/api/v1/hazards/{id}/follow-ups", Permission: write, Tag: tag,
			Summary: "整改追踪 A follow-up on site or by phone (追踪记录, INS-013); the next one is due within the pack's interval",
			Request: hazard.FollowUpInput{}, Response: hazard.Detail{}, Status: http.StatusCreated, handle: h.followUp},
		{Method: "POST", Path: "/api/v1/hazards/{id}/verify", Permission: write, Tag: tag,
			Summary: "整改验收 The verification record: by whom, how, what was found (INS-016); stops the clocks",
			Request: hazard.VerifyInput{}, Response: hazard.Detail{}, handle: h.verify},
		{Method: "POST", Path: "/api/v1/hazards/{id}/escalate", Permission: read, Tag: tag,
			Summary: "报告政府 Report the case to the authorities with the filing with each (INS-016); the pack's enforcement " +
				"roles only (hazards.enforcement_roles: manager, auditor)",
			Request: hazard.EscalateInput{}, Response: hazard.Detail{}, handle: h.escalate},
		{Method: "POST", Path: "/api/v1/hazards/{id}/disconnect", Permission: read, Tag: tag,
			Summary: "中止供电 stage=ordered: the disconnection order (enforcement roles); stage=done: supply was disconnected " +
				"(inspections:write or enforcement roles) (INS-016)",
			Request: hazard.DisconnectInput{}, Response: hazard.Detail{}, handle: h.disconnect},
		{Method: "POST", Path: "/api/v1/hazards/{id}/restore", Permission: read, Tag: tag,
			Summary: "恢复供电 Restore supply (enforcement roles); refused with 409 naming verification until a verification record exists (INS-016)",
			Request: hazard.NoteInput{}, Response: hazard.Detail{}, handle: h.restore},
		{Method: "POST", Path: "/api/v1/hazards/{id}/close", Permission: write, Tag: tag,
			Summary: "销号 Close a verified hazard (a disconnected one once supply is restored)",
			Request: hazard.NoteInput{}, Response: hazard.Detail{}, handle: h.close},
	}
}

func (h hazardAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := hazard.Filter{Status: hazard.Status(q.Get("status")), Severity: q.Get("severity"), Source: q.Get("source"),
		Q: q.Get("q"), Limit: pg.Limit}
	if f.Overdue, err = queryBool(r, "overdue"); err != nil {
		return err
	}
	if v := q.Get("customer_id"); v != "" {
		if f.CustomerID, err = store.ParseID(v); err != nil {
			return apperr.Validation("customer_id", i18n.T("须为客户编号", "must be a customer id"))
		}
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, keysetNext(items, f.Limit, func(x *hazard.Hazard) store.ID { return x.ID })))
	return nil
}

func (h hazardAPI) register(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in hazard.Finding
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := h.svc.Register(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (h hazardAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "hazard", h.svc.Get)
}

func (h hazardAPI) notice(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusCreated, h.svc.IssueNotice)
}

func (h hazardAPI) sign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Sign)
}

func (h hazardAPI) filings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, func(ctx context.Context, p *auth.Principal, id store.ID, in filingsInput) (*hazard.Detail, error) {
		return h.svc.AddFilings(ctx, p, id, in.Filings)
	})
}

func (h hazardAPI) followUp(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusCreated, h.svc.FollowUp)
}

func (h hazardAPI) verify(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Verify)
}

func (h hazardAPI) escalate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Escalate)
}

func (h hazardAPI) disconnect(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Disconnect)
}

func (h hazardAPI) restore(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Restore)
}

func (h hazardAPI) close(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "hazard", http.StatusOK, h.svc.Close)
}
