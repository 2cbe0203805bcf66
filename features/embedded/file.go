package embedded

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Format versions of the data file. A binary reads every format up to
// formatVersion, upgrading older files when it opens them, and refuses
// newer ones. Format 2 added the records' revisions (revision.go); a
// format 1 binary must not write a format 2 file, which it would leave
// with revisions that no longer follow the data.
const formatVersion = 2

// lockTimeout is how long Open waits for another process to release the
// data file before giving up.
const lockTimeout = 2 * time.Second

// initialMmapSize is the address space bbolt maps from the start. Each time
// the file outgrows its mapping bbolt remaps it and copies every node of the
// open write transaction, which made a province-scale load several seconds
// slower; mapping is address space only, pages are read as they are used.
const initialMmapSize = 1 << 30

// allocSize is how much bbolt grows the file by beyond what a commit needs.
// Its default (16 MiB) would make every small store a 16 MiB file once the
// mapping is larger than that.
const allocSize = 1 << 20

// Bucket and key names.
const (
	bucketMeta   = "meta"
	keyFormat    = "format"
	keyIdentity  = "identity"
	keyWrites    = "writes"
	keyGeomaskCM = "geomask_cell_m"
)

func publicBucket(collection string) []byte  { return []byte("public/" + collection) }
func privateBucket(collection string) []byte { return []byte("private/" + collection) }

// meta is what the meta bucket says about the data.
type meta struct {
	format   uint64
	identity string
	writes   uint64
	cellM    float64
}

// version is the token of Store.Version: stable for one state of the data,
// different across writes and across data directories.
func (m meta) version() string { return m.identity + "." + strconv.FormatUint(m.writes, 10) }

// openFile creates the directory if needed and opens the bbolt file in it,
// turning bbolt's failures into errors that name the file.
func openFile(dir string) (db *bolt.DB, path string, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", fmt.Errorf("embedded: create data directory: %w", err)
	}
	path = filepath.Join(dir, FileName)
	_, statErr := os.Stat(path)
	err = guard(path, func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout: lockTimeout, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize,
		})
		if err == nil {
			db.AllocSize = allocSize
		}
		return err
	})
	switch {
	case err == nil && errors.Is(statErr, fs.ErrNotExist):
		// NOTE: a new file's directory entry must be durable too, or an
		// acknowledged first write could vanish with it after a crash.
		if err := syncDir(dir); err != nil {
			_ = db.Close()
			return nil, "", err
		}
		return db, path, nil
	case err == nil:
		return db, path, nil
	case errors.Is(err, bolt.ErrTimeout):
		return nil, "", fmt.Errorf("%w: %s is locked; stop the other Bando using %s first", ErrLocked, path, dir)
	case errors.Is(err, ErrCorrupt):
		return nil, "", err
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrChecksum),
		errors.Is(err, bolt.ErrVersionMismatch), errors.Is(err, bolt.ErrInvalidMapping):
		return nil, "", corrupt(path, err)
	default:
		return nil, "", fmt.Errorf("embedded: open %s: %w", path, err)
	}
}

// syncDir flushes a directory's entries to disk. Windows cannot sync a
// directory and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("embedded: sync data directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("embedded: sync data directory: %w", err)
	}
	return nil
}

// corrupt wraps a cause into ErrCorrupt, naming the file.
func corrupt(path string, cause any) error {
	return fmt.Errorf("%w: %s (%v); restore it from a backup or move it away to start afresh", ErrCorrupt, path, cause)
}

// guard runs fn, turning a panic (bbolt panics on some damaged pages) or a
// memory fault on the mapped file into ErrCorrupt naming the file.
func guard(path string, fn func() error) (err error) {
	// SAFETY: a truncated or damaged mmap can fault; with panic-on-fault the
	// runtime raises a recoverable panic in this goroutine instead of
	// crashing the process.
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, r)
		}
	}()
	return fn()
}

