package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	res, err := postgis.Migrate(ctx, s.Pool())
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(res.Applied) != 0 {
		t.Errorf("second migrate applied %d migrations, want none", len(res.Applied))
	}
	if _, err := s.Pool().Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')"); err != nil {
		t.Fatal(err)
	}
	_, err = postgis.Migrate(ctx, s.Pool())
	if !errors.Is(err, postgis.ErrSchemaTooNew) {
		t.Errorf("migrate on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenGivesOneLineErrors(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want error
	}{
		{"not a url", "postgres://%zz", postgis.ErrBadURL},
		{"nobody listening", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", postgis.ErrCannotConnect},
		{"no such database", strings.Replace(pgtest.AdminURL(), "/postgres?", "/bando_no_such_db?", 1), postgis.ErrNoDatabase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := postgis.Open(ctx, postgis.Options{URL: tt.url})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func caseRecord(i int, p orb.Point) features.Record {
	return features.Record{
		ID:       fmt.Sprintf("BN%d", i),
		Geometry: p,
		Properties: map[string]any{
			"code": fmt.Sprintf("BN%d", i), "report_date": time.Date(2021, 7, i%5+1, 0, 0, 0, 0, time.UTC),
			"origin": features.OriginCommunity, "status": features.StatusUnderTreatment, "district_code": "718",
		},
		Person: &features.Person{Name: fmt.Sprintf("Nguyễn Văn Riêng%d", i), Phone: fmt.Sprintf("09%08d", i), IDNumber: fmt.Sprintf("0740%08d", i), Address: "12 Đường Bí Mật"},
	}
}

// TestPersonsStayPrivate checks where personal fields go: the private
// schema holds each person's fields and exact home, and no public table has
// a column for them (the contract checks that no read shows them).
func TestPersonsStayPrivate(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := s.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	const sql = `SELECT name, phone, id_number, address, ST_X(location), ST_Y(location) FROM private.case_persons WHERE case_id = $1
		UNION ALL SELECT name, phone, id_number, address, ST_X(location), ST_Y(location) FROM private.contact_persons WHERE contact_id = $1`
	homes := storetest.Homes()
	for id, want := range storetest.Persons() {
		var got features.Person
		var at orb.Point
		err := s.Pool().QueryRow(ctx, sql, id).Scan(&got.Name, &got.Phone, &got.IDNumber, &got.Address, &at[0], &at[1])
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got != want || at != homes[id] {
			t.Errorf("%s private side = %+v at %v, want %+v at %v", id, got, at, want, homes[id])
		}
	}
	var personal int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name IN ('name', 'phone', 'id_number', 'address', 'location')
		AND table_name IN ('cases', 'contacts')`).Scan(&personal); err != nil || personal != 0 {
		t.Errorf("public people tables have %d personal columns (%v), want none", personal, err)
	}
}

func TestTileLayerAggregatesPeopleAndRendersPlaces(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	cat := features.NewCatalog()
	// Points around the centre of one z14 tile, so that every zoom's tile
	// holds them all.
	centre := maptile.At(orb.Point{106.654, 10.986}, 14).Center()
	var recs []features.Record
	for i := 1; i <= 50; i++ {
		recs = append(recs, caseRecord(i, orb.Point{centre[0] + float64(i%5-2)*0.002, centre[1] + float64(i%7-3)*0.002}))
	}
	if _, err := s.Write(ctx, features.Batch{Collection: "cases", Records: slices.Values(recs)}); err != nil {
		t.Fatal(err)
	}
	cases, _ := cat.Get("cases")
	tests := []struct {
		name    string
		zoom    maptile.Zoom
		atMost  int
		atLeast int
	}{
		{"aggregated at z10", 10, 5, 1},
		// People are counted cells at every zoom: the 50 cases stand at 35
		// positions 220 m apart, one cell each at z14.
		{"counted cells at z14 too", 14, 35, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tile := maptile.At(centre, tt.zoom)
			l, err := s.Layer(ctx, tiles.LayerRequest{Tile: tile, Collection: cases, Limit: 1000, Rules: tiles.DefaultRules()})
			if err != nil {
				t.Fatal(err)
			}
			if l.Count < tt.atLeast || l.Count > tt.atMost || len(l.MVT) == 0 || l.Features != nil {
				t.Errorf("layer has %d features (%d bytes of MVT, %d handed over), want %d..%d in MVT",
					l.Count, len(l.MVT), len(l.Features), tt.atLeast, tt.atMost)
			}
		})
	}
}

func TestRememberedCountsAndExtentsFollowWrites(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	markets, _ := features.NewCatalog().Get("markets")
	write := func(n int, at orb.Point) {
		var recs []features.Record
		for i := 0; i < n; i++ {
			recs = append(recs, features.Record{ID: fmt.Sprintf("m%d-%v", i, at), Geometry: at, Properties: map[string]any{"name": "Chợ"}})
		}
		if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: features.Upsert, Records: slices.Values(recs)}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(wantCount int, wantMaxX float64) {
		t.Helper()
		for i := 0; i < 2; i++ { // the second answer comes from the memo
			page, err := s.Items(ctx, features.ItemsQuery{Collection: markets})
			if err != nil || page.NumberMatched != wantCount {
				t.Fatalf("count = %d, %v; want %d", page.NumberMatched, err, wantCount)
			}
			ext, err := s.Extent(ctx, markets)
			if err != nil || ext.Bounds == nil || ext.Bounds.Max[0] != wantMaxX {
				t.Fatalf("extent = %+v, %v; want max x %v", ext.Bounds, err, wantMaxX)
			}
		}
	}
	write(3, orb.Point{106.6, 11})
	check(3, 106.6)
	write(2, orb.Point{106.7, 11})
	check(5, 106.7)
}

func TestChangedGeomaskCellRemasksStoredPeople(t *testing.T) {
	s, dbURL := pgtest.NewStore(t)
	ctx := context.Background()
	home := orb.Point{106.6538, 10.9881}
	if _, err := s.Write(ctx, features.Batch{Collection: "cases", Records: slices.Values([]features.Record{caseRecord(1, home)})}); err != nil {
		t.Fatal(err)
	}
	cases, _ := features.NewCatalog().Get("cases")
	for _, cell := range []float64{150, 1000, 1000} {
		coarse, err := postgis.Open(ctx, postgis.Options{URL: dbURL, GeomaskCellM: cell})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := coarse.EnsureGeomask(ctx); err != nil {
			t.Fatal(err)
		}
		f, err := coarse.Item(ctx, cases, "BN1")
		coarse.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.Geometry.(orb.Point), features.Geomask(home, cell); got != want {
			t.Errorf("with a %v m cell the public position is %v, want %v", cell, got, want)
		}
	}
}

func TestFailedWriteLeavesNoGoroutine(t *testing.T) {
	s, _ := pgtest.NewStore(t)
	ctx := context.Background()
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		recs := func(yield func(features.Record) bool) {
			for j := 0; j < 5000; j++ {
				r := features.Record{ID: fmt.Sprintf("m%d", j), Geometry: orb.Point{106.6, 11}, Properties: map[string]any{"name": "Chợ"}}
				if j == 10 {
					r.Properties["name"] = "Chợ\x00"
				}
				if !yield(r) {
					return
				}
			}
		}
		if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: recs}); !errors.Is(err, features.ErrInvalid) {
			t.Fatalf("write %d: err = %v, want ErrInvalid", i, err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+1 {
		t.Errorf("goroutines went from %d to %d after failed writes", before, after)
	}
}
