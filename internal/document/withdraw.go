package document

import (
	"context"
	"time"

	"kefu/internal/audit"
	"kefu/internal/store"
)

// WithdrawIn marks documents deleted inside the caller's transaction, for
// a module whose records they belong to and that decided their end itself
// (an archive volume destroyed under ARC-015: its electronic copies go
// with it). Rows already deleted are left alone; each withdrawal is
// audited with the reason. The bytes stay, shared by hash with any other
// document of the same content.
func WithdrawIn(ctx context.Context, tx store.Conn, ids []store.ID, by store.NullID, reason string, now time.Time) error {
	for _, id := range ids {
		res, err := tx.Exec(ctx, "UPDATE documents SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at = 0",
			store.Micros(now), by, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := audit.Record(ctx, tx, now, "document.delete", "document", id.String(), map[string]any{"reason": reason}); err != nil {
			return err
		}
	}
	return nil
}
