package movementhttp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/movementhttp"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"
)

// now is the server's clock: 20 November 2026, 15:00 in Vietnam.
var now = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// stores opens each real store; every test runs on both.
func stores() []struct {
	name string
	open func(t *testing.T) tracing.Movements
} {
	opts := tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now })}
	return []struct {
		name string
		open func(t *testing.T) tracing.Movements
	}{
		{"embedded", func(t *testing.T) tracing.Movements {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "bando.db"), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			s, err := embedded.New(db, opts)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgis", func(t *testing.T) tracing.Movements {
			fs, _ := pgtest.NewStore(t)
			return postgis.New(fs.Pool(), opts)
		}},
	}
}

// fixture is a server of the movement routes on one store.
type fixture struct {
	e     *echo.Echo
	keys  tracing.Keys
	mu    sync.Mutex
	reads []movementhttp.TraceRead
}

// roster is the resolver's roster: employee ids of ent-a and the phone
// each stands for (NV-003 joined on 20 November).
var roster = map[string]string{"NV-001": "0912345678", "NV-002": "0987654321", "NV-003": "0911111111"}

// principalHeader names the test's principal: "role" or "enterprise:ID".
const principalHeader = "X-Test-Principal"

func newFixture(t *testing.T, s tracing.Movements, cfg movementhttp.Config) *fixture {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: echo.New(), keys: keys}
	f.e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	f.e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(principalHeader)
			if h == "" {
				return next(c)
			}
			role, ent, _ := strings.Cut(h, ":")
			p := auth.Principal{User: h, Role: auth.Role(role), Enterprise: ent}
			c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
			return next(c)
		}
	})
	cfg.Store, cfg.Keys, cfg.Require = s, keys, authhttp.Require
	cfg.Clock = tracing.ClockFunc(func() time.Time { return now })
	cfg.Resolve = func(_ context.Context, enterprise, employee string, day time.Time) (tracing.PersonKey, error) {
		phone, ok := roster[employee]
		if enterprise != "ent-a" || !ok || (employee == "NV-003" && day.Before(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))) {
			return tracing.PersonKey{}, tracing.ErrNotFound
		}
		return keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: phone}), nil
	}
	cfg.LogRead = func(_ context.Context, r movementhttp.TraceRead) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.reads = append(f.reads, r)
		return nil
	}
	movementhttp.NewHandler(cfg).Register(f.e.Group("/api"))
	return f
}

// call sends a request as principal ("" for none) with a body of type ct.
func (f *fixture) call(principal, method, target, ct, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	if ct != "" {
		req.Header.Set(echo.HeaderContentType, ct)
	}
	if principal != "" {
		req.Header.Set(principalHeader, principal)
	}
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) person(phone string) string {
	return f.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: phone}).String()
}

func want(t *testing.T, rec *httptest.ResponseRecorder, status int, what string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, rec.Code, status, rec.Body)
	}
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// problemBody is the part of a problem+json body the tests read.
type problemBody struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

func (p problemBody) pointers() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Pointer
	}
	return out
}

const (
	entA   = "enterprise:ent-a"
	tracer = "tracer"
)

