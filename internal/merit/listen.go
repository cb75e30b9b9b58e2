package merit

import (
	"context"

	"kefu/internal/notify"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// listen subscribes the service to every event a pack's trigger may name
// (policy.MeritEvents): each message is handed to Propose inside the
// transaction that sends it, so a proposal commits or rolls back with its
// event.
func (s *Service) listen(n *notify.Service) {
	for _, event := range policy.MeritEvents {
		n.Subscribe(event, func(ctx context.Context, tx store.Conn, m notify.Message) error {
			return s.Propose(ctx, tx, m.Event, m.Payload)
		})
	}
}
