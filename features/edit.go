package features

import (
	"context"
	"errors"
	"time"

	"github.com/bandomap/bando/audit"
)

// Stored is a record as an editor sees it: drafts and personal fields
// included, with the revision that makes its ETag.
type Stored struct {
	Record
	// Collection is the collection's id.
	Collection string
	// Revision counts the record's changes from 1; a change must name the
	// revision it was made against (If-Match).
	Revision int64
	// Updated is when the revision was written; UpdatedBy who wrote it.
	Updated   time.Time
	UpdatedBy string
}

// EditAction is what an Edit does to one record.
type EditAction string

// Edit actions. Update (a partial change) and the zone lifecycle (publish,
// lift) are merged into a full record by the caller and stored as EditReplace;
// the audit entry keeps the caller's own word for it.
const (
	EditCreate  EditAction = "create"
	EditReplace EditAction = "replace"
	EditDelete  EditAction = "delete"
)

// Edit is one change to one record, made by an official. A store applies it
// and appends its audit entry in one transaction, or does neither.
type Edit struct {
	Action     EditAction
	Collection Collection
	// ID is the record's id; for EditCreate it is the new id (the caller makes
	// it) and must not exist.
	ID string
	// Record is the record after the change (EditCreate, EditReplace); its ID is ID.
	Record Record
	// IfRevision is the revision the change was made against; a store
	// refuses the change with ErrConflict when the stored revision differs.
	// It is 0 for EditCreate.
	IfRevision int64
	// Audit carries who, why and what for the log: Actor, Role, Action (the
	// caller's word: create, update, publish, lift, revert…), RequestID and
	// Note. The store fills Collection, Subject, Revision, Before, After,
	// Time, Seq and the hashes.
	Audit audit.Entry
}

// EditorQuery selects records for editors: like ItemsQuery, but drafts and
// every status are included unless Status narrows them.
type EditorQuery struct {
	ItemsQuery
	// Status keeps records with this status property (zones: draft,
	// published, lifted); "" keeps all.
	Status string
}

// Editor is the officials' side of a store: records as stored, and changes
// with optimistic locking and an audit entry in the same transaction. Every
// change reaches public reads and tile freshness (Versioned.Watch) as a
// Write does.
type Editor interface {
	// Current returns one record as stored (drafts, personal fields), or
	// ErrNotFound.
	Current(ctx context.Context, col Collection, id string) (Stored, error)
	// List returns one page of records for editors, ordered by id, and how
	// many match.
	List(ctx context.Context, q EditorQuery) ([]Stored, int, error)
	// Apply makes one change and appends its audit entry, atomically. It
	// returns the record as stored after the change (for EditDelete, the record
	// as it was, with the revision the deletion was given). Errors:
	// ErrNotFound (no such record for EditReplace/EditDelete), ErrConflict (a
	// revision other than IfRevision is stored, or EditCreate of an existing
	// id), ErrInvalid (the record breaks the catalog's rules).
	Apply(ctx context.Context, e Edit) (Stored, error)
}

// ErrConflict marks a change made against a revision that is no longer the
// stored one; nothing was written. HTTP answers it with 412.
var ErrConflict = errors.New("features: changed since the given revision")
