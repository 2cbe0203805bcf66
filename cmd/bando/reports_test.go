package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/demo"
)

// TestDailyReportRoutes: the daily report is imported by editors of the
// province only, a bad file is refused whole with its line and column, the
// same file twice changes nothing, and both are audited; a ward's risk
// level is overridden by an editor with a reason, shown to the public for
// the days it applies.
func TestDailyReportRoutes(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t)
			b := signedStore(t, kind)
			if _, err := seed(context.Background(), b, demo.Options{Scale: demo.ScaleDemo, Seed: 1}); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			authn, err := newAuthenticator(cfg, b, log)
			if err != nil {
				t.Fatal(err)
			}
			s := &authServer{e: newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics(), auth: authn}), store: authn.Store()}
			editor, viewer, admin := s.tokenOf(t, "editor1", auth.Editor), s.tokenOf(t, "viewer1", auth.Viewer), s.tokenOf(t, "admin1", auth.Admin)
			district := districtToken(t, s, "editor718", "718")
			var risk struct {
				Wards []struct {
					Ward, District string
					Level          int
					Overridden     bool
					Reason         string
				} `json:"wards"`
			}
			rec := s.call(http.MethodGet, "/api/bulletin/ward-risk?date=2021-12-21", "")
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &risk) != nil || len(risk.Wards) == 0 {
				t.Fatalf("ward risk: %d %.300s", rec.Code, rec.Body)
			}
			ward, other := risk.Wards[0].Ward, ""
			for _, w := range risk.Wards {
				if w.District != "718" {
					other = w.Ward
				}
			}
			good := "date,level,code,cases_lockdown_area,mobile_stations\n2021-12-21,province,,55,162\n2021-12-21,district,718,9,\n"
			bad := good + "2021-12-22,district,718,x,\n"
			csv := func(body, token string) *responseLike {
				h := []string{"Content-Type: text/csv"}
				if token != "" {
					h = append(h, "Authorization: Bearer "+token)
				}
				return respond(s.callRaw(http.MethodPost, "/api/editor/reports/import", body, h...))
			}
			imports := []struct {
				name, token, body string
				status            int
				want              string
			}{
				{"nobody", "", good, http.StatusUnauthorized, ""},
				{"a viewer", viewer, good, http.StatusForbidden, ""},
				{"a district's editor", district, good, http.StatusForbidden, "province"},
				{"a bad line", editor, bad, http.StatusUnprocessableEntity, `{"field":"cases_lockdown_area","line":4,`},
				{"an editor", editor, good, http.StatusOK, `{"new":2,"updated":0,"unchanged":0}`},
				{"the same file again", admin, good, http.StatusOK, `{"new":0,"updated":0,"unchanged":2}`},
			}
			for _, tt := range imports {
				r := csv(tt.body, tt.token)
				if r.status != tt.status || !strings.Contains(r.body, tt.want) {
					t.Errorf("import, %s: %d %s; want %d with %s", tt.name, r.status, r.body, tt.status, tt.want)
				}
			}
			rec = s.call(http.MethodGet, "/api/bulletin/daily?date=2021-12-22", "")
			if !strings.Contains(rec.Body.String(), `"date":"2021-12-22"`) || strings.Contains(rec.Body.String(), `"cases_from":"report"`) {
				t.Errorf("the refused file's line of 22 Dec was imported: %.300s", rec.Body)
			}
			rec = s.call(http.MethodGet, "/api/bulletin/daily?date=2021-12-21", "")
			if !strings.Contains(rec.Body.String(), `"mobile_stations":162`) {
				t.Errorf("daily of 21 Dec: %.300s", rec.Body)
			}
			path := "/api/editor/ward-risk/" + ward
			overrides := []struct {
				name, path, token, body string
				status                  int
			}{
				{"nobody", path, "", `{"level":4,"reason":"ổ dịch ở chợ"}`, http.StatusUnauthorized},
				{"a viewer", path, viewer, `{"level":4,"reason":"ổ dịch ở chợ"}`, http.StatusForbidden},
				{"no reason", path, editor, `{"level":4}`, http.StatusUnprocessableEntity},
				{"level 5", path, editor, `{"level":5,"reason":"x"}`, http.StatusUnprocessableEntity},
				{"a bad until", path, editor, `{"level":4,"reason":"x","until":"22/12/2021"}`, http.StatusBadRequest},
				{"unknown member", path, editor, `{"level":4,"reason":"x","why":1}`, http.StatusBadRequest},
				{"unknown ward", "/api/editor/ward-risk/99999", editor, `{"level":4,"reason":"x"}`, http.StatusNotFound},
				{"another district's ward", "/api/editor/ward-risk/" + other, district, `{"level":4,"reason":"x"}`, http.StatusForbidden},
				{"an editor", path, editor, `{"level":4,"reason":"ổ dịch ở chợ","from":"2021-12-20","until":"2021-12-21"}`, http.StatusOK},
			}
			for _, tt := range overrides {
				h := []string{}
				if tt.token != "" {
					h = append(h, "Authorization: Bearer "+tt.token)
				}
				if rec := s.call(http.MethodPut, tt.path, tt.body, h...); rec.Code != tt.status {
					t.Errorf("override, %s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
				}
			}
			for date, want := range map[string]bool{"2021-12-21": true, "2021-12-22": false} {
				rec = s.call(http.MethodGet, "/api/bulletin/ward-risk?date="+date, "")
				_ = json.Unmarshal(rec.Body.Bytes(), &risk)
				w := risk.Wards[0]
				if w.Ward != ward || w.Overridden != want || (want && (w.Level != 4 || w.Reason != "ổ dịch ở chợ")) {
					t.Errorf("ward %s on %s: %+v, overridden want %v", ward, date, w, want)
				}
			}
			rec = s.call(http.MethodGet, "/api/audit?limit=1000", "", "Authorization: Bearer "+admin)
			body := rec.Body.String()
			if strings.Count(body, `"collection":"daily_reports"`) != 1 || !strings.Contains(body, `"risk.override"`) {
				t.Errorf("audit: one import (the second changed nothing) and the override, got %d imports: %.300s", strings.Count(body, `"collection":"daily_reports"`), body)
			}
		})
	}
}

