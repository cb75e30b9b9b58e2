package archive

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// DocumentOwner is the document.OwnerCheck of "archive_file": reading an
// electronic copy needs the right to view the file's contents (SEC-009;
// audited), attaching needs archives:write in the holding or central
// department.
func (s *Service) DocumentOwner(ctx context.Context, p *auth.Principal, id store.ID, write bool) error {
	panic("H1")
}

// OnTicketClosed checks the materials of a closed complaint into the case
// file of its year of receipt (ARC-017), opened when missing; the item
// waits for the archivist to file it the same day (ARC-009). Called
// inside the ticket's transaction.
func (s *Service) OnTicketClosed(ctx context.Context, tx store.Conn, t ticket.Ticket) error {
	panic("H1")
}
