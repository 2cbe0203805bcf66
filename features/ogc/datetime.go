package ogc

import (
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
)

// parseDatetime reads the datetime parameter: an RFC 3339 date-time or a
// date, or an interval "start/end" with at most one open end, written ".."
// or empty.
//
// Feature dates are whole days in Vietnam, so every bound is reduced to its
// calendar day there and returned as midnight UTC of that day (the value
// time.Parse(features.DateLayout, ...) gives). A feature dated D then meets
// the interval exactly when day D overlaps the requested span.
func parseDatetime(s string) (features.Interval, error) {
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		d, err := parseInstant(s)
		if err != nil {
			return features.Interval{}, err
		}
		return features.Interval{Start: d, End: d}, nil
	}
	if strings.Contains(end, "/") {
		return features.Interval{}, badRequest("datetime: %q has more than one '/'", s)
	}
	if isOpen(start) && isOpen(end) {
		// NOTE: the grammar of OGC API Features (Core, 7.15.4) allows one
		// open end, not two; "../.." would only be a slow way to say nothing.
		return features.Interval{}, badRequest("datetime: the interval %q is open at both ends; give a start, an end or both, e.g. 2021-07-01/..", s)
	}
	var iv features.Interval
	var err error
	if !isOpen(start) {
		if iv.Start, err = parseInstant(start); err != nil {
			return features.Interval{}, err
		}
	}
	if !isOpen(end) {
		if iv.End, err = parseInstant(end); err != nil {
			return features.Interval{}, err
		}
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
		return features.Interval{}, badRequest("datetime: the interval %q ends before it starts", s)
	}
	return iv, nil
}

func isOpen(bound string) bool { return bound == "" || bound == ".." }

// parseInstant reads one RFC 3339 date-time or date and returns its day.
func parseInstant(s string) (time.Time, error) {
	// RFC 3339 allows a lowercase t and z; Go's parser wants them upper.
	u := strings.ToUpper(s)
	if t, err := time.Parse(time.RFC3339Nano, u); err == nil {
		return features.VietnamDay(t), nil
	}
	// NOTE: GDAL's OAPIF driver (3.6, Debian's) turns a where clause on a
	// date field into datetime=2021-07-01T/.., a date with an empty time.
	// It can only mean that day, so it is read as the date.
	if d, err := httpx.ParseDay("datetime", strings.TrimSuffix(u, "T")); err == nil {
		return d, nil
	}
	return time.Time{}, badRequest("datetime: %q is neither an RFC 3339 date-time (2021-07-05T08:00:00Z) nor a date (2021-07-05)", s)
}
