package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// seededServer is a running server on a store seeded with the demo province.
type seededServer struct {
	url   string
	store backend
	cellM float64
}

// stores are the two stores every API behaviour test runs against.
func stores() []string { return []string{"postgis", "embedded"} }

// newSeededServer starts a server on a fresh store of the given kind seeded
// with the demo province; both end with the test.
func newSeededServer(t *testing.T, kind string) *seededServer {
	t.Helper()
	cfg := testConfig(t)
	b := seededStore(t, kind, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: b, log: log, metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	return &seededServer{url: srv.URL, store: b, cellM: cfg.GeomaskMetres}
}

// seededStore opens a fresh store of the given kind, with the default
// geomask cell, holding the demo province of a seed; it ends with the test.
func seededStore(t *testing.T, kind string, seedN int64) backend {
	t.Helper()
	ctx := context.Background()
	var b backend
	switch kind {
	case "postgis":
		s, _ := pgtest.NewStore(t)
		b = s
	case "embedded":
		s, err := embedded.Open(ctx, embedded.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		b = s
	default:
		t.Fatalf("no store %q", kind)
	}
	if _, err := seed(ctx, b, demo.Options{Scale: demo.ScaleDemo, Seed: seedN}); err != nil {
		t.Fatalf("seed %s: %v", kind, err)
	}
	return b
}

// TestSeededServer runs every API behaviour test against both stores, each
// seeded once with the demo province.
func TestSeededServer(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newSeededServer(t, kind)
			t.Run("contract", func(t *testing.T) { testContract(t, s) })
			t.Run("bulletin of 5 July", func(t *testing.T) { testBulletinOfJuly5(t, s) })
			t.Run("search without accents", func(t *testing.T) { testSearchWithoutAccents(t, s) })
			t.Run("privacy", func(t *testing.T) { testNoPublicResponseRevealsAPerson(t, s) })
			t.Run("GDAL", func(t *testing.T) { testGDALReadsTheOGCService(t, s) })
			t.Run("unclean text refused", func(t *testing.T) { testUncleanTextIsRefused(t, s) })
			t.Run("GDAL time", func(t *testing.T) { testGDALReadsTimeAndDatetime(t, s) })
			t.Run("GDAL MVT", func(t *testing.T) { testGDALOpensATile(t, s) })
			t.Run("OWSLib", func(t *testing.T) { testOWSLibReadsTheOGCService(t, s) })
			t.Run("OpenAPI lint", func(t *testing.T) { testOpenAPILint(t, s) })
			t.Run("TileJSON 3.0.0", func(t *testing.T) { testTileJSON(t, s) })
		})
	}
}

