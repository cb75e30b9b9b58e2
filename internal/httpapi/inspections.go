package httpapi

import "kefu/internal/inspection"

// inspectionRoutes serves /api/v1/inspections (issue 10).
func (a *API) inspectionRoutes(svc *inspection.Service) []Route {
	if svc == nil {
		return nil
	}
	return nil
}
