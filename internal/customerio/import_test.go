package customerio_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customerio"
	"kefu/internal/i18n"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestImportLedger imports a small gas ledger: a dry run writes nothing and
// reports the bad row; all-or-nothing with the bad row writes nothing; a
// partial import writes the good rows and reports the bad one; the import
// is audited once.
func TestImportLedger(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rows := [][]string{gasHeader, gasRow(0), gasRow(1), gasRow(2), gasRow(3)}
		rows[3][3] = "12345" // row 4: a phone of 5 digits
		path := writeXLSX(t, "台账.xlsx", rows)
		req := customerio.Request{OrgUnit: e.gas.ID, DryRun: true}

		rep, err := e.importFile(path, req)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 4 || rep.Valid != 3 || rep.Invalid != 1 || rep.Written != 0 || e.count("SELECT count(*) FROM customers") != 0 {
			t.Fatalf("dry run: %+v", rep)
		}
		if errs := errorsOf(rep)[4]; len(errs) != 1 || errs[0].Field != "phone" || errs[0].Column != "D" {
			t.Fatalf("dry run errors: %+v", rep.Errors)
		}
		if c := rep.Mapping.Columns[1]; c.Header != "户号" || c.Field != "account_no" || c.Source != "auto" {
			t.Fatalf("mapping: %+v", rep.Mapping)
		}

		req.DryRun, req.AllOrNothing = false, true
		rep, err = e.importFile(path, req)
		var rie *customerio.RowsInvalidError
		if !errors.As(err, &rie) || rep.Written != 0 || e.count("SELECT count(*) FROM customers") != 0 {
			t.Fatalf("all or nothing with a bad row: %v %+v", err, rep)
		}
		if ae, ok := apperr.As(err); !ok || ae.Status != http.StatusUnprocessableEntity || len(rie.Report.Errors) != 1 {
			t.Fatalf("all or nothing error: %v", err)
		}

		req.AllOrNothing = false
		rep, err = e.importFile(path, req)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Written != 3 || len(rep.WrittenRows) != 2 || rep.WrittenRows[0] != [2]int{2, 3} || rep.WrittenRows[1] != [2]int{5, 5} {
			t.Fatalf("partial import: %+v", rep)
		}
		if n := e.count("SELECT count(*) FROM service_points WHERE kind = 'gas_account' AND company_id = ?", e.gas.ID); n != 3 {
			t.Fatalf("%d service points, want 3", n)
		}
		var note, attrs string
		if err := db.Reader().QueryRow(context.Background(), `SELECT c.note, sp.attributes FROM customers c
			JOIN service_points sp ON sp.customer_id = c.id WHERE sp.account_no = 'RQ0000001'`).Scan(&note, &attrs); err != nil {
			t.Fatal(err)
		}
		if note != "开户日期：2019-05-01" || !strings.Contains(attrs, `"G000000001"`) || !strings.Contains(attrs, "bimonthly") {
			t.Fatalf("note %q attributes %s", note, attrs)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'customers.import'"); n != 1 {
			t.Fatalf("%d import audit rows, want 1", n)
		}

		// The same ledger again: every account is on file (CUS-001), the
		// bad row is still bad; nothing is written twice.
		rep, err = e.importFile(path, req)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Written != 0 || rep.Invalid != 4 || !strings.Contains(errorsOf(rep)[2][0].Message, "已有档案") {
			t.Fatalf("second import: %+v", rep)
		}
	})
}

