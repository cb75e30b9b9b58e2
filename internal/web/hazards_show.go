package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// hazardNewData is the registration form.
type hazardNewData struct {
	Severities, Sources, Responsibilities []option
}

// hazardNew shows the registration form (INS-018).
func (s *Server) hazardNew(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	f.Values.Set("source", hazard.SourceStaff)
	s.renderHazardNew(w, rq, http.StatusOK, f)
	return nil
}

func (s *Server) renderHazardNew(w http.ResponseWriter, rq *request, status int, f *Form) {
	l := rq.Lang
	d := hazardNewData{}
	for _, k := range policy.HazardSeverityKeys {
		d.Severities = append(d.Severities, option{k, labelOr("hz.sev."+k, k, l)})
	}
	for _, k := range hazard.Sources {
		d.Sources = append(d.Sources, option{k, labelOr("hz.source."+k, k, l)})
	}
	for _, k := range []string{hazard.ResponsibleCustomer, hazard.ResponsibleCompany} {
		d.Responsibilities = append(d.Responsibilities, option{k, labelOr("hz.resp."+k, k, l)})
	}
	pg := s.newPage(rq, "hz.new", "hazards")
	pg.Form, pg.Data = f, d
	s.render(w, rq, status, "hazard_new", pg)
}

// hazardNewFields are the inputs of the registration form.
var hazardNewFields = []string{"source", "customer_id", "location", "description", "severity", "responsibility",
	"reporter_name", "reporter_phone", "handed_to", "found_at"}

// hazardCreate registers a hazard from the form and shows it.
func (s *Server) hazardCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := hazard.Finding{Source: f.text("source"), Location: f.text("location"), Description: f.text("description"),
		Severity: f.text("severity"), Responsibility: f.text("responsibility"), ReporterName: f.text("reporter_name"),
		ReporterPhone: f.text("reporter_phone"), HandedTo: f.text("handed_to"), FixedOnSite: f.Checked("fixed_on_site")}
	if v := f.text("customer_id"); v != "" {
		if in.CustomerID = f.id("customer_id"); in.CustomerID == 0 {
			f.Errors["customer_id"] = label("hz.bad_customer").In(rq.Lang)
		}
	}
	if v := f.text("found_at"); v != "" {
		t, perr := parseWhen("found_at", v)
		if perr != nil {
			failOn(f, perr, rq.Lang, hazardNewFields)
		}
		in.FoundAt = &t
	}
	var d *hazard.Detail
	if !f.HasErrors() {
		d, err = s.hazards.Register(rq.Context(), rq.P, in)
		if err != nil && !failOn(f, err, rq.Lang, hazardNewFields) {
			return err
		}
	}
	if f.HasErrors() {
		s.renderHazardNew(w, rq, statusOf(err), f)
		return nil
	}
	s.seeOther(w, rq.Request, "/hazards/"+d.ID.String(), "hazard_registered")
	return nil
}

// hazardView is the hazard page.
type hazardView struct {
	H                                *hazard.Detail
	SeverityName, SevClass           string
	StatusName, StatusCls            string
	SourceName, RespName, PackName   string
	Found, HandedAt, Created         string
	Clocks                           []dueBadge
	Timeline                         []hazardEventRow
	Notices                          []hazardNoticeRow
	Filings                          []hazardFilingRow
	FollowUps                        []hazardFollowUpRow
	Verifications                    []hazardVerifyRow
	Show                             map[string]bool // the forms offered
	RestoreBlocked                   bool            // disconnected, no verification yet (INS-016)
	Reissue                          bool            // a notice exists: a new one is offered folded
	NeedsDeadline                    bool            // the next notice is the 限期整改告知书 (INS-015)
	NoticeKinds                      []option
	FilingBodies, EscalationBodies   []option
	Today, DefaultKind, Interval     string
	Failed                           string
	Form                             *Form
	Alert                            string
	DisconnectStage, DisconnectLabel string
}

type hazardEventRow struct{ At, Name, Status, Actor, Note string }

type hazardNoticeRow struct {
	N                        hazard.Notice
	KindName, Issued, Signed string
	Refused                  bool
}

type hazardFilingRow struct{ Purpose, Body, FiledOn, Reference string }

