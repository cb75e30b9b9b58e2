package web

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// handoverFields are the inputs of the new-batch form.
var handoverFields = []string{"schedule", "event_on", "event_note"}

// arcHandoverRow is one batch of the checklist.
type arcHandoverRow struct {
	H                 *archive.Handover
	State, StateClass string
	Due               *dueBadge
	DueText           string
	Missing           int // files with checklist entries missing
}

func (s *Server) handoverRowOf(h *archive.Handover, l i18n.Locale) arcHandoverRow {
	r := arcHandoverRow{H: h, State: arcName("hstate", h.State, l), StateClass: stateClass(h.State),
		Due: arcDue(h.DueAt, h.State != archive.HandoverPending, s.now(), l), DueText: arcDueText(h.DueAt)}
	if h.Overdue && r.Due != nil {
		r.Due.Class = "over"
		if h.State != archive.HandoverPending {
			r.Due.Class, r.Due.Text = "late", label("arc.handed_late").In(l)
		}
	}
	for _, f := range h.Files {
		if len(f.Missing) > 0 {
			r.Missing++
		}
	}
	return r
}

// arcHandoversData is the handover checklist.
type arcHandoversData struct {
	*arcCtx
	Rows      []arcHandoverRow
	Schedules []option
	States    []option
	Overdue   bool
	NextURL   string
}

// arcHandovers lists the batches with the overdue filter and the form to
// open one.
func (s *Server) arcHandovers(w http.ResponseWriter, rq *request) error {
	return s.renderHandovers(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderHandovers(w http.ResponseWriter, rq *request, status int, f *Form) error {
	q, l := rq.URL.Query(), rq.Lang
	filter := newForm(q)
	c := s.arcContext(rq, f, "handovers")
	d := &arcHandoversData{arcCtx: c, Schedules: c.scheduleOptions(l), Overdue: q.Get("overdue") == "1",
		States: arcOptions("hstate", []string{archive.HandoverPending, archive.HandoverSubmitted, archive.HandoverReceived}, l)}
	page, err := s.archives.ListHandovers(rq.Context(), rq.P, archive.HandoverFilter{CompanyID: c.Company,
		Schedule: q.Get("schedule"), State: q.Get("state"), Overdue: d.Overdue, Limit: 50, Cursor: q.Get("cursor")})
	if err != nil && !failOn(filter, err, l, []string{"schedule", "state"}) {
		return err
	}
	for i := range page.Items {
		d.Rows = append(d.Rows, s.handoverRowOf(&page.Items[i], l))
	}
	if page.Next != "" {
		nq := cloneValues(q)
		nq.Set("cursor", page.Next)
		d.NextURL = "/archives/handovers?" + nq.Encode()
	}
	if status == http.StatusOK && filter.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	if f.Get("event_on") == "" {
		f.Values.Set("event_on", c.Today)
	}
	pg := s.newPage(rq, "arc.handovers", "archives")
	pg.Form, pg.Data = f, struct {
		*arcHandoversData
		Filter *Form
	}{d, filter}
	if status == http.StatusOK {
		status = statusOrOK(f)
	}
	s.render(w, rq, status, "archives_handovers", pg)
	return nil
}

// arcHandoverCreate opens a batch.
func (s *Server) arcHandoverCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := archive.HandoverInput{CompanyID: f.id("company_id"), Schedule: f.text("schedule"), EventNote: f.text("event_note")}
	in.EventOn = arcDate(f, "event_on", l)
	var h archive.Handover
	if !f.HasErrors() {
		if h, err = s.archives.CreateHandover(rq.Context(), rq.P, in); err != nil && !failOn(f, err, l, handoverFields) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderHandovers(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/archives/handovers/"+h.ID.String(), "arc_handover_created")
	return nil
}

// arcHandoverView is a batch's page.
type arcHandoverView struct {
	*arcCtx
	Row   arcHandoverRow
	Write bool
	Next  string // submit while pending, then receive
	refusedForm
}

// arcHandoverShow shows a batch: its files with their missing checklist
// entries, the add-files form, submit and receive.
func (s *Server) arcHandoverShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderHandover(w, rq, http.StatusOK, id, "", nil)
}

func (s *Server) renderHandover(w http.ResponseWriter, rq *request, status int, id store.ID, failed string, f *Form) error {
	h, err := s.archives.GetHandover(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	v := &arcHandoverView{arcCtx: s.arcContext(rq, nil, "handovers"), Row: s.handoverRowOf(&h, rq.Lang),
		Write: rq.P.Can(auth.PermArchivesWrite), Next: "submit", refusedForm: refusedForm{Failed: failed, Form: f}}
	if h.State != archive.HandoverPending {
		v.Next = "receive"
	}
	if f == nil {
		f = newForm(nil)
	}
	s.arcRender(w, rq, status, "archives_handover", h.Number+" · "+label("arc.handover").In(rq.Lang), f, v)
	return nil
}

// arcHandoverAct adds files (by number), submits or receives a batch.
func (s *Server) arcHandoverAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	var fields []string
	switch action {
	case "files":
		fields = []string{"file_numbers"}
		var ids []store.ID
		for _, n := range strings.FieldsFunc(f.text("file_numbers"), func(r rune) bool {
			return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n' || r == '\r'
		}) {
			file, err := s.archives.LookupFile(ctx, p, f.id("company_id"), n)
			if apperr.Is(err, apperr.CodeNotFound) {
				f.Errors["file_numbers"] = label("arc.no_such_number", n).In(l)
				break
			} else if err != nil {
				return err
			}
			ids = append(ids, file.ID)
		}
		if len(ids) == 0 && !f.HasErrors() {
			f.Errors["file_numbers"] = label("arc.pick_files").In(l)
		}
		if !f.HasErrors() {
			_, err = s.archives.AddHandoverFiles(ctx, p, id, ids, f.Checked("copy_kept"))
			// The service names the file ids; the form has their numbers.
			if e, ok := apperr.As(err); ok && strings.HasPrefix(e.Field, "file") {
				f.Errors["file_numbers"], err = e.Message.In(l), nil
			}
		}
	case "submit":
		fields = []string{"note"}
		_, err = s.archives.SubmitHandover(ctx, p, id, f.text("note"))
	case "receive":
		fields = []string{"note"}
		_, err = s.archives.ReceiveHandover(ctx, p, id, f.text("note"))
	default:
		return notFound()
	}
	if !f.HasErrors() && err != nil && !failOn(f, err, l, fields) {
		return err
	}
	if f.HasErrors() {
		return s.renderHandover(w, rq, statusOf(err), id, action, f)
	}
	s.seeOther(w, rq.Request, "/archives/handovers/"+id.String(), "arc_handover_"+action)
	return nil
}
