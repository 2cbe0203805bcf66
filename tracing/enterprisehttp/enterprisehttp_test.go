package enterprisehttp_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/embedded"
	"github.com/bandomap/bando/tracing/enterprisehttp"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/bandomap/bando/tracing/storetest"
	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"
)

// now is the handler's and the stores' clock: 20 November 2026, 10:00 in
// Vietnam.
var now = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// opened is a roster store under test, its access log and the audit
// log both write to.
type opened struct {
	rosters   tracing.Rosters
	accessLog tracing.AccessLog
	log       audit.Log
}

// stores open the two real roster stores, audited.
var stores = []struct {
	name string
	open func(t *testing.T) opened
}{
	{"embedded", func(t *testing.T) opened {
		db, err := bolt.Open(t.TempDir()+"/bando.db", 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		signer := audittest.Signer(t)
		s, err := embedded.New(db, tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now }), AuditSigner: signer})
		if err != nil {
			t.Fatal(err)
		}
		return opened{s, s.AccessLog(signer), auditbolt.NewLog(db)}
	}},
	{"postgis", func(t *testing.T) opened {
		fs, _ := pgtest.NewStore(t)
		signer := audittest.Signer(t)
		s := postgis.New(fs.Pool(), tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now }), AuditSigner: signer})
		return opened{s, s.AccessLog(signer), auditpg.NewLog(fs.Pool())}
	}},
}

// principalHeader carries the test's principal, "user,role[,enterprise]",
// which testPrincipal puts on the context as auth/authhttp does.
const principalHeader = "X-Test-Principal"

func testPrincipal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if v := c.Request().Header.Get(principalHeader); v != "" {
			parts := append(strings.Split(v, ","), "")
			p := auth.Principal{User: parts[0], Role: auth.Role(parts[1]), Enterprise: parts[2], Via: "token"}
			c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
		}
		return next(c)
	}
}

// Principals of the tests.
const (
	nobody = ""
	admin  = "an,admin"
	editor = "binh,editor"
	tracer = "chi,tracer"
	viewer = "dung,viewer"
	entA   = "em,enterprise,ent-a"
	entB   = "gia,enterprise,ent-b"
)

type server struct {
	t   *testing.T
	e   *echo.Echo
	log audit.Log
}

func newServer(t *testing.T, o opened) *server {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Use(testPrincipal)
	enterprisehttp.NewHandler(enterprisehttp.Config{Rosters: o.rosters, Keys: keys, Now: func() time.Time { return now },
		Require: authhttp.Require, AccessLog: o.accessLog}).Register(e.Group("/api"))
	return &server{t: t, e: e, log: o.log}
}

// answer is a response with its body decoded.
type answer struct {
	status int
	body   map[string]any
	raw    string
}

func (s *server) do(method, target, who, body string) answer {
	s.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	}
	if who != "" {
		req.Header.Set(principalHeader, who)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	a := answer{status: rec.Code, raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

func (s *server) want(what string, a answer, status int) {
	s.t.Helper()
	if a.status != status {
		s.t.Errorf("%s: status %d, want %d\n%s", what, a.status, status, a.raw)
	}
}

const roster = storetest.RosterHeader + "\n" +
	"NV1,Nguyễn Văn An,0912000001,,1 Đường ĐT743,Nhà trọ Hoa Mai,P01,25747,106.65,10.98,Xưởng A,Chuyền 1,Ca 1,Tuyến 01\n" +
	"NV2,Trần Thị Bình,0912000002,074123456789,1 Đường ĐT743,Nhà trọ Hoa Mai,P02,25747,106.65,10.98,Xưởng A,Chuyền 2,Ca 1,Tuyến 01\n"

// TestRosterRoutes runs the routes on both stores.
func TestRosterRoutes(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := newServer(t, st.open(t))
			testImport(t, s)
			testReads(t, s)
			testRoles(t, s)
			testAudit(t, s)
		})
	}
}

