package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

func testWrite(t *testing.T, open Opener) {
	t.Run("modes", func(t *testing.T) { testWriteModes(t, Seeded(t, open)) })
	// NOTE: one store for the rest, in an order where each test finds the
	// markets and zones of the fixture: a new PostGIS store takes seconds.
	s := Seeded(t, open)
	t.Run("all or nothing", func(t *testing.T) { testWriteAllOrNothing(t, s) })
	t.Run("cancelled", func(t *testing.T) { testCancelledWrite(t, s) })
	t.Run("draft zone lifecycle", func(t *testing.T) { testDraftZoneLifecycle(t, s) })
	t.Run("polygon for multipolygon", func(t *testing.T) { testPolygonForMultiPolygon(t, s) })
	t.Run("same collection twice", func(t *testing.T) { testWriteSameCollectionTwice(t, s) })
	t.Run("watch", func(t *testing.T) { testWatch(t, s) })
	// These replace the fixture's zones and markets: last.
	t.Run("temporal extents", func(t *testing.T) { testTemporalExtents(t, s) })
	t.Run("antimeridian boxes", func(t *testing.T) { testAntimeridianBoxes(t, s) })
}

// Market is a market record at the centre of Thủ Dầu Một.
func Market(id, name string) features.Record {
	return features.Record{ID: id, Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": name}}
}

// MarketNames reads every market's name, by id.
func MarketNames(t testing.TB, s features.Reader) map[string]string {
	t.Helper()
	page, err := s.Items(context.Background(), features.ItemsQuery{Collection: testkit.Collection(t, "markets"), Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range page.Features {
		out[f.ID], _ = f.Properties["name"].(string)
	}
	return out
}

func checkNames(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("markets = %v, want %v", got, want)
		return
	}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("market %s = %q, want %q", id, got[id], name)
		}
	}
}

// fixtureMarkets is the fixture's batch of markets, which puts the markets
// back as they were.
func fixtureMarkets() features.Batch {
	for _, b := range Fixture() {
		if b.Collection == "markets" {
			return b
		}
	}
	panic("storetest: the fixture has no markets")
}

func testWriteModes(t *testing.T, s Store) {
	ctx := context.Background()
	tests := []struct {
		name   string
		mode   features.WriteMode
		batch  []features.Record
		counts int
		want   map[string]string
	}{
		{"replace empties first", features.Replace, []features.Record{Market("m9", "Chợ Mới")}, 1,
			map[string]string{"m9": "Chợ Mới"}},
		{"upsert replaces same ids", features.Upsert, []features.Record{Market("m2", "Chợ Dĩ An mới"), Market("m4", "Chợ Tân Phước Khánh")}, 2,
			map[string]string{"m1": "Chợ Thủ Dầu Một", "m2": "Chợ Dĩ An mới", "m3": "Chợ đêm Phú Cường", "m4": "Chợ Tân Phước Khánh"}},
		{"replace with nothing", features.Replace, nil, 0, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Write(ctx, fixtureMarkets()); err != nil {
				t.Fatal(err)
			}
			counts, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: tt.mode, Records: Records(tt.batch...)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(counts, []int{tt.counts}) {
				t.Errorf("counts = %v, want [%d]", counts, tt.counts)
			}
			checkNames(t, MarketNames(t, s), tt.want)
			// The spatial index follows: every market is where a bbox finds it.
			page, err := s.Items(ctx, features.ItemsQuery{Collection: testkit.Collection(t, "markets"), Limit: -1,
				BBox: &orb.Bound{Min: orb.Point{106.6, 10.8}, Max: orb.Point{106.8, 11}}})
			if err != nil || page.NumberMatched != len(tt.want) {
				t.Errorf("bbox finds %d markets (%v), want %d", page.NumberMatched, err, len(tt.want))
			}
			if r, ok := s.(Reopener); ok {
				again, err := r.Reopen()
				if err != nil {
					t.Fatal(err)
				}
				s = again
				checkNames(t, MarketNames(t, s), tt.want)
			}
		})
	}
}

