package web

import (
	"net/http"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// deskData is the reception desk (接待台) of a centre.
type deskData struct {
	*salesCtx
	Rot        sales.Rotation
	Rows       []deskRow
	Next       string // 下一位 name, "" : nobody free
	NextCredit bool   // the next one comes by a make-up turn
	Mine       *sales.Reception
	Today      []receptionRow
	Credits    []sales.MakeUpCredit
	LogRows    []logRow
	MineKind   string
	MakeUpName string
	Agents     []option
	Kinds      []option // the kinds other than rotation
	Publics    []option
	Absences   []option
	Order      string // the members' ids in order, for the reorder form
	Receive    bool   // sales:receive
	Manage     bool
	refusedForm
	Alert string
}

// deskRow is one member of the rotation table.
type deskRow struct {
	M                    sales.RotationMember
	State, StateClass    string
	Absence, ReceptionNo string
	Kind                 string // of the reception in progress
}

// logRow is one line of the rotation log.
type logRow struct {
	sales.RotationLog
	ActionName string
}

// receptionRow is one of today's receptions.
type receptionRow struct {
	R              *sales.Reception
	Kind           string
	Open, Missing  bool // in progress; no register entry yet
	Started, Ended string
}

// deskView reads a centre's rotation and prepares the desk.
func (s *Server) deskView(rq *request, unit store.ID, failed string, f *Form) (*deskData, error) {
	l, p := rq.Lang, rq.P
	sc, err := s.salesCentre(rq, unit, "desk")
	if err != nil {
		return nil, err
	}
	if sc == nil {
		return nil, notFound()
	}
	rot, err := s.sales.Rotation(rq.Context(), p, sc.C.UnitID)
	if err != nil {
		return nil, err
	}
	d := &deskData{salesCtx: sc, Rot: rot, Credits: rot.Credits, MakeUpName: salesName("makeup", sc.C.Effective, l), Receive: p.Can(auth.PermSalesReceive),
		Manage: p.Can(auth.PermSalesManage), refusedForm: refusedForm{Failed: failed, Form: f}}
	var ids []string
	for i := range rot.Members {
		m := rot.Members[i]
		ids = append(ids, m.UserID.String())
		d.Agents = append(d.Agents, option{m.UserID.String(), m.Name})
		r := deskRow{M: m}
		switch {
		case m.Reception != nil:
			r.State, r.StateClass = label("sal.receiving").In(l), "badge-blue"
			r.ReceptionNo, r.Kind = m.Reception.Number, salesName("kind", m.Reception.Kind, l)
		case m.Absence != "":
			r.State, r.StateClass = label("sal.absent").In(l), "badge-grey"
			r.Absence = salesName("absence", m.Absence, l)
		default:
			r.State, r.StateClass = label("sal.on_floor").In(l), "badge-green"
		}
		d.Rows = append(d.Rows, r)
		if m.Reception != nil && m.UserID == p.UserID {
			d.Mine, d.MineKind = m.Reception, r.Kind
		}
	}
	d.Order = strings.Join(ids, ",")
	for _, x := range rot.Log {
		d.LogRows = append(d.LogRows, logRow{RotationLog: x, ActionName: salesName("log", x.Action, l)})
	}
	if rot.Next != nil {
		d.Next, d.NextCredit = memberName(rot.Members, rot.Next.UserID), rot.Next.CreditID != 0
	}
	for _, k := range sales.ReceptionKinds[1:] {
		d.Kinds = append(d.Kinds, option{k, salesName("kind", k, l)})
	}
	d.Publics = salesOptions("public", sales.PublicReasons, l)
	d.Absences = salesOptions("absence", sales.AbsenceReasons, l)
	if rs, err := s.sales.Receptions(rq.Context(), p, sc.C.UnitID, s.salesToday()); err == nil {
		for i := range rs {
			d.Today = append(d.Today, receptionRowOf(&rs[i], l))
		}
	}
	return d, nil
}

func receptionRowOf(r *sales.Reception, l i18n.Locale) receptionRow {
	row := receptionRow{R: r, Kind: salesName("kind", r.Kind, l), Open: r.EndedAt.IsZero(),
		Missing: r.RegistrationID == 0, Started: exact(r.StartedAt)}
	if !r.EndedAt.IsZero() {
		row.Ended = exact(r.EndedAt)
	}
	return row
}

// memberName is a member's name by id.
func memberName(ms []sales.RotationMember, id store.ID) string {
	for _, m := range ms {
		if m.UserID == id {
			return m.Name
		}
	}
	return "#" + id.String()
}

// salesDesk is the reception desk.
func (s *Server) salesDesk(w http.ResponseWriter, rq *request) error {
	unit, err := pathUnit(rq)
	if err != nil {
		return err
	}
	d, err := s.deskView(rq, unit, "", nil)
	if err != nil {
		return err
	}
	s.renderDesk(w, rq, http.StatusOK, d)
	return nil
}

func (s *Server) renderDesk(w http.ResponseWriter, rq *request, status int, d *deskData) {
	pg := s.newPage(rq, "sal.desk", "sales")
	pg.Title = d.C.Unit + " · " + pg.Title
	pg.Data = d
	s.render(w, rq, status, "sales_desk", pg)
}

// deskFail shows the desk again with a refused form.
func (s *Server) deskFail(w http.ResponseWriter, rq *request, unit store.ID, action string, f *Form, err error) error {
	if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound && e.Field == "unit_id" {
		return err
	}
	d, verr := s.deskView(rq, unit, action, f)
	if verr != nil {
		return verr
	}
	shown := map[string]bool{"rotation": d.Receive, "start": d.Receive, "absence": d.Receive, "members": d.Manage,
		"pointer": d.Manage, "credit": d.Manage}
	if !shown[action] {
		d.Alert = salesFirstMessage(f)
	}
	s.renderDesk(w, rq, statusOf(err), d)
	return nil
}

// salesStart starts a reception: 接待新客户 by rotation, or another kind
// naming the agent.
func (s *Server) salesStart(w http.ResponseWriter, rq *request) error {
	unit, err := pathUnit(rq)
	if err != nil {
		return err
	}
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := sales.ReceptionInput{UnitID: unit, Kind: f.text("kind"), AgentID: f.id("agent_id"), OwnerAgentID: f.id("owner_agent_id"),
		NamedAgentID: f.id("named_agent_id"), PublicReason: f.text("public_reason"), Note: f.text("note")}
	if in.Kind == "" {
		in.Kind = sales.ReceptionRotation
	}
	if v := f.text("visitors"); v != "" {
		if in.Visitors = atoiOr(v, -1); in.Visitors < 0 {
			f.Errors["visitors"] = label("sal.bad_number").In(l)
		}
	}
	action := "start"
	if in.Kind == sales.ReceptionRotation {
		action = "rotation"
	}
	var r sales.Reception
	if !f.HasErrors() {
		r, err = s.sales.StartReception(rq.Context(), rq.P, in)
		if err != nil && !failOn(f, err, l, []string{"kind", "agent_id", "owner_agent_id", "named_agent_id", "public_reason", "visitors", "note"}) {
			return err
		}
	}
	if f.HasErrors() {
		return s.deskFail(w, rq, unit, action, f, err)
	}
	if r.AgentID == rq.P.UserID {
		s.seeOther(w, rq.Request, "/sales/registrations/new?reception_id="+r.ID.String(), "sales_reception_started")
		return nil
	}
	s.seeOther(w, rq.Request, "/sales/centres/"+unit.String(), "sales_reception_started")
	return nil
}

// salesReceptionAct ends or reclassifies a reception.
func (s *Server) salesReceptionAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	var r sales.Reception
	switch action {
	case "end":
		r, err = s.sales.EndReception(ctx, p, id)
	case "reclassify":
		r, err = s.sales.Reclassify(ctx, p, id, sales.ReclassifyInput{Kind: f.text("kind"), NamedAgentID: f.id("named_agent_id"),
			PublicReason: f.text("public_reason"), Reason: f.text("reason")})
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, l, []string{"kind", "named_agent_id", "public_reason", "reason"}) {
			return err
		}
		if e, ok := apperr.As(err); ok && e.Status == http.StatusNotFound {
			return err
		}
		rec, gerr := s.sales.GetReception(ctx, p, id)
		if gerr != nil {
			return gerr
		}
		return s.deskFail(w, rq, rec.UnitID, action, f, err)
	}
	s.seeOther(w, rq.Request, localPath(f.text("next"), "/sales/centres/"+r.UnitID.String()), "sales_reception_"+action)
	return nil
}

