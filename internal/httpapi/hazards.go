package httpapi

import "kefu/internal/hazard"

// hazardRoutes serves /api/v1/hazards (issue 10).
func (a *API) hazardRoutes(svc *hazard.Service) []Route {
	if svc == nil {
		return nil
	}
	return nil
}
