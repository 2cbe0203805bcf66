package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// hostileValues are what a hostile client puts in a path segment, a
// query parameter or a JSON field.
func hostileValues() []string {
	return []string{
		"NaN", "Inf", "-Inf", "1e309", "-1e309", "99999999999999999999999999", "-1", "0x1p3", "1_0",
		"\x00", "a\x00b", "\xff\xfe\xfd", "' OR 1=1; DROP TABLE cases; --", `"; SELECT pg_sleep(10); --`,
		"../../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2f", "Thuận An",
		"", " ", strings.Repeat("9", 400), strings.Repeat("a", 100_000), "{{7*7}}<script>alert(1)</script>",
	}
}

// hostileParams are query parameters the routes read, and one none reads.
var hostileParams = []string{"bbox", "datetime", "limit", "offset", "filter", "filter-lang", "filter-crs", "q", "lon", "lat",
	"radius", "date", "crs", "bbox-crs", "f", "from", "to", "status", "district", "sortby", "cursor", "zzz"}

// plainParam is a good value of a route parameter, so that a hostile
// value in another one reaches its parser.
func plainParam(name string) string {
	switch name {
	case "collectionId":
		return "cases"
	case "featureId":
		return "BD-1"
	case "layers":
		return "cases"
	case "z":
		return "10"
	case "x":
		return "812"
	case "y":
		return "468.mvt"
	case "fontstack":
		return "Noto Sans Regular"
	case "range":
		return "0-255.pbf"
	case "name":
		return "index.js"
	}
	return "1"
}

