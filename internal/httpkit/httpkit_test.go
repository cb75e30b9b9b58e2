package httpkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLimitBodyPaths: an upload path gets its own cap, exact or by a
// pattern with "*" segments; every other path the default.
func TestLimitBodyPaths(t *testing.T) {
	h := LimitBodyPaths(10, map[string]int64{"/upload": 100, "/customers/*/documents": 50},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			}
		}))
	for _, c := range []struct {
		path string
		size int
		want int
	}{
		{"/other", 10, 200}, {"/other", 11, 413},
		{"/upload", 100, 200}, {"/upload", 101, 413},
		{"/customers/7/documents", 50, 200}, {"/customers/7/documents", 51, 413},
		{"/customers/7/documents/9", 11, 413}, {"/customers/documents", 11, 413},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", c.path, strings.NewReader(strings.Repeat("x", c.size))))
		if rec.Code != c.want {
			t.Errorf("POST %s with %d bytes: %d, want %d", c.path, c.size, rec.Code, c.want)
		}
	}
}
