package process

import (
	"context"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// DocumentOwner lets files attach to a process (internal/document owner
// "process": scanned applications, drawings, signed sheets): reading needs
// processes:read and the process in the caller's scope (404 otherwise),
// attaching needs processes:act too.
func (s *Service) DocumentOwner(ctx context.Context, p *auth.Principal, id store.ID, write bool) error {
	if p != nil && !p.Can(auth.PermProcessesRead) {
		return apperr.Forbidden(i18n.T("无权查看业务流程", "you may not read business processes"))
	}
	if _, err := load(ctx, s.db.Reader(), p, id); err != nil {
		if apperr.Is(err, apperr.CodeNotFound) {
			return apperr.NotFound("owner_id")
		}
		return err
	}
	if write && p != nil && !p.Can(auth.PermProcessesAct) {
		return apperr.Forbidden(i18n.T("无权办理业务流程", "you may not act on business processes"))
	}
	return nil
}
