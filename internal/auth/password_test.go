package auth

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/apperr"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	const pw = "correct horse 电池 staple"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not PHC argon2id with kefu's parameters", h1)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{
		{pw, true},
		{pw + " ", false},
		{strings.ToUpper(pw), false},
		{"", false},
		{"correct horse 电池 stapl", false},
	} {
		ok, err := CheckPassword(h1, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
}

// malformedHashes are refused with an error, never a panic, never true.
var malformedHashes = []string{
	"",
	"0$argon2id$v=19$m=10,t=1,p=1$00000000000$0000000000000000000000",              // something before the first $ (found by fuzzing)
	"$argon2id$v=19x$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",    // trailing text after the version
	"$argon2id$v=19$m=8,t=1,p=1junk$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", // trailing text after the parameters
	"plain",
	"$argon2id$",
	"$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=x,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=19456,t=2,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
	"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$%%%",
	// Parameters that make argon2 panic or exhaust the machine.
	"$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=0,t=0,p=0$$aGFzaA",
	"$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=19456,t=4294967295,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
	"$argon2id$v=19$m=19456,t=2,p=1$$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", // no salt
	"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aA",                    // 1-byte key: guessable
}

func TestCheckPasswordMalformed(t *testing.T) {
	t.Parallel()
	for _, h := range malformedHashes {
		ok, err := CheckPassword(h, "password")
		if err == nil || ok {
			t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	valid, err := HashPassword("password")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, "password")
	f.Add(valid, "wrong")
	for _, h := range malformedHashes {
		f.Add(h, "password")
	}
	// Cheap but well-formed parameters, so the fuzzer can explore near them.
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		ok, err := CheckPassword(hash, pw) // must not panic
		if ok && err != nil {
			t.Fatalf("CheckPassword(%q) = true with error %v", hash, err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") && err == nil {
			t.Fatalf("CheckPassword(%q) accepted a hash that is not argon2id", hash)
		}
		if err == nil {
			if parts := strings.Split(hash, "$"); len(parts) != 6 || !strings.HasPrefix(parts[2], "v=") ||
				!strings.HasPrefix(parts[3], "m=") || strings.ContainsAny(parts[2][2:], "+- ") {
				t.Fatalf("CheckPassword(%q) accepted a malformed hash", hash)
			}
		}
	})
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{"密码密码密码密码", true},  // 8 characters, 24 bytes
		{"密码密码密码密", false},  // 7 characters, 21 bytes
		{"        ", false}, // blank
		{"\t\t\t\t\n\n\n\n", false},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
	} {
		err := ValidatePassword("new_password", c.pw)
		if c.ok {
			if err != nil {
				t.Errorf("ValidatePassword(%q) = %v, want nil", c.pw, err)
			}
			continue
		}
		e, isApp := apperr.As(err)
		if !isApp || e.Status != http.StatusUnprocessableEntity || e.Field != "new_password" {
			t.Errorf("ValidatePassword(%q) = %v, want 422 on new_password", c.pw, err)
		}
	}
}
