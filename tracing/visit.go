package tracing

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"maps"
	"slices"
	"time"
)

// Source says how a check-in reached the server.
type Source string

// The sources of check-ins.
const (
	// SelfScan: the person scanned the venue's QR code.
	SelfScan Source = "self-scan"
	// StaffScan: the venue's staff scanned the person's QR code.
	StaffScan Source = "staff-scan"
	// Batch: a venue system uploaded visits it collected.
	Batch Source = "batch"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return s == SelfScan || s == StaffScan || s == Batch }

// Closing says how a visit ended.
type Closing string

// The closings of visits.
const (
	// Open: no end yet.
	Open Closing = ""
	// CheckedOut: the person checked out (or the batch gave the end).
	CheckedOut Closing = "checkout"
	// DefaultStay: no check-out came; the visit ends at the venue's
	// default stay after its start.
	DefaultStay Closing = "default-stay"
)

// CheckIn is one scan (or one uploaded visit).
type CheckIn struct {
	Venue  VenueID
	Person PersonKey
	At     time.Time
	// End, for batches only, is the check-out the venue system recorded.
	End    time.Time
	Source Source
	// Declaration is the health declaration made with the check-in, if
	// any (0: none).
	Declaration int64
}

// Validate checks the check-in against now (no check-in from the future).
func (c CheckIn) Validate(now time.Time) error {
	switch {
	case c.Venue.Validate() != nil:
		return invalid("venue", "a check-in names its venue's id")
	case c.Person.IsZero():
		return invalid("person", "a check-in names its person")
	case c.At.IsZero() || c.At.After(now.Add(FutureSkew)):
		return invalid("at", "a check-in's time is set and not in the future")
	case !c.Source.Valid():
		return invalid("source", "the source is self-scan, staff-scan or batch")
	case !c.End.IsZero() && (c.Source != Batch || !c.End.After(c.At) || c.End.Sub(c.At) > MaxStay):
		return invalid("end", "only a batch gives an end, after the start and within %v", MaxStay)
	}
	return nil
}

// FutureSkew is how far ahead of the server's clock a device's time may be.
const FutureSkew = 5 * time.Minute

// Visit is a person's stay at a venue.
type Visit struct {
	ID     int64
	Venue  VenueID
	Person PersonKey
	Start  time.Time
	// End is the check-out (zero while open, and for a visit closed by
	// default stay, whose End is Start+Stay once closed).
	End time.Time
	// Stay is the venue's default stay when the visit began.
	Stay        time.Duration
	Closing     Closing
	Source      Source
	Declaration int64
}

// Until returns when the visit ends, as of now: its end if closed, else
// Start+Stay if that has passed; ok is false while it is still open.
func (v Visit) Until(now time.Time) (end time.Time, ok bool) {
	if !v.End.IsZero() {
		return v.End, true
	}
	if e := v.Start.Add(v.Stay); !e.After(now) {
		return e, true
	}
	return time.Time{}, false
}

// Effective returns the visit as read at now: a visit past its default
// stay with no check-out is closed at Start+Stay.
func (v Visit) Effective(now time.Time) Visit {
	if v.End.IsZero() {
		if e, ok := v.Until(now); ok {
			v.End, v.Closing = e, DefaultStay
		}
	}
	return v
}

// Overlaps reports whether the visit, ended by its check-out or else its
// default stay, shares time with [from, to).
func (v Visit) Overlaps(from, to time.Time) bool {
	end := v.End
	if end.IsZero() {
		end = v.Start.Add(v.Stay)
	}
	return v.Start.Before(to) && end.After(from)
}

// Rules are the settings of the scan rules.
type Rules struct {
	// RepeatWindow: a scan by the same person at the same venue within
	// this long after a visit's start is that visit (default 10 minutes).
	RepeatWindow time.Duration
}

// DefaultRepeatWindow is Rules.RepeatWindow's default.
const DefaultRepeatWindow = 10 * time.Minute

// WithDefaults fills unset settings.
func (r Rules) WithDefaults() Rules {
	if r.RepeatWindow <= 0 {
		r.RepeatWindow = DefaultRepeatWindow
	}
	return r
}

// Repeats reports whether scan c repeats visit v: same venue and person,
// v not checked out, c at or after its start and within the window.
func (r Rules) Repeats(v Visit, c CheckIn) bool {
	return v.Closing != CheckedOut && v.Venue == c.Venue && v.Person == c.Person && !c.At.Before(v.Start) && c.At.Sub(v.Start) < r.RepeatWindow
}

// Closes reports whether a check-out at `at` closes visit v: not yet
// checked out (closing by default stay does not count), begun at most
// MaxStay before.
func Closes(v Visit, at time.Time) bool {
	return v.Closing != CheckedOut && !at.Before(v.Start) && at.Sub(v.Start) <= MaxStay
}

// DedupeBatch sorts a batch by venue, person and time and drops each row
// that repeats an earlier kept row of the batch (Rules.Repeats); stores
// record what remains as visits. Rows of a batch are not merged with
// visits already stored.
func (r Rules) DedupeBatch(cs []CheckIn) []CheckIn {
	order := batchOrder(cs)
	kept := make([]CheckIn, 0, len(cs))
	var last Visit
	for _, k := range order {
		c := cs[k.row]
		if len(kept) > 0 && r.Repeats(last, c) {
			continue
		}
		kept = append(kept, c)
		last = Visit{Venue: c.Venue, Person: c.Person, Start: c.At}
	}
	return kept
}

// batchKey is a row of a batch as DedupeBatch sorts it: small and flat,
// so that sorting half a million rows moves 24 bytes each and compares
// integers, not the rows and their strings.
type batchKey struct {
	venue  int32 // the venue's rank among the batch's venues
	row    int32 // the row's index, which keeps the sort stable
	person uint64
	at     int64
}

// batchOrder returns the rows' keys ordered by venue, person, time and
// row.
func batchOrder(cs []CheckIn) []batchKey {
	venues := map[VenueID]int32{}
	for _, c := range cs {
		venues[c.Venue] = 0
	}
	names := slices.Sorted(maps.Keys(venues))
	for i, v := range names {
		venues[v] = int32(i)
	}
	keys := make([]batchKey, len(cs))
	for i, c := range cs {
		keys[i] = batchKey{venue: venues[c.Venue], row: int32(i), person: binary.BigEndian.Uint64(c.Person[:8]), at: c.At.UnixNano()}
	}
	slices.SortFunc(keys, func(a, b batchKey) int {
		if c := cmp.Compare(a.venue, b.venue); c != 0 {
			return c
		}
		if c := cmp.Compare(a.person, b.person); c != 0 {
			return c
		}
		if c := bytes.Compare(cs[a.row].Person[8:], cs[b.row].Person[8:]); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.row, b.row))
	})
	return keys
}
