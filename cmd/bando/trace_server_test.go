package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// traceServer is the real server on a store with the tokens of each role.
type traceServer struct {
	*authServer
	metrics *metrics // of the last start
	cfg     *Config
	b       backend
	tokens  map[auth.Role]string
}

// newTraceServer starts the server on a fresh store of kind.
func newTraceServer(t *testing.T, kind string) *traceServer {
	t.Helper()
	cfg := testConfig(t)
	if kind == "postgis" {
		cfg.DatabaseURL = pgtest.NewDatabase(t)
	}
	if _, err := cfg.secret(); err != nil { // as serve does: edits and reads are audited
		t.Fatal(err)
	}
	b, err := openBackend(context.Background(), cfg, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	// One district and its ward around every point of the scenario: the
	// venues are checked against it and the zone is clipped to it.
	square := orb.MultiPolygon{{{{106.6, 10.95}, {106.7, 10.95}, {106.7, 11.05}, {106.6, 11.05}, {106.6, 10.95}}}}
	for col, rec := range map[string]features.Record{
		"districts": {ID: "718", Geometry: square, Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một"}},
		"wards":     {ID: "25747", Geometry: square, Properties: map[string]any{"code": "25747", "name": "Phường Phú Cường", "district_code": "718"}},
	} {
		if _, err := b.Write(context.Background(), features.Batch{Collection: col, Mode: features.Replace, Records: slices.Values([]features.Record{rec})}); err != nil {
			t.Fatal(err)
		}
	}
	s := &traceServer{cfg: cfg, b: b, tokens: map[auth.Role]string{}}
	s.authServer = s.start(t)
	for _, role := range []auth.Role{auth.Tracer, auth.Admin, auth.Editor, auth.Viewer, auth.Enterprise} {
		s.tokens[role] = s.tokenOf(t, "u-"+string(role), role)
	}
	return s
}

// start builds a server over the same store and config (a restart): its
// engine loads what the store holds.
func (s *traceServer) start(t *testing.T) *authServer {
	t.Helper()
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	authn, err := newAuthenticator(s.cfg, s.b, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s.metrics = newMetrics()
	e := newServer(serverDeps{cfg: s.cfg, store: s.b, log: log, metrics: s.metrics, auth: authn, ctx: ctx})
	as := &authServer{e: e, store: authn.Store()}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log: %s", logs.String())
		}
	})
	if !waitEngine(t, e) {
		t.Fatalf("the engine did not load; the log:\n%s", logs.String())
	}
	return as
}

