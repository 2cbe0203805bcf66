package tracing

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// UploadProblem is one bad line of an uploaded CSV file, or one bad item
// of a JSON or GeoJSON upload.
type UploadProblem struct {
	// Line is the CSV line (1-based, the header is line 1), or the
	// 0-based index of the JSON item or GeoJSON feature.
	Line int
	// Pointer says where, for a person and for problem+json: "line 7"
	// for CSV, a JSON Pointer ("#/features/3/properties/time") for JSON.
	Pointer string
	// Field is the column or member at fault; empty for the whole line.
	Field string
	// Reason says what is wrong and how to fix it.
	Reason string
}

// String is "line 7, field trip: reason".
func (p UploadProblem) String() string {
	if p.Field == "" {
		return p.Pointer + ": " + p.Reason
	}
	return p.Pointer + ", field " + p.Field + ": " + p.Reason
}

// UploadError lists every problem of an upload (up to a cap); nothing of
// an upload with an UploadError is recorded.
type UploadError struct {
	Problems []UploadProblem
	// Omitted counts problems beyond the cap.
	Omitted int
}

// DefaultMaxUploadProblems is how many problems an UploadError lists.
const DefaultMaxUploadProblems = 100

// Error summarises the problems, one per line.
func (e *UploadError) Error() string {
	var b strings.Builder
	n, noun := len(e.Problems)+e.Omitted, "problems"
	if n == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "tracing: %d %s in the upload, nothing recorded", n, noun)
	for _, p := range e.Problems {
		b.WriteString("\n" + p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap makes an UploadError an ErrInvalid.
func (e *UploadError) Unwrap() error { return ErrInvalid }

// uploadProblems gathers problems up to a cap.
type uploadProblems struct {
	max int
	err UploadError
}

func newUploadProblems(max int) *uploadProblems {
	if max <= 0 {
		max = DefaultMaxUploadProblems
	}
	return &uploadProblems{max: max}
}

func (u *uploadProblems) add(p UploadProblem) {
	if len(u.err.Problems) >= u.max {
		u.err.Omitted++
		return
	}
	u.err.Problems = append(u.err.Problems, p)
}

// addErr adds err (a FieldError names its field) at line, pointer.
func (u *uploadProblems) addErr(line int, pointer string, err error) {
	var fe *FieldError
	if errors.As(err, &fe) {
		u.add(UploadProblem{Line: line, Pointer: pointer, Field: fe.Field, Reason: fe.Reason})
		return
	}
	u.add(UploadProblem{Line: line, Pointer: pointer, Reason: err.Error()})
}

func (u *uploadProblems) failed() bool { return len(u.err.Problems)+u.err.Omitted > 0 }

func (u *uploadProblems) result() error {
	if !u.failed() {
		return nil
	}
	e := u.err
	return &e
}

// full reports whether more problems would only be counted.
func (u *uploadProblems) full() bool { return len(u.err.Problems) >= u.max }

// movementCSV reads an uploaded CSV file by column name.
type movementCSV struct {
	r      *csv.Reader
	index  map[string]int
	width  int
	errs   *uploadProblems
	line   int
	fields []string
	// ioErr is a failure to read the upload (not a CSV syntax error):
	// the parse fails with it, not with an UploadError.
	ioErr   error
	rowBad  bool
	maxRows int
	rows    int
}

// openMovementCSV reads the header; known are the accepted columns,
// required those that must be there. It reports false when no row can be
// read.
func openMovementCSV(r io.Reader, errs *uploadProblems, known, required []string) (*movementCSV, bool) {
	c := &movementCSV{r: csv.NewReader(r), index: map[string]int{}, errs: errs}
	c.r.FieldsPerRecord = -1
	c.r.ReuseRecord = true
	head, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		errs.add(UploadProblem{Line: 1, Pointer: "line 1", Reason: "the file is empty: expected a header line naming the columns " + strings.Join(known, ", ")})
		return c, false
	}
	if err != nil {
		c.syntax(err)
		return c, false
	}
	c.width = len(head)
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		switch {
		case !contains(known, name):
			errs.add(UploadProblem{Line: 1, Pointer: "line 1", Field: h, Reason: "unknown column; the columns are " + strings.Join(known, ", ")})
		case c.has(name):
			errs.add(UploadProblem{Line: 1, Pointer: "line 1", Field: h, Reason: "column named twice"})
		default:
			c.index[name] = i
		}
	}
	for _, name := range required {
		if !c.has(name) {
			errs.add(UploadProblem{Line: 1, Pointer: "line 1", Field: name, Reason: "missing required column"})
		}
	}
	return c, !errs.failed()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *movementCSV) has(col string) bool {
	_, ok := c.index[col]
	return ok
}

