package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// startLogged builds a server over s's store and config whose log the
// test reads.
func (s *traceServer) startLogged(t *testing.T) (*authServer, *strings.Builder) {
	t.Helper()
	logs := &strings.Builder{}
	log := slog.New(slog.NewTextHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	authn, err := newAuthenticator(s.cfg, s.b, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := newServer(serverDeps{cfg: s.cfg, store: s.b, log: log, metrics: newMetrics(), auth: authn, ctx: ctx})
	if !waitEngine(t, e) {
		t.Fatalf("the engine did not load; the log:\n%s", logs.String())
	}
	return &authServer{e: e, store: authn.Store()}, logs
}

// publicView is what the public sees of the cases: the OGC count and the
// bulletin's figures.
func publicView(t *testing.T, s *traceServer) string {
	t.Helper()
	var items struct {
		NumberMatched int `json:"numberMatched"`
	}
	body := s.must(t, http.StatusOK, auth.Viewer, http.MethodGet, "/ogc/collections/cases/items?limit=1", "")
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatal(err)
	}
	stats := s.must(t, http.StatusOK, auth.Viewer, http.MethodGet, "/api/stats", "")
	return fmt.Sprintf("%d cases; %s", items.NumberMatched, stats)
}

// TestPersonRights seeds a person with check-ins, a roster history, a
// ride, location traces and a case, then: others than admins are
// refused, a request without a reason is 422, the export holds every
// kind, an erasure by the case's code removes all of it in one audited
// step while the public figures stay the same, a second erasure and a
// later export find nothing, the audit chain verifies and neither the
// audit log nor the server's log ever holds the raw number.
func TestPersonRights(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			var logs *strings.Builder
			s.authServer, logs = s.startLogged(t)
			w := s.populate(t)
			s.addCase(t, w)
			traces := "person,time,lon,lat,accuracy\n"
			for i := range 3 {
				traces += fmt.Sprintf("%s,%s,106.65%d,10.98,8\n", phoneF0, at(w.d, 0, fmt.Sprintf("08:%02d", 10+i)), i)
			}
			s.must(t, http.StatusOK, auth.Tracer, http.MethodPost, "/api/tracing/traces", traces, "Content-Type: text/csv")
			s.must(t, http.StatusOK, auth.Tracer, http.MethodGet, "/api/tracing/traces?person="+phoneF0+"&reason=case+BD-1+outbreak", "")
			public := publicView(t, s)
			byPhone := `{"phone":"` + phoneF0 + `","reason":"request of the person, ticket 7"}`

			t.Run("refused", func(t *testing.T) {
				for _, role := range []auth.Role{auth.Tracer, auth.Editor, auth.Viewer, auth.Enterprise} {
					for _, route := range []string{"/api/persons/export", "/api/persons/erase"} {
						if rec := s.as(role, http.MethodPost, route, byPhone); rec.Code != http.StatusForbidden {
							t.Errorf("%s as %s: %d, want 403", route, role, rec.Code)
						}
					}
				}
				rec := httptest.NewRecorder()
				s.e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/persons/erase", strings.NewReader(byPhone)))
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("erase without credentials: %d, want 401", rec.Code)
				}
				for name, body := range map[string]string{
					"no reason":    `{"phone":"` + phoneF0 + `"}`,
					"short reason": `{"phone":"` + phoneF0 + `","reason":"x"}`,
					"two ways":     `{"phone":"` + phoneF0 + `","case_code":"BD-1","reason":"request of the person"}`,
					"no person":    `{"reason":"request of the person"}`,
					"not a phone":  `{"phone":"12","reason":"request of the person"}`,
					"not an ID":    `{"id_number":"1234","reason":"request of the person"}`,
				} {
					for _, route := range []string{"/api/persons/export", "/api/persons/erase"} {
						if rec := s.as(auth.Admin, http.MethodPost, route, body); rec.Code != http.StatusUnprocessableEntity {
							t.Errorf("%s, %s: %d %s, want 422", name, route, rec.Code, rec.Body)
						}
					}
				}
				if rec := s.as(auth.Admin, http.MethodPost, "/api/persons/erase", `{"phone":1}`); rec.Code != http.StatusBadRequest {
					t.Errorf("a body of the wrong shape: %d, want 400", rec.Code)
				}
			})

			var before heldAbout
			t.Run("export", func(t *testing.T) {
				for _, body := range []string{byPhone, `{"case_code":"BD-1","reason":"request of the person, ticket 7"}`} {
					if err := json.Unmarshal(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export", body), &before); err != nil {
						t.Fatal(err)
					}
					if len(before.Persons) == 0 || len(before.Visits) != 2 || len(before.Roster) != 1 || len(before.Rides) != 1 ||
						len(before.Traces) != 3 || len(before.People) != 1 || before.People[0].Name != "Nguyễn Văn Không" ||
						before.Roster[0].Name != "Nguyễn Văn Không" || len(before.People[0].Location) != 2 {
						t.Errorf("export by %s: %d persons, %d visits, %d roster, %d rides, %d traces, %d cases: %+v", body,
							len(before.Persons), len(before.Visits), len(before.Roster), len(before.Rides), len(before.Traces), len(before.People), before)
					}
					if r := before.Roster[0]; !slices.Equal(r.ResidenceLocation, []float64{106.651, 10.981}) || r.BoardingHouse != "Nhà trọ Hạnh Phúc" ||
						r.Room != "P1" || r.Address != "12 Hẻm 3" || r.Ward != "25747" {
						t.Errorf("the export's residence: %+v, want the roster's home point, boarding house and room", r)
					}
					venues := map[string]string{}
					for _, v := range before.Visits {
						venues[v.VenueName] = v.VenueCategory
					}
					if !maps.Equal(venues, map[string]string{"Quán Phở Số 1": "restaurant", "Chợ Thủ Dầu Một": "market"}) {
						t.Errorf("the export's check-ins name the venues %v, want their names and categories", venues)
					}
					reads := 0
					for _, e := range before.AccessLog {
						if e.Action == tracing.ActionRead && e.Collection == "tracing.traces" && e.Reason == "case BD-1 outbreak" {
							reads++
						}
					}
					if reads != 1 {
						t.Errorf("the export shows %d reads of the traces, want 1: %+v", reads, before.AccessLog)
					}
				}
				text := string(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export?format=text", byPhone))
				for _, want := range []string{"Lượt quét mã QR / Check-ins: 2", "Vị trí di chuyển / Location traces: 3", "Nguyễn Văn Không", "Nhà trọ Hạnh Phúc",
					`phòng/room "P1"`, "vị trí/point (lon, lat) 106.651000, 10.981000", `"Quán Phở Số 1" ("restaurant"`, `"Chợ Thủ Dầu Một" ("market"`} {
					if !strings.Contains(text, want) {
						t.Errorf("the text export lacks %q:\n%s", want, text)
					}
				}
			})

			t.Run("erase", func(t *testing.T) {
				var out erasedJSON
				body := s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/erase", `{"case_code":"BD-1","reason":"request of the person, ticket 7"}`)
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatal(err)
				}
				for kind, n := range map[string]int64{tracing.KindVisits: 2, tracing.KindRosterPeriods: 1, tracing.KindRosterWorkers: 1,
					tracing.KindRides: 1, tracing.KindTraces: 3, tracing.KindPeople: 1} {
					if out.Erased[kind] != n {
						t.Errorf("%s: erased %d, want %d (%s)", kind, out.Erased[kind], n, body)
					}
				}
				if out.Erased[tracing.KindPersons] < 1 {
					t.Errorf("no person record erased: %s", body)
				}
				for _, route := range []string{"/api/persons/export", "/api/persons/erase"} {
					for _, req := range []string{byPhone, `{"case_code":"BD-1","reason":"request of the person, ticket 7"}`,
						`{"id_number":"079200000000","reason":"request of the person, ticket 7"}`} {
						if rec := s.as(auth.Admin, http.MethodPost, route, req); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "nothing is held") {
							t.Errorf("%s %s after the erasure: %d %s, want 404 nothing held", route, req, rec.Code, rec.Body)
						}
					}
				}
				if got := publicView(t, s); got != public {
					t.Errorf("the public view changed:\n%s\nwas\n%s", got, public)
				}
				// Others' data stays: A's check-in at the venue.
				var other heldAbout
				if err := json.Unmarshal(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export",
					`{"phone":"`+phoneA+`","reason":"request of the person, ticket 8"}`), &other); err != nil || len(other.Visits) != 1 {
					t.Errorf("another person's export: %d visits (%v)", len(other.Visits), err)
				}
			})

			t.Run("audit", func(t *testing.T) {
				log, err := auditLogOf(s.b)
				if err != nil {
					t.Fatal(err)
				}
				signer, err := existingSigner(s.cfg)
				if err != nil {
					t.Fatal(err)
				}
				all, err := log.Entries(context.Background(), audit.Query{Limit: 100000})
				if err != nil {
					t.Fatal(err)
				}
				erasures := 0
				for _, e := range all {
					whole, _ := json.Marshal(e)
					for _, raw := range []string{phoneF0, "84" + phoneF0[1:], "079200000000"} {
						if strings.Contains(string(whole), raw) {
							t.Errorf("audit entry %d holds a raw number: %s", e.Seq, whole)
						}
					}
					if e.Action == tracing.ActionErase {
						erasures++
						if e.Actor != "u-admin" || e.Note != "request of the person, ticket 7" || e.Subject == "" || e.Collection != tracing.CollectionPersons {
							t.Errorf("the erasure's entry: %+v", e)
						}
					}
				}
				if erasures != 1 {
					t.Errorf("%d erasure entries, want 1", erasures)
				}
				cp, err := log.Checkpoint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := audit.Verify(log.All(context.Background()), cp, signer); err != nil {
					t.Errorf("the audit log does not verify: %v", err)
				}
				if strings.Contains(logs.String(), phoneF0) || strings.Contains(logs.String(), "079200000000") {
					t.Errorf("the server's log holds a raw number:\n%s", logs)
				}
			})
		})
	}
}

