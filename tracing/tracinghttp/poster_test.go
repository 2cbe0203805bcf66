package tracinghttp_test

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/tracinghttp"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestPosterGolden renders the A4 poster of a venue with a fixed id (and
// so a fixed token and QR code) and compares it with the golden file; run
// with -update to accept a change after looking at it in a browser.
func TestPosterGolden(t *testing.T) {
	e := newEnv(t, stores[0], tracinghttp.LimitOptions{Off: true})
	ctx := auth.WithPrincipal(t.Context(), auth.Principal{User: "seed", Role: auth.Editor})
	v, err := e.store.RegisterVenue(ctx, tracing.Venue{ID: "0123456789abcdef0123456789abcdef", Name: "Chợ Thủ Dầu Một <Cổng 2>",
		Category: tracing.Market, Address: "Đường Đinh Bộ Lĩnh, phường Phú Cường", Ward: "25747",
		Location: orb.Point{106.655, 10.981}, Contact: "Trần Thị Bình", ContactPhone: "0274 3822 111", DefaultStay: 45 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	a := e.do(http.MethodGet, "/api/venues/"+string(v.ID)+"/poster", "editor", nil)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "text/html; charset=UTF-8" {
		t.Fatalf("%d %s", a.status, a.header.Get("Content-Type"))
	}
	path := filepath.Join("testdata", "poster.golden.html")
	if *update {
		if err := os.WriteFile(path, a.body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.body) != string(want) {
		t.Errorf("the poster differs from %s; look at it and run go test -run TestPosterGolden -update", path)
	}
}
