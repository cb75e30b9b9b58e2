package archive

import (
	"kefu/internal/jobs"
)

// RegisterTimers registers the loan reminder timer on e: an overdue loan
// reminds its borrower and the custodian once a day until it is returned
// (ARC-011).
func (s *Service) RegisterTimers(e *jobs.Engine) {
	panic("H2")
}
