package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bandomap/bando/tiles/pmtiles"
	"github.com/bandomap/bando/tiles/rediscache/redistest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// demoDataDir seeds the demo province into a new embedded store through the
// CLI, as an operator would, and points BANDO_DATA_DIR at it.
func demoDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("BANDO_DATA_DIR", dir)
	if out, err := runCLI(t, "", "seed", "--scale", "demo"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	return dir
}

// serveDataDir serves the embedded store of BANDO_DATA_DIR as serve does,
// with the tile cache the environment configures; the store and server are
// closed when the test ends.
func serveDataDir(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := loadConfig(flag.NewFlagSet("test", flag.ContinueOnError), nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := openBackend(ctx, cfg, false, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	cache, closeCache, err := tileCache(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeCache)
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: store, cache: cache, log: log, metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// rawGet fetches u asking for gzip, without the client's transparent
// decompression, and returns the answer with its body as sent.
func rawGet(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTilesExportMatchesTheServer exports public layers of the demo
// province as of a day, reads the archive back and asks the server for
// every tile of the range: each tile the server draws is in the archive
// with the server's very bytes (gzip and decompressed), and each tile the
// server answers empty (204) is absent.
func TestTilesExportMatchesTheServer(t *testing.T) {
	demoDataDir(t)
	file := filepath.Join(t.TempDir(), "bd.pmtiles")
	const layers, date = "cases,contacts,quarantine_zones,districts", "2021-07-05"
	out, err := runCLI(t, "", "tiles", "export", "--pmtiles", file, "--layers", layers, "--zoom", "8-12", "--date", date)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if !strings.Contains(out, "(100%)") || !strings.Contains(out, "bando tiles export: wrote "+file) {
		t.Errorf("export printed no progress or summary:\n%s", out)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("the archive's mode: %v (%v), want 0644: it is public", st.Mode(), err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	archive, err := pmtiles.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	h := archive.Header()
	if h.MinZoom != 8 || h.MaxZoom != 12 || h.TileCompression != pmtiles.Gzip || h.TileType != pmtiles.MVT || !h.Clustered {
		t.Errorf("header %+v", h)
	}
	var meta struct {
		Layers []struct{ ID string } `json:"vector_layers"`
		Date   string                `json:"date"`
	}
	if b, err := archive.Metadata(); err != nil || json.Unmarshal(b, &meta) != nil || len(meta.Layers) != 4 || meta.Date != date {
		t.Errorf("metadata %s (%v)", b, err)
	}

	base := serveDataDir(t)
	area := orb.Bound{Min: orb.Point{h.MinLon, h.MinLat}, Max: orb.Point{h.MaxLon, h.MaxLat}}
	ts, err := tilesOf(area, 8, 12)
	if err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for _, tl := range ts {
		checkArchivedTile(t, archive, base+fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt?date=%s", layers, tl.Z, tl.X, tl.Y, date), tl, &drawn)
	}
	if drawn == 0 || uint64(drawn) != h.AddressedTiles {
		t.Errorf("the server drew %d tiles, the archive addresses %d", drawn, h.AddressedTiles)
	}
	t.Logf("%d tiles compared, %d with content (%d distinct in the archive, %d bytes of tiles)", len(ts), drawn, h.TileContents, h.DataLength)
}

func checkArchivedTile(t *testing.T, archive *pmtiles.Reader, u string, tl maptile.Tile, drawn *int) {
	t.Helper()
	got, ok, err := archive.Tile(uint8(tl.Z), tl.X, tl.Y)
	if err != nil {
		t.Fatal(err)
	}
	res, body := rawGet(t, u)
	switch res.StatusCode {
	case http.StatusNoContent:
		if ok {
			t.Errorf("%s: empty on the server, %d bytes in the archive", u, len(got))
		}
	case http.StatusOK:
		*drawn++
		if !ok {
			t.Errorf("%s: not in the archive", u)
			return
		}
		if res.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(got, body) {
			t.Errorf("%s: the archive's bytes differ from the server's (%d and %d bytes, %q)", u, len(got), len(body), res.Header.Get("Content-Encoding"))
		}
		_, plain := do(t, http.MethodGet, u) // decompressed by the client
		if !bytes.Equal(gunzip(t, got), []byte(plain)) {
			t.Errorf("%s: the archive's tile, decompressed, differs from the server's", u)
		}
	default:
		t.Fatalf("%s: %d %s", u, res.StatusCode, body)
	}
}

// TestTilesSeedWarmsTheCache seeds tiles into a Redis Cluster with
// `bando tiles seed`: a server started afterwards finds every one of them
// there on its first request (X-Cache: hit-redis), and a second seed draws
// nothing.
func TestTilesSeedWarmsTheCache(t *testing.T) {
	cluster := redistest.StartCluster(t)
	demoDataDir(t)
	t.Setenv("BANDO_REDIS_CLUSTER", strings.Join(cluster.Addrs, ","))
	const layers = "cases,quarantine_zones,districts"
	out, err := runCLI(t, "", "tiles", "seed", "--layers", layers, "--zoom", "9-11")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "(100%)") || !strings.Contains(out, "were cached already") {
		t.Errorf("seed printed no progress or summary:\n%s", out)
	}
	again, err := runCLI(t, "", "tiles", "seed", "--layers", layers, "--zoom", "9-11")
	if err != nil || !strings.Contains(again, ": 0 drawn,") {
		t.Errorf("a second seed drew tiles again (%v):\n%s", err, again)
	}

	base := serveDataDir(t)
	inside := []orb.Point{{106.65, 10.98}, {106.75, 11.2}, {106.55, 11.3}} // Thủ Dầu Một, Tân Uyên, Dầu Tiếng
	for _, tl := range covering(11, inside...) {
		if tl.Z < 9 {
			continue
		}
		res, _ := do(t, http.MethodGet, base+fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, tl.Z, tl.X, tl.Y))
		if res.StatusCode >= 300 || res.Header.Get("X-Cache") != "hit-redis" {
			t.Errorf("%d/%d/%d after the seed: %d, X-Cache %q, want a hit of the cluster", tl.Z, tl.X, tl.Y, res.StatusCode, res.Header.Get("X-Cache"))
		}
	}
	t.Logf("%s", out)
}

func TestTileJobRefusesBadFlags(t *testing.T) {
	cfg := testConfig(t)
	tests := []struct {
		name                     string
		layers, zoom, bbox, date string
		want                     string // in the error; "" when valid
	}{
		{"valid", "cases,districts", "8-14", "106.3,10.8,107,11.5", "2021-07-05", ""},
		{"one zoom", "cases", "10", "", "", ""},
		{"no layers", "", "8-10", "", "", "--layers: name at least one"},
		{"a private layer", "cases,people", "8-10", "", "", `unknown public layer "people"`},
		{"twice", "cases,cases", "8-10", "", "", "listed twice"},
		{"zooms reversed", "cases", "12-8", "", "", "--zoom"},
		{"zoom too deep", "cases", "8-23", "", "", "--zoom"},
		{"no zoom", "cases", "", "", "", "--zoom"},
		{"bbox of three", "cases", "8", "1,2,3", "", "--bbox"},
		{"bbox reversed", "cases", "8", "107,10.8,106.3,11.5", "", "--bbox"},
		{"bbox not numbers", "cases", "8", "a,b,c,d", "", "--bbox"},
		{"bad date", "cases", "8", "", "5/7/2021", "--date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tileJobFlags{&tt.layers, &tt.zoom, &tt.bbox, &tt.date}.parse(cfg)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTilesOfIsInTileIDOrder(t *testing.T) {
	ts, err := tilesOf(orb.Bound{Min: orb.Point{106.3, 10.8}, Max: orb.Point{107, 11.5}}, 6, 12)
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for i, tl := range ts {
		id, err := pmtiles.TileID(uint8(tl.Z), tl.X, tl.Y)
		if err != nil || i > 0 && id <= last {
			t.Fatalf("tile %d (%v) id %d after %d", i, tl, id, last)
		}
		last = id
	}
	if _, err := tilesOf(orb.Bound{Min: orb.Point{-180, -85}, Max: orb.Point{180, 85}}, 0, 12); err == nil {
		t.Error("the world to zoom 12 (22 million tiles) was accepted")
	}
}

// TestTilesSeedThroughAServer warms a running server over HTTP (--url, the
// area from its TileJSON): its first answer of each seeded tile afterwards
// comes from its memory. The server holds the embedded store; the seed
// never opens it.
func TestTilesSeedThroughAServer(t *testing.T) {
	demoDataDir(t)
	t.Setenv("BANDO_REDIS_URL", "")
	t.Setenv("BANDO_REDIS_CLUSTER", "")
	base := serveDataDir(t)
	const layers = "cases,districts"
	out, err := runCLI(t, "", "tiles", "seed", "--url", base, "--layers", layers, "--zoom", "9-10")
	if err != nil || !strings.Contains(out, "(100%)") || !strings.Contains(out, "drawn") {
		t.Fatalf("seed --url: %v\n%s", err, out)
	}
	for _, tl := range covering(10, orb.Point{106.65, 10.98}, orb.Point{106.75, 11.2}) {
		if tl.Z < 9 {
			continue
		}
		res, _ := do(t, http.MethodGet, base+fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, tl.Z, tl.X, tl.Y))
		if res.StatusCode >= 300 || res.Header.Get("X-Cache") != "hit-memory" {
			t.Errorf("%d/%d/%d after the seed: %d, X-Cache %q, want a hit of memory", tl.Z, tl.X, tl.Y, res.StatusCode, res.Header.Get("X-Cache"))
		}
	}
	t.Logf("%s", out)
}
