package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every label key used in templates and Go code is in the catalogue, with
// both languages.
func TestLabelsComplete(t *testing.T) {
	var keys []string
	tmpl := []*regexp.Regexp{
		regexp.MustCompile(`\{\{-?\s*t "([^"]+)"`),
		regexp.MustCompile(`\(t "([^"]+)"`),
		regexp.MustCompile(`\(in \S+ "[^"]+" "([^"]+)"`),
		regexp.MustCompile(`"hint:([^"]+)"`),
	}
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, p)
		for _, re := range tmpl {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				keys = append(keys, m[1])
			}
		}
		return nil
	})
	goFiles, _ := filepath.Glob("*.go")
	code := regexp.MustCompile(`label\("([^"]+)"`)
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys = append(keys, m[1])
			}
		}
	}
	for _, sec := range navSections {
		keys = append(keys, "nav.section."+sec.Key)
		for _, it := range sec.Items {
			keys = append(keys, "nav."+it.Key)
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d label uses: is the scan broken?", len(keys))
	}
	for _, k := range keys {
		if _, ok := labels[k]; !ok {
			t.Errorf("label %q is not in the catalogue", k)
		}
	}
	for k, v := range labels {
		if v.ZH == "" || v.EN == "" {
			t.Errorf("label %q lacks a language", k)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/users?q=a": "/admin/users?q=a",
		"":                 "/",
		"//evil.example":   "/",
		"/\\evil":          "/",
		"https://x.cn/":    "/",
		"admin":            "/",
		"/a\r\nSet-Cookie": "/",
	} {
		if got := localPath(in, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
