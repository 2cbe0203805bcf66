package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
)

// MIMEProblem is the media type of error bodies (RFC 9457).
const MIMEProblem = "application/problem+json"

// StatusClientClosedRequest is recorded, not sent, when the client went away
// before the answer was ready (nginx's convention), so that metrics do not
// count it as a success or as a server failure.
const StatusClientClosedRequest = 499

// Rule maps a domain error to a status.
type Rule struct {
	// Err is matched with errors.Is.
	Err error
	// Status is the status of the answer.
	Status int
	// Detail replaces the error's text in the body. Without it a 4xx sends
	// the error's text and a 5xx a generic reason.
	Detail string
	// RetryAfter, when positive, is sent as Retry-After (429, 503).
	RetryAfter time.Duration
	// Quiet logs a 5xx of this rule at debug level only: its cause is
	// known and logged once where it is found (a store that is down logs
	// when it goes and when it is back), not once per request.
	Quiet bool
}

// ErrorConfig configures ErrorHandler.
type ErrorConfig struct {
	// Logger receives the causes of 5xx answers; nil means slog.Default().
	Logger *slog.Logger
	// Rules map domain errors to statuses; the first that matches wins.
	// An error no rule matches, and that is neither a *ProblemError nor an
	// *echo.HTTPError, is a 500.
	Rules []Rule
	// Challenge is the WWW-Authenticate of a 401 that names none;
	// empty means `Bearer realm="bando"`.
	Challenge string
}

// problemBody is the JSON of an error answer: RFC 9457's members and the
// request id as an extension member.
type problemBody struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// ErrorHandler returns Echo's HTTPErrorHandler: every error becomes an
// application/problem+json answer. The status comes from a *ProblemError,
// an *echo.HTTPError or cfg.Rules, in that order; anything else is a 500.
// The cause of a 5xx is logged with the request id and never sent. HEAD
// gets the status and headers without a body. A client that went away
// (the request's context canceled) gets nothing; the error is logged at
// debug level and the status recorded is StatusClientClosedRequest.
func ErrorHandler(cfg ErrorConfig) echo.HTTPErrorHandler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Challenge == "" {
		cfg.Challenge = `Bearer realm="bando"`
	}
	return func(err error, c echo.Context) {
		req := c.Request()
		id := requestID(c)
		if ClientClosed(req) {
			// NOTE: whatever the error, it followed from the client leaving
			// (a store call cut by the canceled context may not say so).
			cfg.Logger.Debug("client closed the request", "request_id", id, "method", req.Method, "path", req.URL.Path, "err", err)
			if !c.Response().Committed {
				_ = c.NoContent(StatusClientClosedRequest)
			}
			return
		}
		if c.Response().Committed {
			cfg.Logger.Warn("error after the answer started", "request_id", id, "method", req.Method, "path", req.URL.Path, "err", err)
			return
		}
		p, quiet := cfg.classify(err)
		if p.Status >= 500 {
			level := slog.LevelError
			if quiet {
				level = slog.LevelDebug
			}
			cfg.Logger.Log(req.Context(), level, "request failed", "request_id", id, "method", req.Method, "path", req.URL.Path, "status", p.Status, "err", err)
		}
		if werr := cfg.write(c, p, id); werr != nil {
			cfg.Logger.Warn("write error answer", "request_id", id, "err", werr)
		}
	}
}

// ClientClosed tells whether the client of req went away before the answer:
// its context was canceled, not timed out by a deadline.
func ClientClosed(req *http.Request) bool {
	return errors.Is(req.Context().Err(), context.Canceled)
}

// classify finds the answer to err, and whether its rule is quiet. The
// ProblemError returned is a copy: the caller's is never changed.
func (cfg ErrorConfig) classify(err error) (ProblemError, bool) {
	var pe *ProblemError
	isProblem := errors.As(err, &pe)
	// A body cut by a limit is a 413 however the handler wrapped the read
	// error (a JSON decoder's 400, an import's line error).
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) && (!isProblem || pe.Status != http.StatusRequestEntityTooLarge) {
		return *TooLarge(tooLarge.Limit), false
	}
	if isProblem {
		return *pe, false
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		p := ProblemError{Status: he.Code}
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
		return p, false
	}
	for _, r := range cfg.Rules {
		if errors.Is(err, r.Err) {
			p := ProblemError{Status: r.Status, Detail: r.Detail}
			if p.Detail == "" && r.Status < 500 {
				p.Detail = err.Error()
			}
			if r.RetryAfter > 0 {
				WithRetryAfter(r.RetryAfter)(&p)
			}
			return p, r.Quiet
		}
	}
	return ProblemError{Status: http.StatusInternalServerError}, false
}

