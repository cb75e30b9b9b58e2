package customerio

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// SheetName is the worksheet of an exported ledger and of the template.
const SheetName = "客户台账"

// Export-only columns: written for the reader, not read back by an import
// (their headers map to no field).
const (
	headerMaskedID = "身份证号（已脱敏）"
	headerArchive  = "档案号"
	headerID       = "系统编号"
	headerCreated  = "建档时间"
)

// exportFields are the catalogue fields an export writes, in order; the
// identity number is written masked under its own header.
var exportFields = func() []*Field {
	var out []*Field
	for i := range Fields {
		out = append(out, &Fields[i])
	}
	return out
}()

// exportHeader is the header row of an export.
func exportHeader() []string {
	var h []string
	for _, f := range exportFields {
		if f.Key == "id_number" {
			h = append(h, headerMaskedID)
			continue
		}
		h = append(h, f.Header)
	}
	return append(h, headerArchive, headerID, headerCreated)
}

// ledgerWriter writes ledger rows to a file format.
type ledgerWriter interface {
	header(cells []string) error
	row(cells []string) error
	close() error
}

// ContentType returns the MIME type of an export format.
func ContentType(format string) string {
	if format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// CheckFormat validates the format parameter (default xlsx).
func CheckFormat(format string) (string, error) {
	switch format {
	case "":
		return FormatXLSX, nil
	case FormatXLSX, FormatCSV:
		return format, nil
	}
	return "", apperr.Validation("format", i18n.T("须为 xlsx 或 csv", "must be xlsx or csv"))
}

// Export writes the customers that filter f selects for p (all pages,
// newest first) to w as an .xlsx or CSV ledger, masked as the customer
// service masks lists; the household profile is never written (SEC-010).
// One audit row records the export. It returns the number of rows.
func (s *Service) Export(ctx context.Context, p *auth.Principal, f customer.Filter, format string, w io.Writer) (int, error) {
	if p != nil && !p.Can(auth.PermCustomersExport) {
		return 0, apperr.Forbidden(i18n.T("无权执行此操作（需要 %s 权限）", "permission %s is required", string(auth.PermCustomersExport)))
	}
	format, err := CheckFormat(format)
	if err != nil {
		return 0, err
	}
	by := "system"
	if p != nil {
		by = p.Username
	}
	lw, err := newLedgerWriter(format, w, fmt.Sprintf("kefu 导出：%s %s", by, s.now().In(store.Zone).Format("2006-01-02 15:04")))
	if err != nil {
		return 0, err
	}
	if err := lw.header(exportHeader()); err != nil {
		return 0, err
	}
	f.Limit, f.Cursor = 500, ""
	n := 0
	for {
		page, err := s.customers.List(ctx, p, f)
		if err != nil {
			return n, err
		}
		for i := range page.Items {
			for _, cells := range s.exportRows(&page.Items[i]) {
				if err := lw.row(cells); err != nil {
					return n, err
				}
				n++
			}
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if err := lw.close(); err != nil {
		return n, err
	}
	filter := map[string]any{"q": f.Q, "type": f.Type, "grade": f.Grade, "importance": f.Importance,
		"special_group": f.SpecialGroup, "kind": string(f.Kind), "unit": f.Unit}
	if f.KeyAccount != nil {
		filter["key_account"] = *f.KeyAccount
	}
	err = s.db.Tx(context.WithoutCancel(ctx), func(tx store.Conn) error {
		return audit.Record(ctx, tx, s.now(), "customers.export", "customer_export", format,
			map[string]any{"rows": n, "format": format, "filter": filter})
	})
	return n, err
}

// exportRows is one ledger row per service point of c (one row when it has
// none), in the columns of exportHeader.
func (s *Service) exportRows(c *customer.Customer) [][]string {
	var pack *policy.Pack
	if s.policy != nil {
		pack, _ = s.policy.Get(c.Pack)
	}
	base := map[string]string{"name": c.Name, "phone": c.Phone, "id_number": c.IDNumber, "address": c.Address,
		"type": typeName(pack, c.Type), "grade": c.Grade, "importance": importanceName(c.Importance),
		"credit_grade": c.CreditGrade, "email": c.Email, "car_brand": c.CarBrand, "car_plate": c.CarPlate, "note": c.Note,
		"kind": "个人", "key_account": "否"}
	if c.CreditLimitCents != 0 {
		base["credit_limit"] = c.CreditLimit
	}
	if c.Kind == customer.Organisation {
		base["kind"] = "单位"
	}
	if c.KeyAccount {
		base["key_account"] = "是"
	}
	if pack != nil {
		base["special_groups"] = names(pack.Customers.SpecialGroups, c.SpecialGroups)
		base["flags"] = names(pack.Customers.RiskFlags, c.Flags)
	} else {
		base["special_groups"], base["flags"] = strings.Join(c.SpecialGroups, "、"), strings.Join(c.Flags, "、")
	}
	points := c.ServicePoints
	if len(points) == 0 {
		points = []customer.ServicePoint{{}}
	}
	var out [][]string
	for _, sp := range points {
		v := map[string]string{"account_no": sp.AccountNo}
		for _, f := range Fields {
			if a, ok := sp.Attributes[f.Attrs[sp.Kind]]; ok && a != nil {
				v[f.Key] = attrText(a)
			}
		}
		cells := make([]string, 0, len(exportFields)+3)
		for _, f := range exportFields {
			if x, ok := v[f.Key]; ok {
				cells = append(cells, x)
			} else {
				cells = append(cells, base[f.Key])
			}
		}
		cells = append(cells, sp.ArchiveNo, c.ID.String(), c.CreatedAt.In(store.Zone).Format("2006-01-02 15:04"))
		out = append(out, cells)
	}
	return out
}

// attrText writes an attribute value as a cell: lists joined with 、,
// numbers without exponent.
func attrText(a any) string {
	switch x := a.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = attrText(e)
		}
		return strings.Join(parts, "、")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(a)
}

func typeName(p *policy.Pack, key string) string {
	if p != nil {
		if t, ok := p.Customers.Type(key); ok && t.Name.ZH != "" {
			return t.Name.ZH
		}
	}
	return key
}

func importanceName(k string) string {
	if names, ok := importanceNames[k]; ok {
		return names[0]
	}
	return k
}

func names(list []policy.Keyed, keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		for _, e := range list {
			if e.Key == k && e.Name.ZH != "" {
				out[i] = e.Name.ZH
			}
		}
	}
	return strings.Join(out, "、")
}

func newLedgerWriter(format string, w io.Writer, watermark string) (ledgerWriter, error) {
	if format == FormatCSV {
		return newCSVWriter(w)
	}
	return newXLSXWriter(w, SheetName, watermark)
}

// csvWriter writes UTF-8 with BOM and CRLF line ends, as Excel opens
// without asking; cells that Excel would run as formulas are prefixed
// with an apostrophe (the import strips it).
type csvWriter struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	return &csvWriter{bw: bw, cw: cw}, nil
}

