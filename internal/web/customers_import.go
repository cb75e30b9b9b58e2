package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/customerio"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// The ledger import wizard (客户台账导入): upload → dry run (the mapping
// used, editable, and every bad row) → import all or only the valid rows,
// in the request or, for a large file, as a background job whose progress
// page polls a small JSON endpoint. The uploaded file waits on disk between
// the steps under a random token bound to the user.

// spoolTTL is how long an uploaded ledger waits for the next step.
const spoolTTL = 2 * time.Hour

// syncImportBytes: a larger file always runs as a job (as the API does).
const syncImportBytes = 1 << 20

type spooled struct {
	path, name, sha string
	size            int64
	user            store.ID
	at              time.Time
}

// importSpool holds the ledgers between the wizard's steps.
type importSpool struct {
	mu    sync.Mutex
	files map[string]spooled
}

func (sp *importSpool) put(f spooled) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for k, old := range sp.files {
		if time.Since(old.at) > spoolTTL {
			os.Remove(old.path)
			delete(sp.files, k)
		}
	}
	sp.files[token] = f
	return token
}

// get returns the ledger of token if user uploaded it.
func (sp *importSpool) get(token string, user store.ID) (spooled, bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	f, ok := sp.files[token]
	return f, ok && f.user == user
}

// take forgets token; remove also deletes the file (a job owns it otherwise).
func (sp *importSpool) take(token string, remove bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if f, ok := sp.files[token]; ok && remove {
		os.Remove(f.path)
	}
	delete(sp.files, token)
}

// ledgerView is the import wizard.
type ledgerView struct {
	Step      string // upload, check or done
	Token     string
	File      string
	Mode      string // all (all or nothing) or valid
	Report    *customerio.ImportReport
	Mapping   *customerio.Mapping
	FieldOpts []option
	Errors    []rowErrorView
	Job       *customerio.Job
	Percent   int
	JobRows   int
}

// rowErrorView is one bad row of the dry run.
type rowErrorView struct {
	Row                    int
	Column, Field, Message string
}

// importPage shows the upload step.
func (s *Server) importPage(w http.ResponseWriter, rq *request) error {
	s.renderImportWizard(w, rq, http.StatusOK, &ledgerView{Step: "upload", Mode: "valid"}, newForm(nil))
	return nil
}

func (s *Server) renderImportWizard(w http.ResponseWriter, rq *request, status int, v *ledgerView, f *Form) {
	l := rq.Lang
	v.JobRows = s.imports.JobRows()
	v.FieldOpts = append(v.FieldOpts, option{customerio.Ignore, label("imp.ignore").In(l)})
	for _, fl := range customerio.Fields {
		v.FieldOpts = append(v.FieldOpts, option{fl.Key, fieldName(fl.Key, l)})
	}
	if v.Report != nil {
		v.Report.Localize(l)
		v.Mapping = &v.Report.Mapping
		for _, e := range v.Report.Errors {
			v.Errors = append(v.Errors, rowErrorView{Row: e.Row, Column: e.Column, Field: fieldName(e.Field, l), Message: e.Message})
		}
	}
	pg := s.newPage(rq, "imp.title", "customers")
	pg.Form = f
	pg.Data = v
	s.render(w, rq, status, "customer_import", pg)
}

// fieldName is a ledger field's column header in the locale.
func fieldName(key string, l i18n.Locale) string {
	if key == "" {
		return ""
	}
	if fl, ok := customerio.LookupField(key); ok {
		if l == i18n.EN {
			return fl.HeaderEN
		}
		return fl.Header
	}
	return key
}

// importUpload receives the ledger and dry-runs it.
func (s *Server) importUpload(w http.ResponseWriter, rq *request) error {
	f := newForm(nil)
	v := &ledgerView{Step: "upload", Mode: "valid"}
	up, err := s.spoolUpload(rq, f)
	if err != nil {
		if !failOn(f, err, rq.Lang, []string{"file"}) {
			return err
		}
		s.renderImportWizard(w, rq, statusOf(err), v, f)
		return nil
	}
	v.Token = s.spool.put(up)
	if m := f.text("mode"); m == "all" {
		v.Mode = m
	}
	return s.dryRun(w, rq, v, up, f, nil)
}

