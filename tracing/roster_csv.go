package tracing

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Roster file columns, by their English names. A header may name a
// column in English or in Vietnamese (RosterColumnNames lists both),
// with or without accents, in any case and order; separators are ";" or
// ",", the file UTF-8 with or without a byte order mark.
const (
	ColEmployeeID    = "employee_id"
	ColName          = "name"
	ColPhone         = "phone"
	ColIDNumber      = "id_number"
	ColAddress       = "address"
	ColBoardingHouse = "boarding_house"
	ColRoom          = "room"
	ColWard          = "ward"
	ColLon           = "lon"
	ColLat           = "lat"
	ColSite          = "site"
	ColLine          = "line"
	ColShift         = "shift"
	ColBusRoute      = "bus_route"
)

// RosterColumnNames maps each column to the names a header may give it
// (folded: lowercase, no accents, words joined by "_").
func RosterColumnNames() map[string][]string {
	return map[string][]string{
		ColEmployeeID:    {"employee_id", "employee", "ma_nhan_vien", "ma_nv", "msnv"},
		ColName:          {"name", "full_name", "ho_ten", "ho_va_ten"},
		ColPhone:         {"phone", "so_dien_thoai", "dien_thoai", "sdt"},
		ColIDNumber:      {"id_number", "cccd", "cmnd", "so_cccd", "so_cmnd", "so_giay_to"},
		ColAddress:       {"address", "dia_chi", "dia_chi_cu_tru", "noi_o"},
		ColBoardingHouse: {"boarding_house", "nha_tro", "khu_tro"},
		ColRoom:          {"room", "phong"},
		ColWard:          {"ward", "ward_code", "phuong_xa", "ma_phuong_xa"},
		ColLon:           {"lon", "longitude", "kinh_do"},
		ColLat:           {"lat", "latitude", "vi_do"},
		ColSite:          {"site", "noi_lam_viec", "nha_may", "xuong"},
		ColLine:          {"line", "team", "chuyen", "to", "to_doi", "day_chuyen"},
		ColShift:         {"shift", "ca", "ca_lam"},
		ColBusRoute:      {"bus_route", "tuyen_xe", "tuyen_xe_dua_don"},
	}
}

// DefaultMaxRosterErrors is how many problems a RosterFileError lists.
const DefaultMaxRosterErrors = 100

// RosterLineError is one problem of a roster file: its line (the header
// is line 1), the column (English name; empty for the whole line) and why.
type RosterLineError struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	// ReasonVI is Reason in Vietnamese.
	ReasonVI string `json:"reason_vi,omitempty"`
}

// String returns "line N, column C: reason".
func (e RosterLineError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Field, e.Reason)
}

// RosterFileError lists the problems of a roster file; nothing of such a
// file is imported. It is an ErrInvalid.
type RosterFileError struct {
	Lines []RosterLineError
	// Omitted counts the problems beyond the cap.
	Omitted int
}

// Error returns a summary and one line per problem.
func (e *RosterFileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tracing: %d problem(s) in the roster, nothing imported", len(e.Lines)+e.Omitted)
	for _, l := range e.Lines {
		b.WriteString("\n" + l.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap makes the error an ErrInvalid.
func (e *RosterFileError) Unwrap() error { return ErrInvalid }

// RosterOptions tune ParseRoster.
type RosterOptions struct {
	// Enterprise is set on every worker.
	Enterprise string
	// Bounds, when set, is the box every point must lie in.
	Bounds orb.Bound
	// MaxErrors caps the problems listed; 0 means DefaultMaxRosterErrors.
	MaxErrors int
}

// ParseRoster reads a roster CSV file into rows keyed with keys. Every
// bad line is reported (line and column) in a *RosterFileError and no row
// is returned unless the whole file is good. Each row needs an employee
// id and a phone or an ID number (or both); lon and lat come together;
// an employee id, phone or ID number given twice is refused.
func ParseRoster(r io.Reader, keys Keys, opts RosterOptions) ([]RosterRow, error) {
	f, err := ParseRosterFile(r, keys, opts)
	return f.Rows, err
}

// RosterFile is a parsed roster: its rows, and what was accepted with a
// warning (a column no one reads, which is ignored).
type RosterFile struct {
	Rows     []RosterRow
	Warnings []RosterLineError
}

// ParseRosterFile is ParseRoster that also returns the file's warnings:
// a column of an unknown name is ignored, not refused (payroll exports
// carry columns of their own), and named in Warnings.
func ParseRosterFile(r io.Reader, keys Keys, opts RosterOptions) (RosterFile, error) {
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxRosterErrors
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096) // the header line, or what there is
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = separator(first), -1, true
	p := &rosterParser{opts: opts, keys: keys, seen: map[string]int{}}
	if !p.header(cr) {
		return RosterFile{}, p.result()
	}
	rows, err := p.rows(cr)
	if err != nil {
		return RosterFile{}, err
	}
	if len(rows) == 0 && !p.failed() {
		p.add(1, "", "the file has a header but no worker rows")
	}
	if err := p.result(); err != nil {
		return RosterFile{}, err
	}
	return RosterFile{Rows: rows, Warnings: p.warnings}, nil
}

// separator picks ";" when the first line has more of them than commas
// (Excel's CSV in a Vietnamese locale), else ",".
func separator(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		return ';'
	}
	return ','
}

type rosterParser struct {
	opts  RosterOptions
	keys  Keys
	index map[string]int
	width int
	seen  map[string]int // "employee_id:X", "phone:X", "id_number:X" → line
	errs  RosterFileError
	// warnings are the header's ignored columns.
	warnings []RosterLineError
}

func (p *rosterParser) add(line int, field, format string, args ...any) {
	p.addLine(RosterLineError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...), ReasonVI: reasonVI(format, args...)})
}

