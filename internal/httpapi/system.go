package httpapi

import (
	"net/http"

	"kefu/internal/auth"
)

// Health is the answer of GET /api/v1/health.
type Health struct {
	Status  string `json:"status"`
	DB      string `json:"db"`
	Version string `json:"version"`
}

func (a *API) systemRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/health", Public: true, Tag: "system",
			Summary: "健康检查 Health check: the server and its database answer", Response: Health{},
			handle: a.health},
		{Method: "GET", Path: "/api/openapi.json", Public: true, Tag: "system",
			Summary: "OpenAPI 3.1 document describing every route", Response: map[string]any{},
			handle: func(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
				writeJSON(w, http.StatusOK, a.OpenAPI())
				return nil
			}},
	}
}

func (a *API) health(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	h := Health{Status: "ok", DB: string(a.db.Dialect()), Version: a.version}
	code := http.StatusOK
	if err := a.db.Ping(r.Context()); err != nil {
		a.log.ErrorContext(r.Context(), "health: database does not answer", "error", err)
		h.Status, code = "unavailable", http.StatusServiceUnavailable
	}
	writeJSON(w, code, h)
	return nil
}
