package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/customerio"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/org"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// ioEnv is env with the ledger routes behind the body caps of app.Handler.
type ioEnv struct {
	*env
	h   http.Handler
	gas org.Unit
}

func newIOEnv(t *testing.T, db *store.DB) *ioEnv {
	e := newEnv(t, db)
	gas, err := e.org.Create(context.Background(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: "城市燃气", Pack: "gas"})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(services.Set{DB: db, Auth: e.auth, Org: e.org, Calendars: e.cals, Policy: e.policy,
		Version: "test", Now: e.clk.Now})
	h := httpkit.RequestID(httpkit.LimitBodyPaths(1<<20, map[string]int64{httpapi.ImportPath: httpapi.MaxImportBody}, api))
	return &ioEnv{env: e, h: h, gas: gas}
}

func (d *ioEnv) send(method, path, token, contentType string, body io.Reader) res {
	d.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	return res{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// ledgerCSV is a gas ledger of n rows; row 2+bad has a bad phone when bad >= 0.
func ledgerCSV(n, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF户号,用户名称,联系电话,用气地址,用户性质\r\n")
	for i := range n {
		phone := fmt.Sprintf("139%08d", i)
		if i == bad {
			phone = "１２３"
		}
		fmt.Fprintf(&b, "RQ%07d,用户%d,%s,幸福里%d号,居民\r\n", i, i, phone, i)
	}
	return b.Bytes()
}

type reportJSON struct {
	Rows    int `json:"rows"`
	Valid   int `json:"valid"`
	Written int `json:"written"`
	Errors  []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	Mapping struct {
		Columns []struct{ Header, Field string }
	} `json:"mapping"`
	Error *apiError `json:"error"`
}

// TestCustomerImportAPI drives the import routes: dry run, all or nothing
// refused with the bad rows, partial import, wrong columns, a too-big
// upload, a background job polled to its end, and per-role refusals.
func TestCustomerImportAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newIOEnv(t, db)
		d.user("super", d.gas.ID, auth.RoleCSSupervisor)
		d.user("agent", d.gas.ID, auth.RoleCSAgent)
		d.user("archivist", d.gas.ID, auth.RoleArchivist)
		d.user("viewer", d.gas.ID, auth.RoleViewer)
		super, agent, viewer := d.login("super"), d.login("agent"), d.login("viewer")

		post := func(token, query string, file []byte, fields ...string) (res, reportJSON) {
			ct, body := form("台账.csv", file, fields...)
			r := d.send("POST", httpapi.ImportPath+query, token, ct, bytes.NewReader(body))
			var rep reportJSON
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				r.decode(t, &rep)
			}
			return r, rep
		}

		r, rep := post(super, "?dry_run=true", ledgerCSV(10, 4))
		if r.Code != 200 || rep.Rows != 10 || rep.Valid != 9 || len(rep.Errors) != 1 || rep.Errors[0].Row != 6 ||
			rep.Errors[0].Field != "phone" || rep.Mapping.Columns[1].Field != "name" {
			t.Fatalf("dry run: %d %s", r.Code, r.Body)
		}
		r, rep = post(super, "", ledgerCSV(10, 4), "all_or_nothing", "true")
		if r.Code != 422 || rep.Error == nil || rep.Error.Code != "validation_failed" || len(rep.Errors) != 1 ||
			d.count("SELECT count(*) FROM customers") != 0 {
			t.Fatalf("all or nothing: %d %s", r.Code, r.Body)
		}
		r, rep = post(super, "", ledgerCSV(10, 4))
		if r.Code != 200 || rep.Written != 9 || d.count("SELECT count(*) FROM customers") != 9 {
			t.Fatalf("partial import: %d %s", r.Code, r.Body)
		}

		// Wrong columns: 422 with the headers found and the mapping step.
		r, _ = post(super, "?dry_run=true", []byte("日期,金额\r\n2024-01-01,5\r\n"))
		var wrong struct {
			Error    apiError `json:"error"`
			Headers  []string `json:"headers"`
			Required []string `json:"required"`
		}
		r.decode(t, &wrong)
		if r.Code != 422 || wrong.Error.Field != "file" || len(wrong.Headers) != 2 || wrong.Required[0] != "name" {
			t.Fatalf("wrong columns: %d %s", r.Code, r.Body)
		}
		wantError(t, d.send("POST", httpapi.ImportPath, super, "application/json", strings.NewReader(`{}`)), 415, "unsupported_media_type", "file")
		r, _ = post(super, "", ledgerCSV(1, -1), "mapping", `{"户号":"shoe_size"}`)
		wantError(t, r, 422, "validation_failed", "mapping")

		// A 50 MB upload stops at the cap with 413, never buffered whole.
		ct, head := form("big.csv", []byte("x"))
		cut := bytes.LastIndex(head, []byte("x"))
		body := io.MultiReader(bytes.NewReader(head[:cut]), io.LimitReader(zeros{}, 50_000_000), bytes.NewReader(head[cut+1:]))
		wantError(t, d.send("POST", httpapi.ImportPath, super, ct, body), 413, "too_large", "file")

		// A file of 2,500 rows runs as a job: 202, then the job's progress.
		r, _ = post(super, "", ledgerCSV(2500, -1), "org_unit", d.gas.ID.String())
		var job struct {
			ID          string `json:"id"`
			Status      string `json:"status"`
			RowsWritten int    `json:"rows_written"`
			RowsTotal   int    `json:"rows_total"`
		}
		r.decode(t, &job)
		if r.Code != http.StatusAccepted || job.ID == "" || r.Header.Get("Location") != "/api/v1/import-jobs/"+job.ID {
			t.Fatalf("job start: %d %s", r.Code, r.Body)
		}
		// Generous: under CI every package's tests share two cores and one
		// PostgreSQL, and this job commits 2,500 customers.
		deadline := time.After(6 * time.Minute)
		poll := time.NewTicker(20 * time.Millisecond)
		defer poll.Stop()
		for job.Status != customerio.JobDone && job.Status != customerio.JobFailed {
			select {
			case <-deadline:
				t.Fatalf("job still %s", job.Status)
			case <-poll.C:
			}
			r = d.do("GET", "/api/v1/import-jobs/"+job.ID, super, nil)
			if r.Code != 200 {
				t.Fatalf("job: %d %s", r.Code, r.Body)
			}
			r.decode(t, &job)
		}
		// The first 10 accounts were imported above (9 of them): CUS-001.
		if job.Status != customerio.JobDone || job.RowsTotal != 2500 || job.RowsWritten != 2491 {
			t.Fatalf("job end: %s", r.Body)
		}
		wantError(t, d.do("GET", "/api/v1/import-jobs/"+job.ID, d.login("archivist"), nil), 404, "not_found", "import_job")

		// Roles: an agent may not import, a viewer may not export.
		r, _ = post(agent, "?dry_run=true", ledgerCSV(1, -1))
		wantError(t, r, 403, "forbidden", "")
		wantError(t, d.do("GET", "/api/v1/customers/export?format=csv", viewer, nil), 403, "forbidden", "")
		r, rep = post(d.login("archivist"), "?dry_run=true", ledgerCSV(1, -1))
		if r.Code != 200 {
			t.Fatalf("archivist dry run: %d %s", r.Code, r.Body)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestCustomerExportAPI downloads the export and the template.
func TestCustomerExportAPI(t *testing.T) {
	t.Parallel()
	d := newIOEnv(t, storetest.OpenSQLite(t))
	ct, body := form("台账.csv", ledgerCSV(5, -1), "org_unit", d.gas.ID.String())
	if r := d.send("POST", httpapi.ImportPath, d.adminTok, ct, bytes.NewReader(body)); r.Code != 200 {
		t.Fatalf("import: %d %s", r.Code, r.Body)
	}
	r := d.do("GET", "/api/v1/customers/export?format=csv&key_account=false&type=residential", d.adminTok, nil)
	if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")) ||
		bytes.Count(r.Body, []byte("\r\n")) != 6 || !bytes.Contains(r.Body, []byte("RQ0000003")) {
		t.Fatalf("csv export: %d %v %s", r.Code, r.Header, r.Body)
	}
	wantError(t, d.do("GET", "/api/v1/customers/export?format=pdf", d.adminTok, nil), 422, "validation_failed", "format")
	wantError(t, d.do("GET", "/api/v1/customers/export?kind=robot", d.adminTok, nil), 422, "validation_failed", "kind")
	if r := d.do("GET", "/api/v1/customers/export?format=csv&key_account=true", d.adminTok, nil); bytes.Count(r.Body, []byte("\r\n")) != 1 {
		t.Fatalf("filtered export: %s", r.Body)
	}
	r = d.do("GET", "/api/v1/customers/export", d.adminTok, nil)
	if f, err := excelize.OpenReader(bytes.NewReader(r.Body)); err != nil || f.GetSheetList()[0] != customerio.SheetName {
		t.Fatalf("xlsx export: %v %s", err, r.Header)
	}
	r = d.do("GET", "/api/v1/customers/import/template?format=xlsx", d.adminTok, nil)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil || len(f.GetSheetList()) != 2 {
		t.Fatalf("template: %v", err)
	}
	var cells []string
	rows, _ := f.GetRows(customerio.SheetName)
	cells = rows[0]
	if cells[0] != "客户名称" || len(rows) != 3 {
		t.Fatalf("template rows %v", rows)
	}
}