func testWriteSameCollectionTwice(t *testing.T, s Store) {
	counts, err := s.Write(context.Background(),
		features.Batch{Collection: "markets", Mode: features.Replace, Records: Records(Market("a", "A"), Market("b", "B"))},
		features.Batch{Collection: "markets", Mode: features.Upsert, Records: Records(Market("b", "B2"), Market("c", "C"))},
		features.Batch{Collection: "markets", Mode: features.Upsert, Records: Records(Market("a", "A2"))},
	)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(counts, []int{2, 2, 1}) {
		t.Errorf("counts = %v, want [2 2 1]", counts)
	}
	checkNames(t, MarketNames(t, s), map[string]string{"a": "A2", "b": "B2", "c": "C"})
}

// testDraftZoneLifecycle: a draft zone is data, but no public read shows it
// until it is published.
func testDraftZoneLifecycle(t *testing.T, s Store) {
	ctx := context.Background()
	col := testkit.Collection(t, "quarantine_zones")
	zone := func(status string) features.Record {
		return features.Record{ID: "z2", Geometry: Square(106.651, 10.979, 106.655, 10.983),
			Properties: map[string]any{"name": "Khu phố dự thảo", "status": status}}
	}
	steps := []struct {
		name    string
		mode    features.WriteMode
		status  string
		count   int
		visible bool
	}{
		{"publishing shows it", features.Upsert, features.ZonePublished, 1, true},
		{"back to draft hides it", features.Upsert, features.ZoneDraft, 1, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			counts, err := s.Write(ctx, features.Batch{Collection: col.ID, Mode: st.mode, Records: Records(zone(st.status))})
			if err != nil {
				t.Fatal(err)
			}
			if counts[0] != st.count {
				t.Errorf("count = %d, want %d", counts[0], st.count)
			}
			_, err = s.Item(ctx, col, "z2")
			if visible := err == nil; visible != st.visible {
				t.Errorf("item visible = %v, want %v (%v)", visible, st.visible, err)
			}
			near, err := s.Nearby(ctx, features.NearbyQuery{Center: orb.Point{106.653, 10.981}, RadiusM: 1,
				Collections: []features.Collection{col}})
			if err != nil {
				t.Fatal(err)
			}
			if found := slices.ContainsFunc(near, func(n features.Near) bool { return n.Feature.ID == "z2" }); found != st.visible {
				t.Errorf("nearby finds it = %v, want %v", found, st.visible)
			}
			page, err := s.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			if found := slices.Contains(testkit.IDs(page.Features), "z2"); found != st.visible {
				t.Errorf("items list it = %v, want %v", found, st.visible)
			}
		})
	}
}

