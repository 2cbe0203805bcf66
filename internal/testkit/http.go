package testkit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Get serves one GET request to h; header is optional "Name: value" pairs.
func Get(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, line := range header {
		name, value, _ := strings.Cut(line, ": ")
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// GetOK is Get for a request that must succeed: any status but 200 OK
// fails the test, showing the body.
func GetOK(t testing.TB, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	rec := Get(h, target, header...)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, rec.Code, rec.Body)
	}
	return rec
}
