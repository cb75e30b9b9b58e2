package httpapi

import (
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/certificate"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// certificateAPI serves /api/v1/staff/certificates: the certificates and
// permits staff hold (issue 10, INS-017, STF-001).
type certificateAPI struct{ svc *certificate.Service }

// certificateRoutes serves /api/v1/staff/certificates (issue 10).
func (a *API) certificateRoutes(svc *certificate.Service) []Route {
	if svc == nil {
		return nil
	}
	h := certificateAPI{svc}
	return []Route{
		{Method: "GET", Path: "/api/v1/staff/certificates", Permission: auth.PermStaffRead, Tag: "staff",
			Summary: "人员证书列表 Certificates and permits of the caller's company, newest first (soonest expiry first with expiring_within)",
			Query: []Param{{"user_id", "the holder (user id)"}, {"kind", "certificate kind key of the pack, e.g. grid_permit"},
				{"status", "valid, renewal_due, expired (unregistered, INS-017), lost, revoked, renewed, replaced"},
				{"expiring_within", "days: current certificates expiring from today to today + N (CAL-015 day difference), e.g. 30"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[certificate.Certificate]{}, handle: h.list},
		{Method: "POST", Path: "/api/v1/staff/certificates", Permission: auth.PermStaffWrite, Tag: "staff",
			Summary: "登记证书 Register a certificate a person holds; renewal dates are counted back from expiry (INS-017, CAL-015)",
			Request: certificate.RegisterInput{}, Response: certificate.Certificate{}, Status: http.StatusCreated, handle: h.register},
		{Method: "GET", Path: "/api/v1/staff/certificates/{id}", Permission: auth.PermStaffRead, Tag: "staff",
			Summary: "证书详情 One certificate with its history", Response: certificate.Certificate{}, handle: h.get},
		{Method: "POST", Path: "/api/v1/staff/certificates/{id}/renew", Permission: auth.PermStaffWrite, Tag: "staff",
			Summary: "证书续期 Record the renewal: the application date and the new certificate, which supersedes this one; " +
				"an application after renew_by is marked late (INS-017). Answers the new certificate",
			Request: certificate.RenewInput{}, Response: certificate.Certificate{}, Status: http.StatusCreated, handle: h.renew},
		{Method: "POST", Path: "/api/v1/staff/certificates/{id}/report-loss", Permission: auth.PermStaffWrite, Tag: "staff",
			Summary: "挂失/损坏 Report the certificate lost or damaged: it no longer counts for work until replaced (INS-017)",
			Request: certificate.LossInput{}, Response: certificate.Certificate{}, handle: h.reportLoss},
		{Method: "POST", Path: "/api/v1/staff/certificates/{id}/replace", Permission: auth.PermStaffWrite, Tag: "staff",
			Summary: "补发 Register the replacement of a lost or damaged certificate (same kind, scopes and expiry). Answers the new certificate",
			Request: certificate.ReplaceInput{}, Response: certificate.Certificate{}, Status: http.StatusCreated, handle: h.replace},
		{Method: "POST", Path: "/api/v1/staff/certificates/{id}/revoke", Permission: auth.PermStaffWrite, Tag: "staff",
			Summary: "吊销/注销 Revoke the certificate with the reason; kept with who and when",
			Request: certificate.RevokeInput{}, Response: certificate.Certificate{}, handle: h.revoke},
	}
}

func (h certificateAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := certificate.Filter{Kind: q.Get("kind"), Status: certificate.Status(q.Get("status")), Limit: pg.Limit}
	if v := q.Get("user_id"); v != "" {
		if f.UserID, err = store.ParseID(v); err != nil {
			return apperr.Validation("user_id", i18n.T("须为用户编号", "must be a user id"))
		}
	}
	if v := q.Get("expiring_within"); v != "" {
		if f.ExpiringWithin, err = strconv.Atoi(v); err != nil || f.ExpiringWithin < 1 {
			return apperr.Validation("expiring_within", i18n.T("须为正整数天数", "must be a positive number of days"))
		}
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	next := ""
	if f.ExpiringWithin == 0 { // by expiry: one page
		next = keysetNext(items, f.Limit, func(c *certificate.Certificate) store.ID { return c.ID })
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (h certificateAPI) register(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in certificate.RegisterInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.Register(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (h certificateAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "certificate")
	if err != nil {
		return err
	}
	c, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h certificateAPI) renew(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "certificate", http.StatusCreated, h.svc.Renew)
}

func (h certificateAPI) reportLoss(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "certificate", http.StatusOK, h.svc.ReportLoss)
}

func (h certificateAPI) replace(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "certificate", http.StatusCreated, h.svc.Replace)
}

func (h certificateAPI) revoke(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "certificate", http.StatusOK, h.svc.Revoke)
}
