package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/document"
	"kefu/internal/i18n"
)

// uploadFields are the inputs of a file page's upload form.
var uploadFields = []string{"category", "title", "medium", "pages", "received_from", "file"}

// arcUpload checks an electronic copy into a file (ARC-001: scans,
// photos, recordings, videos): the multipart body is streamed and staged
// by the document service, which sniffs its type; the document is owned by
// the file ("archive_file") and the item filed at once into its volume. A
// check-in the service refuses withdraws the document again, so nothing
// is left half-written.
func (s *Server) arcUpload(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	f := newForm(nil)
	fail := func(err error) error {
		if !failOn(f, err, l, uploadFields) {
			return err
		}
		return s.renderFile(w, rq, statusOf(err), id, "upload", f)
	}
	mr, err := rq.MultipartReader()
	if err != nil {
		return fail(apperr.Required("file"))
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
			return fail(apperr.Malformed(i18n.T("上传中断，请重试", "the upload was cut off; try again")))
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue
			}
			if staged, err = s.docs.Stage(part.FileName(), part); err != nil {
				return fail(err)
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, maxUploadForm))
		f.Values.Set(part.FormName(), string(b))
	}
	in := archive.ItemInput{FileID: id, Category: f.text("category"), Title: f.text("title"), Medium: f.text("medium"),
		Copy: true, ReceivedFrom: f.text("received_from")}
	if in.Medium == "" || in.Medium == "paper" {
		in.Medium = "electronic"
	}
	if v := f.text("pages"); v != "" {
		if in.Pages, err = strconv.Atoi(v); err != nil || in.Pages < 0 {
			return fail(apperr.Validation("pages", label("arc.bad_pages")))
		}
	}
	switch {
	case in.Category == "":
		return fail(apperr.Required("category"))
	case in.Title == "":
		return fail(apperr.Required("title"))
	case staged == nil:
		return fail(apperr.Required("file"))
	}
	doc, err := s.docs.Create(ctx, p, document.CreateInput{OwnerType: "archive_file", OwnerID: id, Category: "other",
		Medium: in.Medium}, staged)
	if err != nil {
		return fail(err)
	}
	in.DocumentID = doc.ID
	if _, err := s.archives.CheckIn(ctx, p, in); err != nil {
		if derr := s.docs.Delete(ctx, p, doc.ID); derr != nil {
			return errors.Join(err, derr)
		}
		return fail(err)
	}
	s.seeOther(w, rq.Request, "/archives/files/"+id.String()+"#items", "arc_uploaded")
	return nil
}
