package customerio

import (
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// MaxReportedErrors caps the row errors kept in one report (and in an
// import job); Invalid still counts every bad row.
const MaxReportedErrors = 10_000

// ImportReport is the answer of a dry run or an import: how many rows the
// file has, how many are valid, every bad row with its reason (up to
// MaxReportedErrors), the mapping used, and what was written.
type ImportReport struct {
	File         string     `json:"file"`
	SHA256       string     `json:"sha256"`
	Format       string     `json:"format"`             // xlsx or csv
	Encoding     string     `json:"encoding,omitempty"` // CSV: utf-8, utf-8-bom, utf-16, gb18030
	Sheet        string     `json:"sheet,omitempty"`
	OrgUnit      store.ID   `json:"org_unit"`
	Pack         string     `json:"pack"`
	DryRun       bool       `json:"dry_run"`
	AllOrNothing bool       `json:"all_or_nothing"`
	Rows         int        `json:"rows"`    // data rows (empty rows skipped)
	Valid        int        `json:"valid"`   // rows without errors
	Invalid      int        `json:"invalid"` // rows with at least one error
	Written      int        `json:"written"` // customers created
	WrittenRows  []RowRange `json:"written_rows"`
	Errors       []RowError `json:"errors"`
	// ErrorsTruncated: more rows were bad than Errors lists.
	ErrorsTruncated bool     `json:"errors_truncated,omitempty"`
	MergedCells     []string `json:"merged_cells,omitempty"`
	Mapping         Mapping  `json:"mapping"`
	// Job is the import job that ran it in the background, if any.
	Job store.ID `json:"job,omitempty"`
}

// RowRange is an inclusive range of spreadsheet rows, [first, last].
type RowRange [2]int

// Localize fills every error message in locale l.
func (r *ImportReport) Localize(l i18n.Locale) {
	for i := range r.Errors {
		r.Errors[i].localize(l)
	}
}

// addErrors records the errors of one bad row.
func (r *ImportReport) addErrors(errs []RowError) {
	r.Invalid++
	for _, e := range errs {
		if len(r.Errors) >= MaxReportedErrors {
			r.ErrorsTruncated = true
			return
		}
		e.localize(i18n.ZH)
		r.Errors = append(r.Errors, e)
	}
}

// wrote records a written row (rows arrive in increasing order).
func (r *ImportReport) wrote(num int) {
	r.Written++
	if n := len(r.WrittenRows); n > 0 && r.WrittenRows[n-1][1] == num-1 {
		r.WrittenRows[n-1][1] = num
		return
	}
	r.WrittenRows = append(r.WrittenRows, RowRange{num, num})
}
