package customerio

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"kefu/internal/i18n"
)

// cellError is why one cell cannot be read.
type cellError struct{ msg i18n.Text }

func (e *cellError) Error() string { return e.msg.String() }

func badCell(zh, en string, args ...any) error { return &cellError{i18n.T(zh, en, args...)} }

// scientific matches numbers as Excel shows long numbers in a General
// column: 1.38001E+10 — the digits are lost.
var scientific = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$`)

// cleanText trims a cell and refuses what cannot be stored.
func cleanText(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", badCell("含有无法识别的字符（文件编码不是 UTF-8 或 GBK？）", "holds unreadable characters (is the file UTF-8 or GBK?)")
	}
	if strings.ContainsRune(s, 0) {
		return "", badCell("不能包含空字符", "must not contain NUL characters")
	}
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
	if utf8.RuneCountInString(s) > maxCell {
		return "", badCell("内容过长（超过%d个字符）", "too long (over %d characters)", maxCell)
	}
	return s, nil
}

// normalizeCell reads one cell of field f.
func normalizeCell(f *Field, raw string) (string, error) {
	s, err := cleanText(raw)
	if err != nil || s == "" {
		return s, err
	}
	// An apostrophe forces text in Excel; kefu's CSV export writes one
	// before cells that Excel would otherwise run as formulas.
	if rest, ok := strings.CutPrefix(s, "'"); ok {
		s = strings.TrimSpace(rest)
	}
	if f.Key == "id_number" && strings.ContainsAny(s, "*＊") {
		return "", badCell("身份证号已脱敏（含 *），不能导入：请填写完整号码或清空该列", "the identity number is masked (holds *): enter the full number or leave it empty")
	}
	switch f.Kind {
	case KindCode, KindPhone:
		s = width.Narrow.String(s)
		if scientific.MatchString(s) {
			return "", badCell("被 Excel 显示为科学计数法（%s），数字已丢失：请把该列设为“文本”后重新填写",
				"Excel turned it into scientific notation (%s) and the digits are lost: format the column as Text and enter it again", s)
		}
		if f.Kind == KindCode {
			s = strings.Join(strings.Fields(s), "")
			s = strings.TrimSuffix(s, ".0") // a number column read raw
			if f.Key == "id_number" || f.Key == "car_plate" {
				s = strings.ToUpper(s)
			}
		}
		return s, nil
	case KindDate:
		return normalizeDate(s)
	case KindBool:
		switch strings.ToLower(width.Narrow.String(s)) {
		case "是", "y", "yes", "true", "1", "√", "✓", "重点":
			return "true", nil
		case "否", "n", "no", "false", "0", "×", "-":
			return "false", nil
		}
		return "", badCell("须为“是”或“否”（读到“%s”）", "must be 是 (yes) or 否 (no), got %q", s)
	}
	return s, nil
}

var (
	dateYMD     = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$`)
	dateCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	dateSerial  = regexp.MustCompile(`^\d{1,6}(\.\d+)?$`)
	dateISOTime = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T`)
)

// excelEpoch is day 0 of Excel's 1900 date system (with its phantom
// 29 February 1900 accounted for by starting on 30 December 1899).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// normalizeDate reads the dates of real ledgers: an Excel serial (a date
// cell read raw, or a date column saved as a number), 2024-03-05,
// 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, full-width digits too.
func normalizeDate(s string) (string, error) {
	s = width.Narrow.String(s)
	var y, m, d int
	switch {
	case dateCompact.MatchString(s):
		p := dateCompact.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateSerial.MatchString(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 1 || f > 2958465 {
			return "", badDate(s)
		}
		t := excelEpoch.AddDate(0, 0, int(f))
		return t.Format(time.DateOnly), nil
	case dateYMD.MatchString(s):
		p := dateYMD.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case dateISOTime.MatchString(s):
		p := dateISOTime.FindStringSubmatch(s)
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	default:
		return "", badDate(s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || y > 2200 || t.Month() != time.Month(m) || t.Day() != d {
		return "", badDate(s)
	}
	return t.Format(time.DateOnly), nil
}

func badDate(s string) error {
	return badCell("不是有效日期（读到“%s”）：请写成 2024-03-05 或 2024年3月5日", "not a valid date (got %q): write 2024-03-05", s)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// splitList splits a list cell on the separators Chinese offices use.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；/|\n", r) })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// personKind reads the 客户类别 cell.
func personKind(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "个人", "居民", "自然人", "person":
		return "person", nil
	case "单位", "企业", "公司", "法人", "机构", "组织", "organisation", "organization":
		return "organisation", nil
	}
	return "", badCell("须为“个人”或“单位”（读到“%s”）", "must be 个人 (person) or 单位 (organisation), got %q", s)
}
