package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/store/storetest"
)

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.OpenSQLite(t))
	r := e.do("GET", "/api/openapi.json", "", nil)
	if r.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d", r.Code)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Info       map[string]any                       `json:"info"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Info["version"] != "test" || doc.Info["title"] == "" {
		t.Errorf("openapi %q info %v", doc.OpenAPI, doc.Info)
	}

	routes := e.api.Routes()
	registered := map[string]bool{}
	opIDs := map[string]bool{}
	for _, rt := range routes {
		m := strings.ToLower(rt.Method)
		registered[m+" "+rt.Path] = true
		op, ok := doc.Paths[rt.Path][m]
		if !ok {
			t.Errorf("%s %s is not documented", rt.Method, rt.Path)
			continue
		}
		if s, _ := op["summary"].(string); s == "" || s != rt.Summary {
			t.Errorf("%s %s: summary %q", rt.Method, rt.Path, s)
		}
		id, _ := op["operationId"].(string)
		if id == "" || opIDs[id] {
			t.Errorf("%s %s: operationId %q missing or repeated", rt.Method, rt.Path, id)
		}
		opIDs[id] = true
		resp, _ := op["responses"].(map[string]any)
		success := 200
		if rt.Status != 0 {
			success = rt.Status
		}
		if resp[strconv.Itoa(success)] == nil || resp["default"] == nil {
			t.Errorf("%s %s: responses %v lack %d or default", rt.Method, rt.Path, resp, success)
		}
		if _, secured := op["security"]; secured == rt.Public {
			t.Errorf("%s %s: public %v but security %v", rt.Method, rt.Path, rt.Public, op["security"])
		}
		if rt.Permission != "" && op["x-permission"] != string(rt.Permission) {
			t.Errorf("%s %s: x-permission %v, want %s", rt.Method, rt.Path, op["x-permission"], rt.Permission)
		}
		if (rt.Request != nil) != (op["requestBody"] != nil) {
			t.Errorf("%s %s: request body documented %v", rt.Method, rt.Path, op["requestBody"] != nil)
		}
		params, _ := op["parameters"].([]any)
		for _, p := range pathParam.FindAllString(rt.Path, -1) {
			name := strings.Trim(p, "{}")
			found := false
			for _, raw := range params {
				q, _ := raw.(map[string]any)
				found = found || (q["name"] == name && q["in"] == "path" && q["required"] == true)
			}
			if !found {
				t.Errorf("%s %s: path parameter %s undocumented", rt.Method, rt.Path, name)
			}
		}
		for _, qp := range rt.Query {
			found := false
			for _, raw := range params {
				q, _ := raw.(map[string]any)
				found = found || (q["name"] == qp.Name && q["in"] == "query")
			}
			if !found {
				t.Errorf("%s %s: query parameter %s undocumented", rt.Method, rt.Path, qp.Name)
			}
		}
	}
	// The other way round: nothing is documented that is not a route.
	for path, ops := range doc.Paths {
		for m := range ops {
			if !registered[m+" "+path] {
				t.Errorf("documented %s %s is not a route", strings.ToUpper(m), path)
			}
		}
	}

	// Every $ref resolves, and every schema is complete.
	var walk func(v any, where string)
	refs := 0
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				refs++
				name, ok := strings.CutPrefix(ref, "#/components/schemas/")
				if !ok || doc.Components.Schemas[name] == nil {
					t.Errorf("%s: $ref %q does not resolve", where, ref)
				}
			}
			for k, c := range x {
				walk(c, where+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, where+"/"+strconv.Itoa(i))
			}
		}
	}
	var whole any
	if err := json.Unmarshal(r.Body, &whole); err != nil {
		t.Fatal(err)
	}
	walk(whole, "#")
	if refs == 0 {
		t.Error("no $ref at all: the check tests nothing")
	}
	for name, s := range doc.Components.Schemas {
		if s["type"] == nil {
			t.Errorf("schema %s is incomplete: %v", name, s)
		}
	}
	if doc.Components.Schemas["Error"] == nil {
		t.Error("no Error schema")
	}

	// What the mux serves matches the document: a documented route never
	// answers like an unknown one, and an unknown one does.
	isUnknown := func(r res) bool {
		if r.Code == http.StatusMethodNotAllowed {
			return true
		}
		if r.Code != http.StatusNotFound {
			return false
		}
		var body struct{ Error apiError }
		_ = json.Unmarshal(r.Body, &body)
		return body.Error.Field == "" && strings.HasPrefix(body.Error.Message, "no such endpoint")
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			method := strings.ToUpper(m)
			var body any
			if method != "GET" {
				body = `{}`
			}
			got := e.do(method, pathParam.ReplaceAllString(path, "1"), "", body, "Accept-Language", "en")
			if isUnknown(got) {
				t.Errorf("documented %s %s is not served: %d %s", method, path, got.Code, got.Body)
			}
		}
	}
	if !isUnknown(e.do("GET", "/api/v1/not-a-route", "", nil, "Accept-Language", "en")) {
		t.Error("an unknown route is not recognised as one")
	}
}