// syncWriter is a writer for the server's log goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// waitEngine waits until /readyz says the engine is loaded, or failed.
func waitEngine(t *testing.T, e *echo.Echo) bool {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var got map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		switch {
		case got["tracing"] == "tracing engine ready":
			return true
		case strings.Contains(got["tracing"], "failed"), time.Now().After(deadline):
			t.Logf("/readyz %d %s", rec.Code, rec.Body)
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// as calls the server with a role's token.
func (s *traceServer) as(role auth.Role, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.tokens[role])
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

func (s *traceServer) must(t *testing.T, status int, role auth.Role, method, target, body string, header ...string) []byte {
	t.Helper()
	rec := s.as(role, method, target, body, header...)
	if rec.Code != status {
		t.Fatalf("%s %s as %s: %d, want %d: %s", method, target, role, rec.Code, status, rec.Body)
	}
	return rec.Body.Bytes()
}

// traceWorld is the scenario's people and places. D is a day three days
// ago in Vietnam; every time is on D or around it.
type traceWorld struct {
	d      time.Time // midnight of D in Vietnam
	venue  string    // a restaurant
	market string
}

func at(d time.Time, days int, hhmm string) string {
	t, _ := time.Parse("15:04", hhmm)
	return d.AddDate(0, 0, days).Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute).
		In(features.VietnamTime()).Format(time.RFC3339)
}

// Phones of the scenario: the F0 (worker W0, case BD-1) and its contacts.
const (
	phoneF0   = "0912000000"
	phoneA    = "0912000001" // venue, 60 min: F1
	phoneB    = "0912000002" // venue, 5 min: epi
	phoneC    = "0912000003" // market, 60 min: epi (large venue)
	phoneW1   = "0912000011" // same room: F1
	phoneW2   = "0912000012" // same house, other room: epi
	phoneW3   = "0912000013" // same line and shift: F1
	phoneW4   = "0912000014" // same ride: F1
	phoneE    = "0912000020" // venue with W1 the day after: F2
	phoneLive = "0912000030" // checks in after the first run: F1
)

// populate writes the scenario through the HTTP routes, as venues,
// enterprises and tracers would.
func (s *traceServer) populate(t *testing.T) traceWorld {
	t.Helper()
	day := features.VietnamDay(time.Now()).AddDate(0, 0, -3)
	w := traceWorld{d: day.Add(-7 * time.Hour)}
	venue := func(name, category string) string {
		body := s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/venues",
			fmt.Sprintf(`{"name":%q,"category":%q,"address":"1 Đường Số 1","ward":"25747","lon":106.65,"lat":10.98}`, name, category))
		var v struct{ ID string }
		_ = json.Unmarshal(body, &v)
		return v.ID
	}
	w.venue, w.market = venue("Quán Phở Số 1", "restaurant"), venue("Chợ Thủ Dầu Một", "market")
	checkin := func(venue, phone, name, from, to string) string {
		return fmt.Sprintf(`{"venue":%q,"identity":%q,"name":%q,"at":%q,"end":%q}`, venue, phone, name, from, to)
	}
	rows := []string{
		checkin(w.venue, phoneF0, "Nguyễn Văn Không", at(w.d, 0, "08:00"), at(w.d, 0, "09:00")),
		checkin(w.venue, phoneA, "Trần Thị A", at(w.d, 0, "08:30"), at(w.d, 0, "10:00")),
		checkin(w.venue, phoneB, "Lê Văn B", at(w.d, 0, "09:25"), at(w.d, 0, "09:30")),
		checkin(w.market, phoneF0, "Nguyễn Văn Không", at(w.d, 0, "11:00"), at(w.d, 0, "12:00")),
		checkin(w.market, phoneC, "Phạm Thị C", at(w.d, 0, "11:00"), at(w.d, 0, "12:00")),
		checkin(w.venue, phoneW1, "Võ Văn Một", at(w.d, 1, "18:00"), at(w.d, 1, "19:00")),
		checkin(w.venue, phoneE, "Đặng Thị E", at(w.d, 1, "18:00"), at(w.d, 1, "19:00")),
	}
	s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/checkins", `{"checkins":[`+strings.Join(rows, ",")+`]}`)
	roster := "employee_id,name,phone,id_number,address,boarding_house,room,ward,lon,lat,site,line,shift,bus_route\n" +
		"NV0,Nguyễn Văn Không," + phoneF0 + ",079200000000,12 Hẻm 3,Nhà trọ Hạnh Phúc,P1,25747,106.651,10.981,Xưởng A,L1,Ca 1,T1\n" +
		"NV1,Võ Văn Một," + phoneW1 + ",079200000011,12 Hẻm 3,Nhà trọ Hạnh Phúc,P1,25747,106.651,10.981,Xưởng A,L2,Ca 1,T1\n" +
		"NV2,Hồ Thị Hai," + phoneW2 + ",079200000012,12 Hẻm 3,Nhà trọ Hạnh Phúc,P2,25747,106.651,10.981,Xưởng A,L3,Ca 1,T1\n" +
		"NV3,Mai Văn Ba," + phoneW3 + ",079200000013,5 Đường 7,,,25747,106.66,10.99,Xưởng A,L1,Ca 1,T1\n" +
		"NV4,Lý Thị Bốn," + phoneW4 + ",079200000014,9 Đường 8,,,25747,106.67,10.97,Xưởng A,L4,Ca 2,T1\n"
	asOf := day.AddDate(0, 0, -5).Format(time.DateOnly)
	s.must(t, http.StatusOK, auth.Enterprise, http.MethodPost, "/api/enterprises/ent-1/workers:import?as_of="+asOf, roster,
		"Content-Type: text/csv")
	s.must(t, http.StatusOK, auth.Enterprise, http.MethodPost, "/api/enterprises/ent-1/buses", `{"id":"61A-12345","route":"Thủ Dầu Một – VSIP","seats":40}`)
	rides := fmt.Sprintf(`{"rides":[{"date":%q,"trip":"am","bus":"61A-12345","employee_id":"NV0","seat":"3"},`+
		`{"date":%q,"trip":"am","bus":"61A-12345","employee_id":"NV4","seat":"4"}]}`, day.Format(time.DateOnly), day.Format(time.DateOnly))
	s.must(t, http.StatusOK, auth.Enterprise, http.MethodPost, "/api/enterprises/ent-1/rides", rides)
	return w
}