func TestRoles(t *testing.T) {
	f := newFixture(t, stores()[0].open(t), movementhttp.Config{})
	busJSON := `{"id": "61A-123.45", "route": "VSIP II", "seats": 45}`
	csv := "date,trip,bus,employee_id\n2026-11-20,am,61A-123.45,NV-001\n"
	traceCSV := "person,time,lon,lat,accuracy\n0912345678,2026-11-20T07:00:00+07:00,106.65,10.98,10\n"
	for _, tc := range []struct {
		who, method, target, ct, body string
		status                        int
	}{
		{"", http.MethodGet, "/api/enterprises/ent-a/buses", "", "", 401},
		{"viewer", http.MethodGet, "/api/enterprises/ent-a/buses", "", "", 403},
		{"viewer", http.MethodPost, "/api/enterprises/ent-a/buses", "application/json", busJSON, 403},
		{"enterprise:ent-b", http.MethodPost, "/api/enterprises/ent-a/buses", "application/json", busJSON, 403},
		{entA, http.MethodPost, "/api/enterprises/ent-a/buses", "application/json", busJSON, 200},
		{"editor", http.MethodPost, "/api/enterprises/ent-c/buses", "application/json", busJSON, 403},
		{"tracer", http.MethodPost, "/api/enterprises/ent-c/buses", "application/json", busJSON, 200},
		{"enterprise:ent-b", http.MethodGet, "/api/enterprises/ent-a/buses", "", "", 403},
		{"enterprise:ent-b", http.MethodGet, "/api/enterprises/ent-a/rides?date=2026-11-20", "", "", 403},
		{"enterprise:ent-b", http.MethodPost, "/api/enterprises/ent-a/rides", "text/csv", csv, 403},
		{"", http.MethodPost, "/api/enterprises/ent-a/rides", "text/csv", csv, 401},
		{tracer, http.MethodGet, "/api/enterprises/ent-a/buses", "", "", 200},
		{"admin", http.MethodGet, "/api/enterprises/ent-a/rides", "", "", 200},
		{"", http.MethodPost, "/api/tracing/traces", "text/csv", traceCSV, 401},
		{entA, http.MethodPost, "/api/tracing/traces", "text/csv", traceCSV, 403},
		{"viewer", http.MethodPost, "/api/tracing/traces", "text/csv", traceCSV, 403},
		{"editor", http.MethodPost, "/api/tracing/traces", "text/csv", traceCSV, 403},
		{entA, http.MethodGet, "/api/tracing/traces?person=0912345678&reason=BD-0001", "", "", 403},
		{"editor", http.MethodGet, "/api/tracing/traces?person=0912345678&reason=BD-0001", "", "", 403},
		{"admin", http.MethodPost, "/api/tracing/traces", "text/csv", traceCSV, 200},
		{tracer, http.MethodGet, "/api/tracing/traces?person=0912345678&reason=F1%20of%20case%20BN-1", "", "", 200},
	} {
		rec := f.call(tc.who, tc.method, tc.target, tc.ct, tc.body)
		if rec.Code != tc.status {
			t.Errorf("%s %s as %q: status %d, want %d (%s)", tc.method, tc.target, tc.who, rec.Code, tc.status, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get(echo.HeaderContentType) != httpx.MIMEProblem {
			t.Errorf("%s %s as %q: a %d as %s", tc.method, tc.target, tc.who, rec.Code, rec.Header().Get(echo.HeaderContentType))
		}
	}
}

// ridesAnswer is the answer of GET rides.
type ridesAnswer struct {
	Date  string `json:"date"`
	Rides []struct {
		Date     string `json:"date"`
		Trip     string `json:"trip"`
		Bus      string `json:"bus"`
		Person   string `json:"person"`
		Employee string `json:"employee_id"`
		Seat     string `json:"seat"`
	} `json:"rides"`
}

func TestBusesAndRides(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, st.open(t), movementhttp.Config{})
			for _, b := range []string{`{"id": "61A-123.45", "route": "VSIP II", "seats": 45}`, `{"id": "61A-000.01", "route": "Bến Cát"}`} {
				want(t, f.call(entA, http.MethodPost, "/api/enterprises/ent-a/buses", "application/json", b), 200, "a bus")
			}
			buses := decode[struct {
				Buses []struct {
					ID    string `json:"id"`
					Seats int    `json:"seats"`
				} `json:"buses"`
			}](t, f.call(entA, http.MethodGet, "/api/enterprises/ent-a/buses", "", ""))
			if len(buses.Buses) != 2 || buses.Buses[1].ID != "61A-123.45" || buses.Buses[1].Seats != 45 {
				t.Errorf("buses: %+v", buses)
			}
			csv := "Date,Trip,Bus,Employee_ID,Seat\n" +
				"2026-11-20,am,61A-123.45,NV-001,12\n" +
				"2026-11-20,AM,61A-123.45,NV-003,\n" +
				"2026-11-19,pm,61A-000.01,NV-002,3\n"
			for i, wantNew := range []int{3, 0} {
				rec := f.call(entA, http.MethodPost, "/api/enterprises/ent-a/rides", "text/csv; charset=utf-8", csv)
				want(t, rec, 200, "rides")
				if got := decode[map[string]int](t, rec); got["recorded"] != wantNew || got["received"] != 3 {
					t.Errorf("upload %d: %v, want %d recorded of 3", i+1, got, wantNew)
				}
			}
			js := `{"rides": [{"date": "2026-11-20", "trip": "pm", "bus": "61A-123.45", "person": "0922 222 222", "seat": "1"}]}`
			rec := f.call(entA, http.MethodPost, "/api/enterprises/ent-a/rides", "application/json", js)
			want(t, rec, 200, "JSON rides")
			got := decode[ridesAnswer](t, f.call(entA, http.MethodGet, "/api/enterprises/ent-a/rides?date=2026-11-20&bus=61A-123.45", "", ""))
			type row struct{ trip, person, employee, seat string }
			var rows []row
			for _, r := range got.Rides {
				rows = append(rows, row{r.Trip, r.Person, r.Employee, r.Seat})
			}
			wantRows := []row{{"am", f.person("0912345678"), "NV-001", "12"}, {"am", f.person("0911111111"), "NV-003", ""},
				{"pm", f.person("0922222222"), "", "1"}}
			slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.trip+a.employee, b.trip+b.employee) })
			slices.SortFunc(wantRows, func(a, b row) int { return strings.Compare(a.trip+a.employee, b.trip+b.employee) })
			if !slices.Equal(rows, wantRows) {
				t.Errorf("rides of bus 61A-123.45 on 20 November: %+v, want %+v", rows, wantRows)
			}
			// Today in Vietnam is the default day.
			if got := decode[ridesAnswer](t, f.call("tracer", http.MethodGet, "/api/enterprises/ent-a/rides", "", "")); got.Date != "2026-11-20" || len(got.Rides) != 3 {
				t.Errorf("rides of today: %s, %d rides; want 2026-11-20, 3", got.Date, len(got.Rides))
			}
			if got := decode[ridesAnswer](t, f.call(entA, http.MethodGet, "/api/enterprises/ent-a/rides?date=2026-11-19", "", "")); len(got.Rides) != 1 || got.Rides[0].Person != f.person("0987654321") {
				t.Errorf("rides of 19 November: %+v", got.Rides)
			}
			for _, bad := range []string{"?date=20-11-2026", "?when=today", "?date=2026-11-20&date=2026-11-19"} {
				want(t, f.call(entA, http.MethodGet, "/api/enterprises/ent-a/rides"+bad, "", ""), 400, bad)
			}
		})
	}
}