func (c *movementCSV) syntax(err error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		c.ioErr = fmt.Errorf("tracing: reading the upload: %w", err)
		return
	}
	line := pe.Line
	err = pe.Err
	c.errs.add(UploadProblem{Line: line, Pointer: fmt.Sprintf("line %d", line), Reason: "not valid CSV: " + err.Error()})
}

// next reads the next data row; false at the end or at a syntax error
// (after which the rest of the file cannot be split into rows).
func (c *movementCSV) next() bool {
	for {
		fields, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			c.syntax(err)
			return false
		}
		c.line, _ = c.r.FieldPos(0)
		c.rows++
		if c.maxRows > 0 && c.rows > c.maxRows {
			c.errs.add(UploadProblem{Line: c.line, Pointer: c.pointer(), Reason: fmt.Sprintf("more than %d rows: split the file", c.maxRows)})
			return false
		}
		if len(fields) != c.width {
			c.fail("", "has %d fields but the header has %d", len(fields), c.width)
			continue
		}
		c.fields, c.rowBad = fields, false
		return true
	}
}

func (c *movementCSV) pointer() string { return fmt.Sprintf("line %d", c.line) }

func (c *movementCSV) fail(col, format string, args ...any) {
	c.rowBad = true
	c.errs.add(UploadProblem{Line: c.line, Pointer: c.pointer(), Field: col, Reason: fmt.Sprintf(format, args...)})
}

func (c *movementCSV) failErr(err error) {
	c.rowBad = true
	c.errs.addErr(c.line, c.pointer(), err)
}

// cell returns the trimmed cell of col, "" when the column is absent.
func (c *movementCSV) cell(col string) string {
	i, ok := c.index[col]
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

// result is the parse's error: a read failure, else the problems found.
func (c *movementCSV) result() error {
	if c.ioErr != nil {
		return c.ioErr
	}
	return c.errs.result()
}

// isReadError reports an error of the reader under a JSON decoder, not
// of the JSON it read.
func isReadError(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return err != nil && !errors.As(err, &se) && !errors.As(err, &te) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF)
}

// parseUploadTime reads an RFC 3339 time with its offset ("2026-11-20T08:05:00+07:00").
func parseUploadTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, invalid(field, "required")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not a time: write it as RFC 3339 with its offset, 2026-11-20T08:05:00+07:00", s)
	}
	return t.UTC(), nil
}

// identityKeys hashes identities, once per distinct text.
type identityKeys struct {
	keys Keys
	seen map[string]PersonKey
}

func newIdentityKeys(k Keys) *identityKeys {
	return &identityKeys{keys: k, seen: map[string]PersonKey{}}
}

// key returns the person key of what a person typed as phone or ID number.
func (ik *identityKeys) key(field, s string) (PersonKey, error) {
	if k, ok := ik.seen[s]; ok {
		return k, nil
	}
	id, err := ParseIdentity(s)
	if err != nil {
		return PersonKey{}, invalid(field, "give a Vietnamese phone number or a 9 or 12 digit ID number")
	}
	k := ik.keys.PersonKey(id)
	ik.seen[s] = k
	return k, nil
}
