// Package fieldcrypt seals confidential fields before they are stored —
// the identity of a protected reporter (SEC-007) — with AES-256-GCM under a
// key kept outside the database (the data directory or KEFU_FIELD_KEY), so
// that a copy of the database alone does not reveal them.
//
// A sealed value is "v1:" followed by the standard base64 of the 12-byte
// nonce and the ciphertext with its tag; every Seal draws a fresh nonce, so
// two seals of one value differ.
package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key: 32 bytes, AES-256.
const KeySize = 32

// EnvKey names the environment variable that may hold the key, as the
// standard base64 of KeySize bytes; it wins over the key file.
const EnvKey = "KEFU_FIELD_KEY"

// KeyFile is the name of the key file in the data directory.
const KeyFile = "field.key"

// prefix marks the format of a sealed value.
const prefix = "v1:"

// ErrSealed is returned by Open for a value that is not a sealed value of
// this key: malformed, of another version, cut short or tampered with.
var ErrSealed = errors.New("fieldcrypt: not a value sealed with this key")

// Sealer seals and opens field values with one key.
type Sealer struct {
	aead cipher.AEAD
}

// New is a sealer with the key, which must be KeySize bytes.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("fieldcrypt: a key is %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// ForTests is a sealer with a fixed all-zero key, for tests and for
// services built without one; production builds one from Load.
func ForTests() *Sealer {
	s, err := New(make([]byte, KeySize))
	if err != nil {
		panic(err) // a fixed key of the right size
	}
	return s
}

// Load returns the sealer of the installation: the key of KEFU_FIELD_KEY
// (standard base64 of 32 bytes), else the key file field.key in dir,
// created with a random key on the first start (mode 0600, dir 0700 when
// it is missing; "" is "data", as for the SQLite database). A key of the wrong size is an error, never replaced.
func Load(dir string) (*Sealer, error) {
	if v, ok := os.LookupEnv(EnvKey); ok && strings.TrimSpace(v) != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("fieldcrypt: %s is not standard base64: %w", EnvKey, err)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("fieldcrypt: %s holds %d bytes, want %d", EnvKey, len(key), KeySize)
		}
		return New(key)
	}
	if dir == "" {
		dir = "data" // the default data directory, as for the SQLite database
	}
	path := filepath.Join(dir, KeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if key, err = create(dir, path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("fieldcrypt: %s holds %d bytes, want %d", path, len(key), KeySize)
	}
	return New(key)
}

// create writes a new random key to path, creating dir when missing. A key
// file that appears meanwhile is read, not overwritten.
func create(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	} else if err != nil {
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("fieldcrypt: %w", err)
	}
	return key, nil
}

// Seal seals plain: "v1:" + base64(nonce | ciphertext).
func (s *Sealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("fieldcrypt: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), nil)
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open returns the plain text of a value Seal sealed with the same key, or
// ErrSealed.
func (s *Sealer) Open(sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrSealed
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", ErrSealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}