// spoolUpload streams the multipart body: the file to a temporary file
// (hashed, at most customerio.MaxFileBytes), the small fields into f.
func (s *Server) spoolUpload(rq *request, f *Form) (spooled, error) {
	up := spooled{user: rq.P.UserID, at: time.Now()}
	mr, err := rq.MultipartReader()
	if err != nil {
		return up, apperr.Required("file")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if up.path != "" {
				os.Remove(up.path)
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return up, err
			}
			return up, apperr.Malformed(i18n.T("上传中断，请重试", "the upload was cut off; try again"))
		}
		if part.FormName() != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, maxUploadForm))
			f.Values.Set(part.FormName(), string(b))
			continue
		}
		if part.FileName() == "" || up.path != "" {
			continue
		}
		up.name = filepath.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
		tmp, err := os.CreateTemp("", "kefu-ui-import-*")
		if err != nil {
			return up, err
		}
		up.path = tmp.Name()
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(part, customerio.MaxFileBytes+1))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil || n > customerio.MaxFileBytes {
			os.Remove(up.path)
			if err == nil {
				err = apperr.Validation("file", i18n.T("文件过大（超过 %d MB 上限）：请拆分后分批导入",
					"the file is too large (over %d MB): split it and import the parts", customerio.MaxFileBytes>>20))
			}
			return up, err
		}
		up.size, up.sha = n, hex.EncodeToString(h.Sum(nil))
	}
	if up.path == "" {
		return up, apperr.Validation("file", i18n.T("请选择要导入的台账文件（.xlsx 或 .csv）", "choose the ledger file (.xlsx or .csv)"))
	}
	return up, nil
}

// dryRun checks every row and shows the check step.
func (s *Server) dryRun(w http.ResponseWriter, rq *request, v *ledgerView, up spooled, f *Form, o customerio.Overrides) error {
	v.Step, v.File = "check", up.name
	rep, err := s.imports.Import(rq.Context(), rq.P, customerio.Request{Path: up.path, FileName: up.name, SHA256: up.sha,
		Size: up.size, Overrides: o, DryRun: true})
	var me *customerio.MappingError
	switch {
	case errors.As(err, &me):
		e, _ := apperr.As(err)
		f.Alert = e.Message.In(rq.Lang)
		m := me.Mapping
		v.Mapping = &m
		s.renderImportWizard(w, rq, http.StatusUnprocessableEntity, v, f)
		return nil
	case err != nil:
		if !failOn(f, err, rq.Lang, nil) {
			return err
		}
		v.Step = "upload"
		s.spool.take(v.Token, true)
		s.renderImportWizard(w, rq, statusOf(err), v, f)
		return nil
	}
	v.Report = rep
	s.renderImportWizard(w, rq, http.StatusOK, v, f)
	return nil
}

// wizardForm reads the token, mode and column mapping of the check step.
func (s *Server) wizardForm(rq *request) (*ledgerView, spooled, *Form, customerio.Overrides, error) {
	if err := rq.ParseForm(); err != nil {
		return nil, spooled{}, nil, nil, err
	}
	f := newForm(cloneValues(rq.PostForm))
	v := &ledgerView{Token: f.text("token"), Mode: "valid"}
	if f.text("mode") == "all" {
		v.Mode = "all"
	}
	up, ok := s.spool.get(v.Token, rq.P.UserID)
	if !ok {
		return nil, up, nil, nil, apperr.Validation("file", i18n.T("上传的文件已过期，请重新上传", "the uploaded file has expired; upload it again"))
	}
	// Only the columns the user changed (or changed earlier) are sent, keyed
	// by their header: a letter key would also match a title row above the
	// header, and the automatic matches need no override.
	o := customerio.Overrides{}
	for k, vals := range f.Values {
		col, ok := strings.CutPrefix(k, "map.")
		if !ok || len(vals) == 0 {
			continue
		}
		if vals[0] != f.Get("was."+col) || f.Get("src."+col) == "mapping" {
			key := f.Get("hdr." + col)
			if key == "" {
				key = col
			}
			o[key] = vals[0]
		}
	}
	if len(o) == 0 {
		o = nil
	}
	return v, up, f, o, nil
}

// importCheck re-runs the dry run with the mapping as edited.
func (s *Server) importCheck(w http.ResponseWriter, rq *request) error {
	v, up, f, o, err := s.wizardForm(rq)
	if err != nil {
		return s.expired(w, rq, err)
	}
	return s.dryRun(w, rq, v, up, f, o)
}