// salesRotationAct is one of the Project Manager's adjustments (SAL-004)
// or an absence: members, absence, pointer, credit, clear-credit.
func (s *Server) salesRotationAct(w http.ResponseWriter, rq *request) error {
	unit, err := pathUnit(rq)
	if err != nil {
		return err
	}
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	reason := f.text("reason")
	switch action {
	case "members":
		var ids []store.ID
		for _, v := range strings.FieldsFunc(f.text("user_ids"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '\n' }) {
			id, perr := store.ParseID(strings.TrimSpace(v))
			if perr != nil {
				f.Errors["user_ids"] = label("sal.bad_ids").In(l)
				break
			}
			ids = append(ids, id)
		}
		if !f.HasErrors() {
			_, err = s.sales.SetMembers(ctx, p, unit, sales.MembersInput{UserIDs: ids, Reason: reason})
		}
	case "absence":
		_, err = s.sales.SetAbsence(ctx, p, unit, sales.AbsenceInput{UserID: f.id("user_id"), Absence: f.text("absence"), Reason: reason})
	case "pointer":
		_, err = s.sales.SetPointer(ctx, p, unit, f.id("user_id"), reason)
	case "credit":
		_, err = s.sales.GrantCredit(ctx, p, unit, f.id("user_id"), reason)
	case "clear-credit":
		_, err = s.sales.ClearCredit(ctx, p, unit, f.id("credit_id"), reason)
	default:
		return notFound()
	}
	if err != nil && !failOn(f, err, l, []string{"user_ids", "user_id", "absence", "reason", "credit_id"}) {
		return err
	}
	if f.HasErrors() {
		return s.deskFail(w, rq, unit, action, f, err)
	}
	s.seeOther(w, rq.Request, "/sales/centres/"+unit.String(), "sales_rotation_saved")
	return nil
}

