package auth

import (
	"errors"
	"fmt"
	"time"
)

// Errors of accounts. HTTP answers ErrInvalid with 422, ErrNotFound with
// 404, ErrExists with 409 and ErrRateLimited with 429.
var (
	// ErrInvalid: a name, role, password, duration or scope breaks a rule.
	ErrInvalid = errors.New("auth: invalid")
	// ErrNotFound: no such user or token.
	ErrNotFound = errors.New("auth: not found")
	// ErrExists: the user name is taken.
	ErrExists = errors.New("auth: already exists")
	// ErrRateLimited: too many failed sign-ins; RateLimitError says how
	// long to wait.
	ErrRateLimited = errors.New("auth: too many failed sign-ins")
)

// FieldError is an ErrInvalid that names the field that is wrong, so that
// HTTP can point at it and the CLI can name the flag.
type FieldError struct {
	// Field is the field's JSON name: name, role, district, enterprise,
	// password, ttl, scopes.
	Field string
	// Reason says what is wrong and how to fix it.
	Reason string
}

func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Error returns "auth: FIELD: REASON".
func (e *FieldError) Error() string { return "auth: " + e.Field + ": " + e.Reason }

// Unwrap makes a FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// FieldErrors lists the FieldErrors in err, which may join several.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		var fe *FieldError
		switch x := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

// RateLimitError is ErrRateLimited with the time to wait before the next
// attempt may be made.
type RateLimitError struct {
	// Wait is how long until an attempt is allowed again.
	Wait time.Duration
}

// Error says how long to wait.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("auth: too many failed sign-ins; try again in %s", e.Wait.Round(time.Second))
}

// Unwrap makes a RateLimitError an ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
