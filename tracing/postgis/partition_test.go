package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/jackc/pgx/v5"
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

// sqlPartitionIndexes counts, per visits partition, the indexes attached
// to the parent's and the constraints named day_bounds left behind.
const sqlPartitionIndexes = `SELECT c.relname,
		(SELECT count(*) FROM pg_index x JOIN pg_inherits ii ON ii.inhrelid = x.indexrelid WHERE x.indrelid = c.oid),
		(SELECT count(*) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.conname = 'day_bounds')
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'tracing.visits'::regclass ORDER BY 1`

// TestBulkImportAttachesIndexedDays: a day bando import checkins loads as
// a new table is attached as the partition with every index of the
// parent, as a partition a check-in made has, and no bounds constraint.
func TestBulkImportAttachesIndexedDays(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	s := postgis.New(fs.Pool(), tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now })})
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	v, err := s.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ", Category: tracing.Market,
		Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckIn(ctx, tracing.CheckIn{Venue: v.ID, Person: tracing.PersonKey{1}, At: now, Source: tracing.SelfScan}); err != nil {
		t.Fatal(err)
	}
	var rows []tracing.CheckIn
	for i := range 2000 {
		rows = append(rows, tracing.CheckIn{Venue: v.ID, Person: tracing.PersonKey{byte(i), byte(i >> 8), 2},
			At: now.Add(-time.Duration(i) * time.Minute), Source: tracing.Batch})
	}
	if res, err := s.ImportCheckIns(ctx, tracing.CheckInImport{Rows: rows}); err != nil || res.Recorded != 2000 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	got, err := fs.Pool().Query(ctx, sqlPartitionIndexes)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := pgx.CollectRows(got, pgx.RowToStructByPos[struct {
		Name           string
		Indexes, Stale int64
	}])
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 { // 2,000 minutes back from the check-in's day
		t.Fatalf("partitions %+v, want the check-in's day and two before", parts)
	}
	for _, p := range parts {
		if p.Indexes != parts[len(parts)-1].Indexes || p.Indexes < 3 || p.Stale != 0 {
			t.Errorf("partition %+v; the check-in's day has %d indexes", p, parts[len(parts)-1].Indexes)
		}
	}

}
