package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	bolt "go.etcd.io/bbolt"
)

// DefaultGeomaskCellM is the grid cell, in metres, that public positions of
// people are snapped to when Options leave it unset.
const DefaultGeomaskCellM = 150

// FileName is the name of the bbolt file inside the data directory.
const FileName = "bando.db"

// Options configure a Store.
type Options struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// GeomaskCellM is the grid cell, in metres, that public positions of
	// people are snapped to. Default 150. Opening a directory written with
	// another cell re-masks every stored person once.
	GeomaskCellM float64
	// AuditSigner signs the audit log's checkpoint; Apply refuses edits
	// without it (ErrNoSigner).
	AuditSigner audit.Signer
}

// Errors that say in one line why a data directory cannot be used. Open
// wraps them with the directory or file concerned.
var (
	// ErrLocked: another process holds the data file open.
	ErrLocked = errors.New("embedded: data file is in use by another process")
	// ErrCorrupt: the data file is damaged or is not a Bando data file.
	ErrCorrupt = errors.New("embedded: data file is damaged or not a Bando data file")
	// ErrNewerFormat: the data was written by a newer Bando.
	ErrNewerFormat = errors.New("embedded: data written by a newer Bando")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("embedded: store is closed")
)

// Store is the embedded implementation of features.Store and tiles.Source.
// It is safe for concurrent use; writes are serialised.
type Store struct {
	db      *bolt.DB
	path    string
	catalog *features.Catalog
	cellM   float64
	signer  audit.Signer

	// wmu serialises writes so that snapshots are published, and watchers
	// told, in commit order.
	wmu   sync.Mutex
	snap  atomic.Pointer[snapshot]
	watch watchers // under wmu
}

var (
	_ features.Store = (*Store)(nil)
	_ tiles.Source   = (*Store)(nil)
)

// Open opens (creating if needed) the store in opts.Dir and loads every
// collection's public features into memory. A damaged file, a file written
// by a newer Bando or one locked by another process is an error that says so;
// Open never panics on bad data.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("embedded: %w: no data directory given", features.ErrInvalid)
	}
	cell := opts.GeomaskCellM
	if cell <= 0 {
		cell = DefaultGeomaskCellM
	}
	s := &Store{catalog: features.NewCatalog(), cellM: cell, signer: opts.AuditSigner}
	db, path, err := openFile(opts.Dir)
	if err != nil {
		return nil, err
	}
	s.db, s.path = db, path
	if err := s.startup(ctx); err != nil {
		_ = db.Close() // NOTE: the open error is the one worth reporting.
		return nil, err
	}
	return s, nil
}

// startup checks the format, re-masks people if the cell changed and loads
// the snapshot, turning any panic from bbolt on damaged pages into ErrCorrupt.
func (s *Store) startup(ctx context.Context) error {
	return guard(s.path, func() error {
		m, err := s.initMeta()
		if err != nil {
			return err
		}
		if m.format < formatVersion {
			if m, err = s.upgrade(m); err != nil {
				return err
			}
		}
		if m.cellM != s.cellM {
			if err := s.remask(ctx); err != nil {
				return err
			}
			if m, err = s.readMeta(); err != nil {
				return err
			}
		}
		snap, err := s.load(ctx, m)
		if err != nil {
			return err
		}
		s.snap.Store(snap)
		return nil
	})
}

// Close releases the data file. Reads of the in-memory snapshot keep
// working; writes and Ping fail with ErrClosed.
func (s *Store) Close() {
	_ = s.db.Close() // NOTE: bbolt's Close only fails on unlock/munmap, with nothing left to do.
}

// DB exposes the store's bbolt file to the stores that share it (accounts,
// the audit log).
func (s *Store) DB() *bolt.DB { return s.db }

// Ping reports whether the data file is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embedded: ping: %w", err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bucketMeta)) == nil {
			return fmt.Errorf("embedded: %s has no meta bucket", s.path)
		}
		return nil
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Empty reports whether no collection holds any record yet (draft zones
// count as records), so that the first start can seed demo data.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("embedded: empty: %w", err)
	}
	empty := true
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, col := range s.catalog.All() {
			if b := tx.Bucket(publicBucket(col.ID)); b != nil {
				if k, _ := b.Cursor().First(); k != nil {
					empty = false
					return nil
				}
			}
		}
		return nil
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return false, ErrClosed
	}
	return empty, err
}

// collection resolves a collection against the store's catalog.
func (s *Store) collection(id string) (*colState, error) {
	st, ok := s.snap.Load().cols[id]
	if !ok {
		return nil, fmt.Errorf("embedded: %w: %w %q", features.ErrNotFound, features.ErrUnknownCollection, id)
	}
	return st, nil
}
