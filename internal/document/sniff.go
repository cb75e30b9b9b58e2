package document

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// FileType is one kind of file kefu accepts: its canonical content type,
// the extensions a file of it may carry, and whether a browser may show it
// inline (?inline=1).
type FileType struct {
	Key         string   `json:"key"`
	ContentType string   `json:"content_type"`
	Extensions  []string `json:"extensions"`
	Inline      bool     `json:"inline"`
}

// Types is the allow-list. Everything else is refused: executables,
// scripts, HTML, SVG and XML (they run in a browser), plain ZIP archives
// (their contents cannot be checked), and any type the content sniffer
// does not recognise. Office documents are accepted; OOXML (docx/xlsx) is
// opened to check that it is one.
var Types = []FileType{
	{"pdf", "application/pdf", []string{".pdf"}, true},
	{"jpeg", "image/jpeg", []string{".jpg", ".jpeg"}, true},
	{"png", "image/png", []string{".png"}, true},
	{"gif", "image/gif", []string{".gif"}, true},
	{"webp", "image/webp", []string{".webp"}, true},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}, false},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}, false},
	{"doc", "application/msword", []string{".doc"}, false},
	{"xls", "application/vnd.ms-excel", []string{".xls"}, false},
	{"txt", "text/plain", []string{".txt"}, false},
	{"csv", "text/csv", []string{".csv"}, false},
	// Recordings and videos of customer contacts are archive media
	// (ARC-001): played in the browser, never run.
	{"mp3", "audio/mpeg", []string{".mp3"}, true},
	{"wav", "audio/wav", []string{".wav"}, true},
	{"ogg", "audio/ogg", []string{".ogg", ".oga", ".opus"}, true},
	{"mp4", "video/mp4", []string{".mp4", ".m4a", ".m4v"}, true},
	{"webm", "video/webm", []string{".webm"}, true},
}

func typeByKey(key string) FileType {
	for _, t := range Types {
		if t.Key == key {
			return t
		}
	}
	panic("document: unknown file type " + key)
}

// InlineAllowed reports whether a stored content type may be shown inline.
func InlineAllowed(contentType string) bool {
	base, _, _ := strings.Cut(contentType, ";")
	for _, t := range Types {
		if t.ContentType == base {
			return t.Inline
		}
	}
	return false
}

func refuse(zh, en string, args ...any) error {
	return apperr.Validation("file", i18n.T(zh, en, args...))
}

// sniffLen is how much of the file detect looks at (http.DetectContentType
// reads at most 512 bytes).
const sniffLen = 512

var executableMagic = [][]byte{
	[]byte("MZ"),                   // Windows PE, DOS
	[]byte("\x7fELF"),              // Linux, Unix
	{0xfe, 0xed, 0xfa, 0xce},       // Mach-O
	{0xfe, 0xed, 0xfa, 0xcf},       // Mach-O 64
	{0xce, 0xfa, 0xed, 0xfe},       // Mach-O, little-endian
	{0xcf, 0xfa, 0xed, 0xfe},       // Mach-O 64, little-endian
	{0xca, 0xfe, 0xba, 0xbe},       // Mach-O universal, Java class
	[]byte("#!"),                   // scripts
	[]byte("\x00asm"),              // WebAssembly
	[]byte("dex\n"),                // Android
	{0x4c, 0x00, 0x00, 0x00, 0x01}, // Windows shortcut (.lnk)
}

var oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// markup found in the first bytes of a text file makes a browser or a
// viewer treat it as a document that can run scripts.
var markup = []string{"<html", "<!doctype", "<script", "<svg", "<?xml", "<iframe", "<object", "<embed", "<body", "<head", "<meta"}

