package embedded

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/storetest"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
	bolt "go.etcd.io/bbolt"
)

func TestVersionAndEmpty(t *testing.T) {
	ctx := context.Background()
	s, dir := openTemp(t)
	empty, err := s.Empty(ctx)
	if err != nil || !empty {
		t.Fatalf("new store: Empty = %v, %v; want true", empty, err)
	}
	v0 := s.Version()
	if _, err := s.Write(ctx, storetest.Fixture()...); err != nil {
		t.Fatal(err)
	}
	v1 := s.Version()
	if v1 == v0 {
		t.Errorf("version %q did not change with a write", v1)
	}
	if empty, err := s.Empty(ctx); err != nil || empty {
		t.Errorf("after a write: Empty = %v, %v; want false", empty, err)
	}
	s.Close()
	s = openDir(t, dir)
	if v := s.Version(); v != v1 {
		t.Errorf("version after reopening = %q, want %q", v, v1)
	}
	other, _ := openTemp(t)
	if other.Version() == v0 {
		t.Errorf("two data directories share version %q", v0)
	}
	// A store holding only a draft zone is not empty: the draft is data.
	if _, err := s.Write(ctx, features.Batch{Collection: "quarantine_zones", Mode: features.Replace, Records: storetest.Records(features.Record{
		ID: "d", Geometry: storetest.Square(0, 0, 1, 1), Properties: map[string]any{"name": "x", "status": features.ZoneDraft}})}); err != nil {
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
	if _, err := s.Write(ctx, features.Batch{Collection: "markets", Records: storetest.Records(storetest.Market("x", "x"))}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Empty(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Empty after Close = %v, want ErrClosed", err)
	}
}

// TestReadsDuringWrites runs readers against a writer; with -race it checks
// that snapshots are published safely, and readers must always see a whole
// write: the two markets of one write are both there or both not.
func TestReadsDuringWrites(t *testing.T) {
	s, _ := seeded(t)
	ctx := context.Background()
	col := testkit.Collection(t, "markets")
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
					t.Errorf("saw half a write: %v", testkit.IDs(page.Features))
					return
				}
			}
		})
	}
	for i := range 50 {
		a, b := storetest.Market("w"+string(rune('a'+i%26))+"1", "x"), storetest.Market("w"+string(rune('a'+i%26))+"2", "y")
		mode := features.Upsert
		if i%10 == 9 {
			mode = features.Replace
			a, b = storetest.Market("m1", "x"), storetest.Market("m2", "y")
			if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: mode, Records: storetest.Records(a, b, storetest.Market("m3", "z"))}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := s.Write(ctx, features.Batch{Collection: "markets", Mode: mode, Records: storetest.Records(a, b)}); err != nil {
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
	homes := storetest.Homes()
	err := s.db.View(func(tx *bolt.Tx) error {
		for id, want := range storetest.Persons() {
			col := storetest.PeopleCollection(id)
			priv, err := decodePrivate(tx.Bucket(privateBucket(col)).Get([]byte(id)))
			if err != nil {
				return err
			}
			if *priv.person != want || priv.exact != homes[id] {
				t.Errorf("%s private side = %+v at %v, want %+v at %v", id, priv.person, priv.exact, want, homes[id])
			}
			pub, err := decodePublic(newLayout(testkit.Collection(t, col)), tx.Bucket(publicBucket(col)).Get([]byte(id)))
			if err != nil {
				return err
			}
			if pub.geom != features.Geomask(homes[id], DefaultGeomaskCellM) {
				t.Errorf("%s public position %v is not the geomasked home", id, pub.geom)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
