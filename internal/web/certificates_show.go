package web

import (
	"net/http"
	"net/url"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/certificate"
	"kefu/internal/store"
)

// certData is the certificate page.
type certData struct {
	C                *certificate.Certificate
	Row              certRow
	KindName, Scopes string
	KindScopes       []option // the scopes of the kind, for the renewal form
	Origin           string
	LossName         string
	History          []certEventRow
	CanWrite         bool
	Current          bool // renewal, loss report and revocation are open
	CanReplace       bool
	CanRevoke        bool
	Renew, Loss      *Form
	Replace, Revoke  *Form
	LossKinds        []option
}

// certEventRow is one line of the history.
type certEventRow struct {
	E          certificate.Event
	At, Action string
	Note       string
	OtherLink  string
}

// certificateShow is /staff/certificates/{id}.
func (s *Server) certificateShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderCert(w, rq, http.StatusOK, id, nil)
}

// certForms are the action forms of the page, empty and dated today; the
// one posted replaces its empty form when shown again with its errors.
func (s *Server) certForms(posted map[string]*Form) (renew, loss, replace, revoke *Form) {
	today := s.now().In(store.Zone).Format("2006-01-02")
	renew = newForm(url.Values{"applied_on": {today}, "issued_on": {today}})
	loss = newForm(url.Values{"kind": {certificate.LossLost}, "on": {today}})
	replace = newForm(url.Values{"issued_on": {today}})
	revoke = newForm(nil)
	if f, ok := posted["renew"]; ok {
		renew = f
	}
	if f, ok := posted["report-loss"]; ok {
		loss = f
	}
	if f, ok := posted["replace"]; ok {
		replace = f
	}
	if f, ok := posted["revoke"]; ok {
		revoke = f
	}
	return
}

func (s *Server) renderCert(w http.ResponseWriter, rq *request, status int, id store.ID, posted map[string]*Form) error {
	ctx, l := rq.Context(), rq.Lang
	c, err := s.certificates.Get(ctx, rq.P, id)
	if err != nil {
		return err
	}
	today := s.now().In(store.Zone)
	d := certData{C: c, Row: s.certRowOf(c, calendar.DateOf(today), l), KindName: c.KindName, Scopes: s.scopeNames(c, l),
		Origin: label("crt.origin." + c.Origin).In(l), CanWrite: rq.P.Can(auth.PermStaffWrite)}
	if p, ok := s.policy.Version(c.Pack, c.PackVersion); ok {
		if k, ok := p.Certificates.Kind(c.Kind); ok {
			d.KindName = nameIn(k.Name, l)
			for _, sc := range k.Scopes {
				d.KindScopes = append(d.KindScopes, option{sc.Key, nameIn(sc.Name, l)})
			}
		}
	}
	if c.Loss != nil {
		d.LossName = label("crt.loss." + c.Loss.Kind).In(l)
	}
	switch c.Status {
	case certificate.StatusValid, certificate.StatusRenewalDue, certificate.StatusExpired:
		d.Current = true
	}
	d.CanReplace = c.Status == certificate.StatusLost
	d.CanRevoke = d.Current || d.CanReplace
	for _, e := range c.History {
		row := certEventRow{E: e, At: exact(e.At), Action: labelOr("crt.act."+e.Action, e.Action, l), Note: e.Note}
		if e.Action == certificate.ActReminded {
			row.Note = labelOr("crt.stage."+e.Note, e.Note, l)
		}
		if e.Actor == "system" {
			e.Actor = label("crt.system").In(l)
			row.E = e
		}
		if e.OtherID != 0 {
			row.OtherLink = "/staff/certificates/" + e.OtherID.String()
		}
		d.History = append(d.History, row)
	}
	d.Renew, d.Loss, d.Replace, d.Revoke = s.certForms(posted)
	if posted == nil || posted["renew"] == nil {
		d.Renew.Values["scopes"] = c.Scopes // the renewal keeps the scopes unless changed
	}
	for _, k := range []string{certificate.LossLost, certificate.LossDamaged} {
		d.LossKinds = append(d.LossKinds, option{k, label("crt.loss." + k).In(l)})
	}
	pg := s.newPage(rq, "crt.title", "staff")
	pg.Title = d.KindName + " " + c.Number + " · " + pg.Title
	pg.Data = d
	s.render(w, rq, status, "certificate", pg)
	return nil
}

// certificateAct runs one of the page's forms: renew, report-loss,
// replace, revoke; a refusal shows the form again with its errors.
func (s *Server) certificateAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p := rq.Context(), rq.P
	action := rq.PathValue("action")
	var c *certificate.Certificate
	var fields []string
	switch action {
	case "renew":
		fields = []string{"applied_on", "number", "issued_on", "expires_on", "scopes", "scope_note", "issuer", "note"}
		c, err = s.certificates.Renew(ctx, p, id, certificate.RenewInput{AppliedOn: f.text("applied_on"), Number: f.text("number"),
			IssuedOn: f.text("issued_on"), ExpiresOn: f.text("expires_on"), Scopes: f.Values["scopes"],
			ScopeNote: f.text("scope_note"), Issuer: f.text("issuer"), Note: f.text("note")})
	case "report-loss":
		fields = []string{"kind", "on", "note"}
		c, err = s.certificates.ReportLoss(ctx, p, id, certificate.LossInput{Kind: f.text("kind"), On: f.text("on"), Note: f.text("note")})
	case "replace":
		fields = []string{"number", "issued_on", "note"}
		c, err = s.certificates.Replace(ctx, p, id, certificate.ReplaceInput{Number: f.text("number"), IssuedOn: f.text("issued_on"),
			Note: f.text("note")})
	case "revoke":
		fields = []string{"reason"}
		c, err = s.certificates.Revoke(ctx, p, id, certificate.RevokeInput{Reason: f.text("reason")})
	default:
		return notFound()
	}
	if err != nil {
		if !failOn(f, err, rq.Lang, fields) {
			return err
		}
		return s.renderCert(w, rq, statusOf(err), id, map[string]*Form{action: f})
	}
	s.seeOther(w, rq.Request, "/staff/certificates/"+c.ID.String(), "crt_"+flashOf[action])
	return nil
}

// flashOf names the flash message of each action.
var flashOf = map[string]string{"renew": "renewed", "report-loss": "loss", "replace": "replaced", "revoke": "revoked"}