// detect decides the type of a file from its content (head is its first
// bytes, f the whole of it) and checks that the extension of name agrees.
// It returns the type and the name, with the canonical extension appended
// when it had none.
func detect(head []byte, f io.ReaderAt, size int64, name string) (FileType, string, error) {
	if size == 0 {
		return FileType{}, "", refuse("文件为空", "the file is empty")
	}
	sniffed := http.DetectContentType(head)
	base, _, _ := strings.Cut(sniffed, ";")
	for _, m := range executableMagic {
		// A text file may well begin with "MZ"; a program never is text.
		if bytes.HasPrefix(head, m) && (base != "text/plain" || m[0] == '#') {
			return FileType{}, "", refuse("不接受可执行文件或脚本", "executables and scripts are not accepted")
		}
	}
	ext := strings.ToLower(path.Ext(name))
	var t FileType
	switch base {
	case "application/pdf":
		t = typeByKey("pdf")
	case "image/jpeg":
		t = typeByKey("jpeg")
	case "image/png":
		t = typeByKey("png")
	case "image/gif":
		t = typeByKey("gif")
	case "image/webp":
		t = typeByKey("webp")
	case "audio/mpeg":
		t = typeByKey("mp3")
	case "audio/wave":
		t = typeByKey("wav")
	case "application/ogg":
		t = typeByKey("ogg")
	case "video/mp4":
		t = typeByKey("mp4")
	case "video/webm":
		t = typeByKey("webm")
	case "application/zip":
		key, err := ooxml(f, size)
		if err != nil {
			return FileType{}, "", err
		}
		t = typeByKey(key)
	case "application/octet-stream":
		if mpegFrame(head) && ext == ".mp3" {
			t = typeByKey("mp3") // an MP3 without an ID3 tag starts with a frame header
			break
		}
		if !bytes.HasPrefix(head, oleMagic) {
			return FileType{}, "", refuse("不支持的文件类型", "unsupported file type")
		}
		// A compound file (Word 97–2003, Excel 97–2003): the extension
		// says which; other compound files (.msi, .msg) are refused.
		switch ext {
		case ".doc":
			t = typeByKey("doc")
		case ".xls":
			t = typeByKey("xls")
		default:
			return FileType{}, "", refuse("旧版 Office 文件须以 .doc 或 .xls 结尾", "a legacy Office file must end in .doc or .xls")
		}
	case "text/plain":
		lower := bytes.ToLower(head)
		for _, m := range markup {
			if bytes.Contains(lower, []byte(m)) {
				return FileType{}, "", refuse("不接受 HTML、SVG 或 XML 文件", "HTML, SVG and XML files are not accepted")
			}
		}
		t = typeByKey("txt")
		if ext == ".csv" {
			t = typeByKey("csv")
		}
		if _, cs, ok := strings.Cut(sniffed, "charset="); ok && cs != "utf-8" {
			t.ContentType += "; charset=" + cs // utf-16be / utf-16le, from the BOM
		} else if validUTF8Prefix(head) {
			t.ContentType += "; charset=utf-8"
		}
	case "text/html", "text/xml":
		return FileType{}, "", refuse("不接受 HTML、SVG 或 XML 文件", "HTML, SVG and XML files are not accepted")
	default:
		return FileType{}, "", refuse("不支持的文件类型（%s）", "unsupported file type (%s)", base)
	}
	if ext == "" {
		return t, fitName(name, t.Extensions[0]), nil
	}
	for _, e := range t.Extensions {
		if e == ext {
			return t, name, nil
		}
	}
	return FileType{}, "", refuse("扩展名 %s 与文件内容（%s）不符", "the extension %s does not match the content (%s)",
		ext, strings.ToUpper(t.Key))
}

// mpegFrame reports whether head starts with an MPEG audio frame header
// (11 sync bits, a valid layer and bitrate).
func mpegFrame(head []byte) bool {
	return len(head) >= 4 && head[0] == 0xff && head[1]&0xe0 == 0xe0 && head[1]&0x06 != 0 &&
		head[2]&0xf0 != 0xf0
}

// validUTF8Prefix reports whether head is UTF-8, allowing a rune cut off
// at its end.
func validUTF8Prefix(head []byte) bool {
	for cut := 0; cut < utf8.UTFMax && cut <= len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return true
		}
	}
	return false
}

// ooxml returns "docx" or "xlsx" for an Office Open XML package, and
// refuses any other ZIP archive.
func ooxml(f io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "", refuse("压缩文件已损坏", "the ZIP archive is damaged")
	}
	var types, word, excel bool
	for _, zf := range zr.File {
		switch zf.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			word = true
		case "xl/workbook.xml":
			excel = true
		}
	}
	switch {
	case types && word:
		return "docx", nil
	case types && excel:
		return "xlsx", nil
	}
	return "", refuse("不接受压缩包（zip），请上传其中的文件", "ZIP archives are not accepted; upload the files inside")
}

// Name limits: longer names are refused; a sanitised name never exceeds
// MaxNameBytes (what file systems allow).
const (
	MaxNameRunes = 200
	MaxNameBytes = 255
)

// SanitizeName makes a client's file name safe to store and to send back
// in Content-Disposition: only the last path element (after / or \),
// invalid UTF-8, control and format characters (bidi overrides) and
// characters Windows forbids replaced, leading and trailing dots and
// spaces trimmed, Windows device names defused, at most MaxNameBytes
// bytes keeping the extension; "file" when nothing is left.
func SanitizeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r),
			strings.ContainsRune(`<>:"|?*`, r), r == utf8.RuneError:
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Trim(b.String(), " .")
	if name == "" {
		return "file"
	}
	stem, _, _ := strings.Cut(name, ".")
	if reservedDevice(strings.TrimRight(stem, " ")) {
		name = "_" + name
	}
	if len(name) > MaxNameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = strings.Trim(truncate(strings.TrimSuffix(name, ext), MaxNameBytes-len(ext)), " .") + ext
		if strings.Trim(name, " .") == "" || name == ext {
			name = "file" + ext
		}
	}
	return name
}

// fitName appends ext to a sanitised name, shortening it to stay within
// MaxNameBytes.
func fitName(name, ext string) string {
	if len(name)+len(ext) > MaxNameBytes {
		name = strings.TrimRight(truncate(name, MaxNameBytes-len(ext)), " .")
	}
	return name + ext
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func reservedDevice(stem string) bool {
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	u := strings.ToUpper(stem)
	if len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '0' && u[3] <= '9' {
		return true
	}
	return false
}
