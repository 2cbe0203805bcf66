// Package reportimport reads the daily report (features.DailyReport) from
// the CSV files the health department keeps, for `bando import report
// FILE.csv` and POST /api/editor/reports/import.
//
// The header names the columns: date, level (province, district or ward),
// code (empty for the province) and any of the figures
// (features.ReportFigureNames); a figure's empty cell or missing column was
// not reported. Parsing is all or nothing: every problem is named with its
// line and column in one *Error, and no row is returned unless the whole
// file is good. A key (date, level, code) twice in a file is a problem.
package reportimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
)

// Column names besides the figures'. Matching is case-insensitive.
const (
	ColDate  = "date"
	ColLevel = "level"
	ColCode  = "code"
)

// DefaultMaxErrors is how many problems an *Error lists when
// Options.MaxErrors is 0.
const DefaultMaxErrors = 50

// MaxFigure is the largest figure accepted: more than every person of
// Vietnam, so a larger one is a typing error.
const MaxFigure = 200_000_000

// Options tune the checks of Parse.
type Options struct {
	// Districts and Wards are the valid codes; an empty set is not checked.
	Districts, Wards map[string]bool
	// MaxErrors caps the problems listed; 0 means DefaultMaxErrors.
	MaxErrors int
}

// RowError is one problem: its line (the header is line 1), its column
// (empty for the whole row) and why.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// String formats the problem as `line 7, column deaths: "x" is not a
// whole number`.
func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// Error lists the problems of a file; nothing of it may be imported.
type Error struct {
	Rows    []RowError
	Omitted int
}

// Error prints a summary line, then one line per problem.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reportimport: %d problem(s) in the file, nothing imported", len(e.Rows)+e.Omitted)
	for _, r := range e.Rows {
		b.WriteString("\n" + r.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, features.ErrInvalid) hold for a bad file.
func (e *Error) Unwrap() error { return features.ErrInvalid }

type collector struct {
	max int
	err Error
}

func (c *collector) add(line int, column, format string, args ...any) {
	if len(c.err.Rows) >= c.max {
		c.err.Omitted++
		return
	}
	c.err.Rows = append(c.err.Rows, RowError{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
}

// Parse reads a whole file.
func Parse(r io.Reader, opts Options) ([]features.DailyReport, error) {
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	c := &collector{max: opts.MaxErrors}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Rows: []RowError{{Line: 1, Reason: "the file is empty; want a header: date,level,code,<figures>"}}}
	}
	if err != nil {
		return nil, &Error{Rows: []RowError{{Line: 1, Reason: "not CSV: " + csvReason(err)}}}
	}
	cols, ok := columns(header, c)
	if !ok {
		return nil, &c.err
	}
	var out []features.DailyReport
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			c.add(line, "", "not CSV: %s", csvReason(err))
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			c.add(line, "", "%d cells, the header has %d", len(rec), len(header))
			continue
		}
		row, ok := parseRow(rec, cols, line, opts, c)
		if !ok {
			continue
		}
		if first, dup := seen[row.Key()]; dup {
			c.add(line, "", "%s %q of %s again (first on line %d)", row.Level, row.Code, row.Day.Format(features.DateLayout), first)
			continue
		}
		seen[row.Key()] = line
		out = append(out, row)
	}
	if len(c.err.Rows) > 0 || c.err.Omitted > 0 {
		return nil, &c.err
	}
	if len(out) == 0 {
		return nil, &Error{Rows: []RowError{{Line: 2, Reason: "no rows after the header"}}}
	}
	return out, nil
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// columns maps the header: the index of each known column, figures by
// their place in features.ReportFigureNames.
type columnMap struct {
	date, level, code int
	figures           []int // index in the record of each figure, -1: absent
}

func columns(header []string, c *collector) (columnMap, bool) {
	names := features.ReportFigureNames()
	m := columnMap{date: -1, level: -1, code: -1, figures: slices.Repeat([]int{-1}, len(names))}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch name {
		case ColDate:
			m.date = i
		case ColLevel:
			m.level = i
		case ColCode:
			m.code = i
		default:
			j := slices.Index(names, name)
			if j < 0 {
				c.add(1, name, "unknown column; want date, level, code or a figure: %s", strings.Join(names, ", "))
				continue
			}
			if m.figures[j] >= 0 {
				c.add(1, name, "column twice")
			}
			m.figures[j] = i
		}
	}
	for _, need := range []struct {
		name string
		at   int
	}{{ColDate, m.date}, {ColLevel, m.level}, {ColCode, m.code}} {
		if need.at < 0 {
			c.add(1, need.name, "missing column")
		}
	}
	return m, len(c.err.Rows) == 0
}

func parseRow(rec []string, cols columnMap, line int, opts Options, c *collector) (features.DailyReport, bool) {
	before := len(c.err.Rows) + c.err.Omitted
	var r features.DailyReport
	day, err := time.Parse(features.DateLayout, strings.TrimSpace(rec[cols.date]))
	if err != nil {
		c.add(line, ColDate, "%q is not a date; want YYYY-MM-DD", rec[cols.date])
	}
	r.Day = day
	r.Level = strings.ToLower(strings.TrimSpace(rec[cols.level]))
	r.Code = strings.TrimSpace(rec[cols.code])
	switch r.Level {
	case features.ReportProvince:
		if r.Code != "" {
			c.add(line, ColCode, "the province's row has no code, got %q", r.Code)
		}
	case features.ReportDistrict:
		checkCode(r.Code, opts.Districts, "district", line, c)
	case features.ReportWard:
		checkCode(r.Code, opts.Wards, "ward", line, c)
	default:
		c.add(line, ColLevel, "%q: want province, district or ward", rec[cols.level])
	}
	names := features.ReportFigureNames()
	for i, f := range r.Fields() {
		at := cols.figures[i]
		if at < 0 || strings.TrimSpace(rec[at]) == "" {
			continue
		}
		cell := strings.ReplaceAll(strings.TrimSpace(rec[at]), "_", "")
		v, err := strconv.ParseInt(cell, 10, 64)
		switch {
		case err != nil:
			c.add(line, names[i], "%q is not a whole number", rec[at])
		case v < 0 || v > MaxFigure:
			c.add(line, names[i], "%d: want 0 to %d", v, MaxFigure)
		default:
			*f = &v
		}
	}
	if r.Adults != nil && r.AdultsDose1 != nil && *r.AdultsDose1 > *r.Adults {
		c.add(line, "adults_dose1", "%d adults with a dose, more than the %d adults", *r.AdultsDose1, *r.Adults)
	}
	if r.Adults != nil && r.Population != nil && *r.Adults > *r.Population {
		c.add(line, "adults", "%d adults, more than the population of %d", *r.Adults, *r.Population)
	}
	return r, len(c.err.Rows)+c.err.Omitted == before
}

func checkCode(code string, known map[string]bool, kind string, line int, c *collector) {
	switch {
	case code == "":
		c.add(line, ColCode, "a %s's row needs its code", kind)
	case len(code) > features.MaxCodeLength || !features.CleanText(code):
		c.add(line, ColCode, "not a %s code", kind)
	case len(known) > 0 && !known[code]:
		c.add(line, ColCode, "no %s has the code %q", kind, code)
	}
}
