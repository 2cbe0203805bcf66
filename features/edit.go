package features

import (
	"context"
	"errors"
	"fmt"
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
	// ApplyAll makes many changes and appends their audit entries, in
	// order, in one transaction: all of them or, on any error, none (no
	// record, revision or audit entry written, no watcher told). It returns
	// what Apply would for each edit, in order. Each edit is checked as
	// Apply checks it; besides, the batch may not name a record twice, nor
	// give two records the value of a unique property (a case code). An
	// error about one edit is an *EditError naming it and wrapping the
	// reason (ErrConflict, ErrNotFound, ErrInvalid).
	ApplyAll(ctx context.Context, edits []Edit) ([]Stored, error)
}

// EditError says which edit of a batch (Editor.ApplyAll) was refused, and
// why: it wraps the reason, so errors.Is finds ErrConflict, ErrNotFound or
// ErrInvalid through it.
type EditError struct {
	// Index is the edit's position in the batch, from 0.
	Index int
	// Collection and ID name the edit's record.
	Collection, ID string
	Err            error
}

// Error names the edit and the reason.
func (e *EditError) Error() string {
	return fmt.Sprintf("edit %d (%s %q) of the batch: %v", e.Index, e.Collection, e.ID, e.Err)
}

// Unwrap returns the reason.
func (e *EditError) Unwrap() error { return e.Err }

// EditFailed returns err as the failure of edit i of edits (an *EditError),
// or nil for a nil err.
func EditFailed(edits []Edit, i int, err error) error {
	if err == nil {
		return nil
	}
	return &EditError{Index: i, Collection: edits[i].Collection.ID, ID: edits[i].ID, Err: err}
}

// ErrConflict marks a change made against a revision that is no longer the
// stored one; nothing was written. HTTP answers it with 412.
var ErrConflict = errors.New("features: changed since the given revision")

// Unbatched returns the reason of an *EditError (the failure of a batch of
// one, for Editor.Apply), or err itself.
func Unbatched(err error) error {
	var ee *EditError
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}