// expired answers a step whose upload is gone with the upload step.
func (s *Server) expired(w http.ResponseWriter, rq *request, err error) error {
	f := newForm(nil)
	if !failOn(f, err, rq.Lang, []string{"file"}) {
		return err
	}
	s.renderImportWizard(w, rq, statusOf(err), &ledgerView{Step: "upload", Mode: "valid"}, f)
	return nil
}

// importStart imports: in the request for a small file, else as a job.
func (s *Server) importStart(w http.ResponseWriter, rq *request) error {
	v, up, f, o, err := s.wizardForm(rq)
	if err != nil {
		return s.expired(w, rq, err)
	}
	req := customerio.Request{Path: up.path, FileName: up.name, SHA256: up.sha, Size: up.size, Overrides: o,
		AllOrNothing: v.Mode == "all"}
	big := up.size >= syncImportBytes
	if !big {
		n, err := customerio.CountRows(up.path, up.name, o, s.imports.JobRows())
		big = err == nil && n >= s.imports.JobRows()
	}
	if big {
		job, err := s.imports.StartJob(rq.Context(), rq.P, req)
		if err != nil {
			return err
		}
		s.spool.take(v.Token, false) // the job owns the file now
		s.seeOther(w, rq.Request, "/customers/import/jobs/"+job.ID.String(), "import_started")
		return nil
	}
	rep, err := s.imports.Import(rq.Context(), rq.P, req)
	var rie *customerio.RowsInvalidError
	switch {
	case errors.As(err, &rie):
		v.Step, v.File, v.Report = "check", up.name, rie.Report
		e, _ := apperr.As(err)
		f.Alert = e.Message.In(rq.Lang)
		s.renderImportWizard(w, rq, http.StatusUnprocessableEntity, v, f)
		return nil
	case err != nil:
		v.Step, v.File = "check", up.name
		if !failOn(f, err, rq.Lang, nil) {
			return err
		}
		s.renderImportWizard(w, rq, statusOf(err), v, f)
		return nil
	}
	s.spool.take(v.Token, true)
	v.Step, v.File, v.Report, v.Token = "done", up.name, rep, ""
	s.renderImportWizard(w, rq, http.StatusOK, v, f)
	return nil
}

// importTemplate downloads the sample ledger.
func (s *Server) importTemplate(w http.ResponseWriter, rq *request) error {
	format, err := customerio.CheckFormat(rq.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	attachmentHeaders(w, customerio.ContentType(format), "客户台账导入模板."+format)
	return customerio.WriteTemplate(w, format)
}

// importJobPage shows an import job's progress, and its result once done.
func (s *Server) importJobPage(w http.ResponseWriter, rq *request) error {
	j, err := s.importJob(rq)
	if err != nil {
		return err
	}
	v := &ledgerView{Step: "job", Job: &j, File: j.File, Report: j.Report, Percent: percent(j)}
	if j.Report == nil && len(j.Errors) > 0 {
		v.Report = &customerio.ImportReport{Errors: j.Errors, Invalid: len(j.Errors)}
	}
	s.renderImportWizard(w, rq, http.StatusOK, v, newForm(nil))
	return nil
}

// importJobProgress is the JSON the progress page polls.
func (s *Server) importJobProgress(w http.ResponseWriter, rq *request) error {
	j, err := s.importJob(rq)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"status": j.Status, "phase": j.Phase, "rows_done": j.RowsDone,
		"rows_total": j.RowsTotal, "rows_written": j.RowsWritten, "percent": percent(j),
		"finished": j.Status == customerio.JobDone || j.Status == customerio.JobFailed})
}

func (s *Server) importJob(rq *request) (customerio.Job, error) {
	id, err := store.ParseID(rq.PathValue("job"))
	if err != nil {
		return customerio.Job{}, notFound()
	}
	j, err := s.imports.Job(rq.Context(), rq.P, id)
	if err != nil {
		return j, err
	}
	j.Localize(rq.Lang)
	return j, nil
}

// percent is how far a job has come (0–100).
func percent(j customerio.Job) int {
	switch {
	case j.Status == customerio.JobDone:
		return 100
	case j.RowsTotal <= 0:
		return 0
	}
	return min(100, j.RowsDone*100/j.RowsTotal)
}
