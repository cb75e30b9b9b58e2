package web

import (
	"net/http"
	"net/url"

	"kefu/internal/certificate"
	"kefu/internal/store"
)

// certNewData is the registration form.
type certNewData struct {
	Kinds   []certKind
	Holders []certificate.Holder
}

// certFields are the inputs of the registration form.
var certFields = []string{"user_id", "kind", "number", "scopes", "scope_note", "issuer", "issued_on", "expires_on", "note"}

// certificateNew is /staff/certificates/new (?user_id= preselects the holder).
func (s *Server) certificateNew(w http.ResponseWriter, rq *request) error {
	f := newForm(url.Values{"user_id": {rq.URL.Query().Get("user_id")}})
	return s.renderCertNew(w, rq, http.StatusOK, f)
}

func (s *Server) renderCertNew(w http.ResponseWriter, rq *request, status int, f *Form) error {
	holders, err := s.certificates.Holders(rq.Context(), rq.P)
	if err != nil {
		return err
	}
	pg := s.newPage(rq, "crt.new", "staff")
	pg.Data, pg.Form = certNewData{Kinds: s.certKinds(rq.Lang), Holders: holders}, f
	s.render(w, rq, status, "certificate_new", pg)
	return nil
}

// certificateCreate registers the certificate and opens it; a refusal is
// shown next to its field.
func (s *Server) certificateCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	in := certificate.RegisterInput{Kind: f.text("kind"), Number: f.text("number"), Scopes: f.Values["scopes"],
		ScopeNote: f.text("scope_note"), Issuer: f.text("issuer"), IssuedOn: f.text("issued_on"),
		ExpiresOn: f.text("expires_on"), Note: f.text("note")}
	if v := f.text("user_id"); v != "" {
		if in.UserID, err = store.ParseID(v); err != nil {
			in.UserID = -1 // refused by the service as no such user
		}
	}
	c, err := s.certificates.Register(rq.Context(), rq.P, in)
	if err != nil {
		if !failOn(f, err, rq.Lang, certFields) {
			return err
		}
		return s.renderCertNew(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/staff/certificates/"+c.ID.String(), "crt_registered")
	return nil
}
