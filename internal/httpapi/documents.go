package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// documentAPI serves /api/v1/documents. Every route only needs a sign-in:
// the owner's registered check decides who may read and attach.
type documentAPI struct{ svc *document.Service }

// categoryJSON is a document category as the API lists it.
type categoryJSON struct {
	Key          string `json:"key"`
	Name         string `json:"name"`
	Confidential bool   `json:"confidential"`
}

func (a *API) documentRoutes(svc *document.Service) []Route {
	if svc == nil {
		return nil
	}
	d := documentAPI{svc}
	return []Route{
		{Method: "POST", Path: "/api/v1/documents", Tag: "documents",
			Summary: "上传资料 Upload a document: multipart/form-data with owner_type, owner_id, category, medium " +
				"(optional) and file; the type is sniffed from the content (pdf, jpeg, png, gif, webp, docx, xlsx, doc, " +
				"xls, txt, csv), the size is limited; attaching needs write access to the owner",
			Response: document.Document{}, Status: http.StatusCreated, handle: d.upload},
		{Method: "GET", Path: "/api/v1/documents", Tag: "documents",
			Summary: "资料列表 Documents of one owner, newest first",
			Query: []Param{{"owner_type", "customer, service_point, …"}, {"owner_id", "the owner's id"},
				{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}},
			Response: list[document.Document]{}, handle: d.list},
		{Method: "GET", Path: "/api/v1/documents/{id}", Tag: "documents",
			Summary: "资料信息 A document's metadata", Response: document.Document{}, handle: d.get},
		{Method: "GET", Path: "/api/v1/documents/{id}/content", Tag: "documents",
			Summary: "下载资料 A document's content, as an attachment (inline=1 shows images and PDF); Range supported; " +
				"confidential categories need customers:confidential and are audited (SEC-009)",
			Query: []Param{{"inline", "true: show an image or PDF in the browser"}}, handle: d.content},
		{Method: "DELETE", Path: "/api/v1/documents/{id}", Tag: "documents",
			Summary: "删除资料 Delete a document (soft: the file is kept; audited)", Status: http.StatusNoContent,
			handle: d.delete},
		{Method: "GET", Path: "/api/v1/document-categories", Tag: "documents",
			Summary: "资料类别 Document categories (ARC-001, CUS-018)", Response: []categoryJSON{}, handle: d.categories},
	}
}

// maxFieldBytes bounds the text fields of the upload form.
const maxFieldBytes = 200

// multipartSlack is what an upload body may carry beyond the file: the
// other fields and the part headers.
const multipartSlack = 64 << 10

// MaxUploadBody is the largest request body POST /api/v1/documents takes
// for files of at most maxFile bytes; the app lets that path through its
// general body limit up to this size.
func MaxUploadBody(maxFile int64) int64 { return maxFile + multipartSlack }

func (d documentAPI) upload(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBody(d.svc.MaxSize()))
	mr, err := r.MultipartReader()
	if err != nil {
		return &apperr.Error{Status: http.StatusUnsupportedMediaType, Code: apperr.CodeUnsupported, Field: "file",
			Message: i18n.T("须以 multipart/form-data 表单上传", "upload as a multipart/form-data form")}
	}
	var in document.CreateInput
	var st *document.Staged
	defer func() { st.Discard() }()
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return multipartError(err)
		}
		name := part.FormName()
		if name == "" {
			return apperr.Malformed(i18n.T("表单部件缺少字段名", "a part of the form has no field name"))
		}
		if seen[name] {
			return apperr.Validation(name, i18n.T("重复的字段", "given more than once"))
		}
		seen[name] = true
		switch name {
		case "file":
			// Refuse early when the fields came first, before reading the file.
			if seen["owner_type"] && seen["owner_id"] && seen["category"] {
				if err := d.svc.Validate(r.Context(), p, &in); err != nil {
					return err
				}
			}
			st, err = d.svc.Stage(rawFileName(part), part)
			if err != nil {
				return err
			}
		case "owner_type", "category", "medium":
			v, err := formValue(part, name)
			if err != nil {
				return err
			}
			switch name {
			case "owner_type":
				in.OwnerType = v
			case "category":
				in.Category = v
			default:
				in.Medium = v
			}
		case "owner_id":
			v, err := formValue(part, name)
			if err != nil {
				return err
			}
			if in.OwnerID, err = store.ParseID(v); err != nil {
				return apperr.Validation("owner_id", i18n.T("须为编号", "must be an id"))
			}
		default:
			return apperr.Validation(name, i18n.T("未知字段", "unknown field"))
		}
		part.Close()
	}
	if st == nil {
		if err := d.svc.Validate(r.Context(), p, &in); err != nil {
			return err
		}
		return apperr.Required("file")
	}
	doc, err := d.svc.Create(r.Context(), p, in, st)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/documents/"+doc.ID.String())
	writeJSON(w, http.StatusCreated, doc)
	return nil
}

