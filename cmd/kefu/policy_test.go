package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPolicyCheck: `kefu policy check` passes the built-in packs and
// prints FILE:LINE: field.path: message for a broken one, exiting 1
// (PRODUCT.md §4).
func TestPolicyCheck(t *testing.T) {
	good := filepath.Join("..", "..", "policies", "property.yaml")
	out, _, code := kefu(t, nil, "policy", "check", good)
	if code != 0 || !strings.HasPrefix(out, good+": ok (") {
		t.Fatalf("check %s: exit %d, %q", good, code, out)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	text := strings.Replace(string(data), "handler_role: cs_supervisor", "handler_role: boss", 1)
	line := strings.Count(text[:strings.Index(text, "handler_role: boss")], "\n") + 1
	if err := os.WriteFile(bad, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = kefu(t, nil, "policy", "check", good, bad)
	want := bad + ":" + strconv.Itoa(line) + `: severities[1].handler_role: no such role: "boss"`
	if code != 1 || !strings.Contains(out, want+"\n") || !strings.Contains(out, good+": ok") {
		t.Fatalf("exit %d, output %q, want line %q", code, out, want)
	}
	if _, _, code := kefu(t, nil, "policy", "check"); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
	out, _, code = kefu(t, nil, "policy", "list")
	if code != 0 || strings.Count(out, "\n") != 5 || !strings.Contains(out, "property     v1  cn-office") {
		t.Errorf("list: exit %d %q", code, out)
	}
}
