package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
)

// newServer mounts a handler over r at /api, with the server's error
// handler and its rules for the store's errors.
func newServer(r features.Reader) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Rules: []httpx.Rule{
			{Err: features.ErrNotFound, Status: http.StatusNotFound},
			{Err: features.ErrInvalid, Status: http.StatusBadRequest},
		},
	})
	NewHandler(Config{Reader: r, Catalog: features.NewCatalog(), Now: testNow}).Register(e.Group("/api"))
	return e
}

// testNow is the tests' clock: Monday 16 August 2021, 20:30 in Vietnam.
func testNow() time.Time { return time.Date(2021, 8, 16, 13, 30, 0, 0, time.UTC) }

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body does not decode: %v\n%s", err, rec.Body)
	}
	return v
}

func TestGolden(t *testing.T) {
	tests := []struct{ name, target, golden string }{
		{"nearby", "/api/nearby?lon=106.6528&lat=10.9804&radius=1500&limit=6", "nearby.json"},
		{"nearby polygons", "/api/nearby?lon=106.6528&lat=10.9804&layers=quarantine_zones,wards,districts", "nearby_areas.json"},
		{"search", "/api/search?q=thu%20dau%20mot", "search.json"},
	}
	e := newServer(fixtureReader())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.GetOK(t, e, tt.target)
			if ct := rec.Header().Get(echo.HeaderContentType); ct != echo.MIMEApplicationJSON {
				t.Errorf("Content-Type %q", ct)
			}
			testkit.Golden(t, filepath.Join("testdata", tt.golden), testkit.IndentJSON(t, rec.Body.Bytes()))
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		target string
		fail   error
		code   int
		reason string
	}{
		{"nearby without lon", "/api/nearby?lat=10.98", nil, 400, "lon is required"},
		{"nearby without lat", "/api/nearby?lon=106.65", nil, 400, "lat is required"},
		{"nearby lon not a number", "/api/nearby?lon=abc&lat=10.98", nil, 400, `"abc"`},
		{"nearby lon infinite", "/api/nearby?lon=Inf&lat=10.98", nil, 400, `"Inf"`},
		{"nearby lat NaN", "/api/nearby?lon=106.65&lat=NaN", nil, 400, `"NaN"`},
		{"nearby lon out of range", "/api/nearby?lon=186.65&lat=10.98", nil, 400, "lon: 186.65 is out of range"},
		{"nearby lat out of range", "/api/nearby?lon=106.65&lat=-90.5", nil, 400, "lat: -90.5 is out of range"},
		{"nearby radius zero", "/api/nearby?lon=106.65&lat=10.98&radius=0", nil, 400, "radius"},
		{"nearby radius negative", "/api/nearby?lon=106.65&lat=10.98&radius=-5", nil, 400, "radius"},
		{"nearby radius too large", "/api/nearby?lon=106.65&lat=10.98&radius=50001", nil, 400, "50000"},
		{"nearby radius not a number", "/api/nearby?lon=106.65&lat=10.98&radius=2km", nil, 400, `"2km"`},
		{"nearby limit zero", "/api/nearby?lon=106.65&lat=10.98&limit=0", nil, 400, "limit"},
		{"nearby limit too large", "/api/nearby?lon=106.65&lat=10.98&limit=201", nil, 400, "200"},
		{"nearby limit fractional", "/api/nearby?lon=106.65&lat=10.98&limit=2.5", nil, 400, `"2.5"`},
		{"nearby people layer", "/api/nearby?lon=106.65&lat=10.98&layers=markets,cases", nil, 400, `"cases" is about people`},
		{"nearby contacts layer", "/api/nearby?lon=106.65&lat=10.98&layers=contacts", nil, 400, "people"},
		{"nearby unknown layer", "/api/nearby?lon=106.65&lat=10.98&layers=banks", nil, 400, `"banks"`},
		{"nearby empty layer in list", "/api/nearby?lon=106.65&lat=10.98&layers=markets,", nil, 400, `""`},
		{"nearby repeated layer", "/api/nearby?lon=106.65&lat=10.98&layers=markets,markets", nil, 400, "twice"},
		{"nearby empty layers", "/api/nearby?lon=106.65&lat=10.98&layers=", nil, 400, "no value"},
		{"nearby unknown parameter", "/api/nearby?lon=106.65&lat=10.98&radius_m=100", nil, 400, `"radius_m"`},
		{"nearby repeated parameter", "/api/nearby?lon=106.65&lat=10.98&lat=10.99", nil, 400, "given 2 times"},
		{"nearby lon hex float", "/api/nearby?lon=0x1p3&lat=10.98", nil, 400, `lon: "0x1p3" is not a number`},
		{"nearby lon with underscore", "/api/nearby?lon=1_0&lat=10.98", nil, 400, `lon: "1_0" is not a number`},
		{"nearby lat with two signs", "/api/nearby?lon=106.65&lat=%2B-10", nil, 400, `lat: "+-10" is not a number`},
		{"nearby radius with underscore", "/api/nearby?lon=106.65&lat=10.98&radius=1_000", nil, 400, `"1_000"`},
		{"nearby store refuses", "/api/nearby?lon=106.65&lat=10.98", features.ErrInvalid, 400, "invalid"},
		{"nearby store fails", "/api/nearby?lon=106.65&lat=10.98", errors.New("pgx: secret_table timeout"), 500, "failed to answer"},
		{"search without q", "/api/search", nil, 400, "q is required"},
		{"search empty q", "/api/search?q=", nil, 400, "no value"},
		{"search one letter", "/api/search?q=%C4%91", nil, 400, "too short"},
		{"search punctuation only", "/api/search?q=%20-%20!", nil, 400, "too short"},
		{"search too long", "/api/search?q=" + strings.Repeat("a", 101), nil, 400, "longer than 100"},
		{"search limit too large", "/api/search?q=cho&limit=51", nil, 400, "limit"},
		{"search limit not a number", "/api/search?q=cho&limit=all", nil, 400, `"all"`},
		{"search unknown parameter", "/api/search?q=cho&layers=markets", nil, 400, `"layers"`},
		{"search store fails", "/api/search?q=cho", errors.New("pgx: secret_table timeout"), 500, "failed to answer"},
		{"search NUL byte", "/api/search?q=ch%00o", nil, 400, "not valid UTF-8"},
		{"search invalid UTF-8", "/api/search?q=ch%ffo", nil, 400, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			r.Fail(tt.fail)
			rec := testkit.Get(newServer(r), tt.target)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			body := decode[struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}](t, rec)
			if ct := rec.Header().Get("Content-Type"); ct != httpx.MIMEProblem {
				t.Errorf("Content-Type %q, want %s", ct, httpx.MIMEProblem)
			}
			if body.Status != tt.code || !strings.Contains(body.Detail, tt.reason) {
				t.Errorf("body %s, want code %d and a reason with %q", rec.Body, tt.code, tt.reason)
			}
			if strings.Contains(rec.Body.String(), "secret_table") {
				t.Errorf("internal error text reached the client: %s", rec.Body)
			}
		})
	}
}

