// Package embedded is the store Bando runs on when no PostGIS database is
// configured: a single bbolt file in a data directory, durable on every
// acknowledged write, with the public side of every collection held in
// memory under R-tree indexes so that reads and tiles never touch the disk.
//
// On disk (Dir/bando.db) a meta bucket holds the format version, the store's
// identity, its write counter and the geomask cell the public positions were
// computed with. Each collection has a public bucket of records keyed by id
// (geometry as WKB, public properties in a compact binary encoding); the
// people layers (cases, contacts) also have a private bucket holding the
// person and the exact location, which only writes and re-masking touch.
// Since format 2 each collection also has an edit bucket holding every
// record's revision, when and by whom it was written (features.Editor), and
// the audit log of officials' edits lives in the same file (package
// audit/embedded), appended in the transaction of the edit it records.
// Every public read path goes through the in-memory snapshot, which is built
// from the public buckets alone.
//
// Reads are lock-free: a write builds new per-collection states off to the
// side (the R-trees are copied on write) and publishes them with one atomic
// swap after its bbolt transaction has committed, so a reader sees either
// all of a write or none of it.
package embedded