func TestRidesRefused(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, st.open(t), movementhttp.Config{})
			want(t, f.call(entA, http.MethodPost, "/api/enterprises/ent-a/buses", "application/json", `{"id": "bus-1"}`), 200, "a bus")
			for _, tc := range []struct {
				name, ct, body string
				status         int
				pointers       []string
			}{
				{"bad cells", "text/csv", "date,trip,bus,employee_id,seat\n" +
					"2026-11-20,am,bus-1,NV-001,1\n" +
					"2026-11-20,noon,bus-1,NV-002,2\n" +
					"20/11/2026,am,bus-1,NV-002,2\n" +
					"2026-11-20,am,bus-1,,\n" +
					"2026-11-20,am,bus-1\n", 422,
					[]string{"line 3, column trip", "line 4, column date", "line 5, column employee_id", "line 6"}},
				{"a missing column", "text/csv", "date,bus,employee_id\n2026-11-20,bus-1,NV-001\n", 422, []string{"line 1, column trip"}},
				{"an unknown column", "text/csv", "date,trip,bus,employee_id,name\n", 422, []string{"line 1, column name"}},
				{"an employee not on the roster that day", "text/csv", "date,trip,bus,employee_id\n" +
					"2026-11-20,am,bus-1,NV-001\n2026-11-19,am,bus-1,NV-003\n2026-11-20,pm,bus-1,NV-999\n", 422,
					[]string{"line 3, column employee_id", "line 4, column employee_id"}},
				{"an unregistered bus", "text/csv", "date,trip,bus,employee_id\n2026-11-20,am,bus-1,NV-001\n2026-11-20,am,bus-2,NV-002\n", 422,
					[]string{"line 3, column bus"}},
				{"a bad JSON ride", "application/json", `[{"date": "2026-11-20", "trip": "am", "bus": "bus-1", "employee_id": "NV-001"},
					{"date": "2026-11-20", "trip": "am", "bus": "bus-1", "person": "12345"}]`, 422, []string{"#/1/person"}},
				{"an unknown JSON member", "application/json", `{"rides": [{"date": "2026-11-20", "trip": "am", "bus": "bus-1", "employee": "NV-001"}]}`, 422, []string{"#/rides/0"}},
				{"a CSV with no rows", "text/csv", "date,trip,bus,employee_id\n", 422, []string{"upload"}},
				{"another media type", "text/plain", "date,trip,bus,employee_id\n", 415, nil},
			} {
				rec := f.call(entA, http.MethodPost, "/api/enterprises/ent-a/rides", tc.ct, tc.body)
				if rec.Code != tc.status {
					t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.status, rec.Body)
					continue
				}
				if p := decode[problemBody](t, rec); !slices.Equal(p.pointers(), tc.pointers) {
					t.Errorf("%s: problems at %v, want %v (%s)", tc.name, p.pointers(), tc.pointers, rec.Body)
				}
			}
			if got := decode[ridesAnswer](t, f.call(entA, http.MethodGet, "/api/enterprises/ent-a/rides?date=2026-11-20", "", "")); len(got.Rides) != 0 {
				t.Errorf("refused uploads recorded %d rides", len(got.Rides))
			}
		})
	}
}