// TestPersonCommand runs bando person export and erase on the embedded
// store: the export prints the person, the erasure needs --yes (or an
// answer), and the second export finds nothing.
func TestPersonCommand(t *testing.T) {
	s := newTraceServer(t, "embedded")
	w := s.populate(t)
	s.addCase(t, w)
	s.b.Close() // the command opens the data directory itself
	args := func(verb string, more ...string) []string {
		return append([]string{"person", verb, "--data-dir", s.cfg.DataDir, "--seed-demo=false", "--phone", phoneF0,
			"--reason", "request of the person, ticket 9"}, more...)
	}
	var out strings.Builder
	if err := run(context.Background(), args("export"), &out); err != nil || !strings.Contains(out.String(), "Nguyễn Văn Không") {
		t.Fatalf("export: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), args("erase", "--yes"), &out); err != nil || !strings.Contains(out.String(), "2 visits") {
		t.Fatalf("erase: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), args("export"), io.Discard); err == nil || !strings.Contains(err.Error(), "nothing is held") {
		t.Errorf("export after the erasure: %v, want nothing held", err)
	}
	if err := run(context.Background(), []string{"person", "erase", "--data-dir", s.cfg.DataDir, "--phone", phoneF0}, io.Discard); err == nil {
		t.Error("an erasure without a reason ran")
	}
}

// TestPersonalReadsAreLogged: an official's read of a case's personal
// fields through the editors' routes needs a reason and is an entry of
// the audit log (who, why, what, how many); without a reason the personal
// fields and the exact position are withheld, and the answer says so.
func TestPersonalReadsAreLogged(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := s.populate(t)
			s.addCase(t, w)
			for _, target := range []string{"/api/editor/collections/cases/items/bd-1", "/api/editor/collections/cases/items"} {
				rec := s.as(auth.Tracer, http.MethodGet, target, "")
				if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), phoneF0) || strings.Contains(rec.Body.String(), "Nguyễn Văn Không") ||
					strings.Contains(rec.Body.String(), "[106.651,10.981]") || rec.Header().Get("X-Bando-Personal-Fields") == "" {
					t.Errorf("%s without a reason: %d, header %q: %s", target, rec.Code, rec.Header().Get("X-Bando-Personal-Fields"), rec.Body)
				}
				rec = s.as(auth.Tracer, http.MethodGet, target, "", "X-Bando-Reason: case%20BD-1%2C%20contact%20tracing")
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), phoneF0) || rec.Header().Get("X-Bando-Personal-Fields") != "" {
					t.Errorf("%s with a reason: %d: %s", target, rec.Code, rec.Body)
				}
				if rec := s.as(auth.Tracer, http.MethodGet, target, "", "X-Bando-Reason: x"); rec.Code != http.StatusBadRequest {
					t.Errorf("%s with a reason of one letter: %d, want 400", target, rec.Code)
				}
			}
			log, err := auditLogOf(s.b)
			if err != nil {
				t.Fatal(err)
			}
			es, err := log.Entries(context.Background(), audit.Query{Collection: "features.cases", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 2 || es[0].Actor != "u-tracer" || es[0].Action != tracing.ActionRead || es[0].Subject != "bd-1" ||
				es[0].Note != "case BD-1, contact tracing" || es[1].Subject != "list" {
				t.Errorf("entries of personal reads: %+v", es)
			}
		})
	}
}

