package postgis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/paulmach/orb"
)

// droppingSink drops a day's partition the first time it is handed
// venues, as the retention purge does when it runs beside a load.
type droppingSink struct {
	exposure.Sink
	drop func()
}

func (d *droppingSink) Venues(vs ...exposure.VenueInfo) {
	if d.drop != nil {
		d.drop()
		d.drop = nil
	}
	d.Sink.Venues(vs...)
}

// TestLoadMeetsAPurge: a day's partition dropped after the load listed
// it is exposure.ErrSourceChanged, not an unexplained error, and the next
// load succeeds without that day.
func TestLoadMeetsAPurge(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	s := postgis.New(fs.Pool(), tracing.Options{Clock: tracing.ClockFunc(func() time.Time { return now })})
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "admin", Role: auth.Admin})
	v, err := s.RegisterVenue(ctx, tracing.Venue{ID: tracing.NewVenueID(), Name: "Chợ", Category: tracing.Market,
		Ward: "25747", Location: orb.Point{106.6, 10.9}, DefaultStay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for day := range 3 {
		at := now.Add(-time.Duration(day) * 24 * time.Hour)
		if _, err := s.CheckIn(ctx, tracing.CheckIn{Venue: v.ID, Person: tracing.PersonKey{byte(day + 1)}, At: at, Source: tracing.SelfScan}); err != nil {
			t.Fatal(err)
		}
	}
	oldest := "tracing.visits_p" + now.Add(-48*time.Hour).Format("20060102")
	sink := &droppingSink{Sink: exposure.New(exposure.Options{}), drop: func() {
		if _, err := fs.Pool().Exec(context.Background(), "DROP TABLE "+oldest); err != nil {
			t.Errorf("drop %s: %v", oldest, err)
		}
	}}
	if err := s.LoadInto(ctx, sink); !errors.Is(err, exposure.ErrSourceChanged) {
		t.Fatalf("a load that met a dropped day: %v, want ErrSourceChanged", err)
	}
	again := exposure.New(exposure.Options{})
	if err := s.LoadInto(ctx, again); err != nil {
		t.Fatalf("the load after: %v", err)
	}
	if st := again.Stats(); st.Visits != 2 {
		t.Errorf("the load after holds %d visits, want the 2 of the days kept", st.Visits)
	}
}
