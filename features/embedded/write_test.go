package embedded

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	bolt "go.etcd.io/bbolt"
)

func market(id, name string) features.Record {
	return features.Record{ID: id, Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": name}}
}

func marketNames(t *testing.T, s *Store) map[string]string {
	t.Helper()
	page, err := s.Items(context.Background(), features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range page.Features {
		out[f.ID], _ = f.Properties["name"].(string)
	}
	return out
}

func TestWriteModes(t *testing.T) {
	tests := []struct {
		name   string
		mode   features.WriteMode
		batch  []features.Record
		counts int
		want   map[string]string
	}{
		{"replace empties first", features.Replace, []features.Record{market("m9", "Chợ Mới")}, 1,
			map[string]string{"m9": "Chợ Mới"}},
		{"upsert replaces same ids", features.Upsert, []features.Record{market("m2", "Chợ Dĩ An mới"), market("m4", "Chợ Tân Phước Khánh")}, 2,
			map[string]string{"m1": "Chợ Thủ Dầu Một", "m2": "Chợ Dĩ An mới", "m3": "Chợ đêm Phú Cường", "m4": "Chợ Tân Phước Khánh"}},
		{"replace with nothing", features.Replace, nil, 0, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := seeded(t)
			counts, err := s.Write(context.Background(), features.Batch{Collection: "markets", Mode: tt.mode, Records: records(tt.batch...)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(counts, []int{tt.counts}) {
				t.Errorf("counts = %v, want [%d]", counts, tt.counts)
			}
			checkNames(t, marketNames(t, s), tt.want)
			// The spatial index follows: every market is where a bbox finds it.
			page, err := s.Items(context.Background(), features.ItemsQuery{Collection: mustCollection(t, "markets"), Limit: -1,
				BBox: &orb.Bound{Min: orb.Point{106.6, 10.8}, Max: orb.Point{106.8, 11}}})
			if err != nil || page.NumberMatched != len(tt.want) {
				t.Errorf("bbox finds %d markets (%v), want %d", page.NumberMatched, err, len(tt.want))
			}
			s.Close()
			checkNames(t, marketNames(t, openDir(t, dir)), tt.want)
		})
	}
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

func TestWriteSameCollectionTwice(t *testing.T) {
	s, _ := seeded(t)
	counts, err := s.Write(context.Background(),
		features.Batch{Collection: "markets", Mode: features.Replace, Records: records(market("a", "A"), market("b", "B"))},
		features.Batch{Collection: "markets", Mode: features.Upsert, Records: records(market("b", "B2"), market("c", "C"))},
		features.Batch{Collection: "markets", Mode: features.Upsert, Records: records(market("a", "A2"))},
	)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(counts, []int{2, 2, 1}) {
		t.Errorf("counts = %v, want [2 2 1]", counts)
	}
	checkNames(t, marketNames(t, s), map[string]string{"a": "A2", "b": "B2", "c": "C"})
}

func TestDraftZoneLifecycle(t *testing.T) {
	s, _ := seeded(t)
	col := mustCollection(t, "quarantine_zones")
	zone := func(status string) features.Record {
		return features.Record{ID: "z2", Geometry: square(106.651, 10.979, 106.655, 10.983),
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
			counts, err := s.Write(context.Background(), features.Batch{Collection: col.ID, Mode: st.mode, Records: records(zone(st.status))})
			if err != nil {
				t.Fatal(err)
			}
			if counts[0] != st.count {
				t.Errorf("count = %d, want %d", counts[0], st.count)
			}
			_, err = s.Item(context.Background(), col, "z2")
			if visible := err == nil; visible != st.visible {
				t.Errorf("visible = %v, want %v (%v)", visible, st.visible, err)
			}
			near, err := s.Nearby(context.Background(), features.NearbyQuery{Center: orb.Point{106.653, 10.981}, RadiusM: 1,
				Collections: []features.Collection{col}})
			if err != nil {
				t.Fatal(err)
			}
			if found := slices.ContainsFunc(near, func(n features.Near) bool { return n.Feature.ID == "z2" }); found != st.visible {
				t.Errorf("nearby finds it = %v, want %v", found, st.visible)
			}
		})
	}
}

func TestWriteInvalid(t *testing.T) {
	good := market("ok", "Chợ Tốt")
	tests := []struct {
		name  string
		batch features.Batch
	}{
		{"unknown collection", features.Batch{Collection: "nope", Records: records(good)}},
		{"unknown mode", features.Batch{Collection: "markets", Mode: 7, Records: records(good)}},
		{"no id", features.Batch{Collection: "markets", Records: records(market("", "Chợ"))}},
		{"id twice", features.Batch{Collection: "markets", Records: records(good, good)}},
		{"no geometry", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x", Properties: map[string]any{"name": "x"}})}},
		{"polygon in a point layer", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x",
			Geometry: square(0, 0, 1, 1), Properties: map[string]any{"name": "x"}})}},
		{"lat/lon swapped", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{10.98, 106.65}, Properties: map[string]any{"name": "x"}})}},
		{"open ring", features.Batch{Collection: "districts", Records: records(features.Record{ID: "x",
			Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, Properties: map[string]any{"code": "1", "name": "x"}})}},
		{"unknown property", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": "x", "owner": "y"}})}},
		{"wrong type", features.Batch{Collection: "medical_facilities", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": "x", "beds": "many"}})}},
		{"outside vocabulary", features.Batch{Collection: "medical_facilities", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": "x", "kind": "spa"}})}},
		{"missing name", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"address": "y"}})}},
		{"empty name", features.Batch{Collection: "markets", Records: records(market("x", ""))}},
		{"case without code", features.Batch{Collection: "cases", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"report_date": "2021-07-01", "origin": "community", "status": "died"}})}},
		{"case code used twice", features.Batch{Collection: "cases", Mode: features.Upsert, Records: records(features.Record{ID: "c9",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"code": "BD-1", "report_date": "2021-07-01", "origin": "community", "status": "died"}})}},
		{"person on a place", features.Batch{Collection: "markets", Records: records(features.Record{ID: "x",
			Geometry: orb.Point{106.65, 10.98}, Properties: map[string]any{"name": "x"}, Person: &features.Person{Name: "y"}})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := seeded(t)
			before := s.Version(context.Background())
			// The good batch first: all or nothing means it must not stay.
			_, err := s.Write(context.Background(),
				features.Batch{Collection: "markets", Mode: features.Replace, Records: records(good)}, tt.batch)
			if !errors.Is(err, features.ErrInvalid) {
				t.Fatalf("Write error = %v, want ErrInvalid", err)
			}
			if got := marketNames(t, s); got["ok"] != "" || len(got) != 3 {
				t.Errorf("a failed write changed the markets: %v", got)
			}
			if s.Version(context.Background()) != before {
				t.Errorf("a failed write changed the version")
			}
		})
	}
}