func testImport(t *testing.T, s *server) {
	const imp = "/api/enterprises/ent-a/workers:import"
	bad := roster + "NV3,Lê Văn Cường,12345,,,,,,,,,,,\nNV1,Nguyễn Văn An,0912000009,,,,,,,,,,,\n"
	a := s.do(http.MethodPost, imp+"?as_of=2026-11-18", entA, bad)
	s.want("a bad file", a, http.StatusUnprocessableEntity)
	if errs, _ := a.body["errors"].([]any); len(errs) != 2 || errs[0].(map[string]any)["line"] != 4.0 ||
		errs[0].(map[string]any)["field"] != "phone" || errs[1].(map[string]any)["line"] != 5.0 {
		t.Errorf("a bad file's problems: %s", a.raw)
	}
	if a := s.do(http.MethodGet, "/api/enterprises/ent-a/workers", entA, ""); len(a.body["workers"].([]any)) != 0 {
		t.Errorf("after a bad file: %s", a.raw)
	}
	for _, tc := range []struct {
		name, query string
		status      int
		want        string
	}{
		{"first", "?as_of=2026-11-18", 200, `{"added":2,"changed":0,"unchanged":0,"left":0}`},
		{"the same file again", "?as_of=2026-11-18", 200, `{"added":0,"changed":0,"unchanged":2,"left":0}`},
		{"today by default", "", 200, `{"added":0,"changed":0,"unchanged":2,"left":0}`},
		{"an earlier day", "?as_of=2026-11-19", 409, ""},
		{"a bad day", "?as_of=18/11/2026", 400, ""},
		{"a bad partial", "?partial=yes", 400, ""},
		{"an unknown parameter", "?mode=replace", 400, ""},
	} {
		a := s.do(http.MethodPost, imp+tc.query, entA, roster)
		s.want(tc.name, a, tc.status)
		if tc.want != "" && strings.TrimSpace(a.raw) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, a.raw, tc.want)
		}
	}
	moved := strings.Replace(roster, "P02", "P07", 1)
	partial := strings.Join(strings.Split(moved, "\n")[:1], "\n") + "\n" + strings.Split(moved, "\n")[2] + "\n"
	if a := s.do(http.MethodPost, imp+"?partial=true", entA, partial); strings.TrimSpace(a.raw) != `{"added":0,"changed":1,"unchanged":0,"left":0}` {
		t.Errorf("a partial file: %d %s", a.status, a.raw)
	}
	req := httptest.NewRequest(http.MethodPost, imp, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(principalHeader, entA)
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a JSON body: %d", rec.Code)
	}
}

func testReads(t *testing.T, s *server) {
	a := s.do(http.MethodGet, "/api/enterprises/ent-a/workers?at=2026-11-19", entA, "")
	s.want("the roster on the 19th", a, 200)
	ws, _ := a.body["workers"].([]any)
	if len(ws) != 2 || a.body["day"] != "2026-11-19" {
		t.Fatalf("the roster on the 19th: %s", a.raw)
	}
	w := ws[1].(map[string]any)
	res := w["residence"].(map[string]any)
	if w["employee_id"] != "NV2" || w["name"] != "Trần Thị Bình" || w["phone"] != "0912000002" || res["room"] != "P02" ||
		res["lon"] != 106.65 || w["valid_from"] != "2026-11-18" || w["valid_to"] != "2026-11-20" || len(w["person"].(string)) != 64 {
		t.Errorf("NV2 on the 19th: %v", w)
	}
	a = s.do(http.MethodGet, "/api/enterprises/ent-a/workers?reason=ca+BN-1234", tracer, "")
	if ws, _ := a.body["workers"].([]any); len(ws) != 2 || ws[1].(map[string]any)["residence"].(map[string]any)["room"] != "P07" {
		t.Errorf("today's roster: %s", a.raw)
	}
	a = s.do(http.MethodGet, "/api/enterprises/ent-a/workers/NV2", entA, "")
	if ps, _ := a.body["periods"].([]any); a.status != 200 || len(ps) != 2 {
		t.Errorf("NV2's history: %d %s", a.status, a.raw)
	}
	s.want("an unknown worker", s.do(http.MethodGet, "/api/enterprises/ent-a/workers/NV9", entA, ""), 404)
	s.want("a bad time", s.do(http.MethodGet, "/api/enterprises/ent-a/workers?at=yesterday", entA, ""), 400)
	// Paging: one worker a page, the cursor walks NV1 then NV2.
	a = s.do(http.MethodGet, "/api/enterprises/ent-a/workers?at=2026-11-19&limit=1", entA, "")
	if ws, _ := a.body["workers"].([]any); a.status != 200 || len(ws) != 1 || ws[0].(map[string]any)["employee_id"] != "NV1" ||
		a.body["total"] != 2.0 || a.body["next"] != "?after=NV1&at=2026-11-19&limit=1" {
		t.Errorf("page 1: %d %s", a.status, a.raw)
	}
	a = s.do(http.MethodGet, "/api/enterprises/ent-a/workers"+a.body["next"].(string), entA, "")
	if ws, _ := a.body["workers"].([]any); a.status != 200 || len(ws) != 1 || ws[0].(map[string]any)["employee_id"] != "NV2" || a.body["next"] != nil {
		t.Errorf("page 2: %d %s", a.status, a.raw)
	}
	for _, bad := range []string{"limit=0", "limit=10001", "limit=x", "after=a%20b", "page=2"} {
		s.want("paging "+bad, s.do(http.MethodGet, "/api/enterprises/ent-a/workers?"+bad, entA, ""), 400)
	}
	a = s.do(http.MethodGet, "/api/enterprises", admin, "")
	if es, _ := a.body["enterprises"].([]any); a.status != 200 || len(es) != 1 || es[0].(map[string]any)["workers"] != 2.0 ||
		es[0].(map[string]any)["last_as_of"] != "2026-11-20" {
		t.Errorf("enterprises: %d %s", a.status, a.raw)
	}
}

