package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"kefu/internal/config"
	"kefu/internal/store/storetest"
)

// benchApp opens a bootstrapped App on SQLite (or on PostgreSQL for the
// "postgres" variants when KEFU_TEST_POSTGRES is set) and signs in admin.
func benchApp(b *testing.B, pg bool) (http.Handler, string) {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir()
	cfg.AdminPassword = "bench-admin-1"
	if pg {
		cfg.DSN = storetest.PostgresDSN(b)
	}
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if err := a.Bootstrap(context.Background(), io.Discard); err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/auth/login",
		strings.NewReader(`{"username":"admin","password":"bench-admin-1"}`)))
	if rec.Code != 200 {
		b.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	tok := rec.Body.String()
	tok = tok[strings.Index(tok, `"token":"`)+9:]
	return h, tok[:strings.IndexByte(tok, '"')]
}

// BenchmarkAuthenticatedRead measures the fixed cost every API request pays:
// middleware, bearer-token session lookup with roles, permission check and
// a JSON answer (GET /api/v1/auth/me), from parallel clients.
func BenchmarkAuthenticatedRead(b *testing.B) {
	for _, pg := range []bool{false, true} {
		b.Run(dialect(pg), func(b *testing.B) {
			h, tok := benchApp(b, pg)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("GET", "/api/v1/auth/me", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("me: %d", rec.Code)
					}
				}
			})
		})
	}
}

// BenchmarkAuditedWrite measures a state-changing request end to end: auth,
// decode, validation, insert, and the chained audit row in the same durable
// transaction (POST /api/v1/org-units), from parallel clients.
func BenchmarkAuditedWrite(b *testing.B) {
	for _, pg := range []bool{false, true} {
		b.Run(dialect(pg), func(b *testing.B) {
			h, tok := benchApp(b, pg)
			var n atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := fmt.Sprintf(`{"parent_id":"1","kind":"department","name":"部门%d"}`, n.Add(1))
					req := httptest.NewRequest("POST", "/api/v1/org-units", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+tok)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 201 {
						b.Fatalf("create: %d %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}

func dialect(pg bool) string {
	if pg {
		return "postgres"
	}
	return "sqlite"
}
