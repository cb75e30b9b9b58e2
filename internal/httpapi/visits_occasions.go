package httpapi

import (
	"net/http"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/visit"
)

// The occasions (回访事项, VIS-006, VIS-007), the swap of a drawn item
// (VIS-016) and the answer to an issue raised in a visit (VIS-012).

func (h visitAPI) occasions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	f := visit.OccasionFilter{Limit: pg.Limit}
	if f.Before, err = pg.before(); err != nil {
		return err
	}
	items, err := h.svc.ListOccasions(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, keysetNext(items, f.Limit, func(o *visit.Occasion) store.ID { return o.ID })))
	return nil
}

func (h visitAPI) createOccasion(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in visit.OccasionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := h.svc.CreateOccasion(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (h visitAPI) occasion(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "occasion")
	if err != nil {
		return err
	}
	o, err := h.svc.GetOccasion(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (h visitAPI) swap(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "visit", http.StatusOK, h.svc.Swap)
}

func (h visitAPI) answer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "visit", http.StatusOK, h.svc.Answer)
}
