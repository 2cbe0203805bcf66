package main

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

// NOTE: bbolt's free pages are reused, never given back, so a data file
// that once held much more (repeated seeds, purged check-ins) stays that
// size. compactFile copies the live data into a new file, checks that the
// copy holds exactly the same keys and values, and only then puts it in
// place of the old one with an atomic rename.

// errFileInUse is returned when another process (a running server) holds the
// file.
var errFileInUse = errors.New("compact: the file is in use")

// compactOptions are compactFile's settings.
type compactOptions struct {
	// Backup, when not empty, is where the old file is kept (a hard link
	// made before the swap).
	Backup string
	// LockTimeout is how long to wait for the file's lock; zero: 2 s.
	LockTimeout time.Duration
}

// compactResult says what a compaction did.
type compactResult struct {
	Before, After int64  // file sizes in bytes
	Digest        string // SHA-256 of every bucket, key and value, equal in both files
}

// compactFile rewrites the bbolt file at path without its free pages. The
// file is locked for the whole run, so no server writes to it meanwhile;
// a failure at any step leaves the old file as it was.
func compactFile(path string, opts compactOptions) (compactResult, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 2 * time.Second
	}
	before, err := os.Stat(path)
	if err != nil {
		return compactResult{}, fmt.Errorf("compact: %w", err)
	}
	// NOTE: opened for writing, so that bbolt's lock is exclusive: a
	// server cannot open the file while it is copied and swapped.
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return compactResult{}, fmt.Errorf("%w: %s is locked; stop the Bando using it first", errFileInUse, path)
	}
	if err != nil {
		return compactResult{}, fmt.Errorf("compact: open %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return compactResult{}, fmt.Errorf("compact: remove a stale %s: %w", tmp, err)
	}
	digest, err := compactCopy(src, tmp)
	if err != nil {
		_ = os.Remove(tmp)
		return compactResult{}, err
	}
	if opts.Backup != "" {
		if err := os.Link(path, opts.Backup); err != nil {
			_ = os.Remove(tmp)
			return compactResult{}, fmt.Errorf("compact: keep the old file as %s: %w", opts.Backup, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return compactResult{}, fmt.Errorf("compact: put the compacted file in place: %w", err)
	}
	if err := syncDataDir(filepath.Dir(path)); err != nil {
		return compactResult{}, err
	}
	after, err := os.Stat(path)
	if err != nil {
		return compactResult{}, fmt.Errorf("compact: %w", err)
	}
	return compactResult{Before: before.Size(), After: after.Size(), Digest: digest}, nil
}

// compactCopy compacts src into a new file at tmp, made durable, and
// checks that both hold the same data; it returns their digest.
func compactCopy(src *bolt.DB, tmp string) (string, error) {
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return "", fmt.Errorf("compact: create %s: %w", tmp, err)
	}
	if err := bolt.Compact(dst, src, 64<<20); err != nil {
		_ = dst.Close()
		return "", fmt.Errorf("compact: copy: %w", err)
	}
	if err := dst.Sync(); err != nil {
		_ = dst.Close()
		return "", fmt.Errorf("compact: sync %s: %w", tmp, err)
	}
	want, err := boltDigest(src)
	if err != nil {
		_ = dst.Close()
		return "", err
	}
	got, err := boltDigest(dst)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if got != want {
		return "", fmt.Errorf("compact: the copy differs from the file (digest %s, want %s); the file is left as it was", got, want)
	}
	return want, nil
}

// boltDigest is the SHA-256 of every bucket name, key and value of db, in
// order, nested buckets included, and of each bucket's sequence.
func boltDigest(db *bolt.DB) (string, error) {
	h := sha256.New()
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return digestBoltBucket(h, [][]byte{name}, b)
		})
	})
	if err != nil {
		return "", fmt.Errorf("compact: read: %w", err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

func digestBoltBucket(h hash.Hash, path [][]byte, b *bolt.Bucket) error {
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
				return digestBoltBucket(h, append(path[:len(path):len(path)], k), child)
			}
		}
		write(k, v)
		return nil
	})
}

// syncDataDir makes the rename durable.
func syncDataDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("compact: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("compact: sync %s: %w", dir, err)
	}
	return nil
}
