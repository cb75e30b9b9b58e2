package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// VerifyResult is the answer of GET /api/v1/audit/verify.
type VerifyResult struct {
	OK       bool   `json:"ok"`
	Verified int64  `json:"verified"`
	BreakSeq int64  `json:"break_seq,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Guarded  bool   `json:"guarded"`
}

func (a *API) auditRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/audit", Permission: auth.PermAuditRead, Tag: "audit",
			Summary: "审计日志 Audit rows, newest first",
			Query: []Param{{"object_type", "e.g. user, org_unit"}, {"object_id", "id of the object"},
				{"actor_id", "user id"}, {"action", "e.g. user.create"}, {"limit", "page size, ≤ 500"}, {"cursor", "next_cursor"}},
			Response: list[audit.Entry]{}, handle: a.listAudit},
		{Method: "GET", Path: "/api/v1/audit/verify", Permission: auth.PermAuditRead, Tag: "audit",
			Summary: "校验审计链 Walk the hash chain and report the first broken row", Response: VerifyResult{},
			handle: a.verifyAudit},
	}
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Action: q.Get("action"), Limit: pg.Limit}
	if sc := p.Scope(); !sc.All {
		f.ActorScope = sc
	}
	if s := q.Get("actor_id"); s != "" {
		if f.ActorID, err = store.ParseID(s); err != nil {
			return apperr.Validation("actor_id", i18n.T("用户编号无效", "not a valid user id"))
		}
	}
	if pg.Cursor != "" {
		if f.BeforeSeq, err = strconv.ParseInt(pg.Cursor, 10, 64); err != nil {
			return apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
	}
	entries, next, err := audit.List(r.Context(), a.db, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(entries, next))
	return nil
}

func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	rep, err := audit.Verify(r.Context(), a.db)
	if err != nil {
		return err
	}
	res := VerifyResult{OK: rep.Break == nil, Verified: rep.Verified, Guarded: rep.Guarded}
	if rep.Break != nil {
		res.BreakSeq, res.Reason = rep.Break.Seq, rep.Break.Reason.In(i18n.FromRequest(r))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
