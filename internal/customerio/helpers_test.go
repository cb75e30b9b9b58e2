package customerio_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// env is the import service on a fresh database with a group, a gas
// company (pack gas) and a power company (pack power).
type env struct {
	t         *testing.T
	db        *store.DB
	org       *org.Service
	policy    *policy.Registry
	customers *customer.Service
	svc       *customerio.Service
	root, gas org.Unit
	power     org.Unit
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db}
	now := testNow
	e.org = org.New(org.Options{DB: db, Now: now})
	cals := calendar.NewRegistry(calendar.RegistryOptions{DB: db, Now: now, Logger: slog.New(slog.DiscardHandler)})
	if err := cals.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.policy = policy.NewRegistry(policy.Options{DB: db, Org: e.org, Calendars: cals, Now: now, Logger: slog.New(slog.DiscardHandler)})
	if err := e.policy.Load(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.root, err = e.org.EnsureRoot(ctx, "城市能源集团"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		dst        *org.Unit
		name, pack string
	}{{&e.gas, "城市燃气有限公司", "gas"}, {&e.power, "城市供电有限公司", "power"}} {
		if *u.dst, err = e.org.Create(ctx, org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: u.name, Pack: u.pack}); err != nil {
			t.Fatal(err)
		}
	}
	e.customers = customer.New(customer.Options{DB: db, Policy: e.policy, Now: now})
	e.svc = customerio.New(customerio.Options{DB: db, Customers: e.customers, Policy: e.policy, Org: e.org,
		Logger: slog.New(slog.DiscardHandler), Now: now, BatchSize: 100})
	return e
}

// testNow is the clock of the tests.
func testNow() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, store.Zone) }

// count runs a count query.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// importFile imports path as the system (nil principal) into unit.
func (e *env) importFile(path string, req customerio.Request) (*customerio.ImportReport, error) {
	e.t.Helper()
	req.Path = path
	if req.FileName == "" {
		req.FileName = filepath.Base(path)
	}
	return e.svc.Import(context.Background(), nil, req)
}

// principal is a signed-in user of roles in unit, without a session.
func principal(unit org.Unit, roles ...auth.Role) *auth.Principal {
	return &auth.Principal{UserID: 99, Username: "tester", Roles: roles, OrgUnitID: unit.ID, OrgPath: unit.Path}
}

// gasHeader is the header of a real-looking gas customer ledger.
var gasHeader = []string{"序号", "户号", "用户名称", "联系电话", "身份证号码", "用气地址", "用户性质", "表号", "抄表周期", "开户日期", "备注"}

// gasRow is row i (0-based) of a generated gas ledger: every account and
// phone distinct.
func gasRow(i int) []string {
	types := []string{"居民", "居民", "居民", "商业", "采暖"}
	return []string{fmt.Sprint(i + 1), fmt.Sprintf("RQ%07d", i+1), fmt.Sprintf("用户%06d", i+1),
		fmt.Sprintf("139%08d", i+1), "", fmt.Sprintf("朝阳区幸福里小区%d栋%d单元%d", i/200+1, i%200/40+1, 100+i%40),
		types[i%len(types)], fmt.Sprintf("G%09d", i+1), "双月", "2019-05-01", ""}
}

// writeXLSX writes a workbook with one sheet of rows (the first row as
// given, no title), streaming, and returns its path.
func writeXLSX(t testing.TB, name string, rows [][]string, merges ...string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if len(merges) > 0 { // merges need the normal writer
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range merges {
			a, b, _ := bytes.Cut([]byte(m), []byte(":"))
			if err := f.MergeCell("Sheet1", string(a), string(b)); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			if err := sw.SetRow(cell, vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// generateLedger writes an .xlsx gas ledger of n data rows with a title
// row above the header, as offices keep them, and returns its path.
func generateLedger(t testing.TB, n int) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"城市燃气有限公司 居民用户台账（2026年3月）"}); err != nil {
		t.Fatal(err)
	}
	hdr := make([]any, len(gasHeader))
	for i, h := range gasHeader {
		hdr[i] = h
	}
	if err := sw.SetRow("A2", hdr); err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(gasHeader))
	for i := 0; i < n; i++ {
		for j, v := range gasRow(i) {
			vals[j] = v
		}
		vals[9] = 43586 + i%1000 // 开户日期 as an Excel date serial
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("gas-ledger-%d.xlsx", n))
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeFile writes bytes to a temporary file.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// csvOf joins rows as CSV (no quoting needed by the tests' data).
func csvOf(rows [][]string) string {
	var b bytes.Buffer
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// errorsOf indexes a report's errors by row.
func errorsOf(rep *customerio.ImportReport) map[int][]customerio.RowError {
	m := map[int][]customerio.RowError{}
	for _, e := range rep.Errors {
		m[e.Row] = append(m[e.Row], e)
	}
	return m
}
