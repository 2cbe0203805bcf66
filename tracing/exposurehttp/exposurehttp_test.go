package exposurehttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// fixedRunner answers every run with one fixed result around the first
// F0: the shape of the JSON and CSV, not the engine, is under test here
// (the engine's answers are tested end to end in cmd/bando).
type fixedRunner struct{ err error }

func key(b byte) tracing.PersonKey {
	var k tracing.PersonKey
	for i := range k {
		k[i] = b
	}
	return k
}

func (f fixedRunner) Run(_ context.Context, rules exposure.Rules, f0s ...exposure.F0) (exposure.Result, error) {
	if f.err != nil {
		return exposure.Result{}, f.err
	}
	f0 := f0s[0]
	t0 := time.Date(2021, 8, 20, 1, 0, 0, 0, time.UTC)
	f1, f2, epi := key(0x11), key(0x22), key(0x33)
	venue := exposure.Reason{Kind: exposure.VenueOverlap, Tier: exposure.F1, Via: f0.Person, ViaLabel: f0.Label, Start: t0, End: t0.Add(45 * time.Minute),
		Venue: &exposure.VenueEvidence{Venue: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Category: tracing.Restaurant, ViaVisit: 1, Visit: 2, Overlap: 45 * time.Minute}}
	ride := exposure.Reason{Kind: exposure.SameRide, Tier: exposure.F1, Via: f0.Person, ViaLabel: f0.Label, Start: t0.Add(-2 * time.Hour), End: t0.Add(-75 * time.Minute),
		Ride: &exposure.RideEvidence{Enterprise: "ent-1", Bus: "61A-12345", Date: time.Date(2021, 8, 20, 0, 0, 0, 0, time.UTC), Trip: tracing.Morning,
			Departure: t0.Add(-2 * time.Hour), ViaSeat: "3", Seat: "4"}}
	room := exposure.Reason{Kind: exposure.SameRoom, Tier: exposure.F1, Via: f1, ViaLabel: "F1:11111111", Start: t0, End: t0.Add(24 * time.Hour),
		Residence: &exposure.ResidenceEvidence{Ward: "25747", BoardingHouse: "Nhà trọ Hạnh Phúc", ViaRoom: "P1", Room: "P1", Days: 2}}
	prox := exposure.Reason{Kind: exposure.Proximity, Tier: exposure.Epi, Via: f0.Person, ViaLabel: f0.Label, Start: t0, End: t0.Add(20 * time.Minute),
		Proximity: &exposure.ProximityEvidence{Minutes: 20, Points: 2, ClosestM: 7.5}}
	line := exposure.Reason{Kind: exposure.SameLine, Tier: exposure.F1, Via: f0.Person, ViaLabel: f0.Label, Start: t0, End: t0.Add(8 * time.Hour),
		Line: &exposure.LineEvidence{Enterprise: "ent-1", Site: "Xưởng A", Line: "L1", Shift: "Ca 1", Days: 1}}
	return exposure.Result{F0s: f0s,
		Contacts: []exposure.Contact{
			withReasons(exposure.Contact{Person: f1, Tier: exposure.F1, Level: 1, Via: []tracing.PersonKey{f0.Person},
				FirstExposure: ride.Start, LastExposure: line.End, QuarantineEnd: line.End.Add(14 * 24 * time.Hour), MonitorEnd: line.End.Add(21 * 24 * time.Hour)}, line, ride, venue),
			withReasons(exposure.Contact{Person: f2, Tier: exposure.F2, Level: 2, Via: []tracing.PersonKey{f1},
				FirstExposure: room.Start, LastExposure: room.End, QuarantineEnd: room.End.Add(7 * 24 * time.Hour), MonitorEnd: room.End.Add(7 * 24 * time.Hour)}, room),
			withReasons(exposure.Contact{Person: epi, Tier: exposure.Epi, Level: 0, Via: []tracing.PersonKey{f0.Person},
				FirstExposure: prox.Start, LastExposure: prox.End, MonitorEnd: prox.End.Add(14 * 24 * time.Hour)}, prox),
		},
		Clusters: []exposure.Cluster{{ID: 1, F0s: []tracing.PersonKey{f0.Person}, F1: 1, F2: 1, Epi: 1,
			Venues: []tracing.VenueID{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, Enterprises: []string{"ent-1"}}},
	}, nil
}

// directory is the private side of the test: two named persons.
type directory map[tracing.PersonKey]Private

func (d directory) Private(_ context.Context, k tracing.PersonKey) (Private, error) { return d[k], nil }
func (d directory) Home(context.Context, tracing.PersonKey, time.Time) (Home, bool, error) {
	return Home{}, false, nil
}

type venues struct{}

func (venues) Venue(_ context.Context, id tracing.VenueID) (tracing.Venue, error) {
	return tracing.Venue{ID: id, Name: "Quán Phở Số 1", Category: tracing.Restaurant, Location: orb.Point{106.65, 10.98}}, nil
}

// accessLog keeps the reads logged.
type accessLog struct{ reads []tracing.Read }

func (l *accessLog) LogRead(ctx context.Context, r tracing.Read) (audit.Entry, error) {
	e, err := tracing.ReadEntry(ctx, r)
	if err == nil {
		l.reads = append(l.reads, r)
	}
	return e, err
}

type testServer struct {
	e   *echo.Echo
	log *accessLog
}

func newTestServer(t *testing.T, runner exposure.Runner) *testServer {
	t.Helper()
	keys, err := tracing.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	log := &accessLog{}
	h := NewHandler(Config{Runner: runner, Keys: keys, AccessLog: log, Venues: venues{},
		Directory: directory{key(0x11): {Name: "Trần Thị Một", Phone: "0912000011", IDNumber: "079200000011"}, key(0x22): {Name: "Lê Văn Hai", Phone: "0912000022"}},
		Clock:     tracing.ClockFunc(func() time.Time { return time.Date(2021, 8, 23, 2, 0, 0, 0, time.UTC) })})
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc { // the role of the X-Test-Role header
		return func(c echo.Context) error {
			if role := c.Request().Header.Get("X-Test-Role"); role != "" {
				ctx := auth.WithPrincipal(c.Request().Context(), auth.Principal{User: "u-" + role, Role: auth.Role(role)})
				c.SetRequest(c.Request().WithContext(ctx))
			}
			return next(c)
		}
	})
	h.Register(e.Group("/api"))
	return &testServer{e: e, log: log}
}

