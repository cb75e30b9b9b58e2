package customerio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

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
	packs, err := policy.Builtins()
	if err != nil {
		f.Fatal(err)
	}
	var gas *policy.Pack
	for _, p := range packs {
		if p.Key == "gas" {
			gas = p
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		path := filepath.Join(dir, "ledger.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := OpenLedger(path, "ledger.csv", nil)
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
	})
}

func checkClientError(t *testing.T, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Status < 400 || e.Status >= 500 {
		t.Fatalf("not a client error: %v", err)
	}
}