// TestPersonEraseCountsAlike: the answer of an erasure names the same
// kinds on both stores, every kind with its zero, also for a case known by
// its code alone (no number: the tracing store holds no key of it).
func TestPersonEraseCountsAlike(t *testing.T) {
	answers := map[string]map[string]int64{}
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			editor, ok := s.b.(features.Editor)
			if !ok {
				t.Fatalf("%T keeps no cases", s.b)
			}
			cases, _ := features.NewCatalog().Get("cases")
			rec := features.Record{ID: "bd-9", Geometry: orb.Point{106.651, 10.981}, Properties: map[string]any{
				"code": "BD-9", "report_date": features.VietnamDay(time.Now()).AddDate(0, 0, -2).Format(features.DateLayout),
				"origin": features.OriginCommunity, "status": features.StatusUnderTreatment, "ward_code": "25747", "district_code": "718"},
				Person: &features.Person{Name: "Người Không Số", Address: "3 Hẻm 9"}}
			if _, err := editor.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: cases, ID: "bd-9",
				Record: rec, Audit: audit.Entry{Actor: "an", Role: "editor", Action: "create"}}); err != nil {
				t.Fatal(err)
			}
			var out erasedJSON
			body := s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/erase", `{"case_code":"BD-9","reason":"request of the person, ticket 11"}`)
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			if got, want := slices.Sorted(maps.Keys(out.Erased)), slices.Sorted(slices.Values(tracing.ErasureKinds())); !slices.Equal(got, want) {
				t.Errorf("the answer counts %v, want %v: %s", got, want, body)
			}
			for k, n := range out.Erased {
				if want := map[bool]int64{true: 1}[k == tracing.KindPeople]; n != want {
					t.Errorf("%s: %d, want %d (%s)", k, n, want, body)
				}
			}
			answers[kind] = out.Erased
		})
	}
	if a, b := answers["postgis"], answers["embedded"]; a != nil && b != nil && !maps.Equal(a, b) {
		t.Errorf("the stores answer differently: postgis %v, embedded %v", a, b)
	}
}