type hazardFollowUpRow struct {
	N                                  int // the line of the printed record
	DoneAt, Method, Found, NextDue, By string
}

type hazardVerifyRow struct{ At, Verifier, Method, Result, By string }

// F returns the form of a step: the refused one as sent, else empty.
func (v *hazardView) F(step string) *Form {
	if v.Failed == step && v.Form != nil {
		return v.Form
	}
	return newForm(nil)
}

// hazardShow is the hazard page.
func (s *Server) hazardShow(w http.ResponseWriter, rq *request) error {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return apperr.NotFound("hazard")
	}
	v, err := s.hazardView(rq, id, "", nil)
	if err != nil {
		return err
	}
	s.renderHazard(w, rq, http.StatusOK, v)
	return nil
}

func (s *Server) renderHazard(w http.ResponseWriter, rq *request, status int, v *hazardView) {
	pg := s.newPage(rq, "hz.title", "hazards")
	pg.Title = v.H.Number + " · " + label("hz.title").In(rq.Lang)
	pg.Data = v
	s.render(w, rq, status, "hazard", pg)
}

// hazardBodies feeds template "hzbodies": the authorities of a step's form.
type hazardBodies struct {
	F *Form
	O []option
	P string // the id prefix of the inputs
}

// Bodies are the authorities a step files with: the deadline notice's
// bodies (INS-015) or the bodies a case is reported to (INS-016).
func (v *hazardView) Bodies(step string) hazardBodies {
	b := hazardBodies{F: v.F(step), O: v.FilingBodies, P: strings.TrimSuffix(step, "s")}
	if step == "escalate" {
		b.O = v.EscalationBodies
	}
	return b
}

