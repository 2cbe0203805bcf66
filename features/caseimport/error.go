package caseimport

import (
	"fmt"
	"strings"

	"github.com/bandomap/bando/features"
)

// RowError is one problem found in an import file: where it is and why.
// Line is 1-based and counts the header as line 1; Column is empty when the
// problem concerns the whole row.
type RowError struct {
	Line   int
	Column string
	Reason string
	// ReasonVI is Reason in Vietnamese.
	ReasonVI string
}

// String formats the problem as one line a person can act on, such as
// `line 7, column origin: unknown value "abc"; use community, ...`.
func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// Error lists every problem found in an import file, up to a cap. When Parse
// returns an *Error nothing from the file may be imported.
type Error struct {
	// Rows are the problems in file order.
	Rows []RowError
	// Omitted counts the problems found beyond the cap and not listed.
	Omitted int
}

// Error prints a summary line and then one line per problem.
func (e *Error) Error() string {
	var b strings.Builder
	total := len(e.Rows) + e.Omitted
	noun := "problems"
	if total == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "caseimport: %d %s in the file, nothing imported", total, noun)
	for _, r := range e.Rows {
		b.WriteString("\n")
		b.WriteString(r.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, features.ErrInvalid) hold for a bad file.
func (e *Error) Unwrap() error { return features.ErrInvalid }

// collector gathers problems up to a cap.
type collector struct {
	max int
	err Error
}

func (c *collector) add(line int, column, format string, args ...any) {
	if len(c.err.Rows) >= c.max {
		c.err.Omitted++
		return
	}
	c.err.Rows = append(c.err.Rows, RowError{Line: line, Column: column,
		Reason: sprintf(format, args), ReasonVI: inVietnamese(format, args)})
}

func sprintf(format string, args []any) string { return fmt.Sprintf(format, args...) }

func (c *collector) failed() bool { return len(c.err.Rows) > 0 || c.err.Omitted > 0 }

func (c *collector) result() error {
	if !c.failed() {
		return nil
	}
	e := c.err
	return &e
}
