package customerio

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// helpSheet is the template's second sheet, explaining each column.
const helpSheet = "说明"

// WriteTemplate writes the sample ledger that the UI offers for download:
// the Chinese headers, two example rows (a household and a company) and,
// in .xlsx, a second sheet 说明 explaining each column.
func WriteTemplate(w io.Writer, format string) error {
	format, err := CheckFormat(format)
	if err != nil {
		return err
	}
	header := make([]string, len(Fields))
	examples := [2][]string{make([]string, len(Fields)), make([]string, len(Fields))}
	for i, f := range Fields {
		header[i] = f.Header
		examples[0][i], examples[1][i] = f.Example[0], f.Example[1]
	}
	if format == FormatCSV {
		cw, err := newCSVWriter(w)
		if err != nil {
			return err
		}
		for _, r := range [][]string{header, examples[0], examples[1]} {
			if err := cw.row(r); err != nil {
				return err
			}
		}
		return cw.close()
	}
	xw, err := newXLSXWriter(w, SheetName, "kefu 客户台账导入模板")
	if err != nil {
		return err
	}
	if err := xw.header(header); err != nil {
		return err
	}
	for _, r := range examples {
		if err := xw.row(r); err != nil {
			return err
		}
	}
	if err := xw.sw.Flush(); err != nil {
		return err
	}
	if err := writeHelp(xw.f); err != nil {
		return err
	}
	defer xw.f.Close()
	return xw.f.Write(w)
}

// writeHelp adds the 说明 sheet.
func writeHelp(f *excelize.File) error {
	if _, err := f.NewSheet(helpSheet); err != nil {
		return err
	}
	rows := [][]any{
		{"列名", "字段", "是否必填", "填写说明", "也能识别的表头"},
	}
	required := map[string]bool{}
	for _, k := range Required {
		required[k] = true
	}
	for _, fl := range Fields {
		need := "选填"
		if required[fl.Key] {
			need = "必填"
		}
		var aliases []string
		for _, a := range fl.Aliases {
			if a != fl.Header && a != fl.Key {
				aliases = append(aliases, a)
			}
		}
		rows = append(rows, []any{fl.Header, fl.Key, need, fl.Help, strings.Join(aliases, "、")})
	}
	rows = append(rows, []any{}, []any{"导入规则"},
		[]any{"1. 第一行为表头（表头上方可以有标题行）；列的顺序不限，不认识的列会被忽略，也可在导入时指定“列映射”。"},
		[]any{"2. 请不要合并单元格；日期可写 2024-03-05、2024/3/5、2024年3月5日；全角数字会自动转换为半角。"},
		[]any{"3. 同一户号只能建一个档案（一户一档，CUS-001）；文件内重复的行和系统中已有的户号都会逐行列出。"},
		[]any{"4. 先“试导入”查看每一行的问题；正式导入时可选择“有错误则全部不导入”。"},
		[]any{"5. CSV 文件请用 UTF-8（Excel“CSV UTF-8”）保存，GBK 编码也能识别；单个文件不超过 32 MB、20 万行。"},
	)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(helpSheet, cell, &r); err != nil {
			return err
		}
	}
	for col, w := range map[string]float64{"A": 14, "B": 16, "C": 10, "D": 60, "E": 40} {
		if err := f.SetColWidth(helpSheet, col, col, w); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	return f.SetCellStyle(helpSheet, "A1", "E1", bold)
}