// hazardView reads a hazard and prepares its page; failed names the step
// whose form f was refused.
func (s *Server) hazardView(rq *request, id store.ID, failed string, f *Form) (*hazardView, error) {
	l, p := rq.Lang, rq.P
	d, err := s.hazards.Get(rq.Context(), p, id)
	if err != nil {
		return nil, err
	}
	h := &d.Hazard
	v := &hazardView{H: d, SeverityName: s.hazardSeverityName(h, l), SevClass: hazardSevClass(h.Severity),
		StatusName: hazardStatusName(h.Status, l), StatusCls: hazardStatusClass(h.Status),
		SourceName: labelOr("hz.source."+h.Source, h.Source, l), RespName: labelOr("hz.resp."+h.Responsibility, h.Responsibility, l),
		Found: exact(h.FoundAt), Created: exact(h.CreatedAt), Failed: failed, Form: f, Show: map[string]bool{}}
	if h.HandedAt != nil {
		v.HandedAt = exact(*h.HandedAt)
	}
	pack := s.hazardPack(h)
	if pack != nil {
		v.PackName = nameIn(pack.Name, l)
		v.NeedsDeadline = pack.Hazards.NeedsDeadlineNotice(h.Severity, h.Important)
		today := calendar.DateOf(s.now().In(shanghai))
		if s.cal != nil {
			if c, ok := s.cal.Get(pack.Calendar); ok {
				today = calendar.DateOf(s.now().In(c.Location()))
			}
		}
		v.Today = today.String()
		for _, k := range pack.Hazards.FilingBodies {
			if b, ok := pack.Hazards.Body(k); ok {
				v.FilingBodies = append(v.FilingBodies, option{k, nameIn(b.Name, l)})
			}
		}
		for _, k := range pack.Hazards.EscalationBodies {
			if b, ok := pack.Hazards.Body(k); ok {
				v.EscalationBodies = append(v.EscalationBodies, option{k, nameIn(b.Name, l)})
			}
		}
		def := pack.Hazards.Notice
		if v.NeedsDeadline {
			def = policy.NoticeDeadline
		}
		for _, k := range policy.NoticeKinds {
			if k == def || (!v.NeedsDeadline && k != policy.NoticeDeadline) {
				v.NoticeKinds = append(v.NoticeKinds, option{k, labelOr("hz.kind."+k, k, l)})
			}
		}
		v.DefaultKind, v.Interval = def, pack.Hazards.FollowUpInterval.String()
	}
	for _, c := range h.Clocks {
		v.Clocks = append(v.Clocks, hazardBadge(c, l))
	}
	for _, e := range d.Events {
		v.Timeline = append(v.Timeline, hazardEventRow{At: exact(e.At), Name: labelOr("hz.event."+e.Kind, e.Kind, l),
			Status: hazardStatusName(e.Status, l), Actor: e.ActorName, Note: e.Note})
	}
	slices.Reverse(v.Timeline)
	for _, n := range d.Notices {
		r := hazardNoticeRow{N: n, KindName: labelOr("hz.kind."+n.Kind, n.Kind, l), Issued: exact(n.IssuedAt)}
		if n.Signature != nil {
			r.Signed, r.Refused = exact(n.Signature.At), n.Signature.Refused
		}
		v.Notices = append(v.Notices, r)
	}
	for _, x := range d.Filings {
		v.Filings = append(v.Filings, hazardFilingRow{Purpose: labelOr("hz.purpose."+x.Purpose, x.Purpose, l), Body: x.BodyName,
			FiledOn: x.FiledOn, Reference: x.Reference})
	}
	for _, x := range d.FollowUps {
		v.FollowUps = append(v.FollowUps, hazardFollowUpRow{DoneAt: exact(x.DoneAt), Method: labelOr("hz.method."+x.Method, x.Method, l),
			Found: x.Found, NextDue: exact(x.NextDueAt), By: x.ByName})
	}
	for _, x := range d.Verifications {
		v.Verifications = append(v.Verifications, hazardVerifyRow{At: exact(x.VerifiedAt), Verifier: x.Verifier, Method: x.Method,
			Result: x.Result, By: x.ByName})
	}
	write, enforce := p.Can(auth.PermInspectionsWrite), s.mayEnforceHazard(p, h)
	for _, step := range h.NextSteps {
		switch step {
		case hazard.StepNotice:
			v.Show["notices"] = write
		case hazard.StepSign:
			v.Show["sign"] = write
		case hazard.StepFollowUp:
			v.Show["follow-ups"] = write
		case hazard.StepVerify:
			v.Show["verify"] = write
		case hazard.StepClose:
			v.Show["close"] = write
		case hazard.StepEscalate:
			v.Show["escalate"] = enforce
		case hazard.StepDisconnect:
			v.Show["disconnect"], v.DisconnectStage, v.DisconnectLabel = enforce, hazard.StageOrdered, label("hz.disconnect_order").In(l)
		case hazard.StepDisconnected:
			v.Show["disconnect"], v.DisconnectStage, v.DisconnectLabel = write || enforce, hazard.StageDone, label("hz.disconnect_done").In(l)
		case hazard.StepRestore:
			v.Show["restore"] = enforce
			v.RestoreBlocked = h.VerifiedAt == nil
		}
	}
	v.Reissue = len(d.Notices) > 0
	// The filing form while a body of the latest deadline notice has no
	// filing yet (INS-015).
	var latest store.ID
	for _, n := range d.Notices {
		if n.Kind == policy.NoticeDeadline {
			latest = n.ID
		}
	}
	unfiled := 0
	for _, b := range v.FilingBodies {
		if !slices.ContainsFunc(d.Filings, func(x hazard.Filing) bool { return x.NoticeID == latest && x.Body == b.Key }) {
			unfiled++
		}
	}
	v.Show["filings"] = write && latest != 0 && unfiled > 0 && h.Status != hazard.StatusClosed
	return v, nil
}

// hazardSteps are the step forms of the hazard page.
var hazardSteps = []string{"notices", "sign", "filings", "follow-ups", "escalate", "disconnect", "verify", "restore", "close"}

// hazardStepFields are the inputs of each step form that can carry an error.
var hazardStepFields = map[string][]string{
	"notices":    {"kind", "risk", "measures", "deadline_on", "signer", "witness", "bodies", "filed_on", "reference"},
	"sign":       {"signer", "witness"},
	"filings":    {"bodies", "filed_on", "reference"},
	"follow-ups": {"method", "found", "done_at", "next_on"},
	"escalate":   {"reason", "bodies", "filed_on", "reference"},
	"disconnect": {"stage", "basis"},
	"verify":     {"verifier", "method", "result", "at"},
	"restore":    {"note"},
	"close":      {"note"},
}

