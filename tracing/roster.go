package tracing

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Rosters keeps enterprises' worker rosters with their history: where
// each worker lived (residence) and worked (workplace, bus route), as
// periods valid from one day to another. Both tracing stores implement
// it beside Store. Every method reads the principal from ctx: officials
// (Access.All) reach every enterprise, an enterprise only its own (another
// is auth.ErrForbidden); a venue token nothing.
//
// Days are calendar days in Vietnam, given as midnight UTC of that date
// (features.VietnamDay); a period covers [ValidFrom, ValidTo).
type Rosters interface {
	// ImportRoster applies one roster file as of imp.AsOf, in one
	// transaction: a new worker opens a period, a changed one closes its
	// period at AsOf and opens another, an unchanged one changes nothing
	// and, unless imp.Partial, a worker absent from the file leaves (its
	// period closes at AsOf). An import as of a day before the latest
	// import of the enterprise is ErrStaleRoster; a bad row is a RowError
	// and nothing is written.
	ImportRoster(ctx context.Context, imp RosterImport) (RosterResult, error)
	// WorkersAt returns the enterprise's workers on t's day, ordered by
	// employee id, each with its private details.
	WorkersAt(ctx context.Context, enterprise string, t time.Time) ([]RosterEntry, error)
	// WorkerHistory returns an employee's periods, oldest first, with its
	// private details; ErrNotFound for an employee never on the roster.
	WorkerHistory(ctx context.Context, enterprise, employee string) ([]RosterEntry, error)
	// PeriodsOf returns the periods of a person (as Person or AltPerson),
	// within the enterprises the principal sees, that share a day with
	// [from, to), ordered by ValidFrom, enterprise and employee. It
	// answers "where did this person live and work on day D".
	PeriodsOf(ctx context.Context, person PersonKey, from, to time.Time) ([]Period, error)
	// EnterprisesSeen lists the enterprises that imported a roster, by id
	// (officials only).
	EnterprisesSeen(ctx context.Context) ([]EnterpriseSummary, error)
	// PurgeRosters deletes every period and private detail of the workers
	// who left before `before`'s day: those with no open period whose last
	// period ended on or before it (admin only). Workers still employed
	// keep their whole history.
	PurgeRosters(ctx context.Context, before time.Time) (int64, error)
}

// ErrStaleRoster: a roster as of a day before the enterprise's latest
// import. History is not rewritten; import the days in order.
var ErrStaleRoster = errors.New("tracing: roster older than the latest import")

// Limits of roster values, in characters.
const (
	MaxEmployeeIDLength = 64
	MaxEnterpriseLength = 64
	MaxRosterTextLength = 200
	MaxAddressLength    = 500
)

// Residence is where a worker lives.
type Residence struct {
	Address       string
	BoardingHouse string
	Room          string
	// Ward is the ward's GSO code.
	Ward string
	// Location is the residence's point (lon, lat); the zero point means
	// none was given.
	Location orb.Point
}

// Workplace is where and when a worker works.
type Workplace struct {
	Site  string
	Line  string
	Shift string
}

// Worker is one row of a roster: who (the person keys) and where they
// live and work. It holds no raw personal value.
type Worker struct {
	Enterprise string
	Employee   string
	// Person is the key of the worker's phone, or of the ID number when
	// no phone was given.
	Person PersonKey
	// AltPerson is the key of the ID number when a phone was given too,
	// so that a check-in with either finds the worker; zero otherwise.
	AltPerson PersonKey
	Residence Residence
	Workplace Workplace
	BusRoute  string
}

// Same reports whether w and o record the same worker in the same place:
// what decides between unchanged and changed.
func (w Worker) Same(o Worker) bool { return w == o }

// HasPerson reports whether k is the worker's key.
func (w Worker) HasPerson(k PersonKey) bool {
	return !k.IsZero() && (w.Person == k || w.AltPerson == k)
}

// WorkerPrivate is what an enterprise gave about a worker that names
// them: kept on the private side only.
type WorkerPrivate struct {
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
}

// RosterRow is one parsed line of a roster file.
type RosterRow struct {
	// Line is the row's line in the file (the header is line 1).
	Line    int
	Worker  Worker
	Private WorkerPrivate
}

// RosterImport is one roster file to apply.
type RosterImport struct {
	Enterprise string
	// AsOf is the day the roster describes (midnight UTC of a Vietnamese
	// calendar day; any time is taken to its Vietnamese day).
	AsOf time.Time
	// Partial: the rows are changes only; absent workers stay.
	Partial bool
	Rows    []RosterRow
	// Source names the file, for the audit entry (optional).
	Source string
}

// RosterResult counts what an import did.
type RosterResult struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Left      int `json:"left"`
}

// Period is a worker's record valid on the days [ValidFrom, ValidTo);
// ValidTo is zero while the period is open.
type Period struct {
	Worker
	ValidFrom time.Time
	ValidTo   time.Time
}

