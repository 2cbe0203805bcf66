package features

import (
	"math"
	"time"
)

// Day is a calendar day, counted from 1970-01-01. Feature dates are whole
// days in Vietnam, carried as midnight UTC of that day (what
// time.Parse(DateLayout, s) gives).
type Day int32

// NoDay stands for a missing date, or for the open side of a DayRange.
const NoDay Day = math.MinInt32

// lastDay is the upper bound of a dayBounds without one.
const lastDay Day = math.MaxInt32

const secondsPerDay = 86400

// DayOf returns the calendar day of t in t's own location.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// Time returns the day as midnight UTC.
func (d Day) Time() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// String writes the day in DateLayout, or "" for NoDay.
func (d Day) String() string {
	if d == NoDay {
		return ""
	}
	return d.Time().Format(DateLayout)
}

// DayValue reads a date property value as features and records carry it: a
// string in DateLayout or a time.Time. Anything else, nil included, is NoDay.
func DayValue(v any) Day {
	switch x := v.(type) {
	case time.Time:
		return DayOf(x)
	case string:
		if t, err := time.Parse(DateLayout, x); err == nil {
			return DayOf(t)
		}
	}
	return NoDay
}

// DayRange is a closed range of days; NoDay on a side leaves it open.
type DayRange struct {
	First, Last Day
}

// DaysOf returns the days an interval touches: from the calendar day of its
// start to that of its end. Feature dates are whole days, so a feature dated
// D meets the interval when any part of day D does.
func DaysOf(iv Interval) DayRange {
	r := DayRange{First: NoDay, Last: NoDay}
	if !iv.Start.IsZero() {
		r.First = DayOf(iv.Start)
	}
	if !iv.End.IsZero() {
		r.Last = DayOf(iv.End)
	}
	return r
}

// Side names a side of a DayRange.
type Side int

// The sides of a DayRange.
const (
	RangeFirst Side = iota
	RangeLast
)

// DayCondition is one condition of the temporal rule. When the range's Side
// is set, the feature's date Property must be on or after it (RangeFirst)
// or on or before it (RangeLast). A feature without a value passes when Open (its
// period is open on that side) and fails otherwise (its date is unknown).
type DayCondition struct {
	Property string
	Side     Side
	Open     bool
}

// Conditions states, once, which features of a collection a range of days
// selects. Both stores follow it: the embedded store through Filter, the
// PostGIS store by writing each condition as SQL.
//
// An instant (a case, dated by its report) is selected when its date lies
// in the range; an instant without a date is selected by no bounded range.
// A period meets the range when it starts by the range's last day and ends
// on or after its first day; a missing start or end leaves it open on that
// side (a zone not yet lifted is in force until further notice).
func (t Temporal) Conditions() []DayCondition {
	if t.IsInstant() {
		return []DayCondition{{t.Start, RangeFirst, false}, {t.Start, RangeLast, false}}
	}
	return []DayCondition{{t.Start, RangeLast, true}, {t.End, RangeFirst, true}}
}

// IsInstant reports whether features are instants at their start (cases)
// rather than periods.
func (t Temporal) IsInstant() bool { return t.End == "" }

// AsOf returns the range that selects what the map of day d shows: instants
// dated on or before d (cases reported by then) and periods in force on d.
func (t Temporal) AsOf(d Day) DayRange {
	if t.IsInstant() {
		return DayRange{First: NoDay, Last: d}
	}
	return DayRange{First: d, Last: d}
}

// ActiveOn reports whether a feature whose temporal properties hold start
// and end (NoDay when missing) is on the map of day d.
func (t Temporal) ActiveOn(start, end, d Day) bool {
	return t.Filter(t.AsOf(d)).Match(start, end)
}

// Meets reports whether a feature whose temporal properties hold start and
// end (NoDay when missing) is selected by r.
func (t Temporal) Meets(start, end Day, r DayRange) bool {
	return t.Filter(r).Match(start, end)
}

// Days returns a feature's start and end days read from its properties
// (end is NoDay for instants).
func (t Temporal) Days(props map[string]any) (start, end Day) {
	start, end = DayValue(props[t.Start]), NoDay
	if !t.IsInstant() {
		end = DayValue(props[t.End])
	}
	return start, end
}

// Selects reports whether a feature or record of the collection, with these
// properties, is selected by r. A collection without time has every feature
// selected.
func (c Collection) Selects(props map[string]any, r DayRange) bool {
	if c.Temporal == nil {
		return true
	}
	s, e := c.Temporal.Days(props)
	return c.Temporal.Meets(s, e, r)
}

// DayFilter is the temporal rule compiled for one range, so that a store can
// test a million features with two comparisons each.
type DayFilter struct {
	start, end dayBounds
}

// dayBounds are the days one temporal property must lie within, and whether
// a missing value passes.
type dayBounds struct {
	min, max Day
	open     bool
}

func (b dayBounds) match(v Day) bool {
	if v == NoDay {
		return b.open
	}
	return v >= b.min && v <= b.max
}

// Filter compiles Conditions for r.
func (t Temporal) Filter(r DayRange) DayFilter {
	f := DayFilter{start: dayBounds{NoDay, lastDay, true}, end: dayBounds{NoDay, lastDay, true}}
	for _, c := range t.Conditions() {
		b := &f.start
		if c.Property != t.Start {
			b = &f.end
		}
		switch {
		case c.Side == RangeFirst && r.First != NoDay:
			b.min = max(b.min, r.First)
		case c.Side == RangeLast && r.Last != NoDay:
			b.max = min(b.max, r.Last)
		default:
			continue
		}
		b.open = b.open && c.Open
	}
	return f
}

// Match reports whether a feature whose temporal properties hold start and
// end (NoDay when missing) passes the filter.
func (f DayFilter) Match(start, end Day) bool {
	return f.start.match(start) && f.end.match(end)
}
