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
	if code != 0 || strings.Count(out, "\n") != 5 || !strings.Contains(out, "property     v4  cn-office") {
		t.Errorf("list: exit %d %q", code, out)
	}
}

// TestPolicyCheckProcesses: a process with a loop that has no way out is
// refused by `kefu policy check` with the line of the trapped step
// (issue 8: "a cycle without exit (refused by kefu policy check)").
func TestPolicyCheckProcesses(t *testing.T) {
	good := filepath.Join("..", "..", "policies", "power.yaml")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// The suspension's last step sends the process back to its first.
	old := "      - key: resume\n        name: {zh: 恢复用电, en: Resumption}\n        role: field_staff\n        level: company\n"
	if !strings.Contains(string(data), old) {
		t.Fatal("power.yaml has no suspension resume step")
	}
	text := strings.Replace(string(data), old, old+"        outcomes: [{key: again, name: {zh: 再次}, next: application}]\n", 1)
	bad := filepath.Join(t.TempDir(), "loop.yaml")
	if err := os.WriteFile(bad, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := kefu(t, nil, "policy", "check", bad)
	if code != 1 || !strings.Contains(out, "loop without exit") || !strings.Contains(out, "processes[1].steps[0].key") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}
