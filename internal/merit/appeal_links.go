package merit

import (
	"context"

	"kefu/internal/store"
)

// entryAppeals are the appeals linked to an entry, oldest first, with their
// steps: those filed against it and the one whose change created it. The
// caller has checked that the reader sees the entry.
func (s *Service) entryAppeals(ctx context.Context, c store.Conn, entry store.ID) ([]Appeal, error) {
	out, err := store.QueryAll(ctx, c, scanAppeal, "SELECT "+appealColumns+
		" WHERE a.entry_id = ? OR a.result_entry_id = ? ORDER BY a.id", entry, entry)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Steps, err = appealSteps(ctx, c, out[i].ID); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []Appeal{}
	}
	return out, nil
}
