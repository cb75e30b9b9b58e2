package httpapi

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/inspection"
	"kefu/internal/store"
)

// The inspection records (INS-010 to INS-012) and a service point's
// schedule (INS-008, CAL-010) of /api/v1/inspections.

func (h inspectionAPI) create(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in inspection.RecordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rec, err := h.svc.CreateRecord(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (h inspectionAPI) records(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := inspection.RecordFilter{Track: q.Get("track"), Campaign: q.Get("campaign"), Status: inspection.Status(q.Get("status")),
		Month: q.Get("month"), Limit: pg.Limit}
	for name, v := range map[string]*store.ID{"service_point": &f.ServicePoint, "customer": &f.Customer, "inspector": &f.Inspector} {
		if *v, err = queryID(r, name); err != nil {
			return err
		}
	}
	if f.Mine, err = queryBool(r, "mine"); err != nil {
		return err
	}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	recs, err := h.svc.ListRecords(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(recs, keysetNext(recs, f.Limit, func(r *inspection.Record) store.ID { return r.ID })))
	return nil
}

func (h inspectionAPI) record(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "inspection")
	if err != nil {
		return err
	}
	rec, err := h.svc.GetRecord(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (h inspectionAPI) update(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "inspection", http.StatusOK, h.svc.UpdateRecord)
}

func (h inspectionAPI) close(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "inspection")
	if err != nil {
		return err
	}
	rec, err := h.svc.CloseRecord(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (h inspectionAPI) schedule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "service_point")
	if err != nil {
		return err
	}
	s, err := h.svc.Schedule(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}
