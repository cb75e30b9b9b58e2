package inspection

import (
	"context"
	"time"

	"kefu/internal/policy"
	"kefu/internal/store"
)

// SetRequire replaces the certificate guard of s (tests record the calls).
func SetRequire(s *Service, f func(ctx context.Context, tx store.Conn, pack *policy.Pack, work string, user store.ID,
	at time.Time, field string) error) {
	s.require = f
}
