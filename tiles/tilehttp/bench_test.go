package tilehttp

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tiles"
	"github.com/labstack/echo/v4"
)

// BenchmarkHotTile serves a composite z14 tile from the in-process cache
// through the real handler, gzip accepted, against a plain Echo handler
// writing the same bytes with the same headers: the limit a hot tile can
// approach. Compare the two ns/op (the target: hot ≥ 80% of plain).
func BenchmarkHotTile(b *testing.B) {
	src := newMemSource()
	fresh := tiles.NewFreshness(tiles.FreshnessOptions{})
	fresh.Apply(features.ChangeSet{Identity: "db", Version: "db.1"})
	h := NewHandler(Config{
		Renderer: tiles.NewRenderer(src, tiles.Options{MemoryBytes: 64 << 20, Freshness: fresh}),
		Catalog:  features.NewCatalog(),
	})
	e := echo.New()
	h.Register(e.Group(""))
	path := tilePath("medical_facilities,quarantine_zones,cases,markets", testTile(14))
	get := func(e *echo.Echo) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	first := get(e)
	if first.Code != http.StatusOK || first.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("status %d, encoding %q", first.Code, first.Header().Get("Content-Encoding"))
	}
	body, etag := first.Body.Bytes(), first.Header().Get("ETag")
	plain := echo.New()
	plain.GET("/tiles/:layers/:z/:x/:y", func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set(echo.HeaderCacheControl, DefaultCacheControl)
		hd.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
		hd.Set("X-Cache", "hit-memory")
		hd.Set("ETag", etag)
		hd.Set(echo.HeaderContentEncoding, "gzip")
		hd.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
		return c.Blob(http.StatusOK, ContentTypeMVT, body)
	})
	b.Logf("tile: %d bytes gzipped", len(body))
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if rec := get(e); rec.Header().Get("X-Cache") != "hit-memory" {
				b.Fatal("not a memory hit")
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			get(plain)
		}
	})
	// NOTE: on a shared machine the two runs above may see different loads;
	// here both alternate in batches, and the ratio of their throughputs
	// (plain time / handler time, the share of the limit reached) is
	// reported as hot/plain.
	b.Run("interleaved", func(b *testing.B) {
		const batch = 200
		var hot, lim time.Duration
		for b.Loop() {
			start := time.Now()
			for range batch {
				get(e)
			}
			mid := time.Now()
			for range batch {
				get(plain)
			}
			hot, lim = hot+mid.Sub(start), lim+time.Since(mid)
		}
		b.ReportMetric(float64(lim)/float64(hot), "hot/plain")
		b.ReportMetric(float64(hot)/float64(b.N*batch), "hot-ns/req")
		b.ReportMetric(float64(lim)/float64(b.N*batch), "plain-ns/req")
	})
}