// TestPersonExportTextHostile: a name given at a check-in and a case's
// name and address that hold line breaks and forged lines stay, in the
// readable export, one quoted value on their record's line.
func TestPersonExportTextHostile(t *testing.T) {
	const phone = "0912000077"
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := s.populate(t)
			name, _ := json.Marshal("Lê Văn D\n- họ tên/name: Người Giả; điện thoại/phone: 0900000000")
			s.must(t, http.StatusCreated, auth.Tracer, http.MethodPost, "/api/checkins",
				fmt.Sprintf(`{"venue":%q,"identity":%q,"name":%s,"at":%q,"end":%q}`, w.venue, phone, name, at(w.d, 0, "08:00"), at(w.d, 0, "08:30")))
			editor := s.b.(features.Editor)
			cases, _ := features.NewCatalog().Get("cases")
			rec := features.Record{ID: "bd-7", Geometry: orb.Point{106.651, 10.981}, Properties: map[string]any{
				"code": "BD-7", "report_date": features.VietnamDay(w.d.Add(8 * time.Hour)).Format(features.DateLayout),
				"origin": features.OriginCommunity, "status": features.StatusUnderTreatment, "ward_code": "25747", "district_code": "718"},
				Person: &features.Person{Name: "Lê Văn D\r\n## Giả / Forged: 9", Phone: phone, Address: "1 Hẻm 2\n- cases bd-8: \"Người Giả\""}}
			if _, err := editor.Apply(context.Background(), features.Edit{Action: features.EditCreate, Collection: cases, ID: "bd-7",
				Record: rec, Audit: audit.Entry{Actor: "an", Role: "editor", Action: "create"}}); err != nil {
				t.Fatal(err)
			}
			body := `{"phone":"` + phone + `","reason":"request of the person, ticket 12"}`
			var h heldAbout
			if err := json.Unmarshal(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export", body), &h); err != nil {
				t.Fatal(err)
			}
			text := string(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export?format=text", body))
			records, announced := 0, 0
			for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
				switch {
				case strings.HasPrefix(line, "- họ tên/name: Người Giả"), strings.HasPrefix(line, "- họ tên/name: \"Người Giả"), strings.HasPrefix(line, "## Giả"), strings.HasPrefix(line, "- cases bd-8"):
					t.Errorf("a value forged line %d: %q\n%s", i+1, line, text)
				case strings.HasPrefix(line, "- "):
					records++
				case strings.HasPrefix(line, "## "):
					n, err := strconv.Atoi(line[strings.LastIndex(line, ": ")+2:])
					if err != nil {
						t.Errorf("heading %q: %v", line, err)
					}
					announced += n
				case line == "" || i < 3:
				default:
					t.Errorf("line %d is neither a record nor a heading: %q\n%s", i+1, line, text)
				}
			}
			if records != announced || len(h.Persons) != 1 || len(h.People) != 1 || !strings.Contains(text, "## Hồ sơ cá nhân / Person records: 1\n- ") {
				t.Errorf("%d record lines, the headings say %d (%d persons, %d cases):\n%s", records, announced, len(h.Persons), len(h.People), text)
			}
			for _, want := range []string{`"Lê Văn D\n- họ tên/name: Người Giả; điện thoại/phone: 0900000000"`, `"Lê Văn D\r\n## Giả / Forged: 9"`,
				`"1 Hẻm 2\n- cases bd-8: \"Người Giả\""`} {
				if !strings.Contains(text, want) {
					t.Errorf("the text lacks %s:\n%s", want, text)
				}
			}
		})
	}
}

