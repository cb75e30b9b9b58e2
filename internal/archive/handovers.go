package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// HandoverInput opens a handover batch: an event handover with its event
// date, or a periodic one for the period containing EventOn.
type HandoverInput struct {
	CompanyID store.ID      `json:"company_id"`
	Schedule  string        `json:"schedule"`
	EventOn   calendar.Date `json:"event_on"`
	EventNote string        `json:"event_note"`
	FileIDs   []store.ID    `json:"file_ids"`
}

// HandoverFilter selects handovers.
type HandoverFilter struct {
	CompanyID store.ID
	Schedule  string
	State     string
	Overdue   bool
	Limit     int
	Cursor    string
}

// HandoverPage is one page of handovers.
type HandoverPage struct {
	Items []Handover `json:"items"`
	Next  string     `json:"next_cursor,omitempty"`
}

// CreateHandover opens a batch (archives:write), due by the schedule.
func (s *Service) CreateHandover(ctx context.Context, p *auth.Principal, in HandoverInput) (Handover, error) {
	panic("H3")
}

// GetHandover returns a batch with its files and their completeness.
func (s *Service) GetHandover(ctx context.Context, p *auth.Principal, id store.ID) (Handover, error) {
	panic("H3")
}

// ListHandovers lists a company's batches, the current periodic batches
// opened first when missing (archives:read).
func (s *Service) ListHandovers(ctx context.Context, p *auth.Principal, f HandoverFilter) (HandoverPage, error) {
	panic("H3")
}

// AddHandoverFiles adds files held by the sending department.
func (s *Service) AddHandoverFiles(ctx context.Context, p *auth.Principal, id store.ID, files []store.ID, copyKept bool) (Handover, error) {
	panic("H3")
}

// SubmitHandover records the sending department's handover.
func (s *Service) SubmitHandover(ctx context.Context, p *auth.Principal, id store.ID, note string) (Handover, error) {
	panic("H3")
}

// ReceiveHandover records the receiving department's signature; custody
// of the files moves to it.
func (s *Service) ReceiveHandover(ctx context.Context, p *auth.Principal, id store.ID, note string) (Handover, error) {
	panic("H3")
}
