package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/i18n"
)

// checkInFields are the inputs of the check-in form.
var checkInFields = []string{"category", "title", "medium", "pages", "received_from", "file_number"}

// arcTrayRow is one document waiting to be filed, with its same-day clock.
type arcTrayRow struct {
	I      *archive.Item
	Medium string
	Due    *dueBadge
}

// arcTrayData is the intake tray (ARC-009).
type arcTrayData struct {
	*arcCtx
	Rows       []arcTrayRow
	Categories []option
	Media      []option
	Overdue    int
	DueToday   int
	RowForm    *Form // the refused "归档" of a row, else empty
	refusedForm
}

// arcTray lists the documents received and not filed, with the check-in form.
func (s *Server) arcTray(w http.ResponseWriter, rq *request) error {
	return s.renderTray(w, rq, http.StatusOK, "", nil)
}

func (s *Server) renderTray(w http.ResponseWriter, rq *request, status int, failed string, f *Form) error {
	l := rq.Lang
	c := s.arcContext(rq, f, "tray")
	d := &arcTrayData{arcCtx: c, Categories: c.categoryOptions(l), Media: arcOptions("medium", archive.Media, l),
		refusedForm: refusedForm{Failed: failed, Form: f}, RowForm: newForm(nil)}
	if strings.HasPrefix(failed, "file-") {
		d.RowForm = f
	}
	items, err := s.archives.Tray(rq.Context(), rq.P, c.Company)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range items {
		it := &items[i]
		r := arcTrayRow{I: it, Medium: arcName("medium", it.Medium, l), Due: trayDue(it, now, l)}
		if it.Overdue {
			d.Overdue++
		} else {
			d.DueToday++
		}
		d.Rows = append(d.Rows, r)
	}
	if f == nil {
		f = newForm(nil)
	}
	s.arcRender(w, rq, status, "archives_tray", "arc.tray", f, d)
	return nil
}

// trayDue is the same-day clock of a document: due today, or overdue.
func trayDue(it *archive.Item, now time.Time, l i18n.Locale) *dueBadge {
	b := &dueBadge{Title: label("arc.due_at", arcDueText(it.FilingDueAt)).In(l)}
	if it.Overdue || now.After(it.FilingDueAt) {
		b.Class, b.Text = "over", label("arc.filing_overdue").In(l)
	} else {
		b.Class, b.Text = "warn", label("arc.filing_today").In(l)
	}
	return b
}

// arcCheckIn checks a document in: into a file at once, or into the tray.
func (s *Server) arcCheckIn(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	in := archive.ItemInput{CompanyID: f.id("company_id"), Category: f.text("category"), Title: f.text("title"),
		Medium: f.text("medium"), Copy: f.Checked("copy"), ReceivedFrom: f.text("received_from")}
	if v := f.text("pages"); v != "" {
		if in.Pages, err = strconv.Atoi(v); err != nil || in.Pages < 0 {
			f.Errors["pages"] = label("arc.bad_pages").In(l)
		}
	}
	if n := f.text("file_number"); n != "" && !f.HasErrors() {
		file, err := s.archives.LookupFile(ctx, p, in.CompanyID, n)
		switch {
		case apperr.Is(err, apperr.CodeNotFound):
			f.Errors["file_number"] = label("arc.no_such_file").In(l)
		case err != nil:
			return err
		default:
			in.FileID = file.ID
		}
	}
	var it archive.Item
	err = nil
	if !f.HasErrors() {
		if it, err = s.archives.CheckIn(ctx, p, in); err != nil && !failOn(f, err, l, checkInFields) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderTray(w, rq, statusOf(err), "checkin", f)
	}
	if it.FileID != 0 {
		s.seeOther(w, rq.Request, "/archives/files/"+it.FileID.String(), "arc_filed")
		return nil
	}
	s.seeOther(w, rq.Request, "/archives/tray", "arc_checked_in")
	return nil
}

// arcFileItem files a document of the tray into a file given by number.
func (s *Server) arcFileItem(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	field := "file_number_" + id.String()
	file, err := s.archives.LookupFile(ctx, p, f.id("company_id"), f.text("file_number"))
	if err == nil {
		_, err = s.archives.FileItem(ctx, p, id, file.ID)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && (e.Field == "file_number" || e.Field == "file_id" || e.Code == apperr.CodeNotFound) {
			if e.Code == apperr.CodeNotFound && e.Field == "file_number" {
				f.Errors[field] = label("arc.no_such_file").In(l)
			} else {
				f.Errors[field] = e.Message.In(l)
			}
		} else if !failOn(f, err, l, nil) {
			return err
		}
		return s.renderTray(w, rq, statusOf(err), "file-"+id.String(), f)
	}
	s.seeOther(w, rq.Request, "/archives/files/"+file.ID.String(), "arc_filed")
	return nil
}