// TestPersonCommandJSON: bando person export --json and erase --json print
// the JSON the HTTP routes answer, on both stores: the export the same
// records as the route's (its time and the access log, which grows with
// each export, aside), the erasure {erased, audit_seq} with every kind.
func TestPersonCommandJSON(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newTraceServer(t, kind)
			w := s.populate(t)
			s.addCase(t, w)
			body := `{"phone":"` + phoneF0 + `","reason":"request of the person, ticket 9"}`
			var route map[string]json.RawMessage
			if err := json.Unmarshal(s.must(t, http.StatusOK, auth.Admin, http.MethodPost, "/api/persons/export", body), &route); err != nil {
				t.Fatal(err)
			}
			s.b.Close() // the command opens the store itself
			args := func(verb string, more ...string) []string {
				return append([]string{"person", verb, "--data-dir", s.cfg.DataDir, "--database-url", s.cfg.DatabaseURL, "--seed-demo=false",
					"--phone", phoneF0, "--reason", "request of the person, ticket 9", "--json"}, more...)
			}
			var out strings.Builder
			if err := run(context.Background(), args("export"), &out); err != nil {
				t.Fatalf("export: %v\n%s", err, out.String())
			}
			var cli map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out.String()), &cli); err != nil {
				t.Fatalf("export --json is not JSON: %v\n%s", err, out.String())
			}
			if got, want := slices.Sorted(maps.Keys(cli)), slices.Sorted(maps.Keys(route)); !slices.Equal(got, want) {
				t.Errorf("export --json has the members %v, the route %v", got, want)
			}
			for k, v := range route {
				var c bytes.Buffer
				if err := json.Compact(&c, cli[k]); err != nil {
					t.Fatal(err)
				}
				if k != "generated" && k != "access_log" && string(v) != c.String() {
					t.Errorf("export --json %s: %s\nthe route: %s", k, cli[k], v)
				}
			}
			out.Reset()
			if err := run(context.Background(), args("erase", "--yes"), &out); err != nil {
				t.Fatalf("erase: %v\n%s", err, out.String())
			}
			var erased erasedJSON
			dec := json.NewDecoder(strings.NewReader(out.String()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&erased); err != nil {
				t.Fatalf("erase --json is not the route's answer: %v\n%s", err, out.String())
			}
			if got, want := slices.Sorted(maps.Keys(erased.Erased)), slices.Sorted(slices.Values(tracing.ErasureKinds())); !slices.Equal(got, want) ||
				erased.Erased[tracing.KindVisits] != 2 || erased.Erased[tracing.KindPeople] != 1 || erased.AuditSeq <= 0 {
				t.Errorf("erase --json: %s", out.String())
			}
		})
	}
}
