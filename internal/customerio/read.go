package customerio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// Limits of an import file.
const (
	// MaxFileBytes is the largest ledger file accepted (32 MiB): a 100,000-
	// row gas ledger is about 8 MB as .xlsx and 15 MB as CSV.
	MaxFileBytes = 32 << 20
	// MaxRows is the largest number of rows read from one file.
	MaxRows = 200_000
	// maxUnzipped caps the uncompressed size of an .xlsx (zip bombs).
	maxUnzipped = 1 << 30
	// maxCell caps one cell's text.
	maxCell = 4000
)

// Formats of a ledger file.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// sheet is a ledger read row by row. Row numbers are those the user sees
// in Excel (the first row is 1).
type sheet interface {
	// Next reads the next row; it returns io.EOF after the last.
	Next() (num int, cells []string, err error)
	Close() error
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// errTooBig refuses a file over MaxFileBytes.
func errTooBig(size int64) error {
	return &apperr.Error{Status: 413, Code: apperr.CodeTooLarge, Field: "file",
		Message: i18n.T("文件过大（超过 %d MB 上限）：请按片区或月份拆分成几个文件分批导入",
			"the file is too large (over the %d MB limit): split it, by area or month, and import the parts one by one", MaxFileBytes>>20)}
}

func errFile(zh, en string, args ...any) error {
	return apperr.Validation("file", i18n.T(zh, en, args...))
}

// sniff tells the format from the first bytes of a file, whatever its
// name says: a zip is .xlsx, an OLE compound file is a legacy .xls (or an
// encrypted workbook), anything else is read as CSV.
func sniff(head []byte, name string) (string, error) {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return "", errFile("这是旧版 Excel（.xls）或加密的工作簿：请在 Excel 中“另存为” .xlsx（Excel 工作簿）后再导入",
			"this is a legacy .xls or an encrypted workbook: save it as .xlsx (Excel Workbook) and import that")
	case len(head) == 0:
		return "", errFile("文件是空的", "the file is empty")
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".xlsx") || strings.HasSuffix(lower, ".xls") {
		return "", errFile("文件名是 Excel，但内容不是 .xlsx 工作簿（可能已损坏）", "the name says Excel but the content is not an .xlsx workbook (it may be damaged)")
	}
	if bytes.IndexByte(head, 0) >= 0 && !bytes.HasPrefix(head, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return "", errFile("无法识别的文件：请上传 .xlsx 或 CSV 文件", "unrecognised file: upload an .xlsx or a CSV file")
	}
	return FormatCSV, nil
}

// openSheet opens a ledger file on disk: the first worksheet of an .xlsx,
// or a CSV in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK.
func openSheet(path, name string) (sheet, *fileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.Size() > MaxFileBytes {
		f.Close()
		return nil, nil, errTooBig(st.Size())
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	format, err := sniff(head[:n], name)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	info := &fileInfo{Format: format}
	if format == FormatXLSX {
		f.Close()
		s, err := openXLSX(path, info)
		return s, info, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	s, err := newCSVSheet(f, info)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, info, nil
}

// fileInfo is what reading learned about the file.
type fileInfo struct {
	Format   string
	Encoding string   // CSV: utf-8, utf-8-bom, utf-16, gb18030
	Sheet    string   // xlsx: the worksheet read
	Merged   []string // xlsx: merged ranges, e.g. "B5:B7"
}

// csvSheet reads CSV records.
type csvSheet struct {
	r      *csv.Reader
	closer io.Closer
	row    int
}

// Encodings of a CSV file.
const (
	encUTF8    = "utf-8"
	encUTF8BOM = "utf-8-bom"
	encUTF16   = "utf-16"
	encGB18030 = "gb18030"
)

// detectEncoding looks at the first bytes of a CSV: a BOM decides; else
// text that is valid UTF-8 (an incomplete last character allowed) is UTF-8;
// else it is GB18030, the superset of GBK and GB2312 that Chinese Excel
// writes when saving "CSV (逗号分隔)".
func detectEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return encUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16
	}
	if validUTF8Prefix(head) {
		return encUTF8
	}
	return encGB18030
}

// validUTF8Prefix reports whether b is UTF-8, allowing the last character
// to be cut off by the end of b.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		r, _ := utf8.DecodeLastRune(b)
		if r != utf8.RuneError {
			return false
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// newCSVSheet decodes r to UTF-8 and reads it with the delimiter of its
// first line (comma, tab or semicolon).
func newCSVSheet(rc io.ReadCloser, info *fileInfo) (*csvSheet, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(64 << 10)
	info.Encoding = detectEncoding(head)
	var text io.Reader = br
	switch info.Encoding {
	case encUTF8BOM:
		_, _ = br.Discard(3)
	case encUTF16:
		text = transform.NewReader(br, unicode.BOMOverride(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()))
	case encGB18030:
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	tb := bufio.NewReaderSize(text, 64<<10)
	first, _ := tb.Peek(16 << 10)
	r := csv.NewReader(tb)
	r.Comma = delimiter(first)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvSheet{r: r, closer: rc}, nil
}

// delimiter picks the separator that occurs most in the first line
// outside quotes; comma when none does.
func delimiter(b []byte) rune {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == '\t' || c == ';'):
			counts[c]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{'\t', ';'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// Next returns the next record; rows are numbered by the line they start
// on, as Excel shows a CSV whose cells hold no line breaks.
func (s *csvSheet) Next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.StartLine, nil, errFile("CSV 第%d行格式错误：%s", "CSV line %d is malformed: %s", pe.StartLine, pe.Err.Error())
		}
		return 0, nil, err
	}
	line, _ := s.r.FieldPos(0)
	s.row = line
	return line, rec, nil
}

func (s *csvSheet) Close() error { return s.closer.Close() }
