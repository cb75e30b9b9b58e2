package archive

import (
	"context"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/store"
)

// ItemInput checks a document in (签收, ARC-009).
type ItemInput struct {
	CompanyID    store.ID  `json:"company_id"`
	FileID       store.ID  `json:"file_id"` // 0: into the intake tray
	Category     string    `json:"category"`
	Title        string    `json:"title"`
	Medium       string    `json:"medium"`
	Copy         bool      `json:"copy"`
	Pages        int       `json:"pages"`
	DocumentID   store.ID  `json:"document_id"`
	SubCategory  string    `json:"sub_category"`
	ReceivedFrom string    `json:"received_from"`
	ReceivedAt   time.Time `json:"received_at"` // zero: now; never in the future
	SourceType   string    `json:"source_type"`
	SourceID     store.ID  `json:"source_id"`
}

// CheckIn records a document received (archives:write); with a file it is
// filed at once into the file's volume of its category (opened when
// missing), else it waits in the tray, due by the end of the day of
// receipt (ARC-009). Audited.
func (s *Service) CheckIn(ctx context.Context, p *auth.Principal, in ItemInput) (Item, error) {
	panic("H1")
}

// FileItem files a received document into a file (archives:write).
func (s *Service) FileItem(ctx context.Context, p *auth.Principal, id, file store.ID) (Item, error) {
	panic("H1")
}

// Tray lists the documents received and not yet filed of a company, the
// most urgent first, with their same-day clock (ARC-009).
func (s *Service) Tray(ctx context.Context, p *auth.Principal, company store.ID) ([]Item, error) {
	panic("H1")
}

// ArchiveVolume archives a volume (立卷归档, archives:write) on a date (zero:
// today, never in the future): its retention runs from that day (ARC-014).
func (s *Service) ArchiveVolume(ctx context.Context, p *auth.Principal, id store.ID, on calendar.Date) (Volume, error) {
	panic("H1")
}
