package httpx

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ProblemError is an error that carries its HTTP answer: a status, a detail
// a person can act on and, for some statuses, headers or a list of field
// errors. The error handler writes it as an RFC 9457 problem body; its cause
// (WithCause) is kept for the log and never sent.
type ProblemError struct {
	// Status is the HTTP status code.
	Status int
	// Detail is the reason a person can act on; it is sent as is.
	Detail string
	// Type is a URI naming the kind of problem; empty means about:blank.
	Type string
	// Errors lists per-field problems, for a 422.
	Errors []FieldError
	// Header holds the response headers the status calls for, such as
	// WWW-Authenticate (401) or Retry-After (429, 503).
	Header http.Header
	// Members are extension members of the body (RFC 9457 §3.2), such as a
	// detail in a second language or the current state of what a request
	// conflicted with. They cannot replace the standard members.
	Members map[string]any
	cause   error
}

// FieldError is one member of a problem's errors list: which part of the
// request is wrong and why.
type FieldError struct {
	// Pointer is a JSON Pointer into the request body ("#/name"), or, for a
	// query parameter, the parameter's name.
	Pointer string `json:"pointer"`
	// Detail is the reason, as for a problem.
	Detail string `json:"detail"`
}

// Option adds to a ProblemError.
type Option func(*ProblemError)

// Problem returns an error answered with status and detail. Options add a
// cause, headers or field errors.
func Problem(status int, detail string, opts ...Option) *ProblemError {
	p := &ProblemError{Status: status, Detail: detail}
	for _, o := range opts {
		o(p)
	}
	return p
}

// BadRequest is a 400 whose detail is formatted like fmt.Sprintf.
func BadRequest(format string, args ...any) *ProblemError {
	return Problem(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// NotFound is a 404 whose detail is formatted like fmt.Sprintf.
func NotFound(format string, args ...any) *ProblemError {
	return Problem(http.StatusNotFound, fmt.Sprintf(format, args...))
}

// Error returns the status and the detail, with the cause when there is one.
func (p *ProblemError) Error() string {
	s := "httpx: " + strconv.Itoa(p.Status) + " " + p.Detail
	if p.cause != nil {
		s += ": " + p.cause.Error()
	}
	return s
}

// Unwrap returns the cause.
func (p *ProblemError) Unwrap() error { return p.cause }

func (p *ProblemError) setHeader(name, value string) {
	if p.Header == nil {
		p.Header = http.Header{}
	}
	p.Header.Set(name, value)
}

// WithCause keeps err as the problem's cause: logged for a 5xx, matched by
// errors.Is and errors.As, never sent to the client.
func WithCause(err error) Option {
	return func(p *ProblemError) { p.cause = err }
}

// WithType names the kind of problem by a URI (RFC 9457 "type").
func WithType(uri string) Option {
	return func(p *ProblemError) { p.Type = uri }
}

// WithChallenge sets the WWW-Authenticate challenge a 401 must carry, e.g.
// `Bearer realm="bando"`.
func WithChallenge(challenge string) Option {
	return func(p *ProblemError) { p.setHeader("WWW-Authenticate", challenge) }
}

// WithRetryAfter tells the client when to try again (429, 503), rounded up
// to whole seconds.
func WithRetryAfter(d time.Duration) Option {
	return func(p *ProblemError) { p.setHeader("Retry-After", retryAfter(d)) }
}

// WithFieldErrors lists the parts of the request that are wrong (422).
func WithFieldErrors(errs ...FieldError) Option {
	return func(p *ProblemError) { p.Errors = append(p.Errors, errs...) }
}

// WithMember adds an extension member to the problem's body. A name of a
// standard member (type, title, status, detail, instance, request_id, and
// errors when WithFieldErrors gave some) is ignored.
func WithMember(name string, value any) Option {
	return func(p *ProblemError) {
		if p.Members == nil {
			p.Members = map[string]any{}
		}
		p.Members[name] = value
	}
}

func retryAfter(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}