func testConfig(t *testing.T) *Config {
	t.Helper()
	c := &Config{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	nums := bindConfig(fs, c, func(string) string { return "" })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.parseNumbers(nums); err != nil {
		t.Fatal(err)
	}
	c.DataDir = t.TempDir()
	return c
}

func getJSON(t *testing.T, u string, into any) int {
	t.Helper()
	res, body := do(t, http.MethodGet, u)
	if into != nil && len(body) > 0 && res.StatusCode < 300 {
		if err := json.Unmarshal([]byte(body), into); err != nil {
			t.Fatalf("GET %s: %v in %s", u, err, body)
		}
	}
	return res.StatusCode
}

func testContract(t *testing.T, s *seededServer) {
	tile := maptile.At(orb.Point{106.66, 10.98}, 11)
	tests := []struct {
		name, path string
		status     int
	}{
		{"health", "/healthz", 200},
		{"ready", "/readyz", 200},
		{"metrics only on the operators' listener", "/metrics", 404},
		{"composite tile", fmt.Sprintf("/tiles/cases,markets,quarantine_zones/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y), 200},
		{"empty tile", "/tiles/markets/14/0/0.mvt", 204},
		{"tile json", "/tiles/cases,markets.json", 200},
		{"style", "/style.json", 200},
		{"style of a day", "/style.json?date=2021-07-05", 200},
		{"style of a bad date", "/style.json?date=bad", 400},
		{"zoom out of range", "/tiles/cases/31/0/0.mvt", 400},
		{"x out of range", "/tiles/cases/2/4/0.mvt", 400},
		{"unknown layer", "/tiles/people/2/1/1.mvt", 404},
		{"repeated layer", "/tiles/cases,cases/2/1/1.mvt", 400},
		{"ogc landing", "/ogc", 200},
		{"ogc unknown collection", "/ogc/collections/nope/items", 404},
		{"ogc unknown parameter", "/ogc/collections/markets/items?colour=red", 400},
		{"stats", "/api/stats?date=2021-07-05", 200},
		{"stats bad date", "/api/stats?date=5/7/2021", 400},
		{"nearby", "/api/nearby?lon=106.66&lat=10.98&radius=3000", 200},
		{"nearby people refused", "/api/nearby?lon=106.66&lat=10.98&layers=cases", 400},
		{"search", "/api/search?q=thu+dau+mot", 200},
		{"web map", "/", 200},
		{"embed", "/embed", 200},
		{"embed of every layer", "/embed?layers=" + strings.Join(features.NewCatalog().IDs(), ",") + "&z=10&c=106.65,11.1&lang=en", 200},
		{"embed of an unknown layer", "/embed?layers=cases,people", 400},
		{"embed of an endless zoom", "/embed?z=1e999", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := getJSON(t, s.url+tt.path, nil); got != tt.status {
				t.Errorf("GET %s = %d, want %d", tt.path, got, tt.status)
			}
		})
	}
}

func testBulletinOfJuly5(t *testing.T, s *seededServer) {
	var st struct {
		NewCases struct {
			Total int `json:"total"`
		} `json:"new_cases"`
		Cumulative struct {
			Total    int            `json:"total"`
			ByOrigin map[string]int `json:"by_origin"`
		} `json:"cumulative"`
		Deaths         int `json:"deaths"`
		UnderTreatment int `json:"under_treatment"`
	}
	if code := getJSON(t, s.url+"/api/stats?date=2021-07-05", &st); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := map[string]int{"new": 131, "total": 812, "community": 772, "returning": 32, "experts": 7, "illegal": 1, "deaths": 1, "treatment": 763}
	got := map[string]int{"new": st.NewCases.Total, "total": st.Cumulative.Total, "community": st.Cumulative.ByOrigin["community"],
		"returning": st.Cumulative.ByOrigin["returning_citizen"], "experts": st.Cumulative.ByOrigin["foreign_expert"],
		"illegal": st.Cumulative.ByOrigin["illegal_entry"], "deaths": st.Deaths, "treatment": st.UnderTreatment}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %d, want %d", k, got[k], w)
		}
	}
}

func testSearchWithoutAccents(t *testing.T, s *seededServer) {
	var res struct {
		Results []struct {
			Collection, ID, Name string
		} `json:"results"`
	}
	getJSON(t, s.url+"/api/search?q=thu+dau+mot", &res)
	if len(res.Results) == 0 || res.Results[0].Collection != "districts" || res.Results[0].ID != "718" {
		t.Errorf("search 'thu dau mot' = %+v, want district 718 first", res.Results)
	}
}

// privateValues regenerates the demo data and lists every personal value and
// exact position it holds.
func privateValues(t *testing.T) (texts []string, points map[orb.Point]bool) {
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	points = map[orb.Point]bool{}
	for _, b := range batches {
		for r := range b.Records {
			if r.Person == nil {
				continue
			}
			for _, v := range []string{r.Person.Name, r.Person.Phone, r.Person.IDNumber, r.Person.Address} {
				if len(v) >= 6 {
					texts = append(texts, v)
				}
			}
			if p, ok := r.Geometry.(orb.Point); ok {
				points[p] = true
			}
		}
	}
	return texts, points
}

var queryEcho = regexp.MustCompile(`"query":"[^"]*"`)

var numberPair = regexp.MustCompile(`\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)\s*\]`)