// TestBadLedgers covers each bad input of the issue with its report.
func TestBadLedgers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dry := customerio.Request{OrgUnit: e.gas.ID, DryRun: true}

		t.Run("wrong columns", func(t *testing.T) {
			path := writeXLSX(t, "x.xlsx", [][]string{{"日期", "金额", "经办人"}, {"2024-01-01", "100", "王"}})
			_, err := e.importFile(path, dry)
			var me *customerio.MappingError
			ae, _ := apperr.As(err)
			if !errors.As(err, &me) || ae.Status != 422 || ae.Field != "file" || len(me.Headers) != 3 ||
				!strings.Contains(ae.Message.In(i18n.ZH), "客户名称（name）") || !strings.Contains(ae.Message.In(i18n.ZH), "经办人") {
				t.Fatalf("wrong columns: %v", err)
			}
		})
		t.Run("mapping override", func(t *testing.T) {
			path := writeFile(t, "x.csv", []byte(csvOf([][]string{{"联系人", "联系方式", "住址", "用户性质"}, {"王芳", "13800138000", "3栋", "居民"}})))
			if _, err := e.importFile(path, dry); err == nil {
				t.Fatal("no name column, but no error")
			}
			req := dry
			req.Overrides = customerio.Overrides{"联系人": "name"}
			rep, err := e.importFile(path, req)
			if err != nil || rep.Valid != 1 || rep.Mapping.Columns[0].Source != "mapping" {
				t.Fatalf("override: %v %+v", err, rep)
			}
			req.Overrides = customerio.Overrides{"联系人": "name", "不存在": "phone"}
			_, err = e.importFile(path, req)
			if ae, ok := apperr.As(err); !ok || ae.Field != "mapping" {
				t.Fatalf("unknown mapped column: %v", err)
			}
			if _, err := customerio.ParseOverrides(`{"联系人":"nickname"}`); err == nil {
				t.Fatal("unknown field accepted")
			}
		})
		t.Run("merged cells", func(t *testing.T) {
			rows := [][]string{gasHeader, gasRow(10), gasRow(11), gasRow(12)}
			rows[2][5] = "" // the address of row 3 is only in the merged B-range's first cell
			path := writeXLSX(t, "merged.xlsx", rows, "F2:F3")
			rep, err := e.importFile(path, dry)
			if err != nil {
				t.Fatal(err)
			}
			errs := errorsOf(rep)
			if rep.Invalid != 2 || len(errs[2]) != 1 || len(errs[3]) != 1 || errs[4] != nil ||
				!strings.Contains(errs[2][0].Message, "F2:F3") || errs[2][0].Field != "address" {
				t.Fatalf("merged: %+v", rep.Errors)
			}
			if len(rep.MergedCells) != 1 {
				t.Fatalf("merged cells %v", rep.MergedCells)
			}
		})
		t.Run("dates as text", func(t *testing.T) {
			rows := [][]string{gasHeader}
			for i, d := range []string{"2024年3月5日", "2024/3/5", "2024.03.05", "20240305", "２０２４－０３－０５", "45356", "2024-02-30", "下个月"} {
				r := gasRow(20 + i)
				r[9] = d
				rows = append(rows, r)
			}
			rep, err := e.importFile(writeFile(t, "d.csv", []byte(csvOf(rows))), dry)
			if err != nil {
				t.Fatal(err)
			}
			errs := errorsOf(rep)
			if rep.Valid != 6 || len(errs[8]) != 1 || len(errs[9]) != 1 || errs[8][0].Field != "opened_on" {
				t.Fatalf("dates: %+v", rep.Errors)
			}
		})
		t.Run("full-width digits and scientific notation", func(t *testing.T) {
			rows := [][]string{gasHeader, gasRow(30), gasRow(31), gasRow(32)}
			rows[1][3], rows[1][1] = "１３８００１３８０３０", "ＲＱ０００００３１"
			rows[2][3] = "1.38001E+10"
			rows[3][4] = "1.10101E+17"
			path := writeXLSX(t, "fw.xlsx", rows)
			rep, err := e.importFile(path, customerio.Request{OrgUnit: e.gas.ID})
			if err != nil {
				t.Fatal(err)
			}
			errs := errorsOf(rep)
			if rep.Written != 1 || errs[3][0].Field != "phone" || errs[4][0].Field != "id_number" ||
				!strings.Contains(errs[3][0].Message, "科学计数法") {
				t.Fatalf("full width: %+v", rep)
			}
			if n := e.count("SELECT count(*) FROM customers c JOIN service_points sp ON sp.customer_id = c.id WHERE c.phone_key = '13800138030' AND sp.account_no = 'RQ0000031'"); n != 1 {
				t.Fatalf("full-width phone and account not normalised (%d)", n)
			}
		})
		t.Run("duplicated rows", func(t *testing.T) {
			a, b, c := gasRow(40), gasRow(41), gasRow(42)
			b2 := append([]string(nil), b...)
			b2[0], b2[2] = "99", "另一个名字" // same account as row 3
			noAcct1, noAcct2 := gasRow(43), gasRow(43)
			noAcct1[1], noAcct2[1], noAcct2[0] = "", "", "100"
			noAcct1[7], noAcct2[7], noAcct1[8], noAcct2[8] = "", "", "", ""
			rep, err := e.importFile(writeXLSX(t, "dup.xlsx", [][]string{gasHeader, a, b, c, a, b2, noAcct1, noAcct2}), dry)
			if err != nil {
				t.Fatal(err)
			}
			errs := errorsOf(rep)
			if rep.Invalid != 3 || !strings.Contains(errs[5][0].Message, "第2行") || errs[6][0].Field != "account_no" ||
				!strings.Contains(errs[6][0].Message, "第3行") || errs[8][0].Field != "phone" {
				t.Fatalf("duplicates: %+v", rep.Errors)
			}
		})
		t.Run("too big", func(t *testing.T) {
			path := writeFile(t, "big.csv", nil)
			if err := os.Truncate(path, 50_000_000); err != nil { // a 50 MB file, sparse
				t.Fatal(err)
			}
			_, err := e.importFile(path, dry)
			if ae, ok := apperr.As(err); !ok || ae.Status != http.StatusRequestEntityTooLarge || ae.Field != "file" {
				t.Fatalf("50 MB: %v", err)
			}
		})
		t.Run("GBK CSV", func(t *testing.T) {
			text := csvOf([][]string{gasHeader, gasRow(50), gasRow(51)})
			gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := e.importFile(writeFile(t, "gbk.csv", []byte(gbk)), dry)
			if err != nil || rep.Encoding != "gb18030" || rep.Valid != 2 || rep.Mapping.Columns[2].Field != "name" {
				t.Fatalf("GBK: %v %+v", err, rep)
			}
			bom := append([]byte("\xEF\xBB\xBF"), text...)
			if rep, err := e.importFile(writeFile(t, "bom.csv", bom), dry); err != nil || rep.Encoding != "utf-8-bom" || rep.Valid != 2 {
				t.Fatalf("BOM: %v %+v", err, rep)
			}
		})
		t.Run("not a spreadsheet", func(t *testing.T) {
			for name, b := range map[string][]byte{"old.xls": {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0},
				"broken.xlsx": []byte("PK\x03\x04garbage"), "empty.csv": nil, "title-only.csv": []byte("客户名称,电话\r\n")} {
				_, err := e.importFile(writeFile(t, name, b), dry)
				if ae, ok := apperr.As(err); !ok || ae.Status != 422 || ae.Field != "file" {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
		t.Run("columns the pack cannot take", func(t *testing.T) {
			// A gas ledger into the power company: meter and reading
			// frequency are not imported; the gas type is not a power type.
			rep, err := e.importFile(writeFile(t, "g.csv", []byte(csvOf([][]string{gasHeader, gasRow(60)}))),
				customerio.Request{OrgUnit: e.power.ID, DryRun: true})
			if err != nil || rep.Invalid != 1 || rep.Errors[0].Field != "type" || rep.Mapping.Columns[7].Source != "not_applicable" {
				t.Fatalf("power pack: %v %+v", err, rep)
			}
		})
	})
}

// TestImportPermission: the customer service refuses a caller without
// customers:write, row by row, and a unit outside the caller's scope.
func TestImportPermission(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db)
	path := writeFile(t, "g.csv", []byte(csvOf([][]string{gasHeader, gasRow(0)})))
	_, err := e.svc.Import(context.Background(), principal(e.power, auth.RoleCSSupervisor),
		customerio.Request{Path: path, FileName: "g.csv", OrgUnit: e.gas.ID})
	if ae, ok := apperr.As(err); !ok || ae.Field != "org_unit" {
		t.Fatalf("import into another company's unit: %v", err)
	}
}