// addCase creates case BD-1 of the F0 in the features store, its phone on
// the private side.
func (s *traceServer) addCase(t *testing.T, w traceWorld) {
	t.Helper()
	editor, ok := s.b.(features.Editor)
	if !ok {
		t.Fatalf("%T keeps no cases", s.b)
	}
	cases, _ := features.NewCatalog().Get("cases")
	rec := features.Record{ID: "bd-1", Geometry: orb.Point{106.651, 10.981}, Properties: map[string]any{
		"code": "BD-1", "report_date": features.VietnamDay(w.d.Add(8 * time.Hour)).Format(features.DateLayout),
		"origin": features.OriginCommunity, "status": features.StatusUnderTreatment, "ward_code": "25747", "district_code": "718"},
		Person: &features.Person{Name: "Nguyễn Văn Không", Phone: phoneF0}}
	if _, err := editor.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: cases, ID: "bd-1",
		Record: rec, Audit: audit.Entry{Actor: "an", Role: "editor", Action: "create"}}); err != nil {
		t.Fatal(err)
	}
}

// runOut is what the tests read of a run.
type runOut struct {
	ID      string
	F0      []exposurehttp.F0JSON
	Summary exposurehttp.SummaryJSON
	// Contacts by phone.
	Contacts []exposurehttp.ContactJSON
}

func (r runOut) byPhone() map[string]exposurehttp.ContactJSON {
	out := map[string]exposurehttp.ContactJSON{}
	for _, c := range r.Contacts {
		out[c.Phone] = c
	}
	return out
}

// kinds are a contact's reason kinds, sorted, with their tiers.
func kinds(c exposurehttp.ContactJSON) []string {
	var out []string
	for _, r := range c.Reasons {
		out = append(out, r.Kind+":"+r.Tier+"<"+r.Via)
	}
	slices.Sort(out)
	return out
}

