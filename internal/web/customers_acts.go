package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/customer"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// The action forms of the customer page: add a service point, append a
// contact record, change the classification, merge a duplicate, attach
// and download documents. A refused form is shown again, open, with its
// errors; a success redirects back to the page with a flash.

// refuse re-renders the customer page with the refused form name open.
func (s *Server) refuse(w http.ResponseWriter, rq *request, id store.ID, name string, f *Form, err error, fields []string, point string) error {
	if !failCustomer(f, err, rq.Lang, point, fields) {
		return err
	}
	v, verr := s.customerView(rq, id, name, f)
	if verr != nil {
		return verr
	}
	s.renderCustomer(w, rq, statusOf(err), v)
	return nil
}

// customerAddPoint adds a service point, its own archive (CUS-001).
func (s *Server) customerAddPoint(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	sp, _ := pointInput(f, "sp0")
	if _, err := s.customers.AddServicePoint(rq.Context(), rq.P, id, sp); err != nil {
		return s.refuse(w, rq, id, "point", f, err, pointFields(), "sp0")
	}
	s.seeOther(w, rq.Request, "/customers/"+id.String()+"#points", "point_added")
	return nil
}

// contactFields are the inputs of the contact form.
var contactFields = []string{"channel", "direction", "summary", "detail", "at", "service_point_id"}

// customerAddContact appends a contact record (CUS-015).
func (s *Server) customerAddContact(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	in := customer.ContactInput{Channel: f.text("channel"), Direction: f.text("direction"), Summary: f.Get("summary"),
		Detail: f.Get("detail"), ServicePointID: idValue(f, "service_point_id")}
	if v := f.text("at"); v != "" {
		at, perr := parseWhen("at", v)
		if perr != nil {
			return s.refuse(w, rq, id, "contact", f, perr, contactFields, "")
		}
		in.At = &at
	}
	if _, err := s.customers.AddContact(rq.Context(), rq.P, id, in); err != nil {
		return s.refuse(w, rq, id, "contact", f, err, contactFields, "")
	}
	s.seeOther(w, rq.Request, "/customers/"+id.String()+"#contacts", "contact_added")
	return nil
}

// customerClassify changes one classification dimension (CUS-004 to
// CUS-006, CUS-013, CUS-017); the service asks a reason for overrides.
func (s *Server) customerClassify(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	fields := []string{"change", "reason", "effective_at"}
	dim, val, ok := strings.Cut(f.text("change"), "=")
	if !ok {
		return s.refuse(w, rq, id, "class", f, apperr.Required("change"), fields, "")
	}
	ch := customer.Change{Dimension: dim, Value: val, Reason: f.Get("reason")}
	if v := f.text("effective_at"); v != "" {
		at, perr := parseWhen("effective_at", v)
		if perr != nil {
			return s.refuse(w, rq, id, "class", f, perr, fields, "")
		}
		ch.EffectiveAt = &at
	}
	if _, err := s.customers.SetClassification(rq.Context(), rq.P, id, ch); err != nil {
		if e, ok := apperr.As(err); ok && (e.Field == "value" || e.Field == "dimension") {
			e2 := *e
			e2.Field = "change"
			err = &e2
		}
		return s.refuse(w, rq, id, "class", f, err, fields, "")
	}
	s.seeOther(w, rq.Request, "/customers/"+id.String()+"#classification", "customer_classified")
	return nil
}

// customerMerge folds this customer (the duplicate) into keep_id (CUS-016).
func (s *Server) customerMerge(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	keep := f.id("keep_id")
	c, err := s.customers.Merge(rq.Context(), rq.P, keep, id, f.Get("reason"))
	if err != nil {
		return s.refuse(w, rq, id, "merge", f, err, []string{"reason"}, "")
	}
	s.seeOther(w, rq.Request, "/customers/"+c.ID.String(), "customer_merged")
	return nil
}

// maxUploadForm bounds the form fields of a document upload.
const maxUploadForm = 4 << 10

// customerUpload attaches a document to the customer or one of its
// service points: the multipart body is streamed, the file staged by the
// document service, which sniffs its type and checks the owner.
func (s *Server) customerUpload(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	f := newForm(nil)
	fields := []string{"owner", "category", "file"}
	mr, err := rq.MultipartReader()
	if err != nil {
		return s.refuse(w, rq, id, "doc", f, apperr.Required("file"), fields, "")
	}
	var staged *document.Staged
	defer func() {
		if staged != nil {
			staged.Discard()
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return err
			}
			return s.refuse(w, rq, id, "doc", f, apperr.Malformed(i18n.T("上传中断，请重试", "the upload was cut off; try again")), fields, "")
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue
			}
			if staged, err = s.docs.Stage(part.FileName(), part); err != nil {
				return s.refuse(w, rq, id, "doc", f, err, fields, "")
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, maxUploadForm))
		f.Values.Set(part.FormName(), string(b))
	}
	if staged == nil {
		return s.refuse(w, rq, id, "doc", f, apperr.Required("file"), fields, "")
	}
	in := document.CreateInput{OwnerType: "customer", OwnerID: id, Category: f.text("category")}
	if kind, owner, ok := strings.Cut(f.text("owner"), ":"); ok {
		oid, perr := store.ParseID(owner)
		if perr != nil || kind != "customer" && kind != "service_point" {
			return s.refuse(w, rq, id, "doc", f, apperr.Validation("owner", i18n.T("请选择归属", "choose the owner")), fields, "")
		}
		in.OwnerType, in.OwnerID = kind, oid
	}
	if _, err := s.docs.Create(rq.Context(), rq.P, in, staged); err != nil {
		return s.refuse(w, rq, id, "doc", f, err, fields, "")
	}
	s.seeOther(w, rq.Request, "/customers/"+id.String()+"#documents", "document_uploaded")
	return nil
}

// customerDownload serves a document's bytes as an attachment; the
// document service checks the owner and audits confidential categories
// (SEC-009).
func (s *Server) customerDownload(w http.ResponseWriter, rq *request) error {
	docID, err := store.ParseID(rq.PathValue("doc"))
	if err != nil {
		return notFound()
	}
	d, rc, err := s.docs.Open(rq.Context(), rq.P, docID)
	if err != nil {
		return err
	}
	defer rc.Close()
	attachmentHeaders(w, d.ContentType, d.Name)
	if d.Confidential {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	if cd := mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}); cd != "" {
		w.Header().Set("Content-Disposition", cd)
	}
	http.ServeContent(w, rq.Request, "", d.UploadedAt.Truncate(time.Second), rc)
	return nil
}