// floorData is the live floor screen.
type floorData struct {
	*deskData
	Receiving []deskRow
	Queue     []string // make-up turns waiting, in order
	Clock     string
}

// salesFloor is the floor screen: large type, who is next, who is
// receiving, the make-up queue; sales.js refreshes it every 5 s.
func (s *Server) salesFloor(w http.ResponseWriter, rq *request) error {
	unit, err := pathUnit(rq)
	if err != nil {
		return err
	}
	d, err := s.deskView(rq, unit, "", nil)
	if err != nil {
		return err
	}
	fd := &floorData{deskData: d, Clock: s.now().In(shanghai).Format("15:04:05")}
	for _, r := range d.Rows {
		if r.M.Reception != nil {
			fd.Receiving = append(fd.Receiving, r)
		}
	}
	for _, c := range d.Credits {
		fd.Queue = append(fd.Queue, c.User)
	}
	pg := s.newPage(rq, "sal.floor", "sales")
	pg.Title = d.C.Unit + " · " + pg.Title
	pg.Data, pg.Bare = fd, true
	s.render(w, rq, http.StatusOK, "sales_floor", pg)
	return nil
}

// salesFirstMessage is the form's alert or one of its field errors, for a
// form the page does not show.
func salesFirstMessage(f *Form) string {
	if f.Alert != "" {
		return f.Alert
	}
	for _, m := range f.Errors {
		return m
	}
	return ""
}