// headersOfContent are dropped from an error answer: they described the
// content the handler meant to send.
var headersOfContent = []string{
	echo.HeaderContentEncoding, echo.HeaderContentLength, echo.HeaderContentDisposition,
	echo.HeaderLastModified, "ETag",
}

func (cfg ErrorConfig) write(c echo.Context, p ProblemError, id string) error {
	h := c.Response().Header()
	for _, name := range headersOfContent {
		h.Del(name)
	}
	for name, values := range p.Header {
		h[name] = values
	}
	if p.Status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", cfg.Challenge)
	}
	if p.Status >= 500 {
		h.Set(echo.HeaderCacheControl, "no-store")
	}
	title := http.StatusText(p.Status)
	// NOTE: the detail and the path may repeat the client's input (a
	// 100 KB parameter, NUL bytes): only short, escaped excerpts are sent.
	body := problemBody{
		Type: p.Type, Title: title, Status: p.Status, Detail: shortenDetail(detailOf(p, title, id)),
		Instance: Excerpt(c.Request().URL.Path), RequestID: id, Errors: shortenFields(p.Errors),
	}
	if body.Type == "" {
		body.Type = "about:blank"
	}
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, MIMEProblem)
		return c.NoContent(p.Status)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if b, err = withMembers(b, p); err != nil {
		return err
	}
	return c.Blob(p.Status, MIMEProblem, b)
}

// shortenFields is errs with each pointer and detail fit for an answer.
func shortenFields(errs []FieldError) []FieldError {
	if errs == nil {
		return nil
	}
	out := make([]FieldError, len(errs))
	for i, e := range errs {
		out[i] = FieldError{Pointer: Excerpt(e.Pointer), Detail: shortenDetail(e.Detail)}
	}
	return out
}

// withMembers appends the problem's extension members, sorted by name, to
// the body's JSON object; standard members are never replaced.
func withMembers(body []byte, p ProblemError) ([]byte, error) {
	if len(p.Members) == 0 {
		return body, nil
	}
	names := make([]string, 0, len(p.Members))
	for name := range p.Members {
		standard := slices.Contains([]string{"type", "title", "status", "detail", "instance", "request_id"}, name)
		if !standard && (name != "errors" || len(p.Errors) == 0) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := bytes.TrimSuffix(body, []byte("}"))
	for _, name := range names {
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := shortenMember(p.Members[name])
		if err != nil {
			return nil, err
		}
		out = append(append(append(append(out, ','), k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// shortenMember is the JSON of an extension member with every string in
// it fit for an answer as a detail is (an import's list of line problems
// may quote each bad value).
func shortenMember(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(shortenStrings(generic))
}

// shortenStrings applies shortenDetail to every string of a decoded JSON
// value.
func shortenStrings(v any) any {
	switch v := v.(type) {
	case string:
		return shortenDetail(v)
	case []any:
		for i := range v {
			v[i] = shortenStrings(v[i])
		}
	case map[string]any:
		for k, x := range v {
			v[k] = shortenStrings(x)
		}
	}
	return v
}

// detailOf is the detail sent: the problem's own, a generic reason for a
// 5xx without one, and nothing when it would only repeat the title.
func detailOf(p ProblemError, title, id string) string {
	switch {
	case p.Detail == title:
		return ""
	case p.Detail == "" && p.Status >= 500 && id != "":
		return "the server failed to answer; quote request id " + id + " when you report it"
	case p.Detail == "" && p.Status >= 500:
		return "the server failed to answer"
	}
	return p.Detail
}

func requestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	return c.Request().Header.Get(echo.HeaderXRequestID)
}