// postRun posts runBody as a tracer and returns the answer, failing
// unless it is a 201 with a run's JSON.
func (s *testServer) postRun(t *testing.T) (*httptest.ResponseRecorder, RunJSON) {
	t.Helper()
	rec := s.call("tracer", http.MethodPost, "/api/tracing/runs", runBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("run: %d %s", rec.Code, rec.Body)
	}
	var out RunJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return rec, out
}

func (s *testServer) call(role, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("X-Test-Role", role)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

const runBody = `{"f0":[{"phone":"0912 000 000","label":"BD-1","onset":"2021-08-20","isolation":"2021-08-21T10:00:00+07:00"}],"reason":"ca BD-1, ổ dịch chợ"}`

// TestRunJSONAndCSV checks the run's JSON and its CSV export against
// golden files, and that the run and the read were logged with their
// reasons.
func TestRunJSONAndCSV(t *testing.T) {
	s := newTestServer(t, fixedRunner{})
	rec, out := s.postRun(t)
	if got := rec.Header().Get("Location"); got != "/api/tracing/runs/"+out.ID {
		t.Errorf("Location %q", got)
	}
	testkit.Golden(t, "testdata/run.json", bytes.ReplaceAll(testkit.IndentJSON(t, rec.Body.Bytes()), []byte(out.ID), []byte("RUN")))
	csv := s.call("admin", http.MethodGet, "/api/tracing/runs/"+out.ID+"/contacts.csv?reason=ca+BD-1", "")
	if csv.Code != http.StatusOK || csv.Header().Get("Content-Type") != mimeCSV {
		t.Fatalf("CSV: %d %s %s", csv.Code, csv.Header(), csv.Body)
	}
	testkit.Golden(t, "testdata/contacts.csv", csv.Body.Bytes())
	if len(s.log.reads) != 2 || s.log.reads[0].Reason != "ca BD-1, ổ dịch chợ" || s.log.reads[1].Reason != "ca BD-1" ||
		s.log.reads[0].Count != 3 || s.log.reads[0].Subject != out.ID || s.log.reads[0].Collection != collectionRun {
		t.Errorf("logged reads: %+v", s.log.reads)
	}
	var list struct{ Runs []runListJSON }
	_ = json.Unmarshal(s.call("tracer", http.MethodGet, "/api/tracing/runs", "").Body.Bytes(), &list)
	if len(list.Runs) != 1 || list.Runs[0].ID != out.ID || list.Runs[0].Summary != (SummaryJSON{F1: 1, F2: 1, Epi: 1, Clusters: 1}) {
		t.Errorf("the tracer's runs: %+v", list.Runs)
	}
	_ = json.Unmarshal(s.call("admin", http.MethodGet, "/api/tracing/runs", "").Body.Bytes(), &list)
	if len(list.Runs) != 0 {
		t.Errorf("another's list holds the tracer's run: %+v", list.Runs)
	}
}

// TestRunWhileLoading: a run before the engine loaded is a 503 with
// Retry-After, and nothing is logged.
func TestRunWhileLoading(t *testing.T) {
	s := newTestServer(t, fixedRunner{err: ErrNotReady})
	rec := s.call("tracer", http.MethodPost, "/api/tracing/runs", runBody)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "10" {
		t.Errorf("run while loading: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if len(s.log.reads) != 0 {
		t.Errorf("logged: %+v", s.log.reads)
	}
}

// TestRunTooLarge: a run past the engine's reason budget is a 422 that
// says what to do, in both languages.
func TestRunTooLarge(t *testing.T) {
	s := newTestServer(t, fixedRunner{err: fmt.Errorf("%w: more than 5 reasons by level 2", exposure.ErrTooLarge)})
	rec := s.call("tracer", http.MethodPost, "/api/tracing/runs", runBody)
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "more than 5 reasons") || !strings.Contains(body, "detail_vi") {
		t.Errorf("a run too large: %d %s", rec.Code, body)
	}
}

// TestRunsKept: the latest runs only, none past their time.
func TestRunsKept(t *testing.T) {
	t0 := time.Date(2021, 8, 23, 0, 0, 0, 0, time.UTC)
	rs := newRuns(2, time.Hour)
	for i, id := range []string{"a", "b", "c"} {
		rs.add(&run{ID: id, Owner: "u", Created: t0.Add(time.Duration(i) * time.Minute)})
	}
	for _, tc := range []struct {
		id   string
		at   time.Time
		kept bool
	}{
		{"a", t0.Add(3 * time.Minute), false}, // past the count
		{"b", t0.Add(3 * time.Minute), true},
		{"c", t0.Add(62 * time.Minute), true},
		{"b", t0.Add(62 * time.Minute), false}, // past its hour
	} {
		if _, ok := rs.get(tc.id, tc.at); ok != tc.kept {
			t.Errorf("run %s at %s: kept %v, want %v", tc.id, tc.at, ok, tc.kept)
		}
	}
}

// TestParseInstant reads days in Vietnam and instants.
func TestParseInstant(t *testing.T) {
	for _, tc := range []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"2021-08-20", false, time.Date(2021, 8, 19, 17, 0, 0, 0, time.UTC)},
		{"2021-08-20", true, time.Date(2021, 8, 20, 17, 0, 0, 0, time.UTC)},
		{"2021-08-20T08:00:00+07:00", true, time.Date(2021, 8, 20, 1, 0, 0, 0, time.UTC)},
	} {
		if got, err := ParseInstant(tc.in, tc.end); err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseInstant(%q, %v) = %s, %v; want %s", tc.in, tc.end, got, err, tc.want)
		}
	}
	if _, err := ParseInstant("20/08/2021", false); err == nil {
		t.Error("20/08/2021 read as a day")
	}
}