// hazardFieldRE maps the service's nested field names to the form's:
// filings[0].body → bodies, signature.signer → signer.
var hazardFieldRE = regexp.MustCompile(`^(filings\[\d+\]\.|signature\.)`)

// hazardStep takes one step from its form; a refusal shows the page again
// with the error under the field the service names.
func (s *Server) hazardStep(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	step := rq.PathValue("step")
	if !slices.Contains(hazardSteps, step) {
		return notFound()
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	filings := func() []hazard.FilingInput {
		var out []hazard.FilingInput
		for _, b := range f.Values["bodies"] {
			out = append(out, hazard.FilingInput{Body: b, FiledOn: f.text("filed_on"), Reference: f.text("reference")})
		}
		return out
	}
	var perr error
	switch step {
	case "notices":
		in := hazard.NoticeInput{Kind: f.text("kind"), Risk: f.text("risk"), Measures: f.text("measures"),
			DeadlineOn: f.text("deadline_on"), Filings: filings()}
		if f.text("signer") != "" || f.Checked("refused") {
			in.Signature = &hazard.SignInput{Refused: f.Checked("refused"), Signer: f.text("signer"), Witness: f.text("witness")}
		}
		_, err = s.hazards.IssueNotice(ctx, p, id, in)
	case "sign":
		_, err = s.hazards.Sign(ctx, p, id, hazard.SignInput{Refused: f.Checked("refused"), Signer: f.text("signer"), Witness: f.text("witness")})
	case "filings":
		_, err = s.hazards.AddFilings(ctx, p, id, filings())
	case "follow-ups":
		in := hazard.FollowUpInput{Method: f.text("method"), Found: f.text("found"), NextOn: f.text("next_on")}
		if v := f.text("done_at"); v != "" {
			t, e := parseWhen("done_at", v)
			in.DoneAt, perr = &t, e
		}
		if perr == nil {
			_, err = s.hazards.FollowUp(ctx, p, id, in)
		}
	case "escalate":
		_, err = s.hazards.Escalate(ctx, p, id, hazard.EscalateInput{Reason: f.text("reason"), Filings: filings()})
	case "disconnect":
		_, err = s.hazards.Disconnect(ctx, p, id, hazard.DisconnectInput{Stage: f.text("stage"), Basis: f.text("basis")})
	case "verify":
		_, err = s.hazards.Verify(ctx, p, id, hazard.VerifyInput{Verifier: f.text("verifier"), Method: f.text("method"), Result: f.text("result")})
	case "restore":
		_, err = s.hazards.Restore(ctx, p, id, hazard.NoteInput{Note: f.text("note")})
	case "close":
		_, err = s.hazards.Close(ctx, p, id, hazard.NoteInput{Note: f.text("note")})
	}
	if perr != nil {
		err = perr
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field != "" {
			field := hazardFieldRE.ReplaceAllString(e.Field, "")
			if field == "body" || field == "filings" {
				field = "bodies"
			}
			if field == "at" {
				field = "signer"
			}
			e2 := *e
			e2.Field = field
			err = &e2
		}
		if !failOn(f, err, l, hazardStepFields[step]) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound {
			return err
		}
		v, verr := s.hazardView(rq, id, step, f)
		if verr != nil {
			return verr
		}
		if !v.Show[step] {
			v.Alert = hazardFirstMessage(f)
		}
		s.renderHazard(w, rq, statusOf(err), v)
		return nil
	}
	s.seeOther(w, rq.Request, "/hazards/"+id.String(), "hazard_"+strings.ReplaceAll(step, "-", "_"))
	return nil
}

// hazardFirstMessage is the form's alert or its first field error, for a
// form the page no longer offers.
func hazardFirstMessage(f *Form) string {
	if f.Alert != "" {
		return f.Alert
	}
	for _, k := range []string{"stage", "note", "reason", "bodies", "signer", "witness", "method", "found", "verifier", "result", "risk", "deadline_on"} {
		if m := f.Errors[k]; m != "" {
			return m
		}
	}
	return ""
}

// hazardKindName names a notice kind (the title printed on it).
func hazardKindName(kind string, l i18n.Locale) string { return labelOr("hz.kind."+kind, kind, l) }
