package exposurehttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/labstack/echo/v4"
)

// maxBody caps a run's request: 10,000 F0s of about 150 bytes each.
const maxBody = 4 << 20

// RunRequest is the body of POST /api/tracing/runs.
type RunRequest struct {
	F0 []F0Request `json:"f0"`
	// Depth overrides the server's BANDO_TRACE_DEPTH (1..exposure.MaxDepth).
	Depth *int `json:"depth,omitempty"`
	// Reason says why, for the audit log.
	Reason string `json:"reason"`
}

// F0Request is one F0: exactly one of Case, Phone and IDNumber; Onset and
// Isolation as RFC 3339 instants or YYYY-MM-DD days in Vietnam (an onset
// day starts at its midnight, an isolation day ends at the next one).
type F0Request struct {
	Case      string `json:"case,omitempty"`
	Phone     string `json:"phone,omitempty"`
	IDNumber  string `json:"id_number,omitempty"`
	Onset     string `json:"onset,omitempty"`
	Isolation string `json:"isolation,omitempty"`
	Label     string `json:"label,omitempty"`
}

// Resolver turns requested F0s into the engine's: case codes through
// Cases, numbers through Keys. The HTTP handler and `bando trace` share
// it.
type Resolver struct {
	Keys  tracing.Keys
	Cases Cases
	Rules exposure.Rules // with defaults
	// Now is the clock the dates are checked against (an isolation at most
	// a day ahead: a day given as today ends at the next midnight); nil
	// means time.Now.
	Now func() time.Time
}

// ResolveError lists every wrong part of a request, each a JSON pointer
// and a reason.
type ResolveError struct {
	Fields []httpx.FieldError
}

// Error names the first problem.
func (e *ResolveError) Error() string {
	return fmt.Sprintf("exposurehttp: %s: %s (%d problems)", e.Fields[0].Pointer, e.Fields[0].Detail, len(e.Fields))
}

// Resolve returns the rules of the request (the depth) and its F0s, or a
// *ResolveError naming every problem.
func (rv Resolver) Resolve(ctx context.Context, req RunRequest) (exposure.Rules, []Input, error) {
	rules := rv.Rules
	var errs []httpx.FieldError
	add := func(ptr, format string, args ...any) {
		errs = append(errs, httpx.FieldError{Pointer: ptr, Detail: fmt.Sprintf(format, args...)})
	}
	if req.Depth != nil {
		if *req.Depth < 1 || *req.Depth > exposure.MaxDepth {
			add("#/depth", "trace 1 (F1 only) to %d levels", exposure.MaxDepth)
		}
		rules.Depth = *req.Depth
	}
	switch {
	case len(req.F0) == 0:
		add("#/f0", "give at least one F0: a case code, a phone or an ID number")
	case len(req.F0) > MaxF0:
		add("#/f0", "at most %d F0s in one run; got %d: split them", MaxF0, len(req.F0))
	}
	if len(errs) > 0 {
		return rules, nil, &ResolveError{Fields: errs}
	}
	out := make([]Input, 0, len(req.F0))
	seen := map[tracing.PersonKey]int{}
	for i, r := range req.F0 {
		ptr := fmt.Sprintf("#/f0/%d", i)
		f, err := rv.one(ctx, r, rules)
		var fe *fieldErr
		switch {
		case errors.As(err, &fe):
			add(ptr+"/"+fe.field, "%s", fe.reason)
			continue
		case err != nil:
			return rules, nil, err
		}
		if j, ok := seen[f.Person]; ok {
			add(ptr, "the same person as #/f0/%d", j)
			continue
		}
		seen[f.Person] = i
		out = append(out, f)
	}
	if len(errs) > 0 {
		return rules, nil, &ResolveError{Fields: errs}
	}
	return rules, out, nil
}

// fieldErr is one F0's problem, its member named.
type fieldErr struct{ field, reason string }

func (e *fieldErr) Error() string { return e.field + ": " + e.reason }

func bad(field, format string, args ...any) error {
	return &fieldErr{field: field, reason: fmt.Sprintf(format, args...)}
}

// one resolves one F0.
func (rv Resolver) one(ctx context.Context, r F0Request, rules exposure.Rules) (Input, error) {
	given := 0
	for _, s := range []string{r.Case, r.Phone, r.IDNumber} {
		if strings.TrimSpace(s) != "" {
			given++
		}
	}
	if given != 1 {
		return Input{}, bad("case", "give exactly one of case, phone and id_number")
	}
	var f resolvedCase
	var day time.Time // the report day, the default window
	switch {
	case strings.TrimSpace(r.Case) != "":
		c, err := rv.resolveCase(ctx, strings.TrimSpace(r.Case))
		if err != nil {
			return Input{}, err
		}
		f, day = c, c.reportDay
	case strings.TrimSpace(r.Phone) != "":
		p, err := tracing.NormalisePhone(r.Phone)
		if err != nil {
			return Input{}, bad("phone", "not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)")
		}
		f.Person, f.Label = rv.Keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: p}), "phone "+tracing.MaskDigits(p)
	default:
		d, err := tracing.NormaliseIDNumber(r.IDNumber)
		if err != nil {
			return Input{}, bad("id_number", "an ID number is 9 (CMND) or 12 (CCCD) digits")
		}
		f.Person, f.Label = rv.Keys.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: d}), "ID "+tracing.MaskDigits(d)
	}
	if l := strings.TrimSpace(r.Label); l != "" {
		if len([]rune(l)) > 64 {
			return Input{}, bad("label", "at most 64 characters")
		}
		f.Label = l
	}
	if err := window(&f, r, day, rules); err != nil {
		return Input{}, err
	}
	if err := rv.inTime(f.F0); err != nil {
		return Input{}, err
	}
	return f.Input, nil
}