func (s *traceServer) run(t *testing.T, body string) runOut {
	t.Helper()
	var out runOut
	if err := json.Unmarshal(s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/tracing/runs", body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExposureRunEndToEnd writes venues, check-ins, a roster with a shared
// room and a ride through the routes, then runs from the case code and
// checks every contact's tier and reasons; a restarted server (its engine
// loaded from the store) answers the same; a check-in after that shows in
// the next run (the live feed).
func TestExposureRunEndToEnd(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := s.populate(t)
			s.addCase(t, w)
			body := fmt.Sprintf(`{"f0":[{"case":"BD-1","onset":%q,"isolation":%q}],"depth":2,"reason":"ca BD-1, ổ dịch quán phở"}`,
				at(w.d, 0, "00:00"), at(w.d, 1, "12:00"))
			first := s.run(t, body)
			want := map[string]struct {
				tier    string
				level   int
				reasons []string
			}{
				phoneA:  {"F1", 1, []string{"venue:F1<BD-1"}},
				phoneB:  {"epi", 0, []string{"venue:epi<BD-1"}},
				phoneC:  {"epi", 0, []string{"venue:epi<BD-1"}},
				phoneW1: {"F1", 1, []string{"room:F1<BD-1"}},
				phoneW2: {"epi", 0, []string{"house:epi<BD-1"}},
				phoneW3: {"F1", 1, []string{"line:F1<BD-1"}},
				phoneW4: {"F1", 1, []string{"ride:F1<BD-1"}},
			}
			check := func(t *testing.T, r runOut, extra map[string]string) {
				t.Helper()
				for _, f := range r.F0 {
					if f.Known == nil || !*f.Known {
						t.Errorf("F0 %s: known %v, want true (the engine holds its data)", f.Label, f.Known)
					}
				}
				got := r.byPhone()
				if len(got) != len(want)+len(extra) {
					t.Errorf("%d contacts, want %d: %+v", len(got), len(want)+len(extra), r.Contacts)
				}
				for phone, w := range want {
					c, ok := got[phone]
					if !ok {
						t.Errorf("%s is no contact", phone)
						continue
					}
					if c.Tier != w.tier || c.Level != w.level || !slices.Equal(kinds(c), w.reasons) || c.Name == "" {
						t.Errorf("%s: %s level %d %v name %q, want %s level %d %v", phone, c.Tier, c.Level, kinds(c), c.Name, w.tier, w.level, w.reasons)
					}
				}
				for phone, tier := range extra {
					if c := got[phone]; c.Tier != tier {
						t.Errorf("%s: tier %q, want %s (%v)", phone, c.Tier, tier, kinds(c))
					}
				}
			}
			check(t, first, map[string]string{phoneE: "F2"})
			if e := first.byPhone()[phoneE]; len(e.Reasons) != 1 || e.Reasons[0].Kind != "venue" || !strings.HasPrefix(e.Reasons[0].Via, "F1:") {
				t.Errorf("the F2 came through %v, want a venue reason via W1", kinds(e))
			}
			if a := first.byPhone()[phoneA]; a.QuarantineEnd == nil || a.Reasons[0].Venue == nil || a.Reasons[0].Venue.Name != "Quán Phở Số 1" ||
				a.Reasons[0].Venue.OverlapMinutes != 60 {
				t.Errorf("A's venue reason: %+v", a.Reasons)
			}
			if first.Summary != (exposurehttp.SummaryJSON{F1: 4, F2: 1, Epi: 3, Clusters: 1}) {
				t.Errorf("summary %+v", first.Summary)
			}
			// The same F0 by phone, and the same answer from an engine
			// loaded from the store by a restarted server.
			byPhone := fmt.Sprintf(`{"f0":[{"phone":%q,"label":"BD-1","onset":%q,"isolation":%q}],"reason":"ca BD-1, ổ dịch quán phở"}`,
				phoneF0, at(w.d, 0, "00:00"), at(w.d, 1, "12:00"))
			check(t, s.run(t, byPhone), map[string]string{phoneE: "F2"})
			// The F0's phone and its ID number are one person (the roster
			// says so): refused, naming the F0s.
			twice := fmt.Sprintf(`{"f0":[{"case":"BD-1","onset":%q,"isolation":%q},{"id_number":"079200000000","onset":%q,"isolation":%q}],"reason":"ca BD-1"}`,
				at(w.d, 0, "00:00"), at(w.d, 1, "12:00"), at(w.d, 0, "00:00"), at(w.d, 1, "12:00"))
			if rec := s.as(auth.Tracer, http.MethodPost, "/api/tracing/runs", twice); rec.Code != http.StatusBadRequest ||
				!strings.Contains(rec.Body.String(), "#/f0") {
				t.Errorf("one person as two F0s: %d %s", rec.Code, rec.Body)
			}
			s.authServer = s.start(t)
			check(t, s.run(t, body), map[string]string{phoneE: "F2"})
			// Live: a check-in after the engine loaded is in the next run.
			s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/checkins",
				fmt.Sprintf(`{"venue":%q,"identity":%q,"name":"Bùi Văn Sống","at":%q,"end":%q}`, w.venue, phoneLive, at(w.d, 0, "08:10"), at(w.d, 0, "08:40")))
			last := s.run(t, body)
			check(t, last, map[string]string{phoneE: "F2", phoneLive: "F1"})
			// Reads: the run (any tracer or admin), its CSV (logged, with a
			// reason), the list (the caller's). A restarted server has
			// forgotten the runs before.
			s.must(t, http.StatusNotFound, auth.Admin, http.MethodGet, "/api/tracing/runs/"+first.ID+"?reason=ca+BD-1", "")
			s.must(t, http.StatusOK, auth.Admin, http.MethodGet, "/api/tracing/runs/"+last.ID+"?reason=ca+BD-1", "")
			csv := string(s.must(t, http.StatusOK, auth.Tracer, http.MethodGet, "/api/tracing/runs/"+last.ID+"/contacts.csv", "", "X-Bando-Reason: ca BD-1"))
			if !strings.HasPrefix(csv, "\ufeffkey,name,phone") || strings.Count(csv, "\n") != 1+len(last.Contacts) || !strings.Contains(csv, "Trần Thị A") {
				t.Errorf("CSV:\n%s", csv)
			}
			var list struct{ Runs []struct{ ID string } }
			_ = json.Unmarshal(s.must(t, http.StatusOK, auth.Tracer, http.MethodGet, "/api/tracing/runs", ""), &list)
			if len(list.Runs) != 2 { // the restarted server keeps its own
				t.Errorf("runs listed: %+v", list.Runs)
			}
			var cases struct{ Cases []struct{ Code string } }
			_ = json.Unmarshal(s.must(t, http.StatusOK, auth.Tracer, http.MethodGet,
				"/api/tracing/cases?date="+features.VietnamDay(w.d.Add(8*time.Hour)).Format(time.DateOnly), ""), &cases)
			if len(cases.Cases) != 1 || cases.Cases[0].Code != "BD-1" {
				t.Errorf("cases of the day: %+v", cases)
			}
			// Every run and read is in the audit log: who, why, how many.
			var entries struct {
				Entries []struct {
					Actor, Action, Subject, Note string
					After                        json.RawMessage
				}
			}
			_ = json.Unmarshal(s.must(t, http.StatusOK, auth.Admin, http.MethodGet, "/api/audit?collection=tracing.exposure_runs&subject="+last.ID, ""), &entries)
			if len(entries.Entries) != 3 || entries.Entries[0].Actor != "u-tracer" || entries.Entries[0].Note != "ca BD-1, ổ dịch quán phở" ||
				entries.Entries[1].Actor != "u-admin" || !strings.Contains(string(entries.Entries[2].After), fmt.Sprintf(`"count":%d`, len(last.Contacts))) {
				t.Errorf("audit of the run and its reads: %+v", entries.Entries)
			}
			// The zone around the F0's home and the exposure venue goes to
			// the editors as a draft; the F1 and F2 with a known home (the
			// roster's workers W1, W3, W4) to the contacts.
			var zone struct{ ID, ETag string }
			_ = json.Unmarshal(s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/tracing/runs/"+last.ID+"/zone", ""), &zone)
			if zone.ID == "" {
				t.Error("no draft zone")
			}
			var pub struct{ Published int }
			_ = json.Unmarshal(s.must(t, http.StatusOK, auth.Tracer, http.MethodPost, "/api/tracing/runs/"+last.ID+"/contacts", ""), &pub)
			if pub.Published != 3 {
				t.Errorf("published %d contacts, want W1, W3 and W4", pub.Published)
			}
			s.checkCLI(t, w, last)
		})
	}
}

