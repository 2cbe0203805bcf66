package tracing

import (
	"errors"
	"fmt"
)

// Errors of tracing. HTTP answers ErrInvalid with 422, ErrNotFound with
// 404, ErrBadToken and ErrTokenRevoked with 403 (the QR page explains),
// and ErrNoOpenVisit with 409.
var (
	// ErrInvalid: a field breaks a rule; FieldError names it.
	ErrInvalid = errors.New("tracing: invalid")
	// ErrNotFound: no such venue or person in the principal's view.
	ErrNotFound = errors.New("tracing: not found")
	// ErrBadToken: a venue token that is not one the server signed
	// (forged, altered, truncated).
	ErrBadToken = errors.New("tracing: bad venue token")
	// ErrTokenRevoked: a genuine venue token of an older generation, or of
	// a revoked venue.
	ErrTokenRevoked = errors.New("tracing: venue token revoked")
	// ErrNoOpenVisit: a check-out with no open visit to close.
	ErrNoOpenVisit = errors.New("tracing: no open visit to check out of")
	// ErrVenueRevoked: a check-in at, or a change of, a revoked venue.
	ErrVenueRevoked = errors.New("tracing: venue revoked")
)

// FieldError is an ErrInvalid naming the field that is wrong, so that HTTP
// can point at it and a batch upload can name the row.
type FieldError struct {
	// Field is the field's JSON name.
	Field string
	// Reason says what is wrong and how to fix it.
	Reason string
}

func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Error returns "tracing: FIELD: REASON".
func (e *FieldError) Error() string { return "tracing: " + e.Field + ": " + e.Reason }

// Unwrap makes a FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// RowError is a FieldError of one row of a batch (0-based Row).
type RowError struct {
	Row int
	Err error
}

// Error returns "row N: ...".
func (e *RowError) Error() string { return fmt.Sprintf("tracing: row %d: %v", e.Row, e.Err) }

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }
