package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// ImportPath is the ledger upload route; app gives it a body cap of its own
// (MaxImportBody) instead of the general one.
const ImportPath = "/api/v1/customers/import"

// MaxImportBody is the largest request body the import route reads: the
// file cap plus room for the other form fields.
const MaxImportBody = customerio.MaxFileBytes + 1<<20

// syncImportBytes: a file this small is counted, and imported in the
// request when it has fewer rows than the job threshold; a bigger file
// always runs as an import job.
const syncImportBytes = 1 << 20

// customerIOAPI serves ledger import and export.
type customerIOAPI struct {
	svc *customerio.Service
	now func() time.Time
}

func (a *API) customerIORoutes(svc *customerio.Service) []Route {
	if svc == nil {
		return nil
	}
	c := customerIOAPI{svc: svc, now: a.now}
	return []Route{
		{Method: "POST", Path: ImportPath, Permission: auth.PermCustomersImport, Tag: "customers",
			Summary: "导入客户台账 Import a customer ledger (.xlsx or CSV; multipart field file, optional mapping JSON, " +
				"all_or_nothing, org_unit). Small files answer the report; large ones answer 202 with an import job",
			Query:    []Param{{"dry_run", "true: check every row and answer the report, write nothing"}},
			Response: customerio.ImportReport{}, handle: c.importLedger},
		{Method: "GET", Path: ImportPath + "/template", Permission: auth.PermCustomersRead, Tag: "customers",
			Summary: "客户台账导入模板 Sample ledger: Chinese headers, two example rows and a 说明 sheet",
			Query:   []Param{{"format", "xlsx (default) or csv"}}, handle: c.template},
		{Method: "GET", Path: "/api/v1/customers/export", Permission: auth.PermCustomersExport, Tag: "customers",
			Summary: "导出客户台账 Export the filtered customer list as .xlsx or CSV (UTF-8 BOM); confidential fields masked, household profile never exported",
			Query: []Param{{"format", "xlsx (default) or csv"}, {"q", "substring of name, phone, address or account"},
				{"type", "type key"}, {"grade", "A-D"}, {"importance", "importance grade"}, {"special_group", "key"},
				{"key_account", "true|false"}, {"kind", "person|organisation"}, {"unit", "org unit id (its subtree)"}},
			handle: c.export},
		{Method: "GET", Path: "/api/v1/import-jobs/{id}", Permission: auth.PermCustomersImport, Tag: "customers",
			Summary: "导入任务进度 Progress and result of an import job", Response: customerio.Job{}, handle: c.job},
	}
}

// upload is a ledger received in a multipart request, spooled to disk.
type upload struct {
	path, name, sha string
	size            int64
	form            map[string]string
}

// readUpload streams the multipart body: the file part to a temporary file
// (hashing it as it goes, stopping at MaxFileBytes), the other fields into
// form. The caller removes the file.
func readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	if r.ContentLength > MaxImportBody {
		return nil, tooBig()
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, &apperr.Error{Status: http.StatusUnsupportedMediaType, Code: apperr.CodeUnsupported, Field: "file",
			Message: i18n.T("请以 multipart/form-data 上传文件（字段 file）", "upload the file as multipart/form-data (field file)")}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.Malformed(i18n.T("无法读取上传内容", "cannot read the upload"))
	}
	up := &upload{form: map[string]string{}}
	fail := func(err error) (*upload, error) {
		up.remove()
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fail(tooBig())
			}
			return fail(apperr.Malformed(i18n.T("无法读取上传内容", "cannot read the upload")))
		}
		name := part.FormName()
		if name == "file" {
			if up.path != "" {
				return fail(apperr.Validation("file", i18n.T("一次只能导入一个文件", "upload one file at a time")))
			}
			if err := up.spool(part); err != nil {
				return fail(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 64<<10+1))
		if err != nil {
			return fail(apperr.Malformed(i18n.T("无法读取上传内容", "cannot read the upload")))
		}
		if len(b) > 64<<10 || !utf8.Valid(b) || strings.ContainsRune(string(b), 0) {
			return fail(apperr.Validation(name, i18n.T("须为不超过 64 KB 的 UTF-8 文本", "must be UTF-8 text of at most 64 KB")))
		}
		up.form[name] = string(b)
	}
	if up.path == "" {
		return nil, apperr.Required("file")
	}
	return up, nil
}

func (up *upload) spool(part *multipart.Part) error {
	up.name = filepath.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
	if up.name == "." || up.name == "/" || up.name == "" {
		up.name = "ledger"
	}
	f, err := os.CreateTemp("", "kefu-import-*")
	if err != nil {
		return err
	}
	up.path = f.Name()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(part, customerio.MaxFileBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), n > customerio.MaxFileBytes:
		return tooBig()
	case err != nil:
		return apperr.Malformed(i18n.T("上传中断，请重试", "the upload was cut off; try again"))
	}
	up.size, up.sha = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

func (up *upload) remove() {
	if up != nil && up.path != "" {
		os.Remove(up.path)
	}
}

func tooBig() error {
	return &apperr.Error{Status: http.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge, Field: "file",
		Message: i18n.T("文件过大（超过 %d MB 上限）：请按片区或月份拆分成几个文件分批导入",
			"the file is too large (over the %d MB limit): split it, by area or month, and import the parts one by one",
			customerio.MaxFileBytes>>20)}
}