func testRoles(t *testing.T, s *server) {
	for _, tc := range []struct {
		method, target, who string
		status              int
	}{
		{"POST", "/api/enterprises/ent-a/workers:import", nobody, 401},
		{"GET", "/api/enterprises/ent-a/workers", nobody, 401},
		{"GET", "/api/enterprises/ent-a/workers/NV1", nobody, 401},
		{"GET", "/api/enterprises", nobody, 401},
		{"POST", "/api/enterprises/ent-a/workers:import", viewer, 403},
		{"GET", "/api/enterprises/ent-a/workers", viewer, 403},
		{"POST", "/api/enterprises/ent-a/workers:import", entB, 403},
		{"GET", "/api/enterprises/ent-a/workers", entB, 403},
		{"GET", "/api/enterprises/ent-a/workers/NV1", entB, 403},
		{"GET", "/api/enterprises", entA, 403},
		{"GET", "/api/enterprises", tracer, 403},
		{"GET", "/api/enterprises/ent-a/workers/NV1", editor, 403}, // rosters are personal data: tracers, not map editors
		{"GET", "/api/enterprises/ent-a/workers", tracer, 400},     // no reason
		{"GET", "/api/enterprises/ent-a/workers?reason=x", admin, 400},
		{"GET", "/api/enterprises/ent-a/workers/NV1", tracer, 400},
		{"POST", "/api/enterprises/ent-b/workers:import", entB, 200},
		{"POST", "/api/enterprises/ent-b/workers%3Aimport", entB, 200},
		{"POST", "/api/enterprises/ent-b/workers%3aimport", entB, 200},
		{"POST", "/api/enterprises/ent-a/workers%3Aimport", entB, 403},
		{"GET", "/api/enterprises/ent-b/workers", entB, 200},
		{"POST", "/api/enterprises/ent-a/workers", entA, 405},
		{"GET", "/api/enterprises/ent-a/workers:import", entA, 405},
	} {
		body := ""
		if tc.method == http.MethodPost {
			body = roster
		}
		s.want(tc.method+" "+tc.target+" as "+tc.who, s.do(tc.method, tc.target, tc.who, body), tc.status)
	}
	if a := s.do(http.MethodGet, "/api/enterprises/ent-a/workers", entA, ""); len(a.body["workers"].([]any)) != 2 {
		t.Errorf("A's roster after B's attempts: %s", a.raw)
	}
}

// testAudit: the imports are in the audit log, one entry each (written by
// the store in the import's transaction); an official's read of a roster
// is an entry naming its reason, an enterprise's read of its own none.
func testAudit(t *testing.T, s *server) {
	imports, err := s.log.Entries(t.Context(), audit.Query{Collection: tracing.CollectionWorkers})
	if err != nil {
		t.Fatal(err)
	}
	// ent-a: the first file, the same again, today, the partial; ent-b:
	// three uploads; refused uploads none.
	if len(imports) != 7 || imports[0].Subject != "ent-a" || imports[0].Actor != "em" ||
		!strings.Contains(string(imports[0].After), `"as_of":"2026-11-18","partial":false,"rows":2,"added":2`) {
		t.Errorf("%d import entries: %+v", len(imports), imports)
	}
	reads := func() []audit.Entry {
		es, err := s.log.Entries(t.Context(), audit.Query{Collection: "tracing.workers"})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	before := reads()
	if len(before) != 1 || before[0].Actor != "chi" || before[0].Note != "ca BN-1234" || before[0].Action != tracing.ActionRead ||
		!strings.Contains(string(before[0].After), `"count":2`) {
		t.Fatalf("read entries after testReads: %+v", before)
	}
	s.want("a read by its enterprise", s.do(http.MethodGet, "/api/enterprises/ent-a/workers/NV1", entA, ""), 200)
	req := httptest.NewRequest(http.MethodGet, "/api/enterprises/ent-a/workers/NV1", nil)
	req.Header.Set(principalHeader, admin)
	req.Header.Set(enterprisehttp.ReasonHeader, "ổ dịch KCN Sóng Thần")
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("an admin's read with a reason: %d %s", rec.Code, rec.Body)
	}
	after := reads()
	if len(after) != 2 || after[1].Actor != "an" || after[1].Subject != "ent-a/NV1" || after[1].Note != "ổ dịch KCN Sóng Thần" {
		t.Errorf("read entries: %+v", after)
	}
}

// TestImportIgnoresUnknownColumn: a roster with a column no one reads is
// imported, the column named in the answer's warnings.
func TestImportIgnoresUnknownColumn(t *testing.T) {
	s := newServer(t, stores[0].open(t))
	extra := strings.Replace(roster, "\n", ",lương\n", 1)
	extra = strings.ReplaceAll(extra, "Tuyến 01\n", "Tuyến 01,9000000\n")
	a := s.do(http.MethodPost, "/api/enterprises/ent-a/workers:import?as_of=2026-11-18", entA, extra)
	s.want("a file with an extra column", a, 200)
	ws, _ := a.body["warnings"].([]any)
	if a.body["added"] != 2.0 || len(ws) != 1 || ws[0].(map[string]any)["field"] != "lương" || ws[0].(map[string]any)["line"] != 1.0 {
		t.Errorf("the answer: %s", a.raw)
	}
}