// resolvedCase is an F0 from a case, with its report day.
type resolvedCase struct {
	Input
	reportDay time.Time
}

// resolveCase finds the case and its person's key: the phone's, else the
// ID number's.
func (rv Resolver) resolveCase(ctx context.Context, code string) (resolvedCase, error) {
	if rv.Cases == nil {
		return resolvedCase{}, bad("case", "no case %q: this server keeps no cases", code)
	}
	c, err := rv.Cases.CaseByCode(ctx, code)
	if errors.Is(err, ErrUnknownCase) {
		return resolvedCase{}, bad("case", "no case %q", code)
	} else if err != nil {
		return resolvedCase{}, err
	}
	var id tracing.Identity
	if p, err := tracing.NormalisePhone(c.Phone); c.Phone != "" && err == nil {
		id = tracing.Identity{Kind: tracing.Phone, Value: p}
	} else if d, err := tracing.NormaliseIDNumber(c.IDNumber); c.IDNumber != "" && err == nil {
		id = tracing.Identity{Kind: tracing.IDNumber, Value: d}
	} else {
		return resolvedCase{}, bad("case", "case %q has no phone or ID number on its private side: add one, or give the F0's number", code)
	}
	out := resolvedCase{Input: Input{F0: exposure.F0{Person: rv.Keys.PersonKey(id), Label: c.Code}, Case: c.Code}, reportDay: c.ReportDate}
	if c.Location != nil {
		out.Home = &Home{Person: out.Person, Point: *c.Location, Ward: c.Ward}
	}
	return out, nil
}

// window sets the F0's onset and isolation from the request, else from
// the report day, and checks the window is not empty.
func window(f *resolvedCase, r F0Request, reportDay time.Time, rules exposure.Rules) error {
	var err error
	switch {
	case r.Onset != "":
		if f.Onset, err = ParseInstant(r.Onset, false); err != nil {
			return bad("onset", "%v", err)
		}
	case !reportDay.IsZero():
		f.Onset = vietnamMidnight(reportDay)
	default:
		return bad("onset", "give the onset (or positive sample) of a phone or ID number, e.g. 2021-08-20 or 2021-08-20T08:00:00+07:00")
	}
	switch {
	case r.Isolation != "":
		if f.Isolation, err = ParseInstant(r.Isolation, true); err != nil {
			return bad("isolation", "%v", err)
		}
	case !reportDay.IsZero():
		f.Isolation = vietnamMidnight(reportDay.AddDate(0, 0, 1))
	default:
		return bad("isolation", "give when the F0 was isolated, e.g. 2021-08-22 or 2021-08-22T10:00:00+07:00")
	}
	if from, to := rules.Window(f.F0); !from.Before(to) {
		return bad("isolation", "the window [onset − %v, isolation) is empty: isolation %s is not after %s",
			rules.PreOnset, f.Isolation.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return nil
}

// inTime refuses dates tracing data cannot hold: an onset before
// tracing.EarliestMovement, an isolation more than a day ahead (a window
// in the future would make exposures out of rosters and open visits that
// have not happened).
func (rv Resolver) inTime(f exposure.F0) error {
	now := time.Now
	if rv.Now != nil {
		now = rv.Now
	}
	switch limit := now().Add(24 * time.Hour); {
	case f.Onset.Before(tracing.EarliestMovement):
		return bad("onset", "%s is before %s: no tracing data is that old", f.Onset.Format(time.DateOnly), tracing.EarliestMovement.Format(time.DateOnly))
	case f.Isolation.After(limit):
		return bad("isolation", "%s is in the future: give when the F0 was (or is today) isolated", f.Isolation.Format(time.RFC3339))
	}
	return nil
}

// ParseInstant reads an RFC 3339 instant or a YYYY-MM-DD day in Vietnam:
// the day's first instant, or with end its last (the next midnight).
func ParseInstant(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.Year() < 1900 || t.Year() > 9000 {
			return time.Time{}, fmt.Errorf("%q: a year from 1900 to 9000", s)
		}
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a day (2021-08-20) nor an instant (2021-08-20T08:00:00+07:00)", s)
	}
	if d.Year() < 1900 || d.Year() > 9000 {
		return time.Time{}, fmt.Errorf("%q: a year from 1900 to 9000", s)
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return vietnamMidnight(d), nil
}

// vietnamMidnight is the first instant of the Vietnam day d (midnight UTC
// of its date).
func vietnamMidnight(d time.Time) time.Time {
	from, _ := exposure.DayInterval(features.VietnamDay(d.Add(7 * time.Hour)))
	return from
}

// decodeRun reads the request's body.
func decodeRun(c echo.Context) (RunRequest, error) {
	var req RunRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return req, httpx.BadRequest("the body is empty; send {\"f0\":[{\"case\":\"BD-1\"}],\"reason\":\"…\"}")
		case errors.As(err, &tooBig):
			return req, httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes: split the F0s", tooBig.Limit))
		}
		return req, httpx.BadRequest("the body is not a run request: %v", err)
	}
	return req, nil
}