// checkCLI runs `bando trace` on the server's store (closed first when
// embedded: one process holds the file) and compares its CSV with the
// server's run.
func (s *traceServer) checkCLI(t *testing.T, w traceWorld, want runOut) {
	t.Helper()
	t.Setenv("BANDO_DATA_DIR", s.cfg.DataDir)
	t.Setenv("BANDO_DATABASE_URL", s.cfg.DatabaseURL)
	if s.cfg.DatabaseURL == "" {
		s.b.Close()
	}
	var out strings.Builder
	err := run(context.Background(), []string{"trace", "--case", "BD-1", "--onset", at(w.d, 0, "00:00"), "--isolation", at(w.d, 1, "12:00"),
		"--reason", "ca BD-1 (CLI)", "--csv"}, &out)
	if err != nil {
		t.Fatalf("bando trace: %v", err)
	}
	phones := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		phones[strings.Split(line, ",")[2]] = true
	}
	for _, c := range want.Contacts {
		if !phones[c.Phone] {
			t.Errorf("bando trace --csv misses %s:\n%s", c.Phone, out.String())
		}
	}
	if len(phones) != len(want.Contacts) {
		t.Errorf("bando trace --csv: %d contacts, want %d:\n%s", len(phones), len(want.Contacts), out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"trace", "--phone", phoneF0, "--onset", at(w.d, 0, "00:00"), "--isolation", at(w.d, 1, "12:00"),
		"--depth", "1", "--reason", "ca BD-1 (CLI)"}, &out); err != nil || !strings.Contains(out.String(), "5 F1, 0 F2 and deeper, 3 epidemiological factor, 1 cluster\n") {
		t.Errorf("bando trace --depth 1: %v\n%s", err, out.String())
	}
}