func TestTraces(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, st.open(t), movementhttp.Config{})
			csv := "person,time,lon,lat,accuracy\n" +
				"0912 345 678,2026-11-20T07:00:00+07:00,106.6512,10.9801,8\n" +
				"+84912345678,2026-11-20T07:05:00+07:00,106.6520,10.9810,12.5\n" +
				"079123456789,2026-11-20T07:05:00+07:00,106.7,11.0,30\n"
			rec := f.call(tracer, http.MethodPost, "/api/tracing/traces", "text/csv", csv)
			want(t, rec, 200, "CSV traces")
			if got := decode[map[string]int](t, rec); got["recorded"] != 3 {
				t.Errorf("CSV: %v, want 3 recorded", got)
			}
			geo := `{"type": "FeatureCollection", "name": "Google Takeout", "features": [
				{"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.66, 10.99]},
				 "properties": {"person": "0912345678", "time": "2026-11-20T01:30:00Z", "accuracy": 20}},
				{"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.6512, 10.9801]},
				 "properties": {"person": "0912345678", "time": "2026-11-20T00:00:00Z", "accuracy": 8}}]}`
			rec = f.call(tracer, http.MethodPost, "/api/tracing/traces", "application/geo+json", geo)
			want(t, rec, 200, "GeoJSON traces")
			if got := decode[map[string]int](t, rec); got["recorded"] != 1 || got["received"] != 2 {
				t.Errorf("GeoJSON: %v, want 1 new of 2 (one repeats a CSV point)", got)
			}
			want(t, f.call(tracer, http.MethodGet, "/api/tracing/traces?person=0912345678", "", ""), 400, "a read without a reason")
			req := "/api/tracing/traces?person=0912345678&from=2026-11-19T00:00:00%2B07:00&to=2026-11-20T15:00:00%2B07:00&reason=F1%20of%20BN-1"
			rec = f.call(tracer, http.MethodGet, req, "", "")
			want(t, rec, 200, "a read")
			got := decode[struct {
				Person string `json:"person"`
				Traces []struct {
					Time     time.Time `json:"time"`
					Lon      float64   `json:"lon"`
					Accuracy float64   `json:"accuracy"`
				} `json:"traces"`
			}](t, rec)
			if got.Person != f.person("0912345678") || len(got.Traces) != 3 || !got.Traces[2].Time.Equal(time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)) || got.Traces[1].Accuracy != 12.5 {
				t.Errorf("the person's traces: %+v", got)
			}
			if len(f.reads) != 1 || f.reads[0].Reason != "F1 of BN-1" || f.reads[0].Count != 3 || f.reads[0].Actor != tracer {
				t.Errorf("reads logged: %+v, want one with its reason and count", f.reads)
			}
			byKey := f.call("admin", http.MethodGet, "/api/tracing/traces?person="+f.person("0912345678")+"&reason=BD-0001&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z", "", "")
			if want(t, byKey, 200, "a read by key"); len(decode[tracesOnly](t, byKey).Traces) != 3 {
				t.Errorf("a read by person key: %s", byKey.Body)
			}
			for _, bad := range []string{"person=0912345678&reason=BD-0001&from=2026-11-20", "person=abc&reason=BD-0001",
				"person=0912345678&reason=BD-0001&from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z", "reason=BD-0001"} {
				want(t, f.call(tracer, http.MethodGet, "/api/tracing/traces?"+bad, "", ""), 400, bad)
			}
			rec = f.call(tracer, http.MethodGet, "/api/tracing/traces?person=0912345678", "", "", movementhttp.ReasonHeader+": F1%20c%E1%BB%A7a%20BN-2")
			want(t, rec, 200, "a read with its reason in the header")
			if len(f.reads) != 3 || f.reads[2].Reason != "F1 của BN-2" {
				t.Errorf("reads logged: %+v; want 3, the last for F1 của BN-2 (refused reads not logged)", f.reads)
			}
			want(t, f.call(tracer, http.MethodGet, "/api/tracing/traces?person=0912345678", "", "", movementhttp.ReasonHeader+": %zz"), 400, "a bad reason header")
		})
	}
}