// TestNoPublicResponseRevealsAPerson seeds the demo province (with names,
// phones, ID numbers, addresses and exact homes), collects every public
// response over the province and fails on any private value found in it.
func testNoPublicResponseRevealsAPerson(t *testing.T, s *seededServer) {
	texts, points := privateValues(t)
	if len(texts) < 100 || len(points) < 100 {
		t.Fatalf("the demo data holds only %d personal values and %d homes; the test would prove nothing", len(texts), len(points))
	}
	var bodies []string
	get := func(path string) {
		_, body := do(t, http.MethodGet, s.url+path)
		bodies = append(bodies, body)
	}
	cat := features.NewCatalog()
	groups := map[string][]orb.Point{} // the public groups' positions, by layer
	for _, id := range cat.IDs() {
		for off := 0; off < 12000; off += 5000 {
			get(fmt.Sprintf("/ogc/collections/%s/items?limit=5000&offset=%d", id, off))
			if id == "cases" || id == "contacts" {
				groups[id] = append(groups[id], pointsOf(t, bodies[len(bodies)-1])...)
			}
		}
	}
	for _, z := range []maptile.Zoom{8, 10, 12, 13, 14} {
		for _, tl := range benchTiles(z, 30) {
			_, body := do(t, http.MethodGet, s.url+fmt.Sprintf("/tiles/cases,contacts/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y))
			bodies = append(bodies, body)
			checkTilePositions(t, groups, tl, []byte(body))
		}
	}
	for _, id := range []string{"cases", "contacts"} {
		checkItemPositions(t, s, id)
	}
	for _, p := range []string{"106.66,10.98", "106.75,10.91", "106.69,10.93", "106.62,11.14"} {
		lonlat := strings.Split(p, ",")
		get("/api/nearby?radius=50000&limit=200&lon=" + lonlat[0] + "&lat=" + lonlat[1])
	}
	for _, q := range texts[:50] {
		get("/api/search?q=" + url.QueryEscape(q))
	}
	// A search answer echoes the asker's own query; that is not a leak.
	all := queryEcho.ReplaceAllString(strings.Join(bodies, "\n"), "")
	for _, v := range texts {
		if i := strings.Index(all, v); i >= 0 {
			t.Fatalf("a public response contains the personal value %q: …%s…", v, all[max(0, i-200):min(len(all), i+100)])
		}
	}
	for _, m := range numberPair.FindAllStringSubmatch(all, -1) {
		var p orb.Point
		fmt.Sscan(m[1], &p[0])
		fmt.Sscan(m[2], &p[1])
		if points[p] {
			t.Fatalf("a public response contains the exact home position %v", p)
		}
	}
}

// checkTilePositions decodes a people tile and fails unless every point
// carries a count and lies within a tile unit of a public group of its
// layer (groups, as /ogc gives them): a counted cell is drawn at one of its
// groups, so an exact or slightly rounded home cannot pass.
func checkTilePositions(t *testing.T, groups map[string][]orb.Point, tile maptile.Tile, body []byte) {
	t.Helper()
	if len(body) == 0 {
		return
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("tile %v: %v", tile, err)
	}
	rules := tiles.DefaultRules()
	bound := tile.Bound()
	unit := (bound.Max[0] - bound.Min[0]) / float64(rules.Extent)
	for _, l := range layers {
		if len(groups[l.Name]) == 0 {
			t.Fatalf("tile %v: a %s layer but no public group of it", tile, l.Name)
		}
		for _, f := range l.Features {
			p, ok := f.Geometry.(orb.Point)
			if !ok {
				t.Fatalf("tile %v %s: a %T in a people layer", tile, l.Name, f.Geometry)
			}
			if _, counted := f.Properties["count"]; !counted {
				t.Fatalf("tile %v %s: point %v carries no count", tile, l.Name, p)
			}
			ll := tileToLonLat(tile, p, rules.Extent)
			near := false
			for _, g := range groups[l.Name] {
				if d := gap(ll, g); math.Abs(d[0]) <= 1.5*unit && math.Abs(d[1]) <= 1.5*unit {
					near = true
					break
				}
			}
			if !near {
				t.Fatalf("tile %v %s: point %v (%v) is at no public group", tile, l.Name, p, ll)
			}
		}
	}
}

// pointsOf returns the positions of a GeoJSON feature collection's points.
func pointsOf(t *testing.T, body string) []orb.Point {
	t.Helper()
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatalf("items: %v", err)
	}
	var out []orb.Point
	for _, f := range fc.Features {
		if f.Geometry.Type == "Point" && len(f.Geometry.Coordinates) == 2 {
			out = append(out, orb.Point{f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]})
		}
	}
	return out
}

