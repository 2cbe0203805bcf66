package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secretFile is the key's file in the data directory when BANDO_SECRET is
// not set.
const secretFile = "secret.key"

// minSecretBytes is the shortest key accepted (audit.NewSigner's rule).
const minSecretBytes = 32

// parseSecret reads a key written in hex.
func parseSecret(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("not hex")
	}
	if len(key) < minSecretBytes {
		return nil, fmt.Errorf("%d bytes, want at least %d (%d hex digits); make one with: openssl rand -hex 32",
			len(key), minSecretBytes, 2*minSecretBytes)
	}
	return key, nil
}

// secret returns the server's key, which signs the audit log's checkpoints:
// BANDO_SECRET, or else the hex key in secret.key of the data directory,
// created (mode 0600, 32 random bytes) on first use. Every instance of one
// deployment must use the same key: set BANDO_SECRET, or share the file.
func (c *Config) secret() ([]byte, error) {
	if c.Secret != "" {
		return parseSecret(c.Secret) // validated
	}
	path := filepath.Join(c.DataDir, secretFile)
	body, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSecret(c.DataDir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("BANDO_SECRET is not set and %s cannot be read: %w", path, err)
	}
	key, err := parseSecret(string(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func createSecret(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s for the secret key: %w", dir, err)
	}
	key := make([]byte, minSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make the secret key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// NOTE: another process made it first; use theirs.
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return parseSecret(string(body))
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}
