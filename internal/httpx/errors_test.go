package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

var (
	errGone    = errors.New("domain: not found")
	errInvalid = errors.New("domain: invalid")
)

// testRules stand for the table the command wires in.
func testRules() []Rule {
	return []Rule{
		{Err: errGone, Status: http.StatusNotFound},
		{Err: errInvalid, Status: http.StatusBadRequest},
		{Err: context.DeadlineExceeded, Status: http.StatusServiceUnavailable, Detail: "the request took too long", RetryAfter: 5 * time.Second},
	}
}

// errorServer answers GET and HEAD /fail with err, logging into log.
func errorServer(err error, log *bytes.Buffer) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(ErrorConfig{Logger: slog.New(slog.NewTextHandler(log, nil)), Rules: testRules()})
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: func() string { return "req-1" }}))
	e.Match([]string{http.MethodGet, http.MethodHead}, "/fail", func(c echo.Context) error {
		c.Response().Header().Set("ETag", `"abc"`)
		return err
	})
	return e
}

func TestErrorHandler(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		detail  string
		headers map[string]string
		logged  bool
	}{
		{name: "bad request", err: BadRequest("lon: %q is not a number", "x"), status: 400, detail: `lon: "x" is not a number`},
		{name: "wrapped problem", err: fmt.Errorf("api: %w", NotFound("no such place")), status: 404, detail: "no such place"},
		{name: "domain not found", err: fmt.Errorf("store: %w: cases \"BN1\"", errGone), status: 404, detail: `store: domain: not found: cases "BN1"`},
		{name: "domain invalid", err: fmt.Errorf("store: %w: offset", errInvalid), status: 400, detail: "store: domain: invalid: offset"},
		{name: "timeout", err: fmt.Errorf("store: query: %w", context.DeadlineExceeded), status: 503, detail: "the request took too long",
			headers: map[string]string{"Retry-After": "5", "Cache-Control": "no-store"}, logged: true},
		{name: "unknown failure", err: errors.New("pq: relation secret_table"), status: 500, detail: "quote request id req-1", logged: true},
		{name: "echo error", err: echo.NewHTTPError(http.StatusConflict, "already taken"), status: 409, detail: "already taken"},
		{name: "echo 5xx keeps its message", err: echo.NewHTTPError(http.StatusInternalServerError, "pq: secret_table"), status: 500, detail: "quote request id", logged: true},
		{name: "unauthorized", err: Problem(401, "sign in first"), status: 401, detail: "sign in first",
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="bando"`}},
		{name: "unauthorized with its challenge", err: Problem(401, "token expired", WithChallenge(`Bearer error="invalid_token"`)), status: 401,
			headers: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}},
		{name: "forbidden", err: Problem(403, "officials only"), status: 403, detail: "officials only"},
		{name: "precondition failed", err: Problem(412, "the zone changed since you read it"), status: 412},
		{name: "precondition required", err: Problem(428, "send If-Match"), status: 428},
		{name: "too many requests", err: Problem(429, "slow down", WithRetryAfter(1500*time.Millisecond)), status: 429,
			headers: map[string]string{"Retry-After": "2"}},
		{name: "unavailable", err: Problem(503, "the store does not answer", WithRetryAfter(10*time.Second), WithCause(errors.New("dial tcp"))),
			status: 503, detail: "the store does not answer", headers: map[string]string{"Retry-After": "10"}, logged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			rec := httptest.NewRecorder()
			errorServer(tt.err, &log).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail?x=1", nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != MIMEProblem {
				t.Errorf("Content-Type %q, want %q", ct, MIMEProblem)
			}
			var body problemBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			want := problemBody{Type: "about:blank", Title: http.StatusText(tt.status), Status: tt.status, Instance: "/fail", RequestID: "req-1"}
			got := body
			got.Detail, got.Errors = "", nil
			if got.Type != want.Type || got.Title != want.Title || got.Status != want.Status || got.Instance != want.Instance || got.RequestID != want.RequestID {
				t.Errorf("body %+v, want %+v", body, want)
			}
			if !strings.Contains(body.Detail, tt.detail) {
				t.Errorf("detail %q, want it to say %q", body.Detail, tt.detail)
			}
			for name, value := range tt.headers {
				if got := rec.Header().Get(name); got != value {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			if rec.Header().Get("ETag") != "" {
				t.Error("the ETag of the content meant survives in the error answer")
			}
			if strings.Contains(rec.Body.String(), "secret_table") || strings.Contains(rec.Body.String(), "dial tcp") {
				t.Errorf("the cause reached the client: %s", rec.Body)
			}
			if logged := strings.Contains(log.String(), "request_id=req-1"); logged != tt.logged {
				t.Errorf("logged %v, want %v: %s", logged, tt.logged, log.String())
			}
		})
	}
}

func TestErrorHandlerFieldErrors(t *testing.T) {
	err := Problem(http.StatusUnprocessableEntity, "the zone is not valid",
		WithType("https://bando.example.org/problems/invalid-zone"),
		WithFieldErrors(FieldError{Pointer: "#/name", Detail: "required"}, FieldError{Pointer: "#/end", Detail: "before start"}))
	rec := httptest.NewRecorder()
	errorServer(err, &bytes.Buffer{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	var body problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 422 || body.Type != "https://bando.example.org/problems/invalid-zone" || len(body.Errors) != 2 || body.Errors[1].Pointer != "#/end" {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
}

func TestErrorHandlerMembers(t *testing.T) {
	err := Problem(http.StatusUnprocessableEntity, "the zone is not valid",
		WithMember("detail_vi", "vùng không hợp lệ"), WithMember("errors", []map[string]string{{"field": "geometry"}}),
		WithMember("status", 200), WithMember("detail", "replaced"))
	rec := httptest.NewRecorder()
	errorServer(err, &bytes.Buffer{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	errs, _ := body["errors"].([]any)
	if rec.Code != 422 || body["detail_vi"] != "vùng không hợp lệ" || len(errs) != 1 || body["status"] != 422.0 || body["detail"] != "the zone is not valid" {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
	// Field errors given by WithFieldErrors keep the errors member.
	err = Problem(http.StatusUnprocessableEntity, "bad", WithFieldErrors(FieldError{Pointer: "#/a", Detail: "x"}), WithMember("errors", "no"))
	rec = httptest.NewRecorder()
	errorServer(err, &bytes.Buffer{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	if !json.Valid(rec.Body.Bytes()) || !strings.Contains(rec.Body.String(), `"pointer":"#/a"`) || strings.Contains(rec.Body.String(), `"errors":"no"`) {
		t.Errorf("body %s", rec.Body)
	}
}

func TestErrorHandlerHEADHasNoBody(t *testing.T) {
	rec := httptest.NewRecorder()
	errorServer(BadRequest("no"), &bytes.Buffer{}).ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/fail", nil))
	if rec.Code != 400 || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != MIMEProblem {
		t.Errorf("HEAD: status %d, Content-Type %q, body %q; want 400, %s, none", rec.Code, rec.Header().Get("Content-Type"), rec.Body, MIMEProblem)
	}
}

func TestErrorHandlerUnmatchedRoute(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/nowhere", 404, ""},
		{http.MethodPost, "/fail", 405, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			errorServer(nil, &bytes.Buffer{}).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != MIMEProblem {
				t.Errorf("status %d, Content-Type %q; want %d, %s", rec.Code, rec.Header().Get("Content-Type"), tt.status, MIMEProblem)
			}
			if tt.allow != "" && !strings.Contains(rec.Header().Get("Allow"), "GET") {
				t.Errorf("Allow %q, want it to list GET", rec.Header().Get("Allow"))
			}
		})
	}
}

func TestErrorHandlerClientGone(t *testing.T) {
	var log bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/fail", nil).WithContext(ctx)
	errorServer(fmt.Errorf("store: %w", context.Canceled), &log).ServeHTTP(rec, req)
	if log.Len() != 0 || rec.Body.Len() != 0 {
		t.Errorf("a client that went away was logged %q or answered %q", log.String(), rec.Body)
	}
	// A cancellation the client did not cause is a failure like any other.
	log.Reset()
	rec = httptest.NewRecorder()
	errorServer(fmt.Errorf("store: %w", context.Canceled), &log).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	if rec.Code != 500 || !strings.Contains(log.String(), "request failed") {
		t.Errorf("status %d, log %q; want 500 and a log line", rec.Code, log.String())
	}
}

func TestProblemUnwrapsItsCause(t *testing.T) {
	err := fmt.Errorf("api: %w", Problem(400, "bad", WithCause(errInvalid)))
	var p *ProblemError
	if !errors.Is(err, errInvalid) || !errors.As(err, &p) || p.Status != 400 {
		t.Errorf("errors.Is/As do not see through %v", err)
	}
}
