package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static/ files. URLs carry a content hash
// (?v=…), so a matching request may be cached for a year and a new build
// is fetched at once.
type assets struct {
	hash    map[string]string
	handler http.Handler
}

func loadAssets() *assets {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	a := &assets{hash: map[string]string{},
		handler: http.StripPrefix("/static/", http.FileServerFS(sub))}
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hash[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a
}

// url is the versioned address of a static file.
func (a *assets) url(name string) string {
	return "/static/" + name + "?v=" + a.hash[name]
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	h, ok := a.hash[name]
	if !ok {
		http.NotFound(w, r) // also refuses directory listings
		return
	}
	if r.URL.Query().Get("v") == h {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	a.handler.ServeHTTP(w, r)
}
