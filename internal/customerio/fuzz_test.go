package customerio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/internal/apperr"
	"kefu/internal/policy"
)

// FuzzLedgerCSV feeds arbitrary bytes to the CSV ledger reader and the row
// builder: whatever the bytes, the answer is a 4xx error or rows with
// positive row numbers whose errors name a field or the row — never a
// panic, never a server fault.
func FuzzLedgerCSV(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("户号,用户名称,联系电话,开户日期\r\nRQ1,王芳,13800138000,2024年3月5日\r\n")
	for _, seed := range []string{
		"户号,用户名称,联系电话\r\nRQ1,王芳,13800138000\r\n",
		"\xEF\xBB\xBF客户名称,电话,地址\n王芳,１３８００１３８０００,3栋\n王芳,１３８００１３８０００,3栋\n",
		"标题行\n\n用户名称\t手机\t开户日期\n张三\t1.38E+10\t45356\n合计,,\n",
		"户名;电话;开户日期\n\"李\"\"四\";010-6588;2024-02-30\n",
		"用户名称,电话\n\"未闭合,引号\n",
		gbk,
		"\xFF\xFE" + "a\x00,\x00b\x00",
		"用户名称,身份证号\n王,1101**********1234\n王,'=cmd\n",
	} {
		f.Add([]byte(seed))
	}
	gas := gasPack(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		readLedger(t, gas, filepath.Join(dir, "ledger.csv"), data)
	})
}

// FuzzLedgerXLSX feeds arbitrary bytes, seeded with real workbooks, to the
// .xlsx ledger reader: a 4xx error or well-formed rows, never a panic or a
// server fault.
func FuzzLedgerXLSX(f *testing.F) {
	for _, rows := range [][][]any{
		{{"户号", "用户名称", "联系电话", "开户日期"}, {"RQ1", "王芳", "13800138000", "2024年3月5日"}},
		{{"燃气用户台账"}, {}, {"用户名称", "手机", "地址"}, {"张三", 13800138000.0, "幸福里3栋"}, {"合计"}},
	} {
		x := excelize.NewFile()
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
				f.Fatal(err)
			}
		}
		buf, err := x.WriteToBuffer()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("PK\x03\x04 not really a workbook"))
	gas := gasPack(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<17 {
			return
		}
		readLedger(t, gas, filepath.Join(dir, "ledger.xlsx"), data)
	})
}

// gasPack is the built-in gas pack, whose fields the fuzzed rows fill.
func gasPack(f *testing.F) *policy.Pack {
	packs, err := policy.Builtins()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "gas" {
			return p
		}
	}
	f.Fatal("no built-in gas pack")
	return nil
}

// readLedger writes data to path and reads it as a ledger to the end:
// every failure must be a client error, every row well formed.
func readLedger(t *testing.T, gas *policy.Pack, path string, data []byte) {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLedger(path, filepath.Base(path), nil)
	if err != nil {
		checkClientError(t, err)
		return
	}
	defer l.Close()
	m := l.Mapping()
	b := newBuilder(&m, gas, 1, l.merges)
	for {
		num, cells, err := l.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			checkClientError(t, err)
			return
		}
		if num <= m.HeaderRow {
			t.Fatalf("data row %d at or above the header row %d", num, m.HeaderRow)
		}
		r := b.build(num, cells)
		for _, e := range r.Errs {
			if e.Row != num || e.Text.ZH == "" {
				t.Fatalf("row %d: bad error %+v", num, e)
			}
		}
	}
}

func checkClientError(t *testing.T, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Status < 400 || e.Status >= 500 {
		t.Fatalf("not a client error: %v", err)
	}
}
