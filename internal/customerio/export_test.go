package customerio_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestExportRoundTrip exports an imported ledger as .xlsx and CSV and
// checks the files, then dry-runs each export into a fresh database: no
// row has an error. The household profile is never exported (SEC-010)
// and identity numbers are masked.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rows := [][]string{gasHeader}
		for i := range 30 {
			rows = append(rows, gasRow(i))
		}
		rows[1][4] = "110101199001011234"
		rep, err := e.importFile(writeXLSX(t, "台账.xlsx", rows), customerio.Request{OrgUnit: e.gas.ID})
		if err != nil || rep.Written != 30 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		// A customer with a household profile (SEC-010) and two accounts.
		unit := e.gas.ID
		if _, _, err := e.customers.Create(context.Background(), nil, customer.Input{Name: "李四", Phone: "13700000000",
			Type: "residential", OrgUnit: &unit, Profile: map[string]string{"health": "心脏病"},
			ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "RQ9000001"}, {Kind: "gas_account", AccountNo: "RQ9000002"}}}); err != nil {
			t.Fatal(err)
		}
		p := principal(e.root, auth.RoleManager)
		for _, format := range []string{"xlsx", "csv"} {
			var buf bytes.Buffer
			n, err := e.svc.Export(context.Background(), p, customer.Filter{}, format, &buf)
			if err != nil || n != 32 {
				t.Fatalf("%s export: %d rows, %v", format, n, err)
			}
			out := buf.Bytes()
			if bytes.Contains(out, []byte("心脏病")) {
				t.Fatalf("%s export holds the household profile", format)
			}
			if format == "csv" {
				if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF客户名称,")) || !bytes.Contains(out, []byte("\r\n")) ||
					!bytes.Contains(out, []byte("1101**********1234")) {
					t.Fatalf("csv export: %.300s", out)
				}
			} else {
				checkXLSX(t, out)
			}
			fresh := newEnv(t, storetest.OpenSQLite(t))
			path := writeFile(t, "export."+format, out)
			rep, err := fresh.importFile(path, customerio.Request{OrgUnit: fresh.gas.ID, DryRun: true})
			if err != nil || rep.Rows != 32 || rep.Valid != 32 || len(rep.Errors) != 0 {
				t.Fatalf("%s round trip: %v %+v", format, err, rep)
			}
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'customers.export'"); n != 2 {
			t.Fatalf("%d export audit rows, want 2", n)
		}
		_, err = e.svc.Export(context.Background(), principal(e.root, auth.RoleViewer), customer.Filter{}, "csv", &bytes.Buffer{})
		if ae, ok := apperr.As(err); !ok || ae.Status != 403 {
			t.Fatalf("viewer export: %v", err)
		}
	})
}

func checkXLSX(t *testing.T, b []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != customerio.SheetName {
		t.Fatalf("sheets %v", got)
	}
	panes, err := f.GetPanes(customerio.SheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("header not frozen: %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(customerio.SheetName, "E"); w < 30 {
		t.Fatalf("address column width %v", w)
	}
	a1, _ := f.GetCellValue(customerio.SheetName, "A1")
	if a1 != "客户名称" {
		t.Fatalf("A1 = %q", a1)
	}
}

// TestTemplate: every header of the template maps to a field, its two
// example rows pass a dry run into a gas unit, and the .xlsx has the 说明
// sheet.
func TestTemplate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.OpenSQLite(t))
	for _, format := range []string{"xlsx", "csv"} {
		var buf bytes.Buffer
		if err := customerio.WriteTemplate(&buf, format); err != nil {
			t.Fatal(err)
		}
		if format == "xlsx" {
			f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.GetSheetList(); len(got) != 2 || got[1] != "说明" {
				t.Fatalf("template sheets %v", got)
			}
			f.Close()
		}
		rep, err := e.importFile(writeFile(t, "template."+format, buf.Bytes()), customerio.Request{OrgUnit: e.gas.ID, DryRun: true})
		for _, c := range rep.Mapping.Columns {
			if c.Source == "none" {
				t.Fatalf("%s template column %s maps to no field", format, c.Header)
			}
		}
		if err != nil || rep.Rows != 2 {
			t.Fatalf("%s template: %v %+v", format, err, rep)
		}
		if rep.Valid != 2 {
			t.Fatalf("%s template rows: %+v", format, rep.Errors)
		}
	}
	if err := customerio.WriteTemplate(&bytes.Buffer{}, "pdf"); err == nil {
		t.Fatal("pdf template")
	}
}

// TestImportJob runs an import as a background job and polls its status
// until it is done (no sleeping on a fixed time: a deadline bounds the
// polling); a job left running by a stopped process is marked failed.
func TestImportJob(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rows := [][]string{gasHeader}
		for i := range 2500 {
			rows = append(rows, gasRow(i))
		}
		rows[100][3] = "电话未知"
		path := writeFile(t, "big.csv", []byte(csvOf(rows)))
		job, err := e.svc.StartJob(context.Background(), nil, customerio.Request{Path: path, FileName: "big.csv", OrgUnit: e.gas.ID})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.After(2 * time.Minute)
		poll := time.NewTicker(20 * time.Millisecond)
		defer poll.Stop()
		for job.Status == customerio.JobQueued || job.Status == customerio.JobRunning {
			select {
			case <-deadline:
				t.Fatalf("job still %s after 2 minutes: %+v", job.Status, job)
			case <-poll.C:
			}
			if job, err = e.svc.Job(context.Background(), nil, job.ID); err != nil {
				t.Fatal(err)
			}
		}
		if job.Status != customerio.JobDone || job.RowsTotal != 2500 || job.RowsWritten != 2499 || len(job.Errors) != 1 ||
			job.Errors[0].Row != 101 || job.Report == nil || job.FinishedAt == nil {
			t.Fatalf("job: %+v", job)
		}
		if n := e.count("SELECT count(*) FROM customers"); n != 2499 {
			t.Fatalf("%d customers", n)
		}

		// A job whose process stopped: its heartbeat is old.
		old := store.Micros(testNow().Add(-time.Hour))
		if err := db.Tx(context.Background(), func(tx store.Conn) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO import_jobs (kind, file_name, sha256, status, org_unit_id,
				created_at, heartbeat_at) VALUES ('customers', 'x.xlsx', '', 'running', ?, ?, ?)`, e.gas.ID, old, old)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.RecoverJobs(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("recover: %d %v", n, err)
		}
		if n := e.count("SELECT count(*) FROM import_jobs WHERE status = 'failed' AND message LIKE '%stopped%'"); n != 1 {
			t.Fatalf("%d stopped jobs marked failed", n)
		}
		if _, err := e.svc.Job(context.Background(), principal(e.gas, auth.RoleCSSupervisor), job.ID); !strings.Contains(errString(err), "not found") {
			t.Fatalf("another user's job: %v", err)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