// testWriteAllOrNothing writes a good batch, then a bad one, in one call:
// each refusal must leave the store as it was, good batch included.
func testWriteAllOrNothing(t *testing.T, s Store) {
	ctx := context.Background()
	good := Market("ok", "Chợ Tốt")
	at := orb.Point{106.65, 10.98}
	rec := func(id string, g orb.Geometry, props map[string]any) []features.Record {
		return []features.Record{{ID: id, Geometry: g, Properties: props}}
	}
	tests := []struct {
		name       string
		collection string
		mode       features.WriteMode
		records    []features.Record
	}{
		{"unknown collection", "nope", features.Replace, []features.Record{good}},
		{"unknown mode", "markets", 7, []features.Record{good}},
		{"no id", "markets", features.Replace, []features.Record{Market("", "Chợ")}},
		{"id twice", "markets", features.Replace, []features.Record{good, good}},
		{"no geometry", "markets", features.Replace, rec("x", nil, map[string]any{"name": "x"})},
		{"polygon in a point layer", "markets", features.Replace, rec("x", Square(0, 0, 1, 1), map[string]any{"name": "x"})},
		{"lat/lon swapped", "markets", features.Replace, rec("x", orb.Point{10.98, 106.65}, map[string]any{"name": "x"})},
		{"open ring", "districts", features.Replace, rec("x", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, map[string]any{"code": "1", "name": "x"})},
		{"unknown property", "markets", features.Replace, rec("x", at, map[string]any{"name": "x", "owner": "y"})},
		{"wrong type", "medical_facilities", features.Replace, rec("x", at, map[string]any{"name": "x", "beds": "many"})},
		{"outside vocabulary", "medical_facilities", features.Replace, rec("x", at, map[string]any{"name": "x", "kind": "spa"})},
		{"NUL in text", "markets", features.Replace, rec("x", at, map[string]any{"name": "Chợ\x00"})},
		{"missing name", "markets", features.Replace, rec("x", at, map[string]any{"address": "y"})},
		{"empty name", "markets", features.Replace, []features.Record{Market("x", "")}},
		{"case without code", "cases", features.Replace, rec("x", at, map[string]any{"report_date": "2021-07-01", "origin": "community", "status": "died"})},
		{"case code used twice", "cases", features.Upsert, rec("c9", at, map[string]any{"code": "BD-1", "report_date": "2021-07-01", "origin": "community", "status": "died"})},
		{"person on a place", "markets", features.Replace, []features.Record{{ID: "x", Geometry: at,
			Properties: map[string]any{"name": "x"}, Person: &features.Person{Name: "y"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.Version()
			_, err := s.Write(ctx,
				features.Batch{Collection: "markets", Mode: features.Replace, Records: Records(good)},
				features.Batch{Collection: tt.collection, Mode: tt.mode, Records: Records(tt.records...)})
			if !errors.Is(err, features.ErrInvalid) {
				t.Fatalf("Write error = %v, want ErrInvalid", err)
			}
			if got := MarketNames(t, s); got["ok"] != "" || len(got) != 3 {
				t.Errorf("a failed write changed the markets: %v", got)
			}
			if s.Version() != before {
				t.Errorf("a failed write changed the version")
			}
		})
	}
}

func testPolygonForMultiPolygon(t *testing.T, s Store) {
	_, err := s.Write(context.Background(), features.Batch{Collection: "districts", Mode: features.Upsert, Records: Records(features.Record{
		ID: "1", Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, Properties: map[string]any{"code": "1", "name": "x"}})})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Item(context.Background(), testkit.Collection(t, "districts"), "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("geometry is a %T, want orb.MultiPolygon", f.Geometry)
	}
}

func testCancelledWrite(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: Records(Market("x", "x"))}); !errors.Is(err, context.Canceled) {
		t.Errorf("Write error = %v, want context.Canceled", err)
	}
	if got := MarketNames(t, s); len(got) != 3 {
		t.Errorf("a cancelled write changed the markets: %v", got)
	}
}

// around is a small polygon with its south-west corner at p.
func around(p orb.Point) orb.Polygon {
	return orb.Polygon{{p, {p[0] + 0.01, p[1]}, {p[0] + 0.01, p[1] + 0.01}, {p[0], p[1] + 0.01}, p}}
}

// testTemporalExtents writes periods and checks
// the temporal extent: it starts at the first start, and it ends at the
// latest start or end, or stays open while a period is open, as OGC clients
// read it (GDAL's TEMPORAL_INTERVAL_MAX hides every feature after it).
func testTemporalExtents(t *testing.T, s Store) {
	zone := func(id, status, start string, end any) features.Record {
		return features.Record{ID: id, Geometry: around(orb.Point{106.6, 11}), Properties: map[string]any{
			"name": "Khu " + id, "status": status, "start": start, "end": end}}
	}
	point := func(id, start string, end any) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"name": "Ấp " + id, "start": start, "end": end}}
	}
	visit := func(id, from, to string) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{106.6, 11}, Properties: map[string]any{
			"name": "Chợ " + id, "visited_from": from, "visited_to": to}}
	}
	batches := []features.Batch{
		{Collection: "quarantine_zones", Records: slices.Values([]features.Record{
			zone("lifted", features.ZoneLifted, "2021-06-01", "2021-06-20"),
			zone("in-force", features.ZonePublished, "2021-06-05", nil), // open-ended
			// A draft is not public, nor is its time.
			zone("draft", features.ZoneDraft, "2021-05-01", "2021-09-30"),
		})},
		{Collection: "lockdown_points", Records: slices.Values([]features.Record{
			point("lifted", "2021-06-01", "2021-06-20"),
			point("late", "2021-07-10", nil), // starts after the latest end, still in force
		})},
		{Collection: "epidemic_points", Records: slices.Values([]features.Record{
			visit("early", "2021-06-01", "2021-06-03"),
			visit("long", "2021-06-02", "2021-06-30"),
			visit("late", "2021-06-10", "2021-06-11"),
		})},
	}
	tests := []struct {
		collection string
		start, end time.Time // zero end: open
	}{
		{"quarantine_zones", testkit.Day("2021-06-01"), time.Time{}},
		{"lockdown_points", testkit.Day("2021-06-01"), time.Time{}},
		{"epidemic_points", testkit.Day("2021-06-01"), testkit.Day("2021-06-30")},
	}
	ctx := context.Background()
	if _, err := s.Write(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			ext, err := s.Extent(ctx, testkit.Collection(t, tt.collection))
			if err != nil {
				t.Fatal(err)
			}
			if !ext.Start.Equal(tt.start) || !ext.End.Equal(tt.end) {
				t.Errorf("temporal extent %s / %s, want %s / %s", ext.Start, ext.End, tt.start, tt.end)
			}
		})
	}
}

