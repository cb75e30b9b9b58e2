package customerio

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// headerSearchRows is how many rows may stand above the header (a title,
// a unit name, a date line).
const headerSearchRows = 20

// Ledger is an open customer ledger (客户台账): the file, the mapping of
// its header row, and the rows after it, read one by one.
type Ledger struct {
	sheet   sheet
	info    fileInfo
	mapping Mapping
	merges  map[int][]mergeRange // data row → merged ranges covering it
	last    int                  // number of the last row read
	rows    int                  // non-empty data rows read
}

// mergeRange is a merged block of cells.
type mergeRange struct {
	Ref                    string
	Col1, Row1, Col2, Row2 int // 1-based, inclusive
}

// MappingError is a ledger whose header does not give the required
// columns (the "wrong columns" case): a 422 naming the file, which also
// carries the mapping found so that the UI can offer the mapping step.
type MappingError struct {
	Mapping Mapping
	Headers []string // the header cells found
	err     *apperr.Error
}

func (e *MappingError) Error() string { return e.err.Error() }

// Unwrap exposes the 422 error.
func (e *MappingError) Unwrap() error { return e.err }

// OpenLedger opens the ledger file at path (name is the name the user
// gave it, for messages and the format check) and finds its header row
// with the overrides applied.
func OpenLedger(path, name string, o Overrides) (*Ledger, error) {
	s, info, err := openSheet(path, name)
	if err != nil {
		return nil, err
	}
	l := &Ledger{sheet: s, info: *info}
	if err := l.findHeader(o); err != nil {
		s.Close()
		return nil, err
	}
	l.indexMerges()
	return l, nil
}

// Close releases the file.
func (l *Ledger) Close() error { return l.sheet.Close() }

// Mapping returns the mapping used.
func (l *Ledger) Mapping() Mapping { return l.mapping }

// findHeader reads rows until one names at least two fields (or one the
// overrides name); rows above it are titles and are skipped.
func (l *Ledger) findHeader(o Overrides) error {
	var first []string // the first non-empty row, shown when no header is found
	firstNum := 0
	for i := 0; i < headerSearchRows; i++ {
		num, cells, err := l.sheet.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		l.last = num
		if blank(cells) {
			continue
		}
		if first == nil {
			first, firstNum = clone(cells), num
		}
		need := 2
		if len(o) > 0 {
			need = 1
		}
		if o.score(cells) >= need {
			if unknown := o.unknownOverrides(cells); len(unknown) > 0 {
				m := o.build(num, cells)
				return &MappingError{Mapping: m, Headers: nonEmpty(cells), err: apperr.Validation("mapping",
					i18n.T("列映射中的列“%[1]s”不在表头中；表头为：%[2]s",
						"the mapping names column(s) %[1]s that the header does not have; the header is: %[2]s",
						strings.Join(unknown, "、"), strings.Join(nonEmpty(cells), "、")))}
			}
			l.mapping = o.build(num, cells)
			if len(l.mapping.Missing) > 0 {
				return l.wrongColumns(o, num, cells)
			}
			return nil
		}
	}
	if first == nil {
		return errFile("文件中没有数据", "the file holds no data")
	}
	return l.wrongColumns(o, firstNum, first)
}

// wrongColumns is the 422 for a header without the required fields.
func (l *Ledger) wrongColumns(o Overrides, num int, cells []string) error {
	m := o.build(num, cells)
	var need []string
	for _, k := range Required {
		f := fieldByKey[k]
		need = append(need, f.Header+"（"+k+"）")
	}
	headers := nonEmpty(cells)
	return &MappingError{Mapping: m, Headers: headers, err: apperr.Validation("file", i18n.T(
		"表头不符：第%[1]d行的列为 %[2]s；必须有的列：%[3]s。请改表头，或在“列映射”中指定哪一列是哪一项",
		"wrong columns: row %[1]d has %[2]s; required: %[3]s. Rename the headers or map the columns",
		num, strings.Join(headers, "、"), strings.Join(need, "、")))}
}

// indexMerges keeps the merged ranges that reach below the header.
func (l *Ledger) indexMerges() {
	for _, ref := range l.info.Merged {
		m, ok := parseRange(ref)
		if !ok || m.Row2 <= l.mapping.HeaderRow {
			continue
		}
		if l.merges == nil {
			l.merges = map[int][]mergeRange{}
		}
		for r := max(m.Row1, l.mapping.HeaderRow+1); r <= m.Row2 && r <= l.mapping.HeaderRow+MaxRows+1; r++ {
			l.merges[r] = append(l.merges[r], m)
		}
	}
}

func parseRange(ref string) (mergeRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		b = a
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return mergeRange{}, false
	}
	return mergeRange{Ref: ref, Col1: min(c1, c2), Row1: min(r1, r2), Col2: max(c1, c2), Row2: max(r1, r2)}, true
}

// next returns the next non-empty data row; io.EOF after the last. More
// than MaxRows data rows is an error for the whole file.
func (l *Ledger) next() (int, []string, error) {
	for {
		num, cells, err := l.sheet.Next()
		if err != nil {
			return num, nil, err
		}
		l.last = num
		if blank(cells) && len(l.merges[num]) == 0 {
			continue
		}
		l.rows++
		if l.rows > MaxRows {
			return num, nil, &apperr.Error{Status: 413, Code: apperr.CodeTooLarge, Field: "file",
				Message: i18n.T("超过 %d 行上限：请拆分后分批导入", "more than %d rows: split the file and import the parts one by one", MaxRows)}
		}
		return num, cells, nil
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func nonEmpty(cells []string) []string {
	var out []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func clone(cells []string) []string { return append([]string(nil), cells...) }
