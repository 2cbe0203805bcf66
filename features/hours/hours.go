// Package hours reads opening hours written in a subset of OpenStreetMap's
// opening_hours syntax ("Mo-Su 05:00-19:00", "Mo-Fr 08:00-17:00; Sa
// 08:00-12:00", "24/7", "off"), answers whether a place is open at a time in
// Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year) and until when, and writes the
// hours as words in Vietnamese or English.
//
// The subset: rules separated by ";"; a rule is "24/7", "off", a list of
// time spans (every day), or days followed by time spans or "off". Days are
// Mo Tu We Th Fr Sa Su, as single days or ranges, joined by ",". A span is
// HH:MM-HH:MM; an end before the start runs past midnight; 24:00 is the end
// of the day. As in OpenStreetMap, a later rule replaces what an earlier one
// said for the days it names.
package hours

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax marks opening hours this package cannot read; the message says
// where.
var ErrSyntax = errors.New("hours: cannot read")

// minutesPerDay is the length of a day in minutes.
const minutesPerDay = 24 * 60

// Span is one opening period of a day, in minutes since midnight; To may be
// past minutesPerDay when the period runs past midnight.
type Span struct {
	From, To int
}

// Hours is a week of opening periods, Monday first.
type Hours struct {
	week [7][]Span
}

// dayCodes are OpenStreetMap's day abbreviations, Monday first.
func dayCodes() [7]string { return [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"} }

// Parse reads opening hours. An empty text is an error: no hours is no
// value, which callers handle before asking.
func Parse(text string) (Hours, error) {
	var h Hours
	if strings.TrimSpace(text) == "" {
		return h, fmt.Errorf("%w: empty opening hours", ErrSyntax)
	}
	for _, rule := range strings.Split(text, ";") {
		if err := h.apply(strings.TrimSpace(rule)); err != nil {
			return Hours{}, fmt.Errorf("%w %q: %w", ErrSyntax, text, err)
		}
	}
	return h, nil
}

// apply reads one rule and sets the days it names.
func (h *Hours) apply(rule string) error {
	switch rule {
	case "":
		return errors.New("an empty rule")
	case "24/7":
		for d := range h.week {
			h.week[d] = []Span{{0, minutesPerDay}}
		}
		return nil
	}
	days, rest := allDays(), rule
	if c := rule[0]; rule != "off" && (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
		first, after, _ := strings.Cut(rule, " ")
		var err error
		if days, err = parseDays(first); err != nil {
			return err
		}
		rest = strings.TrimSpace(after)
	}
	spans, err := parseSpans(rest)
	if err != nil {
		return err
	}
	for _, d := range days {
		h.week[d] = spans
	}
	return nil
}

func allDays() []int { return []int{0, 1, 2, 3, 4, 5, 6} }

// parseDays reads "Mo-Fr,Su".
func parseDays(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := dayIndex(from)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = dayIndex(to); err != nil {
				return nil, err
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func dayIndex(s string) (int, error) {
	for i, c := range dayCodes() {
		if s == c {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%q is not a day (Mo Tu We Th Fr Sa Su)", s)
}

// parseSpans reads "08:00-12:00,13:30-17:00" or "off".
func parseSpans(s string) ([]Span, error) {
	if s == "off" || s == "closed" {
		return nil, nil
	}
	if s == "" {
		return nil, errors.New("days without hours")
	}
	var out []Span
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("%q is not a span like 08:00-17:00", part)
		}
		a, err := clock(from)
		if err != nil {
			return nil, err
		}
		b, err := clock(to)
		if err != nil {
			return nil, err
		}
		switch {
		case a == minutesPerDay:
			return nil, fmt.Errorf("%q starts at the end of the day", part)
		case b == a:
			return nil, fmt.Errorf("%q is empty", part)
		case b < a:
			b += minutesPerDay // past midnight
		}
		out = append(out, Span{a, b})
	}
	return out, nil
}

// clock reads HH:MM, 00:00 to 24:00.
func clock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not a time like 08:00", s)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time like 08:00", s)
	}
	return h*60 + m, nil
}

// weekday is Monday 0 … Sunday 6.
func weekday(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// vietnam is Asia/Ho_Chi_Minh: UTC+7, without summer time since 1975.
func vietnam() *time.Location { return time.FixedZone("ICT", 7*3600) }

// OpenAt reports whether the place is open at t, read in Vietnam's time,
// and when the period it is in ends (in Vietnam's time).
func (h Hours) OpenAt(t time.Time) (bool, time.Time) {
	t = t.In(vietnam())
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	now := t.Hour()*60 + t.Minute()
	today := weekday(t)
	// A period of yesterday that runs past midnight comes first.
	for _, sp := range h.week[(today+6)%7] {
		if sp.To > minutesPerDay && now < sp.To-minutesPerDay {
			return true, h.end(midnight.AddDate(0, 0, -1), (today+6)%7, sp)
		}
	}
	for _, sp := range h.week[today] {
		if now >= sp.From && now < sp.To {
			return true, h.end(midnight, today, sp)
		}
	}
	return false, time.Time{}
}

// end is when the period sp of the day starting at midnight ends, following
// on into the next day when that day opens at midnight (24/7 never ends: its
// end is a week later).
func (h Hours) end(midnight time.Time, day int, sp Span) time.Time {
	for range 7 {
		if sp.To < minutesPerDay {
			break
		}
		next := h.week[(day+1)%7]
		if len(next) == 0 || next[0].From != 0 {
			break
		}
		midnight, day, sp = midnight.AddDate(0, 0, 1), (day+1)%7, next[0]
	}
	return midnight.Add(time.Duration(sp.To) * time.Minute)
}

// Week returns the periods of each day, Monday first; the slices are the
// caller's own.
func (h Hours) Week() [7][]Span {
	var out [7][]Span
	for d, spans := range h.week {
		out[d] = append([]Span(nil), spans...)
	}
	return out
}
