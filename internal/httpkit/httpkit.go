// Package httpkit is the HTTP plumbing shared by the JSON API (httpapi) and
// the web UI (web): request ids, access logs, panic recovery, security
// headers, cross-origin protection and body limits.
package httpkit

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"kefu/internal/audit"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

// RequestID gives every request an id (the client's, if it sent a sane one),
// echoes it in the response and puts it in the context for the audit log.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !saneID(id) {
			id = NewID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(audit.WithRequestID(r.Context(), id)))
	})
}

// NewID returns 16 random hex characters.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func saneID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// StatusRecorder remembers the status and size of a response.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
	Bytes  int64
}

// WriteHeader records the status.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records the size.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.Bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// AccessLog writes one slog line per request.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.Status == 0 {
			rec.Status = http.StatusOK
		}
		level := slog.LevelInfo
		if rec.Status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.Status),
			slog.Int64("bytes", rec.Bytes), slog.Duration("duration", time.Since(start)),
			slog.String("ip", ClientIP(r)), slog.String("request_id", audit.RequestIDFrom(r.Context())))
	})
}

// ClientIP is the peer address of the request (kefu does not trust
// forwarding headers it cannot verify).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SecurityHeaders sets the headers every kefu response carries. The UI uses
// only its own scripts and styles, so the policy forbids everything else.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
			"script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// LimitBody caps request bodies at n bytes; reading past it fails with
// *http.MaxBytesError, which handlers answer with 413.
func LimitBody(n int64, next http.Handler) http.Handler { return LimitBodyPaths(n, nil, next) }

// LimitBodyPaths is LimitBody with other caps for some paths (uploads):
// paths maps a URL path, or a pattern whose "*" segments match any one
// segment, to its cap.
func LimitBodyPaths(n int64, paths map[string]int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := n
		if m, ok := paths[r.URL.Path]; ok {
			n = m
		} else {
			for pattern, m := range paths {
				if strings.Contains(pattern, "*") && matchSegments(pattern, r.URL.Path) {
					n = m
					break
				}
			}
		}
		if r.ContentLength > n {
			w.Header().Set("Connection", "close")
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// matchSegments reports whether path matches pattern segment by segment,
// a "*" segment matching any one segment ("/customers/*/documents").
func matchSegments(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// IsAPI reports whether the request is for the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// Recover turns a panic in a handler into a logged 500 instead of a dropped
// connection. onPanic writes the answer.
func Recover(log *slog.Logger, onPanic func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "error", v, "path", r.URL.Path,
					"request_id", audit.RequestIDFrom(r.Context()), "stack", string(debug.Stack()))
				onPanic(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