// hostileBodies are request bodies: broken JSON, wrong types, NaN, deep
// nesting, huge geometries, CSV with injections, and an oversized body.
func hostileBodies() []string {
	ring := make([]string, 0, 1_000_001)
	for i := range 1_000_000 {
		ring = append(ring, fmt.Sprintf("[%d,%d]", i%7, i%5))
	}
	ring = append(ring, "[0,0]")
	million := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[` + strings.Join(ring, ",") + `]]},"properties":{}}`
	return []string{
		"", "{", "null", "[]", `"x"`, "{}", `{"a":NaN}`, `{"identity":1e999}`,
		`{"identity":"\u0000","name":"` + strings.Repeat("é", 5000) + `"}`,
		`{"name":"' OR 1=1 --","password":"x","role":"admin; DROP TABLE users"}`,
		strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000),
		`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[` + strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 2000) + strings.Repeat("]}", 2000) + `]},"properties":{}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,-1e400]},"properties":{"status":{"$ne":1}}}`,
		million,
		"code,report_date,lon,lat\nBD-1,2021-07-05,NaN,Inf\n=cmd|' /C calc'!A0,'; DROP TABLE cases;--,1e309,\x00\n",
		"\xff\xfe\x00\x01" + strings.Repeat("\x00", 1000),
		strings.Repeat("x", 9<<20),
	}
}

// hostileRequest is one request of the suite.
type hostileRequest struct {
	method, target, body, contentType string
	admin                             bool
}

// hostileRequests walks the route table: every parameter of every route
// gets each hostile value (the others a good one), every route a hostile
// value in a query parameter, and every route that takes a body each
// hostile body (as JSON and as CSV), as an admin and anonymously.
func hostileRequests(routes []*echo.Route) []hostileRequest {
	var out []hostileRequest
	values, bodies := hostileValues(), hostileBodies()
	seen := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodHead || seen[r.Method+" "+r.Path] || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		seen[r.Method+" "+r.Path] = true
		segments := strings.Split(r.Path, "/")
		params := []int{}
		for i, s := range segments {
			if strings.HasPrefix(s, ":") || s == "*" {
				params = append(params, i)
			}
		}
		path := func(hostileAt int, v string) string {
			parts := slices.Clone(segments)
			for _, i := range params {
				if i == hostileAt {
					parts[i] = url.PathEscape(v)
				} else {
					parts[i] = url.PathEscape(plainParam(strings.TrimPrefix(parts[i], ":")))
				}
			}
			return strings.ReplaceAll(strings.Join(parts, "/"), `\:`, ":")
		}
		for _, at := range params {
			for _, v := range values {
				out = append(out, hostileRequest{method: r.Method, target: path(at, v), admin: true})
			}
		}
		for i, v := range values {
			name := hostileParams[i%len(hostileParams)]
			q := url.Values{name: {v}}.Encode()
			out = append(out, hostileRequest{method: r.Method, target: path(-1, "") + "?" + q, admin: i%2 == 0})
		}
		if r.Method != http.MethodGet {
			for i, b := range bodies {
				for _, ct := range []string{"application/json", "text/csv"} {
					out = append(out, hostileRequest{method: r.Method, target: path(-1, ""), body: b, contentType: ct, admin: i%3 != 0})
				}
			}
		}
	}
	return out
}

// TestHostileRequests sends every hostile request to the real router over
// both seeded stores: each answer is a 2xx or 3xx where the input is fine,
// else a 4xx with a reason; never a 5xx or a panic; and the heap is about
// what it was after it.
func TestHostileRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile suite sends thousands of requests")
	}
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			cfg := hostileConfig(t)
			b := seededStore(t, kind, 1)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			authn, err := newAuthenticator(cfg, b, log)
			if err != nil {
				t.Fatal(err)
			}
			e := newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn})
			token := (&authServer{e: e, store: authn.Store()}).tokenOf(t, "hostile-admin", auth.Admin)
			reqs := hostileRequests(e.Routes())
			if len(reqs) < 1500 {
				t.Fatalf("%d requests, want at least 1,500", len(reqs))
			}
			before := heapAfterGC()
			statuses := map[int]int{}
			for _, hr := range reqs {
				req := httptest.NewRequest(hr.method, "http://localhost"+hr.target, strings.NewReader(hr.body))
				req.Header.Set("Content-Type", cmp.Or(hr.contentType, "application/json"))
				if hr.admin {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				statuses[rec.Code]++
				checkHostileAnswer(t, hr, rec)
			}
			after := heapAfterGC()
			t.Logf("%s: %d requests, statuses %v, heap %d MiB before, %d MiB after", kind, len(reqs), statuses, before>>20, after>>20)
			if after > before+256<<20 {
				t.Errorf("the heap grew from %d MiB to %d MiB over the suite", before>>20, after>>20)
			}
		})
	}
}

// checkHostileAnswer fails a 5xx, and a 4xx without a problem body that
// says why (a bare 404 or 405 of the router has its title as reason).
func checkHostileAnswer(t *testing.T, hr hostileRequest, rec *httptest.ResponseRecorder) {
	t.Helper()
	name := fmt.Sprintf("%s %.120q (body %d bytes)", hr.method, hr.target, len(hr.body))
	if rec.Code >= 500 {
		t.Errorf("%s: %d %.300s", name, rec.Code, rec.Body)
		return
	}
	if rec.Code < 400 {
		return
	}
	ct := rec.Header().Get("Content-Type")
	if strings.HasPrefix(ct, "text/html") && isPage(hr.target) {
		if rec.Body.Len() == 0 {
			t.Errorf("%s: %d, an empty page", name, rec.Code)
		}
		if strings.HasPrefix(hr.target, "/embed") && !strings.Contains(rec.Body.String(), `<p id="reason">`) ||
			strings.Contains(rec.Body.String(), `<p id="reason"></p>`) {
			t.Errorf("%s: %d, a refusal page without its reason: %.300s", name, rec.Code, rec.Body)
		}
		return // a person's page that says what went wrong
	}
	var p problem
	if ct != httpx.MIMEProblem || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
		t.Errorf("%s: %d without a problem body (%s): %.200s", name, rec.Code, ct, rec.Body)
		return
	}
	if p.Detail == "" && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("%s: %d without a reason: %.200s", name, rec.Code, rec.Body)
	}
	if rec.Body.Len() > 4000 {
		t.Errorf("%s: a %d-byte error body", name, rec.Body.Len())
	}
}

// isPage tells whether target is a page for people (a QR code's page, the
// portal's banner /embed), whose errors are HTML.
func isPage(target string) bool {
	return strings.HasPrefix(target, "/c/") || strings.HasPrefix(target, "/s/") ||
		target == "/embed" || strings.HasPrefix(target, "/embed?")
}

// heapAfterGC is the live heap after a collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