func TestTracesRefused(t *testing.T) {
	f := newFixture(t, stores()[0].open(t), movementhttp.Config{MaxTraceBytes: 4096})
	feature := func(coords, props string) string {
		return `{"type": "Feature", "geometry": {"type": "Point", "coordinates": ` + coords + `}, "properties": ` + props + `}`
	}
	good := feature("[106.66, 10.99]", `{"person": "0912345678", "time": "2026-11-20T01:30:00Z", "accuracy": 20}`)
	for _, tc := range []struct {
		name, ct, body string
		status         int
		pointers       []string
	}{
		{"bad CSV lines", "text/csv", "person,time,lon,lat,accuracy\n" +
			"0912345678,2026-11-20T07:00:00+07:00,106.65,10.98,10\n" +
			"0912345678,2026-11-20T07:00:00,106.65,10.98,10\n" +
			"0912345678,2026-11-20T07:01:00+07:00,10.98,106.65,10\n" +
			"12345,2026-11-20T07:02:00+07:00,106.65,10.98,10\n" +
			"0912345678,2026-11-21T07:02:00+07:00,106.65,10.98,10\n" +
			"0912345678,2026-11-20T07:03:00+07:00,106.65,10.98,-3\n", 422,
			[]string{"line 3, column time", "line 4, column lon", "line 5, column person", "line 6, column time", "line 7, column accuracy"}},
		{"a CSV quote left open", "text/csv", "person,time,lon,lat,accuracy\n\"0912345678,x,1,2,3\n", 422, []string{"line 2"}},
		{"bad features", "application/geo+json", `{"type": "FeatureCollection", "features": [` + good + `,` +
			feature("[106.66, 10.99]", `{"person": "0912345678", "time": "yesterday", "accuracy": 20}`) + `,` +
			feature("[10.99, 106.66]", `{"person": "0912345678", "time": "2026-11-20T01:31:00Z", "accuracy": 20}`) + `,` +
			feature("[106.66, 10.99]", `{"person": "0912345678", "time": "2026-11-20T01:32:00Z"}`) + `,` +
			feature("[106.66, 10.99]", `{"person": "0912345678", "time": "2026-11-20T01:33:00Z", "accuracy": "good"}`) + `,` +
			`{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[106.66, 10.99], [106.67, 10.99]]}, "properties": {}}` + `]}`, 422,
			[]string{"#/features/1/properties/time", "#/features/2/geometry/coordinates", "#/features/3/properties/accuracy",
				"#/features/4/properties/accuracy", "#/features/5/geometry/coordinates"}},
		{"not a collection", "application/json", `{"type": "Feature"}`, 422, []string{"#"}},
		{"too large", "text/csv", "person,time,lon,lat,accuracy\n" + strings.Repeat("0912345678,2026-11-20T07:00:00+07:00,106.65,10.98,10\n", 100), 413, nil},
		{"another media type", "application/xml", "<gpx/>", 415, nil},
	} {
		rec := f.call(tracer, http.MethodPost, "/api/tracing/traces", tc.ct, tc.body)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.status, rec.Body)
			continue
		}
		if p := decode[problemBody](t, rec); !slices.Equal(p.pointers(), tc.pointers) {
			t.Errorf("%s: problems at %v, want %v (%s)", tc.name, p.pointers(), tc.pointers, rec.Body)
		}
	}
	rec := f.call(tracer, http.MethodGet, "/api/tracing/traces?person=0912345678&reason=check", "", "")
	if got := decode[tracesOnly](t, rec); len(got.Traces) != 0 {
		t.Errorf("refused uploads recorded %d points", len(got.Traces))
	}
}

// tracesOnly is the list of a traces answer.
type tracesOnly struct {
	Traces []any `json:"traces"`
}