func gap(a, b orb.Point) orb.Point { return orb.Point{a[0] - b[0], a[1] - b[1]} }

func tileToLonLat(tile maptile.Tile, p orb.Point, extent int) orb.Point {
	n := math.Exp2(float64(tile.Z))
	x := (float64(tile.X) + p[0]/float64(extent)) / n
	y := (float64(tile.Y) + p[1]/float64(extent)) / n
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
	return orb.Point{x*360 - 180, lat}
}

// checkItemPositions fails unless every public case or contact sits on a
// geomask cell centre.
func checkItemPositions(t *testing.T, s *seededServer, id string) {
	t.Helper()
	col, _ := features.NewCatalog().Get(id)
	page, err := s.store.Items(context.Background(), features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Features) == 0 {
		t.Fatalf("no %s to check", id)
	}
	for _, f := range page.Features {
		p := f.Geometry.(orb.Point)
		if d := gap(p, features.Geomask(p, s.cellM)); math.Abs(d[0]) > 1e-6 || math.Abs(d[1]) > 1e-6 {
			t.Fatalf("%s %s at %v is not on the geomask grid", id, f.ID, p)
		}
	}
}

// TestGDALReadsTheOGCService runs GDAL's ogrinfo against the server and
// checks the collections and feature counts it sees.
func testGDALReadsTheOGCService(t *testing.T, s *seededServer) {
	ogrinfo := testkit.Tool(t, "ogrinfo", "run make services (Debian gdal-bin)")
	out, err := exec.Command(ogrinfo, "-ro", "-so", "OAPIF:"+s.url+"/ogc").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, id := range features.NewCatalog().IDs() {
		if !strings.Contains(string(out), id) {
			t.Errorf("ogrinfo does not list %s:\n%s", id, out)
		}
	}
	counted := map[string]int{"districts": 9, "markets": 0}
	for layer := range counted {
		out, err := exec.Command(ogrinfo, "-ro", "-so", "OAPIF:"+s.url+"/ogc", layer).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", layer, err, out)
		}
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("ogrinfo %s gave no feature count:\n%s", layer, out)
		}
		var got int
		fmt.Sscan(m[1], &got)
		col, _ := features.NewCatalog().Get(layer)
		page, err := s.store.Items(context.Background(), features.ItemsQuery{Collection: col})
		if err != nil {
			t.Fatal(err)
		}
		if got != page.NumberMatched {
			t.Errorf("ogrinfo counts %d %s, the store holds %d", got, layer, page.NumberMatched)
		}
	}
}

// testUncleanTextIsRefused sends filter and search text with a NUL byte or
// invalid UTF-8: PostGIS refused it and the embedded store answered 200;
// the edge now refuses it with a reason, whatever the store.
func testUncleanTextIsRefused(t *testing.T, s *seededServer) {
	for _, path := range []string{
		"/ogc/collections/cases/items?ward_code=BN%00",
		"/ogc/collections/cases/items?ward_code=%ff%fe",
		"/ogc/collections/markets/items?district_code=718%00",
		"/api/search?q=ch%00o",
		"/api/search?q=ch%c3o",
	} {
		t.Run(path, func(t *testing.T) {
			res, body := do(t, http.MethodGet, s.url+path)
			p := decodeProblem(t, res, body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(p.Detail, "not valid UTF-8 text without NUL") {
				t.Errorf("status %d, body %s", res.StatusCode, body)
			}
		})
	}
}
