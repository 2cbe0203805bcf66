package tracing

import (
	"context"
	"time"
)

// BulkImporter is a Store that imports a large file of check-ins at once
// (bando import checkins), admin only: the rows are validated and deduped
// as a batch (Rules.DedupeBatch), the persons' records kept, all in one
// transaction with the import's audit entry; a row at an unknown or
// revoked venue refuses the whole with a RowError naming the first such
// row.
//
// An import is idempotent: a row that a stored visit already records
// (StoredRepeats) is left out, so the same file imported twice records
// its visits once.
type BulkImporter interface {
	ImportCheckIns(ctx context.Context, imp CheckInImport) (CheckInImportResult, error)
}

// BatchRecorder is a Store whose batch upload returns the visits it
// recorded (as CheckInBatch, which returns their number), so that the
// exposure engine is fed them without reading them back.
type BatchRecorder interface {
	RecordBatch(ctx context.Context, cs []CheckIn) ([]Visit, error)
}

// CheckInImport is a file of check-ins to import.
type CheckInImport struct {
	// Rows are the file's check-ins, in the file's order.
	Rows []CheckIn
	// Persons are the private records of the persons the rows name by
	// phone or ID number, one each.
	Persons []Person
	// Source names the file for the audit log (its base name), or "".
	Source string
}

// CheckInImportResult says what an import did.
type CheckInImportResult struct {
	// Rows is the number of rows in the file.
	Rows int `json:"rows"`
	// Recorded is the number of visits recorded.
	Recorded int `json:"recorded"`
	// Merged is the number of rows that repeat an earlier row of the file
	// (Rules.DedupeBatch).
	Merged int `json:"merged"`
	// AlreadyRecorded is the number of rows a stored visit already records
	// (an earlier import of the same rows, or a scan within the repeat
	// window).
	AlreadyRecorded int `json:"already_recorded"`
	// Persons is the number of persons' records in the file.
	Persons int `json:"persons"`
	// First and Last are the earliest and latest start of a row.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// StoredRepeats reports whether import row c is already recorded by the
// stored visit v: v is at c's venue, by c's person, and either starts at
// the same instant (the same row imported again, checked out or not) or
// is one c repeats (Rules.Repeats: open, within the repeat window).
func (r Rules) StoredRepeats(v Visit, c CheckIn) bool {
	if v.Venue != c.Venue || v.Person != c.Person {
		return false
	}
	return v.Start.Equal(c.At) || r.Repeats(v, c)
}

// Span sets First and Last from the rows cs.
func (res *CheckInImportResult) Span(cs []CheckIn) {
	for i, c := range cs {
		if i == 0 || c.At.Before(res.First) {
			res.First = c.At.UTC()
		}
		if i == 0 || c.At.After(res.Last) {
			res.Last = c.At.UTC()
		}
	}
}
