package customerio

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSheet streams the rows of one worksheet with excelize's row reader:
// the workbook is opened from disk (not read into memory), a large sheet
// is unzipped to a temporary file, and cells are read raw (numbers and
// date serials as stored, not as formatted).
type xlsxSheet struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
}

var rawCells = excelize.Options{RawCellValue: true}

func openXLSX(p string, info *fileInfo) (*xlsxSheet, error) {
	f, err := excelize.OpenFile(p, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, errFile("工作簿解压后超过 %d MB：请拆分后再导入", "the workbook unzips to more than %d MB: split it", maxUnzipped>>20)
		}
		return nil, errFile("无法读取 .xlsx 工作簿（可能已损坏）：%s", "cannot read the .xlsx workbook (it may be damaged): %s", err.Error())
	}
	name := ""
	for _, s := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			name = s
			break
		}
	}
	if name == "" {
		f.Close()
		return nil, errFile("工作簿中没有可见的工作表", "the workbook has no visible worksheet")
	}
	info.Sheet = name
	if info.Merged, err = scanMerges(p, name); err != nil {
		f.Close()
		return nil, errFile("无法读取 .xlsx 工作簿（可能已损坏）：%s", "cannot read the .xlsx workbook (it may be damaged): %s", err.Error())
	}
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, errFile("无法读取工作表“%s”：%s", "cannot read worksheet %q: %s", name, err.Error())
	}
	return &xlsxSheet{f: f, rows: rows}, nil
}

// Next returns the next row, numbered as Excel numbers it; rows missing
// from the file come back empty.
func (s *xlsxSheet) Next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, errFile("工作表行号超出范围：%s", "worksheet rows out of range: %s", err.Error())
		}
		return 0, nil, io.EOF
	}
	s.row++
	cells, err := s.rows.Columns(rawCells)
	if err != nil {
		return s.row, nil, errFile("第%d行无法读取：%s", "row %d cannot be read: %s", s.row, err.Error())
	}
	return s.row, cells, nil
}

func (s *xlsxSheet) Close() error {
	err := s.rows.Close()
	return errors.Join(err, s.f.Close())
}

// scanMerges lists the merged ranges of a worksheet ("B5:B7") without
// loading the sheet: it finds the sheet's part through the workbook and
// its relationships, then scans the part's bytes for mergeCell elements
// (they follow the rows, so the whole part is read once, unzipping as it
// goes).
func scanMerges(p, sheetName string) ([]string, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(f.Name)] = f
	}
	rid, err := attrOf(files["xl/workbook.xml"], "sheet", "name", sheetName, "id")
	if err != nil || rid == "" {
		return nil, err
	}
	target, err := attrOf(files["xl/_rels/workbook.xml.rels"], "Relationship", "Id", rid, "Target")
	if err != nil || target == "" {
		return nil, err
	}
	if strings.HasPrefix(target, "/") {
		target = strings.TrimPrefix(target, "/")
	} else {
		target = path.Join("xl", target)
	}
	part := files[strings.ToLower(target)]
	if part == nil {
		return nil, nil
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return findMerges(io.LimitReader(rc, maxUnzipped))
}

// attrOf reads a small XML part and returns attribute want of the first
// element named elem whose attribute key equals val (namespaces ignored).
func attrOf(f *zip.File, elem, key, val, want string) (string, error) {
	if f == nil {
		return "", nil
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, 16<<20))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != elem {
			continue
		}
		var got, out string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case key:
				got = a.Value
			case want:
				out = a.Value
			}
		}
		if got == val {
			return out, nil
		}
	}
}

var mergeMark = []byte(`mergeCell ref="`)

// findMerges scans XML text for mergeCell ref="…" attributes, in chunks,
// carrying a possibly cut-off match to the next chunk.
func findMerges(r io.Reader) ([]string, error) {
	var out []string
	buf := make([]byte, 0, 256<<10)
	chunk := make([]byte, 128<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		keep := 0 // bytes of buf already consumed
		for {
			i := bytes.Index(buf[keep:], mergeMark)
			if i < 0 {
				keep = max(keep, len(buf)-len(mergeMark))
				break
			}
			start := keep + i + len(mergeMark)
			j := bytes.IndexByte(buf[start:], '"')
			if j < 0 {
				keep += i
				break
			}
			out = append(out, string(buf[start:start+j]))
			keep = start + j
		}
		buf = append(buf[:0], buf[keep:]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
