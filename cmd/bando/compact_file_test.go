package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bloated makes a bbolt file that held 20 MB and now holds little, with
// nested buckets and a sequence; it returns its path.
func bloated(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bando.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("x", 10_000))
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("cases"))
		if err != nil {
			return err
		}
		if err := b.SetSequence(42); err != nil {
			return err
		}
		for i := range 2000 {
			if err := b.Put(fmt.Appendf(nil, "k%05d", i), big); err != nil {
				return err
			}
		}
		inner, err := b.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		return inner.Put([]byte("a"), []byte("b"))
	})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("cases"))
			for i := range 1990 {
				if err := b.Delete(fmt.Appendf(nil, "k%05d", i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func digestOf(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := boltDigest(db)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCompact(t *testing.T) {
	path := bloated(t)
	want := digestOf(t, path)
	r, err := compactFile(path, compactOptions{Backup: path + ".old"})
	if err != nil {
		t.Fatal(err)
	}
	if r.After*4 > r.Before {
		t.Errorf("%d bytes → %d bytes, want a quarter or less", r.Before, r.After)
	}
	if got := digestOf(t, path); got != want || r.Digest != want {
		t.Errorf("the data changed: digest %s, want %s", got, want)
	}
	if got := digestOf(t, path+".old"); got != want {
		t.Errorf("the old file kept is not the old data")
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
}

// TestCompactRefusesAFileInUse: a running server's file is not touched.
func TestCompactRefusesAFileInUse(t *testing.T) {
	path := bloated(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, _ := os.Stat(path)
	_, err = compactFile(path, compactOptions{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, errFileInUse) {
		t.Fatalf("Compact of a file in use: %v, want errFileInUse", err)
	}
	after, _ := os.Stat(path)
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the file in use was changed")
	}
}

// TestDigestSeesEveryChange: the check compares keys, values, nested
// buckets and sequences.
func TestDigestSeesEveryChange(t *testing.T) {
	for _, change := range []func(tx *bolt.Tx) error{
		func(tx *bolt.Tx) error { return tx.Bucket([]byte("cases")).SetSequence(43) },
		func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("cases")).Bucket([]byte("inner")).Put([]byte("a"), []byte("c"))
		},
		func(tx *bolt.Tx) error { return tx.Bucket([]byte("cases")).Delete([]byte("k01999")) },
		func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("more")); return err },
	} {
		path := bloated(t)
		before := digestOf(t, path)
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(change); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if digestOf(t, path) == before {
			t.Error("a change left the digest as it was")
		}
	}
}