var _ = tracing.PersonKey{}

// TestExposureRunsRefuse walks the runs routes: 401 without credentials,
// 403 for every role but tracer and admin, 400 naming the wrong part of a
// run's request, 404 for a run not kept.
func TestExposureRunsRefuse(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := traceWorld{d: features.VietnamDay(time.Now()).AddDate(0, 0, -3).Add(-7 * time.Hour)}
			s.addCase(t, w)
			routes := []struct{ method, target string }{
				{http.MethodPost, "/api/tracing/runs"},
				{http.MethodGet, "/api/tracing/runs"},
				{http.MethodGet, "/api/tracing/runs/0123456789abcdef0123456789abcdef?reason=ca+BD-1"},
				{http.MethodGet, "/api/tracing/runs/0123456789abcdef0123456789abcdef/contacts.csv?reason=ca+BD-1"},
				{http.MethodGet, "/api/tracing/cases"},
			}
			for _, r := range routes {
				if rec := s.call(r.method, r.target, "{}"); rec.Code != http.StatusUnauthorized {
					t.Errorf("%s %s without credentials: %d, want 401", r.method, r.target, rec.Code)
				}
				for _, role := range []auth.Role{auth.Editor, auth.Viewer, auth.Enterprise} {
					if rec := s.as(role, r.method, r.target, "{}"); rec.Code != http.StatusForbidden {
						t.Errorf("%s %s as %s: %d, want 403: %s", r.method, r.target, role, rec.Code, rec.Body)
					}
				}
			}
			onset, iso := at(w.d, 0, "00:00"), at(w.d, 1, "12:00")
			many := strings.Repeat(`{"phone":"0912000000"},`, exposurehttp.MaxF0) + `{"phone":"0912000001"}`
			for _, tc := range []struct {
				name, body, pointer string
			}{
				{"unknown case", `{"f0":[{"case":"BD-404"}],"reason":"ca BD-404"}`, "#/f0/0/case"},
				{"bad onset", `{"f0":[{"case":"BD-1","onset":"20/08/2021"}],"reason":"ca BD-1"}`, "#/f0/0/onset"},
				{"bad isolation", `{"f0":[{"phone":"0912000000","onset":"2021-08-20","isolation":"tomorrow"}],"reason":"ca BD-1"}`, "#/f0/0/isolation"},
				{"empty window", fmt.Sprintf(`{"f0":[{"case":"BD-1","onset":%q,"isolation":%q}],"reason":"ca BD-1"}`, iso, at(w.d, -3, "00:00")), "#/f0/0/isolation"},
				{"phone without onset", `{"f0":[{"phone":"0912000000"}],"reason":"ca BD-1"}`, "#/f0/0/onset"},
				{"the year 9999", `{"f0":[{"phone":"0912000000","onset":"2021-08-20","isolation":"9999-12-31"}],"reason":"ca BD-1"}`, "#/f0/0/isolation"},
				{"the year 1", `{"f0":[{"phone":"0912000000","onset":"0001-01-01","isolation":"2021-08-21"}],"reason":"ca BD-1"}`, "#/f0/0/onset"},
				{"before any tracing data", `{"f0":[{"phone":"0912000000","onset":"2019-01-01","isolation":"2019-01-05"}],"reason":"ca BD-1"}`, "#/f0/0/onset"},
				{"a window in the future", `{"f0":[{"phone":"0912000000","onset":"2100-01-01","isolation":"2100-01-05"}],"reason":"ca BD-1"}`, "#/f0/0/isolation"},
				{"not a phone", fmt.Sprintf(`{"f0":[{"phone":"12","onset":%q,"isolation":%q}],"reason":"ca BD-1"}`, onset, iso), "#/f0/0/phone"},
				{"case and phone", `{"f0":[{"case":"BD-1","phone":"0912000000"}],"reason":"ca BD-1"}`, "#/f0/0/case"},
				{"the same person twice", fmt.Sprintf(`{"f0":[{"case":"BD-1"},{"phone":"0912000000","onset":%q,"isolation":%q}],"reason":"ca BD-1"}`, onset, iso), "#/f0/1"},
				{"no F0", `{"f0":[],"reason":"ca BD-1"}`, "#/f0"},
				{"too many F0", `{"f0":[` + many + `],"reason":"ngày 29/8"}`, "#/f0"},
				{"no reason", `{"f0":[{"case":"BD-1"}]}`, "#/reason"},
				{"depth", `{"f0":[{"case":"BD-1"}],"depth":9,"reason":"ca BD-1"}`, "#/depth"},
			} {
				rec := s.as(auth.Tracer, http.MethodPost, "/api/tracing/runs", tc.body)
				var p struct{ Errors []struct{ Pointer string } }
				_ = json.Unmarshal(rec.Body.Bytes(), &p)
				if rec.Code != http.StatusBadRequest || len(p.Errors) == 0 || p.Errors[0].Pointer != tc.pointer {
					t.Errorf("%s: %d %s, want 400 naming %s", tc.name, rec.Code, rec.Body, tc.pointer)
				}
			}
			// A number with no tracing data is no error: the F0 has no
			// contacts.
			var r runOut
			_ = json.Unmarshal(s.must(t, http.StatusCreated, auth.Admin, http.MethodPost, "/api/tracing/runs",
				fmt.Sprintf(`{"f0":[{"id_number":"079299999999","onset":%q,"isolation":%q}],"reason":"ca BD-9"}`, onset, iso)), &r)
			if len(r.Contacts) != 0 || len(r.F0) != 1 || r.F0[0].Label != "ID 07********99" || r.F0[0].Known == nil || *r.F0[0].Known {
				t.Errorf("unknown person: %+v (want known: false)", r)
			}

			s.must(t, http.StatusBadRequest, auth.Tracer, http.MethodGet, "/api/tracing/runs/"+r.ID, "")
			s.must(t, http.StatusNotFound, auth.Tracer, http.MethodGet, "/api/tracing/runs/0123456789abcdef0123456789abcdef?reason=ca+BD-1", "")
		})
	}
}
