package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/paulmach/orb"
)

// TestPartitionDroppedElsewhere: a server whose partition another server
// purged recreates it instead of failing the check-in.
func TestPartitionDroppedElsewhere(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	opts := tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now })}
	one, other := postgis.New(fs.Pool(), opts), postgis.New(fs.Pool(), opts)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	v, err := one.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ", Category: tracing.Market,
		Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p := tracing.PersonKey{1}
	record := func(min int) {
		t.Helper()
		at := now.Add(-time.Duration(min) * time.Minute)
		if _, err := one.CheckIn(ctx, tracing.CheckIn{Venue: v.ID, Person: p, At: at, Source: tracing.SelfScan}); err != nil {
			t.Fatalf("check-in: %v", err)
		}
		if _, err := one.CheckInBatch(ctx, []tracing.CheckIn{{Venue: v.ID, Person: p, At: at.Add(-time.Minute), Source: tracing.Batch}}); err != nil {
			t.Fatalf("batch: %v", err)
		}
		if _, err := one.Declare(ctx, tracing.Declaration{Person: p, Time: at}); err != nil {
			t.Fatalf("declare: %v", err)
		}
	}
	record(60)
	if res, err := other.Purge(ctx, now.Add(24*time.Hour)); err != nil || len(res.Partitions) != 2 {
		t.Fatalf("the other server's purge: %+v, %v", res, err)
	}
	record(30)
	got, err := one.VisitsOf(ctx, p, now.Add(-time.Hour), now)
	if err != nil || len(got) != 2 {
		t.Errorf("after the partition came back: %d visits, %v; want 2", len(got), err)
	}
}