// districtToken makes a district's editor and returns its token.
func districtToken(t *testing.T, s *authServer, name, district string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := auth.AddUser(ctx, s.store, auth.NewUser{Name: name, Role: auth.Editor, District: district}, auth.Actor{Name: "cli:test"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := auth.CreateToken(ctx, s.store, auth.TokenRequest{User: name, TTL: time.Hour}, time.Now(), auth.Actor{Name: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// responseLike is a response's status and body.
type responseLike struct {
	status int
	body   string
}

func respond(rec interface{ Result() *http.Response }) *responseLike {
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return &responseLike{status: res.StatusCode, body: string(b)}
}

// callRaw is call with the request's headers as given, none set for it.
func (s *authServer) callRaw(method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	return rec
}

// TestImportReportCLI: bando import report records a file once, refuses a
// bad one whole naming its line and column, and says so.
func TestImportReportCLI(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BANDO_DATABASE_URL", "")
	t.Setenv("BANDO_DATA_DIR", dir)
	t.Setenv("BANDO_SECRET", strings.Repeat("ab", 32))
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	body := "date,level,code,deaths,treating_home\n2021-12-21,province,,10,8800\n"
	if err := os.WriteFile(good, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(body+"2021-12-22,province,,ten,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, want string
		fails      bool
	}{
		{bad, "line 3, column deaths", true},
		{good, "1 new rows, 0 updated, 0 unchanged", false},
		{good, "0 new rows, 0 updated, 1 unchanged", false},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := run(context.Background(), []string{"import", "report", tt.file}, &out)
		got := out.String()
		if err != nil {
			got = err.Error()
		}
		if (err != nil) != tt.fails || !strings.Contains(got, tt.want) {
			t.Errorf("import report %s: %q, %v; want %q", filepath.Base(tt.file), got, err, tt.want)
		}
	}
}