// Open reports whether the period has not ended.
func (p Period) Open() bool { return p.ValidTo.IsZero() }

// Covers reports whether the period holds day d (a midnight UTC day).
func (p Period) Covers(d time.Time) bool {
	return !d.Before(p.ValidFrom) && (p.Open() || d.Before(p.ValidTo))
}

// Overlaps reports whether the period shares a day with [from, to) days.
func (p Period) Overlaps(fromDay, toDay time.Time) bool {
	return p.ValidFrom.Before(toDay) && (p.Open() || p.ValidTo.After(fromDay))
}

// RosterEntry is a period with the worker's private details, as the
// enterprise and officials read it.
type RosterEntry struct {
	Period
	Private WorkerPrivate
}

// EnterpriseSummary is an enterprise that imported a roster.
type EnterpriseSummary struct {
	ID string `json:"id"`
	// Workers counts the open periods (workers on the roster now).
	Workers int `json:"workers"`
	// LastAsOf is the day of the latest import.
	LastAsOf time.Time `json:"last_as_of"`
	// LastImport is when it was made.
	LastImport time.Time `json:"last_import"`
}

// RosterDay returns t's calendar day in Vietnam as midnight UTC.
func RosterDay(t time.Time) time.Time { return features.VietnamDay(t) }

// DayRange returns the days of [from, to): the first day and the day
// after the last, for Period.Overlaps.
func DayRange(from, to time.Time) (time.Time, time.Time) {
	if !to.After(from) {
		d := RosterDay(from)
		return d, d
	}
	return RosterDay(from), RosterDay(to.Add(-time.Nanosecond)).AddDate(0, 0, 1)
}

// ValidateEnterprise checks an enterprise id: 1 to 64 characters, no
// space, control character, slash or "*".
func ValidateEnterprise(id string) error {
	switch {
	case id == "" || utf8.RuneCountInString(id) > MaxEnterpriseLength:
		return invalid("enterprise", "an enterprise id has 1 to %d characters", MaxEnterpriseLength)
	case strings.ContainsAny(id, "*/") || strings.IndexFunc(id, unsafeRune) >= 0:
		return invalid("enterprise", "an enterprise id has no spaces, control characters, slash or *")
	}
	return nil
}

// ValidateEmployee checks an employee id: 1 to 64 characters, no space
// or control character.
func ValidateEmployee(id string) error {
	switch {
	case id == "" || utf8.RuneCountInString(id) > MaxEmployeeIDLength:
		return invalid("employee_id", "an employee id has 1 to %d characters", MaxEmployeeIDLength)
	case strings.IndexFunc(id, unsafeRune) >= 0:
		return invalid("employee_id", "an employee id has no spaces or control characters")
	}
	return nil
}

func unsafeRune(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// Validate checks an import before a store applies it, at now: the
// principal's right to the enterprise is the store's business. It sets
// AsOf to its day, refuses a day after today (in Vietnam), a row of
// another enterprise, a row without a person, and an employee twice.
func (imp *RosterImport) Validate(now time.Time) error {
	if err := ValidateEnterprise(imp.Enterprise); err != nil {
		return err
	}
	if imp.AsOf.IsZero() {
		imp.AsOf = now
	}
	imp.AsOf = RosterDay(imp.AsOf)
	// NOTE: a roster of a day to come would lock out today's (imports go
	// in day order), so a file is as of today at the latest.
	if imp.AsOf.After(RosterDay(now)) {
		return invalid("as_of", "%s is after today in Vietnam; a roster is as of today or an earlier day", imp.AsOf.Format(time.DateOnly))
	}
	seen := make(map[string]bool, len(imp.Rows))
	for i := range imp.Rows {
		if err := imp.checkRow(i, seen); err != nil {
			return &RowError{Row: i, Err: err}
		}
	}
	return nil
}

func (imp *RosterImport) checkRow(i int, seen map[string]bool) error {
	w := &imp.Rows[i].Worker
	if w.Enterprise == "" {
		w.Enterprise = imp.Enterprise
	}
	switch {
	case w.Enterprise != imp.Enterprise:
		return invalid("enterprise", "the row belongs to %q, not %q", w.Enterprise, imp.Enterprise)
	case w.Person.IsZero():
		return invalid("person", "a worker needs a phone or an ID number")
	case seen[w.Employee]:
		return invalid("employee_id", "employee %q appears twice", w.Employee)
	}
	seen[w.Employee] = true
	return ValidateEmployee(w.Employee)
}

// CanReachEnterprise reports whether a may read and change enterprise's
// roster, buses and rides: officials any, an enterprise its own.
func (a Access) CanReachEnterprise(enterprise string) bool {
	return a.All || (a.Enterprise != "" && a.Enterprise == enterprise)
}