// request reads the import options of the form and query.
func (up *upload) request(r *http.Request) (customerio.Request, error) {
	req := customerio.Request{Path: up.path, FileName: up.name, SHA256: up.sha, Size: up.size}
	var err error
	if req.Overrides, err = customerio.ParseOverrides(up.form["mapping"]); err != nil {
		return req, err
	}
	for name, dst := range map[string]*bool{"all_or_nothing": &req.AllOrNothing, "dry_run": &req.DryRun} {
		if s := firstNonEmpty(up.form[name], r.URL.Query().Get(name)); s != "" {
			b, err := strconv.ParseBool(strings.TrimSpace(s))
			if err != nil {
				return req, apperr.Validation(name, i18n.T("须为 true 或 false", "must be true or false"))
			}
			*dst = b
		}
	}
	if s := firstNonEmpty(up.form["org_unit"], r.URL.Query().Get("org_unit")); s != "" {
		id, err := store.ParseID(strings.TrimSpace(s))
		if err != nil {
			return req, apperr.Validation("org_unit", i18n.T("须为组织单元编号", "must be an org unit id"))
		}
		req.OrgUnit = id
	}
	return req, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c customerIOAPI) importLedger(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	up, err := readUpload(w, r)
	if err != nil {
		return err
	}
	req, err := up.request(r)
	if err != nil {
		up.remove()
		return c.answer(w, r, nil, err)
	}
	big := up.size >= syncImportBytes
	if !big {
		n, err := customerio.CountRows(up.path, up.name, req.Overrides, c.svc.JobRows())
		if err != nil {
			up.remove()
			return c.answer(w, r, nil, err)
		}
		big = n >= c.svc.JobRows()
	}
	if big {
		job, err := c.svc.StartJob(r.Context(), p, req) // the job owns the file now
		if err != nil {
			up.remove()
			return err
		}
		job.Localize(i18n.FromRequest(r))
		w.Header().Set("Location", "/api/v1/import-jobs/"+job.ID.String())
		writeJSON(w, http.StatusAccepted, job)
		return nil
	}
	defer up.remove()
	rep, err := c.svc.Import(r.Context(), p, req)
	return c.answer(w, r, rep, err)
}

// answer writes an import's report, or its error: a wrong-columns 422
// carries the mapping and headers found, an all-or-nothing refusal the
// report with every bad row (both next to the usual "error" object).
func (c customerIOAPI) answer(w http.ResponseWriter, r *http.Request, rep *customerio.ImportReport, err error) error {
	loc := i18n.FromRequest(r)
	var me *customerio.MappingError
	var rie *customerio.RowsInvalidError
	switch {
	case err == nil:
		rep.Localize(loc)
		writeJSON(w, http.StatusOK, rep)
		return nil
	case errors.As(err, &me):
		e, _ := apperr.As(err)
		writeJSON(w, e.Status, map[string]any{"error": errorDetail{Code: e.Code, Field: e.Field, Message: e.Message.In(loc)},
			"headers": me.Headers, "required": customerio.Required, "mapping": me.Mapping})
		return nil
	case errors.As(err, &rie):
		e, _ := apperr.As(err)
		rie.Report.Localize(loc)
		writeJSON(w, e.Status, struct {
			Error errorDetail `json:"error"`
			*customerio.ImportReport
		}{errorDetail{Code: e.Code, Field: e.Field, Message: e.Message.In(loc)}, rie.Report})
		return nil
	}
	return err
}

func (c customerIOAPI) job(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := store.ParseID(r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("import_job")
	}
	j, err := c.svc.Job(r.Context(), p, id)
	if err != nil {
		return err
	}
	j.Localize(i18n.FromRequest(r))
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (c customerIOAPI) template(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	format, err := customerio.CheckFormat(r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	attachment(w, format, "客户台账导入模板."+format)
	return customerio.WriteTemplate(w, format)
}

func attachment(w http.ResponseWriter, format, name string) {
	w.Header().Set("Content-Type", customerio.ContentType(format))
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger."+format+"\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

// exportFilter reads the list filters of GET /api/v1/customers.
func exportFilter(r *http.Request) (customer.Filter, error) {
	q := r.URL.Query()
	f := customer.Filter{Q: q.Get("q"), Type: q.Get("type"), Grade: q.Get("grade"), Importance: q.Get("importance"),
		SpecialGroup: q.Get("special_group"), Kind: customer.Kind(q.Get("kind"))}
	if f.Kind != "" && f.Kind != customer.Person && f.Kind != customer.Organisation {
		return f, apperr.Validation("kind", i18n.T("须为 person 或 organisation", "must be person or organisation"))
	}
	var err error
	if f.KeyAccount, err = queryOptBool(r, "key_account"); err != nil {
		return f, err
	}
	if s := q.Get("unit"); s != "" {
		if f.Unit, err = store.ParseID(s); err != nil {
			return f, apperr.Validation("unit", i18n.T("须为组织单元编号", "must be an org unit id"))
		}
	}
	return f, nil
}

// lazyHeaders sets the download headers on the first write, so that an
// error before any row is still answered as JSON.
type lazyHeaders struct {
	w       http.ResponseWriter
	set     func()
	started bool
}

func (l *lazyHeaders) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.set()
	}
	return l.w.Write(b)
}

func (c customerIOAPI) export(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	format, err := customerio.CheckFormat(r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	f, err := exportFilter(r)
	if err != nil {
		return err
	}
	name := "客户台账-" + c.now().In(store.Zone).Format("20060102-1504") + "." + format
	lw := &lazyHeaders{w: w, set: func() { attachment(w, format, name) }}
	_, err = c.svc.Export(r.Context(), p, f, format, lw)
	if err != nil && lw.started {
		// Too late for a JSON answer: cut the download short so that the
		// client sees a broken file, not a complete-looking one.
		panic(http.ErrAbortHandler)
	}
	return err
}