// multipartError turns a broken form into 400 (413 when too large).
func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return apperr.Malformed(i18n.T("multipart 表单格式错误", "malformed multipart form"))
}

// formValue reads a short text field of the form.
func formValue(part *multipart.Part, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return "", multipartError(err)
	}
	switch {
	case len(b) > maxFieldBytes:
		return "", apperr.Validation(name, i18n.T("过长", "too long"))
	case !utf8.Valid(b) || strings.ContainsRune(string(b), 0):
		return "", apperr.Validation(name, i18n.T("须为不含空字符的 UTF-8 文本", "must be UTF-8 text without NUL characters"))
	}
	return strings.TrimSpace(string(b)), nil
}

// rawFileName is the file name exactly as the client sent it (the
// sanitiser, not multipart's filepath.Base, decides what is kept).
func rawFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName()
	}
	return params["filename"]
}

func (d documentAPI) list(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var owner store.ID
	if s := q.Get("owner_id"); s != "" {
		if owner, err = store.ParseID(s); err != nil {
			return apperr.Validation("owner_id", i18n.T("须为编号", "must be an id"))
		}
	}
	page, err := d.svc.List(r.Context(), p, q.Get("owner_type"), owner, pg.Limit, pg.Cursor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(page.Items, page.Next))
	return nil
}

func (d documentAPI) get(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "document")
	if err != nil {
		return err
	}
	doc, err := d.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func (d documentAPI) delete(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "document")
	if err != nil {
		return err
	}
	if err := d.svc.Delete(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d documentAPI) categories(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	loc := i18n.FromRequest(r)
	out := make([]categoryJSON, len(document.Categories))
	for i, c := range document.Categories {
		out[i] = categoryJSON{Key: c.Key, Name: c.Name.In(loc), Confidential: c.Confidential}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Content-Security-Policy of downloaded content: nothing runs, nothing
// loads. An inline PDF cannot be sandboxed (browsers' PDF viewers refuse
// to run in a sandbox) and gets the strictest policy they accept.
const (
	cspContent   = "sandbox; default-src 'none'"
	cspInlinePDF = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

// content serves a document's bytes so that a browser never runs them:
// the stored sniffed type, nosniff, a sandboxing policy, and as an
// attachment unless an image or PDF is asked for inline. Ranges and
// conditional requests (ETag = SHA-256) are answered by http.ServeContent.
func (d documentAPI) content(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := recordID(r, "document")
	if err != nil {
		return err
	}
	inline, err := queryBool(r, "inline")
	if err != nil {
		return err
	}
	doc, rc, err := d.svc.Open(r.Context(), p, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+doc.SHA256+`"`)
	if doc.Confidential {
		h.Set("Cache-Control", "private, no-store")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	disposition := "attachment"
	h.Set("Content-Security-Policy", cspContent)
	if inline && document.InlineAllowed(doc.ContentType) {
		disposition = "inline"
		h.Set("X-Frame-Options", "SAMEORIGIN")
		if doc.ContentType == "application/pdf" {
			h.Set("Content-Security-Policy", cspInlinePDF)
		}
	}
	h.Set("Content-Disposition", ContentDisposition(disposition, doc.Name))
	http.ServeContent(w, r, "", doc.UploadedAt, rc)
	return nil
}

// ContentDisposition formats the header for a file name (RFC 6266): an
// ASCII fallback in filename= and the exact UTF-8 name in filename*=.
func ContentDisposition(kind, name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' && r != '%' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			ext.WriteByte(c)
		} else {
			ext.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}
