package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// The checks here run real third-party clients (OWSLib, GDAL's OAPIF and
// MVT drivers, an OpenAPI linter) and the TileJSON 3.0.0 rules against the
// seeded server, on both stores (TestSeededServer calls them). A missing
// client skips its check on a developer's machine and fails it under CI,
// where .ci/services installs them.

// runClient runs a client program with a time limit and returns its output;
// a failure fails the test with the output.
func runClient(t *testing.T, stdin []byte, path string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	// No proxy, no cache: the clients talk to the test server only.
	cmd.Env = append(os.Environ(), "GDAL_HTTP_PROXY=", "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1", "CPL_VSIL_CURL_NON_CACHED=YES")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", path, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// debianPython returns Debian's python3, which sees Debian's python3-owslib
// (another python3 first on PATH may not), after checking that it can
// import owslib.
func debianPython(t *testing.T) string {
	t.Helper()
	const install = "install it with apt-get install python3-owslib"
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = testkit.Tool(t, "python3", install)
	}
	if err := exec.Command(py, "-c", "import owslib").Run(); err != nil {
		testkit.Missing(t, "owslib for "+py, install)
	}
	return py
}

// provinceBox is a box over the demo province's south, where most of its
// features lie.
var provinceBox = orb.Bound{Min: orb.Point{106.6, 10.9}, Max: orb.Point{106.75, 11.05}}

// testOWSLibReadsTheOGCService has OWSLib list the collections and read the
// items of every collection plainly, with a bbox (4 and 6 numbers, and one
// across the antimeridian), a limit and a datetime, and compares the counts
// with the store's.
func testOWSLibReadsTheOGCService(t *testing.T, s *seededServer) {
	py := debianPython(t)
	ctx := context.Background()
	const when = "2021-07-05"
	type counts struct {
		All        int `json:"all"`
		InBBox     int `json:"in_bbox"`
		AtDatetime int `json:"at_datetime"`
	}
	expect := map[string]counts{}
	public := features.NewPublicReader(s.store, features.PublicOptions{}) // what /ogc serves
	count := func(q features.ItemsQuery) int {
		page, err := public.Items(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return page.NumberMatched
	}
	d, _ := time.Parse(features.DateLayout, when)
	for _, col := range features.NewCatalog().All() {
		c := counts{All: count(features.ItemsQuery{Collection: col}), AtDatetime: -1}
		box := provinceBox
		c.InBBox = count(features.ItemsQuery{Collection: col, BBox: &box})
		c.AtDatetime = c.All // a collection without time: every feature matches
		if col.Temporal != nil {
			c.AtDatetime = count(features.ItemsQuery{Collection: col, Interval: &features.Interval{Start: d, End: d}})
		}
		expect[col.ID] = c
	}
	for _, id := range []string{"cases", "lockdown_points"} {
		if e := expect[id]; e.InBBox == 0 || e.InBBox == e.All || e.AtDatetime == 0 {
			t.Fatalf("the box or the day selects no %s or every one (%+v); the check would prove little", id, e)
		}
	}
	cfg, err := json.Marshal(map[string]any{
		"url":      s.url + "/ogc/",
		"bbox":     []float64{provinceBox.Min[0], provinceBox.Min[1], provinceBox.Max[0], provinceBox.Max[1]},
		"limit":    7,
		"datetime": when,
		"expect":   expect,
	})
	if err != nil {
		t.Fatal(err)
	}
	out := runClient(t, cfg, py, "testdata/owslib_check.py")
	if n := strings.Count(out, " items, "); n != len(expect) {
		t.Errorf("OWSLib checked %d collections, want %d:\n%s", n, len(expect), out)
	}
}

// testGDALReadsTimeAndDatetime checks what GDAL's OAPIF driver makes of the
// temporal extents (TEMPORAL_INTERVAL_MIN/MAX: a MAX before a feature still
// in force hides it in GDAL and QGIS) and of a datetime filter, which GDAL
// builds from a where clause on a date field.
func testGDALReadsTimeAndDatetime(t *testing.T, s *seededServer) {
	ogrinfo := testkit.Tool(t, "ogrinfo", "install gdal-bin")
	ctx := context.Background()
	dataset := "OAPIF:" + s.url + "/ogc"
	for _, col := range features.NewCatalog().All() {
		if col.Temporal == nil {
			continue
		}
		t.Run(col.ID, func(t *testing.T) {
			ext, err := s.store.Extent(ctx, col)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"TEMPORAL_INTERVAL_MIN": stamp(ext.Start), "TEMPORAL_INTERVAL_MAX": stamp(ext.End)}
			if col.Temporal.End != "" {
				want["TEMPORAL_INTERVAL_MAX"] = stamp(lastDay(t, s, col))
			}
			out := runClient(t, nil, ogrinfo, "-ro", "-so", dataset, col.ID)
			for name, w := range want {
				got := ""
				if m := regexp.MustCompile(name + `=(\S+)`).FindStringSubmatch(out); m != nil {
					got = m[1]
				}
				if got != w {
					t.Errorf("GDAL reads %s = %q, want %q (\"\" for open)", name, got, w)
				}
			}
		})
	}
	t.Run("where on a date", func(t *testing.T) {
		// NOTE: on lockdown points: cases are public only as counted groups,
		// without their report dates (features.PublicView). GDAL turns a
		// where on the start property into datetime, which selects the
		// points in force on some day of the range.
		col, _ := features.NewCatalog().Get("lockdown_points")
		page, err := s.store.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		var starts []string
		for _, f := range page.Features {
			if v, ok := f.Properties["start"].(string); ok {
				starts = append(starts, v)
			}
		}
		slices.Sort(starts)
		lo := starts[len(starts)/2]
		d, _ := time.Parse(features.DateLayout, lo)
		hi := d.AddDate(0, 0, 2).Format(features.DateLayout)
		inForce, err := s.store.Items(ctx, features.ItemsQuery{Collection: col, Interval: &features.Interval{Start: d, End: d.AddDate(0, 0, 2)}})
		if err != nil {
			t.Fatal(err)
		}
		want := inForce.NumberMatched
		out := runClient(t, nil, ogrinfo, "-ro", "-so", "-where", "start >= '"+lo+"' AND start <= '"+hi+"'", dataset, "lockdown_points")
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(out)
		if m == nil || m[1] != fmt.Sprint(want) || want == 0 || want == len(starts) {
			t.Errorf("GDAL counts %v lockdown points started from %s to %s, the store %d of %d:\n%s", m, lo, hi, want, len(starts), out)
		}
	})
}