// TestImport100k imports a generated 100,000-row .xlsx all or nothing and
// logs the rate (the test asserts counts, not time).
func TestImport100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows: skipped in -short")
	}
	path := generateLedger(t, 100_000)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.svc = customerio.New(customerio.Options{DB: db, Customers: e.customers, Policy: e.policy, Org: e.org})
		start := time.Now()
		var last customerio.Progress
		rep, err := e.importFile(path, customerio.Request{OrgUnit: e.gas.ID, AllOrNothing: true,
			Progress: func(p customerio.Progress) { last = p }})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if rep.Rows != 100_000 || rep.Written != 100_000 || rep.Mapping.HeaderRow != 2 || len(rep.WrittenRows) != 1 {
			t.Fatalf("report: rows %d written %d header %d", rep.Rows, rep.Written, rep.Mapping.HeaderRow)
		}
		if n := e.count("SELECT count(*) FROM customers"); n != 100_000 {
			t.Fatalf("%d customers", n)
		}
		if last.Phase != customerio.PhaseWriting || last.Done != 100_000 {
			t.Fatalf("last progress %+v", last)
		}
		t.Logf("%s: 100,000 rows checked and imported in %s (%.0f rows/s)", db.Dialect(), took.Round(time.Millisecond),
			100_000/took.Seconds())
	})
}