// zoner suggests one square around the homes it is given.
type zoner struct{ homes []Home }

func (z *zoner) Suggest(_ context.Context, run exposure.Result, homes []Home) (Zone, error) {
	z.homes = homes
	return Zone{Geometry: orb.MultiPolygon{{{{106.6, 10.9}, {106.7, 10.9}, {106.7, 11}, {106.6, 10.9}}}}, Wards: []string{"25747"},
		Start: time.Date(2021, 8, 21, 0, 0, 0, 0, time.UTC), Note: "1 F0"}, nil
}

// publisher keeps what it was sent.
type publisher struct {
	zones    []string
	contacts []PublishedContact
}

func (p *publisher) DraftZone(_ context.Context, who auth.Principal, z Zone, runID string) (string, string, error) {
	p.zones = append(p.zones, runID+" by "+who.User)
	return "zone-1", `"1"`, nil
}

func (p *publisher) PublishContacts(_ context.Context, _ auth.Principal, _ string, cs []PublishedContact) (int, error) {
	p.contacts = append(p.contacts, cs...)
	return len(cs), nil
}

// TestZoneAndPublish: with a Zoner and a Publisher the run carries its
// zone, which goes as a draft; its F1 and F2 (not the epi) are published
// with their private details.
func TestZoneAndPublish(t *testing.T) {
	keys, _ := tracing.NewKeys([]byte(strings.Repeat("k", 32)))
	z, pub := &zoner{}, &publisher{}
	h := NewHandler(Config{Runner: fixedRunner{}, Keys: keys, AccessLog: &accessLog{}, Zoner: z, Publisher: pub,
		Directory: directory{key(0x11): {Name: "Trần Thị Một", Phone: "0912000011"}},
		Cases:     cases{"BD-1": {Code: "BD-1", Phone: "0912000000", ReportDate: time.Date(2021, 8, 20, 0, 0, 0, 0, time.UTC), Location: &orb.Point{106.65, 10.98}, Ward: "25747"}}})
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), auth.Principal{User: "lan", Role: auth.Tracer})))
			return next(c)
		}
	})
	h.Register(e.Group("/api"))
	s := &testServer{e: e}
	rec := s.call("", http.MethodPost, "/api/tracing/runs", `{"f0":[{"case":"BD-1"}],"reason":"ca BD-1"}`)
	var out struct {
		ID   string
		Zone struct {
			Type       string
			Properties map[string]any
		}
		F0 []F0JSON
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("run: %d %s", rec.Code, rec.Body)
	}
	if out.Zone.Type != "Feature" || out.Zone.Properties["run"] != out.ID || len(z.homes) != 1 || z.homes[0].Point != (orb.Point{106.65, 10.98}) {
		t.Errorf("zone %+v from homes %+v", out.Zone, z.homes)
	}
	if w := out.F0[0].Window; !w.From.Equal(time.Date(2021, 8, 17, 17, 0, 0, 0, time.UTC)) || !w.To.Equal(time.Date(2021, 8, 20, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("a case's default window: %+v, want from 2 days before its report day to its end", w)
	}
	if rec := s.call("", http.MethodPost, "/api/tracing/runs/"+out.ID+"/zone", ""); rec.Code != http.StatusCreated || rec.Header().Get("ETag") != `"1"` ||
		len(pub.zones) != 1 || pub.zones[0] != out.ID+" by lan" {
		t.Errorf("draft zone: %d %s %v", rec.Code, rec.Body, pub.zones)
	}
	if rec := s.call("", http.MethodPost, "/api/tracing/runs/"+out.ID+"/contacts", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"published":2`) {
		t.Errorf("publish: %d %s", rec.Code, rec.Body)
	}
	if len(pub.contacts) != 2 || pub.contacts[0].Name != "Trần Thị Một" || pub.contacts[0].Tier != exposure.F1 || pub.contacts[1].Level != 2 {
		t.Errorf("published %+v", pub.contacts)
	}
}

// cases is a Cases of a few cases by code.
type cases map[string]Case

func (cs cases) CaseByCode(_ context.Context, code string) (Case, error) {
	if c, ok := cs[code]; ok {
		return c, nil
	}
	return Case{}, ErrUnknownCase
}

func (cs cases) CasesOn(context.Context, time.Time) ([]Case, error) { return nil, nil }

// TestCSVCell: text a spreadsheet would run as a formula is defused.
func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"Trần Thị A": "Trần Thị A", `=HYPERLINK("http://x")`: `'=HYPERLINK("http://x")`, "+84912": "'+84912",
		"-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "": "",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestContactPages: a run's contacts are read a page at a time, each
// read logged with the count it held.
func TestContactPages(t *testing.T) {
	s := newTestServer(t, fixedRunner{})
	var out RunJSON
	_ = json.Unmarshal(s.call("tracer", http.MethodPost, "/api/tracing/runs", runBody).Body.Bytes(), &out)
	for _, tc := range []struct {
		query  string
		status int
		keys   []string
	}{
		{"", http.StatusOK, []string{key(0x11).String(), key(0x22).String(), key(0x33).String()}},
		{"&offset=1&limit=1", http.StatusOK, []string{key(0x22).String()}},
		{"&offset=2", http.StatusOK, []string{key(0x33).String()}},
		{"&offset=9", http.StatusOK, []string{}},
		{"&limit=0", http.StatusBadRequest, nil},
		{"&limit=10001", http.StatusBadRequest, nil},
		{"&offset=-1", http.StatusBadRequest, nil},
	} {
		rec := s.call("tracer", http.MethodGet, "/api/tracing/runs/"+out.ID+"?reason=ca+BD-1"+tc.query, "")
		if rec.Code != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.query, rec.Code, tc.status, rec.Body)
			continue
		}
		if tc.keys == nil {
			continue
		}
		var page RunJSON
		_ = json.Unmarshal(rec.Body.Bytes(), &page)
		keys := []string{}
		for _, c := range page.Contacts {
			keys = append(keys, c.Key)
		}
		if strings.Join(keys, ",") != strings.Join(tc.keys, ",") || page.ContactsTotal != 3 {
			t.Errorf("%s: contacts %v of %d, want %v of 3", tc.query, keys, page.ContactsTotal, tc.keys)
		}
		if last := s.log.reads[len(s.log.reads)-1]; last.Count != len(tc.keys) {
			t.Errorf("%s: logged count %d, want %d", tc.query, last.Count, len(tc.keys))
		}
	}
	csv := s.call("tracer", http.MethodGet, "/api/tracing/runs/"+out.ID+"/contacts.csv?reason=ca+BD-1&limit=2", "")
	if csv.Header().Get(HeaderTotal) != "3" || strings.Count(csv.Body.String(), "\n") != 3 {
		t.Errorf("CSV page: %s %q", csv.Header(), csv.Body)
	}
}

