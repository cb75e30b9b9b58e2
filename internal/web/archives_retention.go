package web

import (
	"net/http"

	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/store"
)

// arcBar is one bar of the upcoming-eligibility list.
type arcBar struct {
	archive.RetentionBucket
	Width int // percent of the largest bucket
}

// arcRetentionData is the retention dashboard (ARC-014).
type arcRetentionData struct {
	*arcCtx
	R        archive.RetentionSummary
	Bars     []arcBar
	Eligible []archive.Volume
	Write    bool
}

// arcRetention shows the counts, the upcoming eligibility per period, the
// counts per category and the eligible volumes to put on a list.
func (s *Server) arcRetention(w http.ResponseWriter, rq *request) error {
	return s.renderRetention(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderRetention(w http.ResponseWriter, rq *request, status int, f *Form) error {
	ctx, p := rq.Context(), rq.P
	c := s.arcContext(rq, f, "retention")
	r, err := s.archives.Retention(ctx, p, c.Company)
	if err != nil {
		return err
	}
	d := &arcRetentionData{arcCtx: c, R: r, Write: p.Can(auth.PermArchivesWrite)}
	most := 0
	for _, b := range r.Upcoming {
		most = max(most, b.Count)
	}
	for _, b := range r.Upcoming {
		w := 0
		if most > 0 {
			w = b.Count * 100 / most
		}
		d.Bars = append(d.Bars, arcBar{RetentionBucket: b, Width: w})
	}
	if d.Eligible, _, err = s.archives.EligibleVolumes(ctx, p, c.Company, 200, ""); err != nil {
		return err
	}
	s.arcRender(w, rq, status, "archives_retention", "arc.retention", f, d)
	return nil
}

// arcDestructionCreate proposes a list of the volumes ticked.
func (s *Server) arcDestructionCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := archive.DestructionInput{CompanyID: f.id("company_id"), Note: f.text("note")}
	for _, v := range f.Values["volume_ids"] {
		if id, err := store.ParseID(v); err == nil {
			in.VolumeIDs = append(in.VolumeIDs, id)
		}
	}
	if len(in.VolumeIDs) == 0 {
		f.Errors["volume_ids"] = label("arc.pick_volumes").In(rq.Lang)
		return s.renderRetention(w, rq, http.StatusUnprocessableEntity, f)
	}
	d, err := s.archives.CreateDestruction(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"volume_ids", "note"}) {
			return err
		}
		return s.renderRetention(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/archives/destructions/"+d.ID.String(), "arc_destruction_created")
	return nil
}

// arcDestructionRow is one list or record.
type arcDestructionRow struct {
	D                 *archive.Destruction
	State, StateClass string
}

// arcDestructionsData is the destruction lists page.
type arcDestructionsData struct {
	*arcCtx
	Rows    []arcDestructionRow
	States  []option
	State   string
	NextURL string
}

var destructionStates = []string{archive.DestructionPending, archive.DestructionApproved, archive.DestructionRejected,
	archive.DestructionExecuted}

// arcDestructions lists the destruction lists and records.
func (s *Server) arcDestructions(w http.ResponseWriter, rq *request) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	c := s.arcContext(rq, nil, "destructions")
	d := &arcDestructionsData{arcCtx: c, States: arcOptions("dstate", destructionStates, l), State: q.Get("state")}
	page, err := s.archives.ListDestructions(rq.Context(), rq.P, c.Company, d.State, 50, q.Get("cursor"))
	if err != nil && !failOn(form, err, l, []string{"state"}) {
		return err
	}
	for i := range page.Items {
		it := &page.Items[i]
		d.Rows = append(d.Rows, arcDestructionRow{D: it, State: arcName("dstate", it.State, l), StateClass: destructionClass(it.State)})
	}
	if page.Next != "" {
		nq := cloneValues(q)
		nq.Set("cursor", page.Next)
		d.NextURL = "/archives/destructions?" + nq.Encode()
	}
	s.arcRender(w, rq, http.StatusOK, "archives_destructions", "arc.destructions", form, d)
	return nil
}

// destructionClass is the badge colour of a destruction state.
func destructionClass(state string) string {
	switch state {
	case archive.DestructionPending:
		return "badge-amber"
	case archive.DestructionApproved:
		return "badge-blue"
	case archive.DestructionExecuted:
		return "badge-grey"
	default:
		return "badge-red"
	}
}

// arcDestructionView is a list's page, the record once executed.
type arcDestructionView struct {
	*arcCtx
	Row     arcDestructionRow
	Steps   []arcStepView
	Decide  bool
	Write   bool
	Company string
	Pages   int
	Printed string
	Entries []arcEntry
	refusedForm
}

// arcEntry is a numbered line of a destruction list.
type arcEntry struct {
	N int
	E archive.DestructionEntry
}

// DecideForm is the approve / reject form of the list's current step.
func (v *arcDestructionView) DecideForm() arcDecide {
	return arcDecide{Action: "/archives/destructions/" + v.Row.D.ID.String() + "/decide", Form: v.F("decide")}
}

// arcDestructionShow shows a list or the destruction record.
func (s *Server) arcDestructionShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderDestruction(w, rq, http.StatusOK, id, "", nil)
}

func (s *Server) renderDestruction(w http.ResponseWriter, rq *request, status int, id store.ID, failed string, f *Form) error {
	p, l := rq.P, rq.Lang
	d, err := s.archives.GetDestruction(rq.Context(), p, id)
	if err != nil {
		return err
	}
	c := s.arcContext(rq, nil, "destructions")
	v := &arcDestructionView{arcCtx: c, Row: arcDestructionRow{D: &d, State: arcName("dstate", d.State, l),
		StateClass: destructionClass(d.State)}, Steps: arcSteps(d.Steps, l),
		Decide: d.State == archive.DestructionPending && canDecide(d.Steps), Write: p.Can(auth.PermArchivesWrite),
		Printed: exact(s.now()), refusedForm: refusedForm{Failed: failed, Form: f}}
	for i, e := range d.Volumes {
		v.Pages += e.Pages
		v.Entries = append(v.Entries, arcEntry{N: i + 1, E: e})
	}
	if u, err := s.org.Get(rq.Context(), d.CompanyID); err == nil {
		v.Company = u.Name
	}
	if f == nil {
		f = newForm(nil)
	}
	if f.Get("executed_on") == "" {
		f.Values.Set("executed_on", c.Today)
	}
	title := label("arc.destruction_list").In(l)
	if d.State == archive.DestructionExecuted {
		title = label("arc.destruction_record").In(l)
	}
	s.arcRender(w, rq, status, "archives_destruction", d.Number+" · "+title, f, v)
	return nil
}

// arcDestructionAct decides or executes a list.
func (s *Server) arcDestructionAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	var fields []string
	switch action {
	case "decide":
		fields = []string{"note"}
		_, err = s.archives.DecideDestruction(ctx, p, id, f.text("approve") == "yes", f.text("note"))
	case "execute":
		fields = []string{"method", "witness", "executed_on"}
		on := arcDate(f, "executed_on", l)
		if !f.HasErrors() {
			_, err = s.archives.ExecuteDestruction(ctx, p, id, archive.ExecuteInput{Method: f.text("method"),
				Witness: f.text("witness"), ExecutedOn: on})
		}
	default:
		return notFound()
	}
	if !f.HasErrors() && err != nil && !failOn(f, err, l, fields) {
		return err
	}
	if f.HasErrors() {
		return s.renderDestruction(w, rq, statusOf(err), id, action, f)
	}
	s.seeOther(w, rq.Request, "/archives/destructions/"+id.String(), "arc_destruction_"+action)
	return nil
}