// testAntimeridianBoxes writes places on both sides of the antimeridian
// and checks what a bbox across it (west > east) finds, page by page.
func testAntimeridianBoxes(t *testing.T, s Store) {
	market := func(id string, lon float64) features.Record {
		return features.Record{ID: id, Geometry: orb.Point{lon, 0.5}, Properties: map[string]any{"name": "Chợ " + id}}
	}
	zone := func(id string, lon float64) features.Record {
		return features.Record{ID: id, Geometry: around(orb.Point{lon, 0.5}), Properties: map[string]any{
			"name": "Khu " + id, "status": features.ZonePublished}}
	}
	batches := []features.Batch{
		{Collection: "markets", Records: slices.Values([]features.Record{
			market("a-east", 179.5), market("b-edge", 180), market("c-west", -179.5), market("d-far-west", -178.5),
			market("e-home", 106.6), market("f-zero", 0), market("g-west-edge", -180),
		})},
		{Collection: "quarantine_zones", Records: slices.Values([]features.Record{
			zone("z-east", 179.2), zone("z-west", -179.5), zone("z-home", 106.6),
			// A band round the world meets both halves of the box: once.
			{ID: "z-band", Geometry: orb.Polygon{{{-180, 0.2}, {180, 0.2}, {180, 0.3}, {-180, 0.3}, {-180, 0.2}}},
				Properties: map[string]any{"name": "Khu z-band", "status": features.ZonePublished}},
		})},
	}
	box := &orb.Bound{Min: orb.Point{179, -10}, Max: orb.Point{-179, 10}}
	tests := []struct {
		collection    string
		limit, offset int
		want          []string
		matched       int
	}{
		{"markets", -1, 0, []string{"a-east", "b-edge", "c-west", "g-west-edge"}, 4},
		{"markets", 2, 0, []string{"a-east", "b-edge"}, 4},
		{"markets", 2, 2, []string{"c-west", "g-west-edge"}, 4},
		{"markets", 3, 3, []string{"g-west-edge"}, 4},
		{"quarantine_zones", -1, 0, []string{"z-band", "z-east", "z-west"}, 3},
		{"quarantine_zones", 1, 2, []string{"z-west"}, 3},
	}
	ctx := context.Background()
	if _, err := s.Write(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		page, err := s.Items(ctx, features.ItemsQuery{Collection: testkit.Collection(t, tt.collection), BBox: box, Limit: tt.limit, Offset: tt.offset})
		if err != nil {
			t.Fatal(err)
		}
		if got := testkit.IDs(page.Features); !slices.Equal(got, tt.want) || page.NumberMatched != tt.matched {
			t.Errorf("%s limit %d offset %d: %v of %d, want %v of %d", tt.collection, tt.limit, tt.offset, got, page.NumberMatched, tt.want, tt.matched)
		}
	}
	// A box across the antimeridian that comes back to Vietnam holds
	// everything but what lies between its edges.
	wide := &orb.Bound{Min: orb.Point{107, -10}, Max: orb.Point{106, 10}}
	page, err := s.Items(ctx, features.ItemsQuery{Collection: testkit.Collection(t, "markets"), BBox: wide, Limit: -1})
	if err != nil || page.NumberMatched != 6 {
		t.Errorf("box 107..106 across the antimeridian: %d markets, %v; want all 6 but e-home", page.NumberMatched, err)
	}
}