// withReasons is the contact given its reasons.
func withReasons(c exposure.Contact, rs ...exposure.Reason) exposure.Contact {
	c.SetReasons(rs)
	return c
}

// worldRunner answers every run with an engine's run of a random world
// from its own F0s; materialize gives the result's reasons materialized,
// as a run's were before results kept them compact.
type worldRunner struct {
	engine      *exposure.Engine
	f0s         []exposure.F0
	materialize bool
}

func (w worldRunner) Run(ctx context.Context, rules exposure.Rules, _ ...exposure.F0) (exposure.Result, error) {
	res, err := w.engine.Run(ctx, rules, w.f0s...)
	if w.materialize {
		res.Materialize()
	}
	return res, err
}

// TestCompactResultSameOutput: a run's JSON and CSV are byte for byte the
// same whether its result keeps its reasons compact or materialized.
func TestCompactResultSameOutput(t *testing.T) {
	for seed := int64(1); seed <= 10; seed++ {
		w := exposuretest.RandomWorld(seed, 40)
		e := exposure.New(exposure.Options{})
		if err := w.LoadInto(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		f0s := exposuretest.RandomF0s(seed, w, 3)
		var bodies [2][2]string
		for i, materialize := range []bool{false, true} {
			s := newTestServer(t, worldRunner{engine: e, f0s: f0s, materialize: materialize})
			rec, out := s.postRun(t)
			if len(out.Contacts) == 0 || len(out.Contacts[0].Reasons) == 0 {
				t.Fatalf("seed %d: no contacts or reasons: %s", seed, rec.Body)
			}
			csv := s.call("admin", http.MethodGet, "/api/tracing/runs/"+out.ID+"/contacts.csv?reason=ca+BD-1", "")
			if csv.Code != http.StatusOK {
				t.Fatalf("CSV: %d %s", csv.Code, csv.Body)
			}
			bodies[i] = [2]string{strings.ReplaceAll(rec.Body.String(), out.ID, "RUN"), csv.Body.String()}
		}
		if bodies[0][0] != bodies[1][0] {
			t.Errorf("seed %d: the JSON differs:\ncompact      %s\nmaterialized %s", seed, bodies[0][0], bodies[1][0])
		}
		if bodies[0][1] != bodies[1][1] {
			t.Errorf("seed %d: the CSV differs:\ncompact      %s\nmaterialized %s", seed, bodies[0][1], bodies[1][1])
		}
	}
}
