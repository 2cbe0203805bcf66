package exposurehttp

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// run is one run as kept: its input, its rules and its answer. Private
// details are not kept; each read resolves them with the reader's
// principal.
type run struct {
	ID      string
	Created time.Time
	Owner   string
	Rules   exposure.Rules
	F0s     []Input
	Result  exposure.Result
	// Zone is the suggested zone (nil without a Zoner or on failure).
	Zone *Zone
}

// Input is an F0 as resolved from a request.
type Input struct {
	exposure.F0
	// Case is the case code it came from, "" for a phone or ID number.
	Case string
	// Home is the case's private location, when it came from a case that
	// has one.
	Home *Home
	// Known says whether the engine held any tracing data of the person
	// when it ran (nil: the runner cannot say): a mistyped number, or a
	// case older than the retention, runs with no contacts, and says so.
	Known *bool
}

// Knower is a Runner that can say whether it holds any data of a person.
type Knower interface {
	Knows(person tracing.PersonKey) bool
}

// MarkKnown sets each input's Known from the runner, when it can say.
func MarkKnown(r exposure.Runner, in []Input) {
	k, ok := r.(Knower)
	if !ok {
		return
	}
	for i := range in {
		known := k.Knows(in[i].Person)
		in[i].Known = &known
	}
}

// span is the union of the run's F0 windows.
func (r *run) span() (from, to time.Time) {
	for i, f := range r.F0s {
		a, b := r.Rules.Window(f.F0)
		if i == 0 || a.Before(from) {
			from = a
		}
		if i == 0 || b.After(to) {
			to = b
		}
	}
	return from, to
}

// labels are the labels of the run's F0s, in input order.
func (r *run) labels() []string {
	out := make([]string, len(r.F0s))
	for i, f := range r.F0s {
		out[i] = f.Label
	}
	return out
}

// MaxKeptContacts bounds the contacts of all the runs kept: memory, not
// count, is what a few batch runs of a peak day fill.
const MaxKeptContacts = 2_000_000

// runs keeps the latest runs in memory: at most max, none older than
// keep. NOTE: a restart forgets them; a run is cheap to make again.
type runs struct {
	mu   sync.Mutex
	max  int
	keep time.Duration
	list []*run // oldest first
}

func newRuns(max int, keep time.Duration) *runs { return &runs{max: max, keep: keep} }

// add keeps r and drops the runs past the bounds.
func (rs *runs) add(r *run) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.list = append(rs.list, r)
	rs.prune(r.Created)
}

func (rs *runs) prune(now time.Time) {
	drop := max(0, len(rs.list)-rs.max)
	for drop < len(rs.list) && now.Sub(rs.list[drop].Created) > rs.keep {
		drop++
	}
	kept := 0
	for _, r := range rs.list[drop:] {
		kept += len(r.Result.Contacts)
	}
	// NOTE: a few peak-day batches hold millions of contacts; the oldest
	// go first, the newest stays whatever its size.
	for drop < len(rs.list)-1 && kept > MaxKeptContacts {
		kept -= len(rs.list[drop].Result.Contacts)
		drop++
	}
	clear(rs.list[:drop])
	rs.list = rs.list[drop:]
}

// get returns the run of id, if kept.
func (rs *runs) get(id string, now time.Time) (*run, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.prune(now)
	for _, r := range rs.list {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// of returns owner's runs, newest first.
func (rs *runs) of(owner string, now time.Time) []*run {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.prune(now)
	var out []*run
	for _, r := range rs.list {
		if r.Owner == owner {
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	return out
}

// newRunID is a random id of 16 bytes in hex: runs are read by id, which
// must not be guessed.
func newRunID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("exposurehttp: no randomness: " + err.Error()) // NOTE: crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// validRunID reports whether s could be a run id.
func validRunID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// viaLabel is how a contact is named as the Via of another: its tier and
// the first 8 hex digits of its key (DESIGN-13 "ViaLabel").
func viaLabel(k tracing.PersonKey) string { return "F1:" + k.String()[:8] }