// lastDay is what a collection's temporal extent must end at, worked out
// from its features rather than the store's Extent: zero (open) when a
// public feature has no end, else the latest start or end.
func lastDay(t *testing.T, s *seededServer, col features.Collection) time.Time {
	t.Helper()
	page, err := s.store.Items(context.Background(), features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	open := false
	for _, f := range page.Features {
		if _, hasEnd := f.Properties[col.Temporal.End].(string); !hasEnd {
			open = true
		}
		for _, name := range []string{col.Temporal.Start, col.Temporal.End} {
			if v, ok := f.Properties[name].(string); ok {
				if d, _ := time.Parse(features.DateLayout, v); d.After(last) {
					last = d
				}
			}
		}
	}
	if open {
		return time.Time{}
	}
	return last
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// testGDALOpensATile has GDAL's MVT driver open a tile straight from the
// server through /vsicurl/, which asks for its size first and so needs a
// Content-Length on HEAD and GET; the tile holds several layers, large
// enough (uncompressed) that a server streaming it would leave that out.
// GDAL must find the layers and feature counts the tile holds.
func testGDALOpensATile(t *testing.T, s *seededServer) {
	ogrinfo := testkit.Tool(t, "ogrinfo", "install gdal-bin")
	// NOTE: the largest of a few tiles of the dense south: people are
	// counted groups and lookup layers thin out, so one tile may be small.
	var url string
	var body []byte
	for z := maptile.Zoom(11); z <= 14; z++ {
		tile := maptile.At(orb.Point{106.66, 10.98}, z)
		u := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", s.url, strings.Join(features.NewCatalog().IDs(), ","), tile.Z, tile.X, tile.Y)
		if b := identityGet(t, http.MethodGet, u); len(b) > len(body) {
			url, body = u, b
		}
	}
	// NOTE: net/http adds a Content-Length by itself to a body that fits
	// its 2 KB buffer; only a larger tile shows whether the handler sets it.
	if len(body) <= 2048 {
		t.Fatalf("the tile is %d bytes; pick a larger one, or the check proves little", len(body))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	identityGet(t, http.MethodHead, url)
	out := runClient(t, nil, ogrinfo, "-ro", "-so", "-al", "/vsicurl/"+url)
	if !strings.Contains(out, "using driver `MVT'") {
		t.Fatalf("GDAL did not open the tile with its MVT driver:\n%s", out)
	}
	for _, l := range layers {
		m := regexp.MustCompile(`(?s)Layer name: ` + l.Name + `\n.*?Feature Count: (\d+)`).FindStringSubmatch(out)
		if m == nil || m[1] != fmt.Sprint(len(l.Features)) {
			t.Errorf("GDAL counts %v features in %s, the tile holds %d", m, l.Name, len(l.Features))
		}
	}
}

// identityGet asks for url uncompressed and fails unless the answer is a
// 200 with a Content-Length (on HEAD too); it returns the body.
func identityGet(t *testing.T, method, url string) []byte {
	t.Helper()
	res, body := do(t, method, url, "Accept-Encoding: identity")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d, want a tile with features", method, url, res.StatusCode)
	}
	if res.Header.Get("Content-Length") == "" {
		t.Errorf("%s %s has no Content-Length; GDAL's /vsicurl/ cannot read it", method, url)
	}
	return []byte(body)
}

// testOpenAPILint validates the served API definition with the
// openapi-spec-validator command.
func testOpenAPILint(t *testing.T, s *seededServer) {
	validator := testkit.Tool(t, "openapi-spec-validator", "install the Python package openapi-spec-validator")
	res, err := http.Get(s.url + "/ogc/api")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	path := t.TempDir() + "/openapi.json"
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := runClient(t, nil, validator, "--schema", "3.0", path); !strings.Contains(out, "OK") {
		t.Errorf("openapi-spec-validator says:\n%s", out)
	}
}

// testTileJSON checks the served TileJSON documents against the rules of
// the TileJSON 3.0.0 schema.
func testTileJSON(t *testing.T, s *seededServer) {
	for _, layers := range []string{"cases,markets", strings.Join(features.NewCatalog().IDs(), ",")} {
		var doc map[string]any
		if code := getJSON(t, s.url+"/tiles/"+layers+".json", &doc); code != http.StatusOK {
			t.Fatalf("TileJSON of %s: status %d", layers, code)
		}
		for _, problem := range tileJSONProblems(doc) {
			t.Errorf("TileJSON of %s: %s", layers, problem)
		}
		var ids []string
		for _, l := range doc["vector_layers"].([]any) {
			ids = append(ids, l.(map[string]any)["id"].(string))
		}
		if want := strings.Split(layers, ","); !slices.Equal(ids, want) {
			t.Errorf("TileJSON of %s describes the layers %v", layers, ids)
		}
	}
}
