// Package caseimport reads the case registry from the CSV files officials
// keep, one confirmed case (F0) per row, for `bando import cases FILE.csv`.
//
// Parsing is all or nothing: every problem in the file is reported with its
// line and column in one *Error, and no record is returned unless the whole
// file is good. Writing the records is the caller's business: `bando import
// cases` upserts every row, so that a later file's statuses, dates and
// corrections replace the stored ones and a file imported twice changes
// nothing.
package caseimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Column names of the CSV header. Matching is case-insensitive.
const (
	ColCode          = "code"
	ColReportDate    = "report_date"
	ColReportSession = "report_session"
	ColOrigin        = "origin"
	ColDetectedIn    = "detected_in"
	ColCluster       = "cluster"
	ColStatus        = "status"
	ColStatusDate    = "status_date"
	ColDistrictCode  = "district_code"
	ColWardCode      = "ward_code"
	ColAddress       = "address"
	ColLon           = "lon"
	ColLat           = "lat"
	ColName          = "name"
	ColPhone         = "phone"
	ColIDNumber      = "id_number"
)

// DefaultMaxErrors is how many problems an *Error lists when Options.MaxErrors is 0.
const DefaultMaxErrors = 50

// maxTextLen limits free-text cells, in characters; codes have the
// catalog's limit (features.MaxCodeLength).
const maxTextLen = 500

// Options tune the checks of Parse.
type Options struct {
	// Bounds is the box every case must lie in; the zero Bound means
	// ProvinceBounds().
	Bounds orb.Bound
	// Districts is the set of valid district codes; when empty, district
	// codes are only checked for presence.
	Districts map[string]bool
	// MaxErrors caps the problems listed in an *Error; 0 means DefaultMaxErrors.
	MaxErrors int
	// Now gives the current time, whose day in Vietnam bounds the dates
	// accepted (see LatestDate); nil means time.Now.
	Now func() time.Time
}

// EarliestDate is the earliest report or status date accepted, 1 December
// 2019, before the first known cases of COVID-19: an earlier date is a
// typing error.
func EarliestDate() time.Time { return time.Date(2019, time.December, 1, 0, 0, 0, 0, time.UTC) }

// LatestDate is the latest report or status date accepted at now: the day
// after today in Vietnam. The spare day lets a registry that is ahead of the
// server's clock, or dates the evening bulletin for the next morning, be
// imported; anything later is a typing error.
func LatestDate(now time.Time) time.Time {
	return features.VietnamDay(now).AddDate(0, 0, 1)
}

// ProvinceBounds is the box around Bình Dương province (106.2–107.1 E,
// 10.7–11.6 N) that imported cases must fall in.
func ProvinceBounds() orb.Bound {
	return orb.Bound{Min: orb.Point{106.2, 10.7}, Max: orb.Point{107.1, 11.6}}
}

// column is one accepted header name and whether the file must have it.
type column struct {
	name     string
	required bool
}

// columns returns the accepted columns in their usual order.
func columns() []column {
	return []column{
		{ColCode, true}, {ColReportDate, true}, {ColReportSession, false},
		{ColOrigin, true}, {ColDetectedIn, true}, {ColCluster, false},
		{ColStatus, true}, {ColStatusDate, false}, {ColDistrictCode, true},
		{ColWardCode, false}, {ColAddress, false}, {ColLon, true}, {ColLat, true},
		{ColName, false}, {ColPhone, false}, {ColIDNumber, false},
	}
}