func (c *csvWriter) header(cells []string) error { return c.row(cells) }

func (c *csvWriter) row(cells []string) error {
	out := make([]string, len(cells))
	for i, v := range cells {
		out[i] = defuse(v)
	}
	return c.cw.Write(out)
}

func (c *csvWriter) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// defuse keeps a CSV cell from being read as a formula by Excel.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// xlsxWriter streams rows into one worksheet: a bold, frozen header row,
// column widths, text-formatted code columns (phones keep their digits).
type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	n    int // rows written
	text int // style id of text cells
}

func newXLSXWriter(w io.Writer, sheet, watermark string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	_ = f.SetDocProps(&excelize.DocProperties{Creator: "kefu", Description: watermark, Title: SheetName,
		Created: time.Now().UTC().Format(time.RFC3339)})
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, err
	}
	return &xlsxWriter{w: w, f: f, sw: sw, text: text}, nil
}

func (x *xlsxWriter) header(cells []string) error {
	bold, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return err
	}
	for i, h := range cells {
		w := 12.0
		if f, ok := fieldByAlias[headerKey(h)]; ok {
			switch f.Key {
			case "name", "id_number", "email":
				w = 22
			case "address", "note":
				w = 40
			case "phone", "account_no", "meter_no":
				w = 16
			}
		} else if h == headerMaskedID {
			w = 22
		} else if h == headerCreated {
			w = 17
		}
		if err := x.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(cells))
	for i, h := range cells {
		row[i] = excelize.Cell{Value: h, StyleID: bold}
	}
	x.n = 1
	return x.sw.SetRow("A1", row, excelize.RowOpts{Height: 20})
}

func (x *xlsxWriter) row(cells []string) error {
	x.n++
	row := make([]any, len(cells))
	for i, v := range cells {
		row[i] = excelize.Cell{Value: v, StyleID: x.text}
	}
	name, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(name, row)
}

func (x *xlsxWriter) close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	defer x.f.Close()
	return x.f.Write(x.w)
}