type nearbyBody struct {
	Center [2]float64 `json:"center"`
	Radius float64    `json:"radius"`
	Places []struct {
		Collection string         `json:"collection"`
		ID         string         `json:"id"`
		Name       string         `json:"name"`
		DistanceM  float64        `json:"distance_m"`
		Properties map[string]any `json:"properties"`
	} `json:"places"`
}

func TestNearby(t *testing.T) {
	ids := func(cols []features.Collection) []string {
		var out []string
		for _, c := range cols {
			out = append(out, c.ID)
		}
		return out
	}
	defaultLayers := []string{"medical_facilities", "epidemic_points", "lockdown_points", "emergency_stations",
		"markets", "shopping_centres", "convenience_stores", "mask_sale_points", "supermarkets", "petrol_stations"}
	tests := []struct {
		name   string
		target string
		layers []string
		radius float64
		limit  int
		places []string
	}{
		{"defaults", "/api/nearby?lon=106.6528&lat=10.9804", defaultLayers, DefaultRadiusM, DefaultNearbyLimit,
			// Distances by haversine: cs-1 70 m, mk-1 138, ep-1 186, lp-1 265, ms-1 312,
			// ps-1 487, es-1 638, mk-4 733, sm-1 802, mf-1 836, mf-2 1653, mk-3 1935; mk-2 2297 is out.
			[]string{"cs-1", "mk-1", "ep-1", "lp-1", "ms-1", "ps-1", "es-1", "mk-4", "sm-1", "mf-1", "mf-2", "mk-3"}},
		{"one layer", "/api/nearby?lon=106.6528&lat=10.9804&layers=markets", []string{"markets"}, DefaultRadiusM, DefaultNearbyLimit,
			[]string{"mk-1", "mk-4", "mk-3"}},
		{"small radius", "/api/nearby?lon=106.6528&lat=10.9804&radius=100&layers=markets,convenience_stores", []string{"markets", "convenience_stores"}, 100, DefaultNearbyLimit,
			[]string{"cs-1"}},
		{"limit", "/api/nearby?lon=106.6528&lat=10.9804&limit=2", defaultLayers, DefaultRadiusM, 2,
			[]string{"cs-1", "mk-1"}},
		{"wide radius", "/api/nearby?lon=106.6528&lat=10.9804&radius=50000&layers=markets", []string{"markets"}, MaxRadiusM, DefaultNearbyLimit,
			[]string{"mk-1", "mk-4", "mk-3", "mk-2", "mk-5"}},
		{"nothing near", "/api/nearby?lon=0&lat=0", defaultLayers, DefaultRadiusM, DefaultNearbyLimit, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			rec := testkit.Get(newServer(r), tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			q := r.LastNearby()
			if got := ids(q.Collections); !slices.Equal(got, tt.layers) || q.RadiusM != tt.radius || q.Limit != tt.limit {
				t.Errorf("store got layers %v radius %g limit %d", got, q.RadiusM, q.Limit)
			}
			body := decode[nearbyBody](t, rec)
			var got []string
			for i, p := range body.Places {
				got = append(got, p.ID)
				if p.DistanceM != float64(int(p.DistanceM)) {
					t.Errorf("%s: distance %v is not rounded to the metre", p.ID, p.DistanceM)
				}
				if i > 0 && p.DistanceM < body.Places[i-1].DistanceM {
					t.Errorf("%s is nearer than the place before it", p.ID)
				}
			}
			if !slices.Equal(got, tt.places) {
				t.Errorf("places %v, want %v", got, tt.places)
			}
			if body.Places == nil {
				t.Error("places must be an array, never null")
			}
		})
	}
}