// initMeta writes the meta bucket of a new file, or checks the one of an
// existing file, and returns it.
func (s *Store) initMeta() (meta, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketMeta))
		if b != nil {
			return nil
		}
		if !isBlank(tx) {
			return corrupt(s.path, "no meta bucket")
		}
		return createMeta(tx, s.cellM)
	})
	if err != nil {
		return meta{}, err
	}
	return s.readMeta()
}

// isBlank reports whether a file holds no bucket at all: a new file, or one
// whose first transaction never committed.
func isBlank(tx *bolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

func createMeta(tx *bolt.Tx, cellM float64) error {
	b, err := tx.CreateBucket([]byte(bucketMeta))
	if err != nil {
		return fmt.Errorf("embedded: create meta: %w", err)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id) // NOTE: crypto/rand.Read never fails (Go 1.24+).
	for _, kv := range []struct{ k, v []byte }{
		{[]byte(keyFormat), uint64Bytes(formatVersion)},
		{[]byte(keyIdentity), []byte(hex.EncodeToString(id))},
		{[]byte(keyWrites), uint64Bytes(0)},
		{[]byte(keyGeomaskCM), uint64Bytes(math.Float64bits(cellM))},
	} {
		if err := b.Put(kv.k, kv.v); err != nil {
			return fmt.Errorf("embedded: write meta: %w", err)
		}
	}
	return nil
}

// readMeta reads and checks the meta bucket.
func (s *Store) readMeta() (meta, error) {
	var m meta
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketMeta))
		if b == nil {
			return corrupt(s.path, "no meta bucket")
		}
		var ok [4]bool
		m.format, ok[0] = readUint64(b.Get([]byte(keyFormat)))
		m.writes, ok[1] = readUint64(b.Get([]byte(keyWrites)))
		bits, okCell := readUint64(b.Get([]byte(keyGeomaskCM)))
		m.cellM, ok[2] = math.Float64frombits(bits), okCell
		m.identity, ok[3] = string(b.Get([]byte(keyIdentity))), len(b.Get([]byte(keyIdentity))) > 0
		if ok != [4]bool{true, true, true, true} {
			return corrupt(s.path, "incomplete meta bucket")
		}
		return nil
	})
	if err != nil {
		return meta{}, err
	}
	if m.format > formatVersion {
		return meta{}, &FormatError{Dir: filepath.Dir(s.path), Format: m.format, Max: formatVersion}
	}
	return m, nil
}

// upgrade brings a file of an older format to formatVersion in one
// transaction.
func (s *Store) upgrade(m meta) (meta, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if m.format < 2 {
			if err := s.upgradeRevisions(tx); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyFormat), uint64Bytes(formatVersion))
	})
	if err != nil {
		return meta{}, fmt.Errorf("embedded: upgrade %s from format %d to %d: %w", s.path, m.format, formatVersion, err)
	}
	return s.readMeta()
}

// FormatError says that a data directory was written by a newer Bando. It
// matches ErrNewerFormat with errors.Is.
type FormatError struct {
	Dir    string
	Format uint64 // format of the data
	Max    uint64 // newest format this binary reads
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("embedded: data in %s was written by a newer Bando (format %d, this binary reads up to %d)", e.Dir, e.Format, e.Max)
}

// Is makes errors.Is(err, ErrNewerFormat) true.
func (e *FormatError) Is(target error) bool { return target == ErrNewerFormat }

// bumpWrites increments the write counter inside a write transaction and
// returns the meta that follows.
func bumpWrites(tx *bolt.Tx) (meta, error) {
	b := tx.Bucket([]byte(bucketMeta))
	n, _ := readUint64(b.Get([]byte(keyWrites)))
	if err := b.Put([]byte(keyWrites), uint64Bytes(n+1)); err != nil {
		return meta{}, fmt.Errorf("embedded: write meta: %w", err)
	}
	return meta{identity: string(b.Get([]byte(keyIdentity))), writes: n + 1}, nil
}

func uint64Bytes(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func readUint64(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}
