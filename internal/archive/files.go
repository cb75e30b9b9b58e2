package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// FileInput opens a file (ARC-002, ARC-010).
type FileInput struct {
	CompanyID      store.ID `json:"company_id"` // 0: the caller's company
	Kind           string   `json:"kind"`
	Title          string   `json:"title"` // default from the customer and unit
	CustomerID     store.ID `json:"customer_id"`
	ServicePointID store.ID `json:"service_point_id"`
	Project        string   `json:"project"`
	Building       string   `json:"building"`
	Unit           string   `json:"unit"`
	Year           int      `json:"year"`  // case_year
	Level          string   `json:"level"` // default: the pack's (ARC-005)
	Chain          string   `json:"chain"` // lending chain; default: the pack's
	HolderUnitID   store.ID `json:"holder_unit_id"`
	Location       string   `json:"location"`
}

// FilePatch changes what may change of a file; custody moves only by a
// handover, the level only by a level change.
type FilePatch struct {
	Title    *string `json:"title"`
	Location *string `json:"location"`
	Chain    *string `json:"chain"`
}

// FileFilter selects files of the catalogue.
type FileFilter struct {
	CompanyID  store.ID
	Kind       string
	Category   string // files with a volume of the category
	Year       int    // case_year files, or files created in the year
	CustomerID store.ID
	HolderUnit store.ID
	Level      string
	OnHold     *bool
	Q          string // number, title, project, customer name
	Limit      int
	Cursor     string
}

// FilePage is one page of files.
type FilePage struct {
	Items []File `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

// CreateFile opens a file (archives:write) numbered by the pack's scheme;
// one per service point (CUS-001), one per company and year for case
// files; a unit or shop file of a customer who has other unit files is
// cross-referenced with them ("same_owner", ARC-002). Audited.
func (s *Service) CreateFile(ctx context.Context, p *auth.Principal, in FileInput) (File, error) {
	panic("H1")
}

// GetFile returns a file with volumes, links, holds and level changes;
// its items too when the caller may view its contents. Audited as a view
// (SEC-001); NotFound outside the caller's scope.
func (s *Service) GetFile(ctx context.Context, p *auth.Principal, id store.ID) (File, error) {
	panic("H1")
}

// ListFiles lists the catalogue of a company in catalogue order (project,
// homes before shops, ARC-010), archives:read.
func (s *Service) ListFiles(ctx context.Context, p *auth.Principal, f FileFilter) (FilePage, error) {
	panic("H1")
}

// UpdateFile changes a file's title, location or lending chain
// (archives:write); audited.
func (s *Service) UpdateFile(ctx context.Context, p *auth.Principal, id store.ID, in FilePatch) (File, error) {
	panic("H1")
}

// LookupFile finds a file by its number for a loan application
// (archives:borrow): number, title, kind, level and chain only.
func (s *Service) LookupFile(ctx context.Context, p *auth.Principal, company store.ID, number string) (File, error) {
	panic("H1")
}