func (p *rosterParser) addLine(e RosterLineError) {
	if len(p.errs.Lines) >= p.opts.MaxErrors {
		p.errs.Omitted++
		return
	}
	p.errs.Lines = append(p.errs.Lines, e)
}

func (p *rosterParser) failed() bool { return len(p.errs.Lines)+p.errs.Omitted > 0 }

func (p *rosterParser) result() error {
	if !p.failed() {
		return nil
	}
	e := p.errs
	return &e
}

func (p *rosterParser) header(cr *csv.Reader) bool {
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		p.add(1, "", "the file is empty: expected a header line naming the columns")
		return false
	}
	if err != nil {
		p.csvError(err)
		return false
	}
	alias := map[string]string{}
	for col, names := range RosterColumnNames() {
		for _, n := range names {
			alias[n] = col
		}
	}
	p.index, p.width = map[string]int{}, len(head)
	for i, h := range head {
		col, ok := alias[strings.ReplaceAll(features.Fold(h), " ", "_")]
		switch {
		case !ok:
			p.warnings = append(p.warnings, RosterLineError{Line: 1, Field: h,
				Reason: fmt.Sprintf(formatUnknownColumn, rosterColumnList()), ReasonVI: reasonVI(formatUnknownColumn, rosterColumnList())})
		case p.has(col):
			p.add(1, col, "column named twice")
		default:
			p.index[col] = i
		}
	}
	if !p.has(ColEmployeeID) {
		p.add(1, ColEmployeeID, "missing required column")
	}
	if !p.has(ColPhone) && !p.has(ColIDNumber) {
		p.add(1, ColPhone, "the file needs a phone or an id_number column (or both)")
	}
	if p.has(ColLon) != p.has(ColLat) {
		p.add(1, ColLon, "lon and lat come together")
	}
	return !p.failed()
}

func rosterColumnList() string {
	return strings.Join([]string{ColEmployeeID, ColName, ColPhone, ColIDNumber, ColAddress, ColBoardingHouse,
		ColRoom, ColWard, ColLon, ColLat, ColSite, ColLine, ColShift, ColBusRoute}, ", ")
}

func (p *rosterParser) has(col string) bool {
	_, ok := p.index[col]
	return ok
}

func (p *rosterParser) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.add(pe.Line, "", "not valid CSV: %v", pe.Err)
		return
	}
	p.add(1, "", "not valid CSV: %v", err)
}

// rows reads every data row; a CSV syntax error stops the reading.
func (p *rosterParser) rows(cr *csv.Reader) ([]RosterRow, error) {
	var rows []RosterRow
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.csvError(err)
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tracing: read the roster: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			continue // a blank line
		}
		if len(fields) != p.width {
			p.add(line, "", "has %d fields but the header has %d", len(fields), p.width)
			continue
		}
		if row, ok := p.row(line, fields); ok {
			rows = append(rows, row)
		}
	}
}

// row reads one data row, reporting each bad cell.
func (p *rosterParser) row(line int, fields []string) (RosterRow, bool) {
	c := rosterCells{p: p, line: line, fields: fields}
	before := len(p.errs.Lines) + p.errs.Omitted
	w := Worker{Enterprise: p.opts.Enterprise, Employee: c.employee()}
	priv := WorkerPrivate{Name: c.text(ColName, MaxRosterTextLength)}
	c.identity(&w, &priv)
	w.Residence = Residence{
		Address: c.text(ColAddress, MaxAddressLength), BoardingHouse: c.text(ColBoardingHouse, MaxRosterTextLength),
		Room: c.text(ColRoom, MaxRosterTextLength), Ward: c.text(ColWard, MaxRosterTextLength), Location: c.point(),
	}
	w.Workplace = Workplace{Site: c.text(ColSite, MaxRosterTextLength), Line: c.text(ColLine, MaxRosterTextLength),
		Shift: c.text(ColShift, MaxRosterTextLength)}
	w.BusRoute = c.text(ColBusRoute, MaxRosterTextLength)
	if len(p.errs.Lines)+p.errs.Omitted > before {
		return RosterRow{}, false
	}
	return RosterRow{Line: line, Worker: w, Private: priv}, true
}