// Parse reads a case CSV file and returns one record of the `cases`
// collection per row, in file order. Any problem yields an *Error listing
// every bad row (up to Options.MaxErrors) and no records.
func Parse(r io.Reader, opts Options) ([]features.Record, error) {
	if opts.Bounds == (orb.Bound{}) {
		opts.Bounds = ProvinceBounds()
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &parser{
		opts: opts, errs: collector{max: opts.MaxErrors}, seen: map[string]int{},
		earliest: EarliestDate(), latest: LatestDate(opts.Now()),
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	if !p.header(cr) {
		return nil, p.errs.result()
	}
	recs, err := p.rows(cr)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 && !p.errs.failed() {
		p.errs.add(1, "", "the file has a header but no case rows")
	}
	if err := p.errs.result(); err != nil {
		return nil, err
	}
	return recs, nil
}

// parser holds the state of one Parse call.
type parser struct {
	opts  Options
	errs  collector
	index map[string]int // column name → field index
	width int
	seen  map[string]int // case code → line
	// earliest and latest bound the dates accepted.
	earliest, latest time.Time
}

// header reads and checks the header line; it reports whether rows can be read.
func (p *parser) header(cr *csv.Reader) bool {
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		p.errs.add(1, "", "the file is empty: expected a header line naming the columns")
		return false
	}
	if err != nil {
		p.csvError(err)
		return false
	}
	known := map[string]bool{}
	for _, c := range columns() {
		known[c.name] = true
	}
	p.index, p.width = map[string]int{}, len(head)
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		switch {
		case !known[name]:
			p.errs.add(1, h, "unknown column; the columns are %s", columnList())
		case p.has(name):
			p.errs.add(1, h, "column named twice")
		default:
			p.index[name] = i
		}
	}
	for _, c := range columns() {
		if c.required && !p.has(c.name) {
			p.errs.add(1, c.name, "missing required column%s", missingHint(c.name))
		}
	}
	return !p.errs.failed()
}

func missingHint(col string) string {
	if col == ColLon || col == ColLat {
		return " (cases need a lon/lat point: no geocoder is available offline to place addresses)"
	}
	return ""
}

func columnList() string {
	var names []string
	for _, c := range columns() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func (p *parser) has(col string) bool {
	_, ok := p.index[col]
	return ok
}

// rows reads every data row; a CSV syntax error stops the reading, since
// the rest of the file cannot be split into rows reliably.
func (p *parser) rows(cr *csv.Reader) ([]features.Record, error) {
	var recs []features.Record
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("caseimport: reading: %w", err)
			}
			p.csvError(err)
			return recs, nil
		}
		line, _ := cr.FieldPos(0)
		if len(fields) != p.width {
			p.errs.add(line, "", "has %d fields but the header has %d", len(fields), p.width)
			continue
		}
		if rec, ok := p.row(line, fields); ok {
			recs = append(recs, rec)
		}
	}
}

func (p *parser) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.errs.add(pe.Line, "", "not valid CSV: %v", pe.Err)
		return
	}
	p.errs.add(1, "", "not valid CSV: %v", err)
}

// row turns one data row into a record, reporting each bad cell.
func (p *parser) row(line int, fields []string) (features.Record, bool) {
	c := cells{p: p, line: line, fields: fields}
	before := len(p.errs.err.Rows) + p.errs.err.Omitted
	code := c.code()
	report := c.date(ColReportDate, true)
	session := c.enum(ColReportSession, sessionEnum(), false)
	origin := c.enum(ColOrigin, originEnum(), true)
	detected := c.enum(ColDetectedIn, detectedEnum(), true)
	cluster := c.text(ColCluster, false)
	status := c.enum(ColStatus, statusEnum(), true)
	statusAt := c.date(ColStatusDate, false)
	if statusAt != nil && report != nil && statusAt.Before(*report) {
		c.fail(ColStatusDate, "%s is before report_date %s",
			statusAt.Format(features.DateLayout), report.Format(features.DateLayout))
	}
	props := map[string]any{
		"code": code, "report_date": dateValue(report), "report_session": textValue(session),
		"origin": origin, "detected_in": detected, "cluster": textValue(cluster),
		"status": status, "status_date": dateValue(statusAt),
		"district_code": c.district(), "ward_code": textValue(c.text(ColWardCode, false)),
	}
	address := c.text(ColAddress, false)
	point := c.point()
	person := &features.Person{
		Name: c.text(ColName, false), Phone: c.text(ColPhone, false),
		IDNumber: c.text(ColIDNumber, false), Address: address,
	}
	if len(p.errs.err.Rows)+p.errs.err.Omitted > before {
		return features.Record{}, false
	}
	return features.Record{ID: code, Geometry: point, Properties: props, Person: person}, true
}

func dateValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func textValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cells reads the fields of one row by column name.
type cells struct {
	p      *parser
	line   int
	fields []string
}

func (c cells) fail(col, format string, args ...any) {
	c.p.errs.add(c.line, col, format, args...)
}

// raw returns the trimmed cell, "" for an absent optional column; it
// reports a missing required value or a cell that is not UTF-8.
func (c cells) raw(col string, required bool) string {
	i, ok := c.p.index[col]
	if !ok {
		return ""
	}
	v := strings.TrimSpace(c.fields[i])
	switch {
	case !utf8.ValidString(v):
		c.fail(col, "not valid UTF-8 text: save the file as CSV UTF-8")
		return ""
	case v == "" && required:
		c.fail(col, "required value is empty%s", missingHint(col))
	}
	return v
}

func (c cells) text(col string, required bool) string {
	v := c.raw(col, required)
	if utf8.RuneCountInString(v) > maxTextLen {
		c.fail(col, "longer than %d characters", maxTextLen)
		return ""
	}
	return v
}

func (c cells) code() string {
	v := c.raw(ColCode, true)
	switch {
	case v == "":
		return ""
	case utf8.RuneCountInString(v) > features.MaxCodeLength:
		c.fail(ColCode, "longer than %d characters", features.MaxCodeLength)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		c.fail(ColCode, "%q contains spaces or control characters", v)
	default:
		if first, dup := c.p.seen[v]; dup {
			c.fail(ColCode, "duplicate code %q: also on line %d", v, first)
			return v
		}
		c.p.seen[v] = c.line
	}
	return v
}

func (c cells) date(col string, required bool) *time.Time {
	v := c.raw(col, required)
	if v == "" {
		return nil
	}
	t, err := time.Parse(features.DateLayout, v)
	if err != nil {
		c.fail(col, "%q is not a date: write it as YYYY-MM-DD", v)
		return nil
	}
	switch first, last := c.p.earliest, c.p.latest; {
	case t.Before(first):
		c.fail(col, "%s is before %s, when the first cases of COVID-19 were reported: check the year", v, first.Format(features.DateLayout))
		return nil
	case t.After(last):
		c.fail(col, "%s is after %s, tomorrow in Vietnam: check the year and the order of day and month", v, last.Format(features.DateLayout))
		return nil
	}
	return &t
}

func (c cells) enum(col string, e enum, required bool) string {
	v := c.raw(col, required)
	if v == "" {
		return ""
	}
	w, ok := e.lookup(v)
	if !ok {
		c.fail(col, "unknown value %q; use %s", v, e.allowed())
	}
	return w
}

func (c cells) district() string {
	v := c.raw(ColDistrictCode, true)
	if v == "" || len(c.p.opts.Districts) == 0 || c.p.opts.Districts[v] {
		return v
	}
	known := make([]string, 0, len(c.p.opts.Districts))
	for k, ok := range c.p.opts.Districts {
		if ok {
			known = append(known, k)
		}
	}
	sort.Strings(known)
	c.fail(ColDistrictCode, "unknown district code %q; the codes are %s", v, strings.Join(known, ", "))
	return v
}

func (c cells) coord(col string) (float64, bool) {
	v := c.raw(col, true)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		c.fail(col, "%q is not a number in decimal degrees", v)
		return 0, false
	}
	return f, true
}

// point reads lon/lat and checks that the point lies in the province box.
func (c cells) point() orb.Point {
	lon, okLon := c.coord(ColLon)
	lat, okLat := c.coord(ColLat)
	if !okLon || !okLat {
		return orb.Point{}
	}
	pt, b := orb.Point{lon, lat}, c.p.opts.Bounds
	if b.Contains(pt) {
		return pt
	}
	hint := ""
	if b.Contains(orb.Point{lat, lon}) {
		hint = " (lon and lat look swapped)"
	}
	c.fail(ColLon, "point %g %g is outside the province (%g–%g E, %g–%g N)%s",
		lon, lat, b.Min.Lon(), b.Max.Lon(), b.Min.Lat(), b.Max.Lat(), hint)
	return pt
}
