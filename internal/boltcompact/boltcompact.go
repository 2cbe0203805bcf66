// Package boltcompact reclaims the space of a bbolt file: bbolt reuses
// freed pages but never gives them back, so a data file that held much
// more once (repeated seeds, purged check-ins) stays that size. Compact
// copies the live data into a new file, checks that the copy holds exactly
// the same keys and values, and only then puts it in place of the old one
// with an atomic rename.
package boltcompact

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrLocked is returned when another process (a running server) holds the
// file.
var ErrLocked = errors.New("boltcompact: the file is in use")

// Options are Compact's settings.
type Options struct {
	// Backup, when not empty, is where the old file is kept (a hard link
	// made before the swap).
	Backup string
	// LockTimeout is how long to wait for the file's lock; zero: 2 s.
	LockTimeout time.Duration
}

// Result says what a compaction did.
type Result struct {
	Before, After int64  // file sizes in bytes
	Digest        string // SHA-256 of every bucket, key and value, equal in both files
}

// Compact rewrites the bbolt file at path without its free pages. The
// file is locked for the whole run, so no server writes to it meanwhile;
// a failure at any step leaves the old file as it was.
func Compact(path string, opts Options) (Result, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 2 * time.Second
	}
	before, err := os.Stat(path)
	if err != nil {
		return Result{}, fmt.Errorf("boltcompact: %w", err)
	}
	// NOTE: opened for writing, so that bbolt's lock is exclusive: a
	// server cannot open the file while it is copied and swapped.
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return Result{}, fmt.Errorf("%w: %s is locked; stop the Bando using it first", ErrLocked, path)
	}
	if err != nil {
		return Result{}, fmt.Errorf("boltcompact: open %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Result{}, fmt.Errorf("boltcompact: remove a stale %s: %w", tmp, err)
	}
	digest, err := copyChecked(src, tmp)
	if err != nil {
		_ = os.Remove(tmp)
		return Result{}, err
	}
	if opts.Backup != "" {
		if err := os.Link(path, opts.Backup); err != nil {
			_ = os.Remove(tmp)
			return Result{}, fmt.Errorf("boltcompact: keep the old file as %s: %w", opts.Backup, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return Result{}, fmt.Errorf("boltcompact: put the compacted file in place: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return Result{}, err
	}
	after, err := os.Stat(path)
	if err != nil {
		return Result{}, fmt.Errorf("boltcompact: %w", err)
	}
	return Result{Before: before.Size(), After: after.Size(), Digest: digest}, nil
}

// copyChecked compacts src into a new file at tmp, made durable, and
// checks that both hold the same data; it returns their digest.
func copyChecked(src *bolt.DB, tmp string) (string, error) {
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return "", fmt.Errorf("boltcompact: create %s: %w", tmp, err)
	}
	if err := bolt.Compact(dst, src, 64<<20); err != nil {
		_ = dst.Close()
		return "", fmt.Errorf("boltcompact: copy: %w", err)
	}
	if err := dst.Sync(); err != nil {
		_ = dst.Close()
		return "", fmt.Errorf("boltcompact: sync %s: %w", tmp, err)
	}
	want, err := Digest(src)
	if err != nil {
		_ = dst.Close()
		return "", err
	}
	got, err := Digest(dst)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if got != want {
		return "", fmt.Errorf("boltcompact: the copy differs from the file (digest %s, want %s); the file is left as it was", got, want)
	}
	return want, nil
}

// Digest is the SHA-256 of every bucket name, key and value of db, in
// order, nested buckets included, and of each bucket's sequence.
func Digest(db *bolt.DB) (string, error) {
	h := sha256.New()
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return digestBucket(h, [][]byte{name}, b)
		})
	})
	if err != nil {
		return "", fmt.Errorf("boltcompact: read: %w", err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

func digestBucket(h hash.Hash, path [][]byte, b *bolt.Bucket) error {
	write := func(parts ...[]byte) {
		for _, p := range parts {
			fmt.Fprintf(h, "%d:", len(p))
			h.Write(p)
		}
	}
	write(bytes.Join(path, []byte{0}))
	fmt.Fprintf(h, "seq=%d;", b.Sequence())
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if child := b.Bucket(k); child != nil {
				return digestBucket(h, append(path[:len(path):len(path)], k), child)
			}
		}
		write(k, v)
		return nil
	})
}

// syncDir makes the rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("boltcompact: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("boltcompact: sync %s: %w", dir, err)
	}
	return nil
}