func TestWriteAcceptsPolygonForMultiPolygon(t *testing.T) {
	s, _ := openTemp(t)
	_, err := s.Write(context.Background(), features.Batch{Collection: "districts", Records: records(features.Record{
		ID: "1", Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, Properties: map[string]any{"code": "1", "name": "x"}})})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Item(context.Background(), mustCollection(t, "districts"), "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("geometry is a %T, want orb.MultiPolygon", f.Geometry)
	}
}

func TestVersionAndEmpty(t *testing.T) {
	ctx := context.Background()
	s, dir := openTemp(t)
	empty, err := s.Empty(ctx)
	if err != nil || !empty {
		t.Fatalf("new store: Empty = %v, %v; want true", empty, err)
	}
	v0 := s.Version(ctx)
	if _, err := s.Write(ctx, fixtureBatches()...); err != nil {
		t.Fatal(err)
	}
	v1 := s.Version(ctx)
	if v1 == v0 {
		t.Errorf("version %q did not change with a write", v1)
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Errorf("after a write: Empty = %v, %v; want false", empty, err)
	}
	s.Close()
	s = openDir(t, dir)
	if v := s.Version(ctx); v != v1 {
		t.Errorf("version after reopening = %q, want %q", v, v1)
	}
	other, _ := openTemp(t)
	if other.Version(ctx) == v0 {
		t.Errorf("two data directories share version %q", v0)
	}
	// A store holding only a draft zone is not empty: the draft is data.
	if _, err := s.Write(ctx, features.Batch{Collection: "quarantine_zones", Mode: features.Replace, Records: records(features.Record{
		ID: "d", Geometry: square(0, 0, 1, 1), Properties: map[string]any{"name": "x", "status": features.ZoneDraft}})}); err != nil {
		t.Fatal(err)
	}
	for _, col := range features.NewCatalog().All() {
		if col.ID != "quarantine_zones" {
			if _, err := s.Write(ctx, features.Batch{Collection: col.ID, Mode: features.Replace}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Errorf("with a draft only: Empty = %v, %v; want false", empty, err)
	}
}

func TestClosed(t *testing.T) {
	s, _ := seeded(t)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	s.Close()
	if err := s.Ping(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: records(market("x", "x"))}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Empty(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Empty after Close = %v, want ErrClosed", err)
	}
}

func TestCancelledWrite(t *testing.T) {
	s, _ := seeded(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: records(market("x", "x"))}); !errors.Is(err, context.Canceled) {
		t.Errorf("Write error = %v, want context.Canceled", err)
	}
	if got := marketNames(t, s); len(got) != 3 {
		t.Errorf("a cancelled write changed the markets: %v", got)
	}
}

// TestReadsDuringWrites runs readers against a writer; with -race it checks
// that snapshots are published safely, and readers must always see a whole
// write: the two markets of one write are both there or both not.
func TestReadsDuringWrites(t *testing.T) {
	s, _ := seeded(t)
	ctx := context.Background()
	col := mustCollection(t, "markets")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				page, err := s.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1,
					BBox: &orb.Bound{Min: orb.Point{106, 10}, Max: orb.Point{107, 11}}})
				if err != nil {
					t.Error(err)
					return
				}
				if page.NumberMatched%2 != 1 {
					t.Errorf("saw half a write: %v", ids(page.Features))
					return
				}
			}
		})
	}
	for i := range 50 {
		a, b := market("w"+string(rune('a'+i%26))+"1", "x"), market("w"+string(rune('a'+i%26))+"2", "y")
		mode := features.Upsert
		if i%10 == 9 {
			mode = features.Replace
			a, b = market("m1", "x"), market("m2", "y")
			if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: mode, Records: records(a, b, market("m3", "z"))}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: mode, Records: records(a, b)}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// TestPersonsStayPrivate checks the two sides on disk: people records keep
// their person and exact home in the private bucket, and the public bucket
// holds neither.
func TestPersonsStayPrivate(t *testing.T) {
	s, _ := seeded(t)
	err := s.db.View(func(tx *bolt.Tx) error {
		for id, want := range secretPersons {
			col := "cases"
			if id[0] == 'k' {
				col = "contacts"
			}
			priv, err := decodePrivate(tx.Bucket(privateBucket(col)).Get([]byte(id)))
			if err != nil {
				return err
			}
			if *priv.person != *want || priv.exact != exactHomes[id] {
				t.Errorf("%s private side = %+v at %v, want %+v at %v", id, priv.person, priv.exact, want, exactHomes[id])
			}
			pub, err := decodePublic(newLayout(mustCollection(t, col)), tx.Bucket(publicBucket(col)).Get([]byte(id)))
			if err != nil {
				return err
			}
			if pub.geom != features.Geomask(exactHomes[id], DefaultGeomaskCellM) {
				t.Errorf("%s public position %v is not the geomasked home", id, pub.geom)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