func TestSearch(t *testing.T) {
	tests := []struct {
		name    string
		q       string
		results []string
	}{
		{"accents ignored", "thu dau mot", []string{"718", "mk-1", "ms-1", "ps-1"}},
		{"accents given", "Thủ Dầu Một", []string{"718", "mk-1", "ms-1", "ps-1"}},
		{"capitals and spacing", "  THU   DAU  ", []string{"718", "mk-1", "ms-1", "ps-1"}},
		{"đ folds to d", "cho dinh", []string{"mk-4"}},
		{"wards first, then shorter names", "phu cuong", []string{"25747", "qz-1", "mf-2", "cs-1"}},
		{"names that start with the query first", "cho", []string{"mk-4", "mk-5", "mk-2", "mk-3", "mk-1"}},
		{"no match", "hà nội", nil},
		{"people are never searched", "PRIVATE NAME", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			rec := testkit.Get(newServer(r), "/api/search?q="+strings.ReplaceAll(tt.q, " ", "%20"))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			for _, col := range r.LastSearch().Collections {
				if col.People {
					t.Errorf("search asked the store for people layer %s", col.ID)
				}
			}
			body := decode[struct {
				Query   string `json:"query"`
				Results []struct {
					ID   string     `json:"id"`
					BBox [4]float64 `json:"bbox"`
				} `json:"results"`
			}](t, rec)
			var got []string
			for _, res := range body.Results {
				got = append(got, res.ID)
				if res.BBox[0] > res.BBox[2] || res.BBox[1] > res.BBox[3] {
					t.Errorf("%s: bbox %v is upside down", res.ID, res.BBox)
				}
			}
			if !slices.Equal(got, tt.results) {
				t.Errorf("results %v, want %v", got, tt.results)
			}
			if body.Query != strings.TrimSpace(tt.q) {
				t.Errorf("query %q", body.Query)
			}
		})
	}
}

func TestHead(t *testing.T) {
	e := newServer(fixtureReader())
	for _, target := range []string{"/api/nearby?lon=106.65&lat=10.98", "/api/search?q=cho"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, target, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("HEAD %s: status %d", target, rec.Code)
		}
	}
}

func TestSearchLimit(t *testing.T) {
	r := fixtureReader()
	rec := testkit.Get(newServer(r), "/api/search?q=cho&limit=2")
	if rec.Code != http.StatusOK || r.LastSearch().Limit != 2 {
		t.Fatalf("status %d, store limit %d", rec.Code, r.LastSearch().Limit)
	}
	testkit.Get(newServer(r), "/api/search?q=cho")
	if r.LastSearch().Limit != DefaultSearchLimit {
		t.Errorf("default limit %d, want %d", r.LastSearch().Limit, DefaultSearchLimit)
	}
}

// TestSearchLengthCountsComposed checks that the length limit counts the
// characters of the query in NFC: a query typed with combining accents (as
// macOS and some Vietnamese keyboards send it) is not penalised, and the
// store gets the composed text.
func TestSearchLengthCountsComposed(t *testing.T) {
	const composed, decomposed = "ộ", "o\u0323\u0302" // the same letter, 1 rune and 3
	tests := []struct {
		name  string
		q     string
		ok    bool
		store string
	}{
		{"composed at the limit", strings.Repeat(composed, MaxQueryRunes), true, strings.Repeat(composed, MaxQueryRunes)},
		{"decomposed at the limit", strings.Repeat(decomposed, MaxQueryRunes), true, strings.Repeat(composed, MaxQueryRunes)},
		{"decomposed short", "M" + decomposed + "t", true, "M" + composed + "t"},
		{"composed over the limit", strings.Repeat(composed, MaxQueryRunes+1), false, ""},
		{"decomposed over the limit", strings.Repeat(decomposed, MaxQueryRunes+1), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			rec := testkit.Get(newServer(r), "/api/search?q="+url.QueryEscape(tt.q))
			if !tt.ok {
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "longer than 100") {
					t.Errorf("status %d, want 400 longer than 100: %s", rec.Code, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if r.LastSearch().Text != tt.store {
				t.Errorf("store got %q, want the composed %q", r.LastSearch().Text, tt.store)
			}
			if q := decode[searchResponse](t, rec).Query; q != tt.store {
				t.Errorf("response query %q, want %q", q, tt.store)
			}
		})
	}
}
