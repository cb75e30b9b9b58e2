package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// HashPassword returns the PHC-format argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// Bounds on the parameters of a stored hash. argon2 panics on zero passes or
// lanes, and a hash naming gigabytes or millions of passes would exhaust the
// machine, so anything outside these is refused as malformed. They leave
// ample room above kefu's own parameters.
const (
	maxArgonMemory  = 256 * 1024 // KiB
	maxArgonTime    = 16
	maxArgonThreads = 16
	minSaltLen      = 8
	minKeyLen       = 16
	maxKeyLen       = 128
)

// CheckPassword reports whether pw matches the PHC hash, in constant time.
func CheckPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash // exactly "$argon2id$v=…$m=…,t=…,p=…$salt$key", nothing before it
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	// Sscanf ignores what follows the last verb: the fields must also
	// print back exactly as stored.
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version ||
		fmt.Sprintf("v=%d", version) != parts[2] {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		t < 1 || t > maxArgonTime || p < 1 || p > maxArgonThreads || m < 8*uint32(p) || m > maxArgonMemory ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < minKeyLen || len(want) > maxKeyLen {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a username does not exist, so that a
// wrong username costs as much time as a wrong password.
var dummyHash, _ = HashPassword("kefu-dummy-password")

// ValidatePassword applies the password policy to a new password.
func ValidatePassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return apperr.Validation(field, i18n.T("密码至少%d位", "password must have at least %d characters", MinPasswordLen))
	case len(pw) > 256:
		return apperr.Validation(field, i18n.T("密码过长", "password is too long"))
	case strings.TrimSpace(pw) == "":
		return apperr.Validation(field, i18n.T("密码不能全是空格", "password cannot be blank"))
	}
	return nil
}
