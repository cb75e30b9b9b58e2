package fieldcrypt_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu/internal/fieldcrypt"
)

func TestSealOpenRoundTrip(t *testing.T) {
	s := fieldcrypt.ForTests()
	for _, plain := range []string{"", "王建国", `{"name":"王建国","phone":"13912345678"}`, strings.Repeat("x", 5000)} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1:") {
			t.Fatalf("sealed %q lacks the v1: prefix", sealed)
		}
		if plain != "" && strings.Contains(sealed, plain) {
			t.Fatalf("sealed value shows the plain text")
		}
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
}

func TestSealUsesAFreshNonce(t *testing.T) {
	s := fieldcrypt.ForTests()
	a, _ := s.Seal("王建国")
	b, _ := s.Seal("王建国")
	if a == b {
		t.Fatal("two seals of one value are equal")
	}
}

func TestOpenRefusesOtherKeysAndTampering(t *testing.T) {
	s := fieldcrypt.ForTests()
	other, err := fieldcrypt.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := s.Seal("王建国")
	if _, err := other.Open(sealed); err != fieldcrypt.ErrSealed {
		t.Fatalf("another key opened it: %v", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	raw[len(raw)-1] ^= 1
	tampered := "v1:" + base64.StdEncoding.EncodeToString(raw)
	for _, bad := range []string{"", "v1:", "v2:" + sealed[3:], "王建国", "v1:!!!", tampered, sealed[:len(sealed)-8]} {
		if got, err := s.Open(bad); err != fieldcrypt.ErrSealed {
			t.Errorf("Open(%q) = %q, %v; want ErrSealed", bad, got, err)
		}
	}
}

func TestNewRefusesWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := fieldcrypt.New(make([]byte, n)); err == nil {
			t.Errorf("a key of %d bytes was accepted", n)
		}
	}
}

func TestLoadCreatesTheKeyFileOnce(t *testing.T) {
	t.Setenv(fieldcrypt.EnvKey, "")
	dir := filepath.Join(t.TempDir(), "data", "kefu")
	s1, err := fieldcrypt.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fieldcrypt.KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 32 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: size %d mode %v; want 32 bytes, 0600", fi.Size(), fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Fatalf("created dir mode %v, want 0700", di.Mode().Perm())
	}
	key, _ := os.ReadFile(path)
	if bytes.Equal(key, make([]byte, 32)) {
		t.Fatal("the created key is the test key")
	}
	sealed, _ := s1.Seal("李四")
	s2, err := fieldcrypt.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Open(sealed); err != nil || got != "李四" {
		t.Fatalf("a second Load does not open the first's seal: %q, %v", got, err)
	}
	again, _ := os.ReadFile(path)
	if !bytes.Equal(key, again) {
		t.Fatal("the key file was rewritten")
	}
	if _, err := fieldcrypt.ForTests().Open(sealed); err == nil {
		t.Fatal("the test key opens a production seal")
	}
}

func TestLoadRefusesAKeyFileOfTheWrongSize(t *testing.T) {
	t.Setenv(fieldcrypt.EnvKey, "")
	dir := t.TempDir()
	path := filepath.Join(dir, fieldcrypt.KeyFile)
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fieldcrypt.Load(dir); err == nil {
		t.Fatal("a 5-byte key file was accepted")
	}
	if b, _ := os.ReadFile(path); string(b) != "short" {
		t.Fatal("the bad key file was replaced")
	}
}

func TestLoadTakesTheEnvironmentKey(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	t.Setenv(fieldcrypt.EnvKey, base64.StdEncoding.EncodeToString(key))
	dir := t.TempDir()
	s, err := fieldcrypt.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, fieldcrypt.KeyFile)); !os.IsNotExist(err) {
		t.Fatalf("a key file was written though the environment holds the key: %v", err)
	}
	direct, _ := fieldcrypt.New(key)
	sealed, _ := s.Seal("张三")
	if got, err := direct.Open(sealed); err != nil || got != "张三" {
		t.Fatalf("the environment key was not used: %q, %v", got, err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(key[:16])} {
		t.Setenv(fieldcrypt.EnvKey, bad)
		if _, err := fieldcrypt.Load(dir); err == nil {
			t.Errorf("%s=%q was accepted", fieldcrypt.EnvKey, bad)
		}
	}
}

func FuzzOpen(f *testing.F) {
	s := fieldcrypt.ForTests()
	good, _ := s.Seal(`{"name":"王建国","phone":"13912345678"}`)
	for _, seed := range []string{"", "v1:", "v1:AAAA", "v1:====", "v2:abc", good, good[:len(good)-4], "v1:" + strings.Repeat("A", 40)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		plain, err := s.Open(in)
		if err != nil {
			if plain != "" {
				t.Fatalf("Open(%q) failed but returned %q", in, plain)
			}
			return
		}
		// Whatever opens must seal and open back to itself.
		again, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := s.Open(again); err != nil || back != plain {
			t.Fatalf("round trip of %q: %q, %v", plain, back, err)
		}
	})
}