type rosterCells struct {
	p      *rosterParser
	line   int
	fields []string
}

func (c rosterCells) fail(col, format string, args ...any) { c.p.add(c.line, col, format, args...) }

// raw returns the trimmed cell ("" for an absent column), reporting text
// that is not UTF-8.
func (c rosterCells) raw(col string) string {
	i, ok := c.p.index[col]
	if !ok {
		return ""
	}
	v := strings.TrimSpace(c.fields[i])
	if !utf8.ValidString(v) {
		c.fail(col, "not valid UTF-8 text: save the file as CSV UTF-8")
		return ""
	}
	return v
}

func (c rosterCells) text(col string, max int) string {
	v := c.raw(col)
	switch {
	case utf8.RuneCountInString(v) > max:
		c.fail(col, "longer than %d characters", max)
		return ""
	case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' }):
		c.fail(col, "contains control characters")
		return ""
	}
	return v
}

// once reports whether value of kind is new in the file, failing the
// cell when an earlier line had it.
func (c rosterCells) once(col, value string) bool {
	key := col + ":" + value
	if first, dup := c.p.seen[key]; dup {
		c.fail(col, "%q is also on line %d", value, first)
		return false
	}
	c.p.seen[key] = c.line
	return true
}

func (c rosterCells) employee() string {
	v := c.raw(ColEmployeeID)
	if v == "" {
		c.fail(ColEmployeeID, "required value is empty")
		return ""
	}
	if err := ValidateEmployee(v); err != nil {
		var fe *FieldError
		errors.As(err, &fe)
		c.p.addLine(RosterLineError{Line: c.line, Field: ColEmployeeID, Reason: fe.Reason, ReasonVI: employeeReasonVI(fe.Reason)})
		return ""
	}
	c.once(ColEmployeeID, v)
	return v
}

// identity sets the worker's keys and private numbers from the phone and
// ID number cells.
func (c rosterCells) identity(w *Worker, priv *WorkerPrivate) {
	phone, id := c.raw(ColPhone), c.raw(ColIDNumber)
	if phone == "" && id == "" {
		c.fail(ColPhone, "a worker needs a phone or an ID number")
		return
	}
	if phone != "" {
		if n, err := NormalisePhone(phone); err != nil {
			c.fail(ColPhone, "%q is not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)", phone)
		} else if c.once(ColPhone, n) {
			priv.Phone = n
		}
	}
	if id != "" {
		if n, err := NormaliseIDNumber(id); err != nil {
			c.fail(ColIDNumber, "%q is not an ID number: 9 digits (CMND) or 12 (CCCD)", id)
		} else if c.once(ColIDNumber, n) {
			priv.IDNumber = n
		}
	}
	switch {
	case priv.Phone != "":
		w.Person = c.p.keys.PersonKey(Identity{Kind: Phone, Value: priv.Phone})
		if priv.IDNumber != "" {
			w.AltPerson = c.p.keys.PersonKey(Identity{Kind: IDNumber, Value: priv.IDNumber})
		}
	case priv.IDNumber != "":
		w.Person = c.p.keys.PersonKey(Identity{Kind: IDNumber, Value: priv.IDNumber})
	}
}

func (c rosterCells) point() orb.Point {
	lonText, latText := c.raw(ColLon), c.raw(ColLat)
	if lonText == "" && latText == "" {
		return orb.Point{}
	}
	lon, okLon := c.coord(ColLon, lonText, 180)
	lat, okLat := c.coord(ColLat, latText, 90)
	if !okLon || !okLat {
		return orb.Point{}
	}
	pt := orb.Point{lon, lat}
	if b := c.p.opts.Bounds; b != (orb.Bound{}) && !b.Contains(pt) {
		c.fail(ColLon, "the point %g, %g is outside the province: check the order of lon and lat", lon, lat)
		return orb.Point{}
	}
	if pt == (orb.Point{}) {
		c.fail(ColLon, "0, 0 is not a residence")
	}
	return pt
}

func (c rosterCells) coord(col, s string, limit float64) (float64, bool) {
	if s == "" {
		c.fail(col, "lon and lat come together: this one is empty")
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || v < -limit || v > limit || v != v {
		c.fail(col, "%q is not a number from -%g to %g (decimal degrees)", s, limit, limit)
		return 0, false
	}
	return v, true
}
