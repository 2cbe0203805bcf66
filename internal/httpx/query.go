package httpx

import (
	"errors"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Query names the query parameters a route accepts.
type Query struct {
	// Names are the parameters that take a value.
	Names []string
	// Flags are the parameters that may also be given without a value,
	// such as Echo's ?pretty.
	Flags []string
}

// CheckQuery refuses q when it has a parameter outside names, one given
// twice, one without a value, or a value that is not clean text. See
// Query.Check.
func CheckQuery(q url.Values, names ...string) error {
	return Query{Names: names}.Check(q)
}

// Check refuses a parameter that is not allowed (the reason lists those
// that are), one given more than once, one without a value (unless it is a
// flag), and a value that is not valid UTF-8 or holds a NUL character:
// every route refuses such text at the edge, so that no store ever sees it.
// Parameters are checked in name order so that the reason is stable.
func (s Query) Check(q url.Values) error {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := s.checkOne(name, q[name]); err != nil {
			return err
		}
	}
	return nil
}

func (s Query) checkOne(name string, values []string) error {
	flag := slices.Contains(s.Flags, name)
	switch {
	case !flag && !slices.Contains(s.Names, name):
		return BadRequest("unknown query parameter %q; allowed: %s", name, s.allowed())
	case len(values) > 1:
		return BadRequest("query parameter %q is given %d times; give it once", name, len(values))
	case !flag && strings.TrimSpace(values[0]) == "":
		return BadRequest("query parameter %q has no value", name)
	case !cleanText(values[0]):
		return BadRequest("query parameter %q is not valid UTF-8 text without NUL characters", name)
	}
	return nil
}

func (s Query) allowed() string {
	all := append(slices.Clone(s.Names), s.Flags...)
	if len(all) == 0 {
		return "none"
	}
	return strings.Join(all, ", ")
}

// cleanText reports whether s is valid UTF-8 without NUL characters.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// plainNumber is a decimal number as people and GIS clients write it: an
// optional sign, digits with an optional fraction, an optional exponent.
// strconv.ParseFloat also takes hex floats (0x1p3), underscores (1_0),
// "Inf" and "NaN", which no client means as a coordinate.
var plainNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// wholeNumber is a whole number in decimal, with an optional sign.
var wholeNumber = regexp.MustCompile(`^[+-]?[0-9]+$`)

// ErrNotNumber marks text that is not a plain decimal number.
var ErrNotNumber = errors.New("httpx: not a plain decimal number")

// ParseNumber reads a finite plain decimal number (see plainNumber). An
// error wraps ErrNotNumber, or strconv.ErrRange for a number beyond float64.
func ParseNumber(s string) (float64, error) {
	if !plainNumber.MatchString(s) {
		return 0, ErrNotNumber
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, strconv.ErrRange
	}
	return v, nil
}

// ParseWhole reads a whole number in decimal. An error wraps ErrNotNumber,
// or strconv.ErrRange for a number beyond int.
func ParseWhole(s string) (int, error) {
	if !wholeNumber.MatchString(s) {
		return 0, ErrNotNumber
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, strconv.ErrRange
	}
	return v, nil
}

// Range names a numeric query parameter and bounds it.
type Range struct {
	Name     string
	Min, Max float64
}

// Float reads a plain decimal number within r, or def when the parameter
// is absent.
func (r Range) Float(q url.Values, def float64) (float64, error) {
	s := q.Get(r.Name)
	if s == "" {
		return def, nil
	}
	v, err := ParseNumber(s)
	if err != nil {
		return 0, BadRequest("%s: %q is not a number", r.Name, s)
	}
	if v < r.Min || v > r.Max {
		return 0, BadRequest("%s: %g is out of range [%g, %g]", r.Name, v, r.Min, r.Max)
	}
	return v, nil
}

// Int reads a whole number within r, or def when the parameter is absent.
func (r Range) Int(q url.Values, def int) (int, error) {
	s := q.Get(r.Name)
	if s == "" {
		return def, nil
	}
	v, err := ParseWhole(s)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, BadRequest("%s: %s is out of range [%g, %g]", r.Name, s, r.Min, r.Max)
	case err != nil:
		return 0, BadRequest("%s: %q is not a whole number", r.Name, s)
	case float64(v) < r.Min || float64(v) > r.Max:
		return 0, BadRequest("%s: %d is out of range [%g, %g]", r.Name, v, r.Min, r.Max)
	}
	return v, nil
}

// Required reads a number within r that must be given.
func (r Range) Required(q url.Values) (float64, error) {
	if !q.Has(r.Name) {
		return 0, BadRequest("%s is required", r.Name)
	}
	return r.Float(q, 0)
}
