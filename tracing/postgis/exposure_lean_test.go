package postgis_test

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/paulmach/orb"
)

// leanWorld is a World that says it keeps only what the engine keeps,
// so that LoadInto sends it what it sends the engine.
type leanWorld struct{ *exposure.World }

func (leanWorld) KeepsLeanItems() {}

var _ exposure.Lean = leanWorld{}

// TestLoadDecodesEveryColumn: LoadInto hands a World every field of the
// visits and trace points written (open and closed visits, every closing
// and source, a declaration, times written in another zone, to the
// microsecond, before and after 2000), and a Lean sink the same with only
// the fields it keeps.
func TestLoadDecodesEveryColumn(t *testing.T) {
	fs, _ := pgtest.NewStore(t)
	hcm := time.FixedZone("ICT", 7*3600)
	at := time.Date(2021, 8, 20, 23, 30, 15, 123456000, hcm) // 16:30 UTC
	venue := tracing.NewVenueID()
	w := &exposure.World{
		VenueList: []exposure.VenueInfo{{ID: venue, Name: "Chợ", Category: tracing.Market, Ward: "25747", Point: orb.Point{106.6, 10.9}}},
	}
	cases := []struct {
		name    string
		end     time.Duration // 0: open (end_at NULL)
		stay    time.Duration
		closing tracing.Closing
		source  tracing.Source
	}{
		{"open, self scan", 0, 30 * time.Minute, tracing.Open, tracing.SelfScan},
		{"checked out, staff scan", 47 * time.Minute, time.Hour, tracing.CheckedOut, tracing.StaffScan},
		{"default stay, batch", 90 * time.Minute, 90 * time.Minute, tracing.DefaultStay, tracing.Batch},
		{"a day long", 24 * time.Hour, 24 * 60 * time.Minute, tracing.CheckedOut, tracing.SelfScan},
	}
	for i, c := range cases {
		v := tracing.Visit{ID: int64(i + 1), Venue: venue, Person: tracing.PersonKey{byte(i + 1), 0xFF, 31: byte(i)},
			Start: at.Add(time.Duration(i) * time.Hour), Stay: c.stay, Closing: c.closing, Source: c.source}
		if c.end != 0 {
			v.End = v.Start.Add(c.end)
		}
		w.VisitList = append(w.VisitList, v)
	}
	old := time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC) // before PostgreSQL's epoch
	for i, p := range []tracing.TracePoint{
		{Time: at, Lon: 106.65432198765, Lat: 10.98765432101, Accuracy: 12.5},
		{Time: at.Add(10 * time.Minute), Lon: -0.000001, Lat: -89.999999, Accuracy: 0},
		{Time: old, Lon: 180, Lat: 90, Accuracy: 1e-9},
	} {
		p.Person = tracing.PersonKey{0xAB, byte(i)}
		w.TraceList = append(w.TraceList, p)
	}
	writeWorld(t, fs.Pool(), w)
	const declaration = 4_000_000_123
	if _, err := fs.Pool().Exec(context.Background(), `UPDATE tracing.visits SET declaration_id = $1 WHERE id = 2`, declaration); err != nil {
		t.Fatal(err)
	}
	w.VisitList[1].Declaration = declaration

	store := postgis.New(fs.Pool(), tracing.Options{})
	for _, c := range []struct {
		name string
		lean bool
	}{{"a World", false}, {"a Lean sink", true}} {
		t.Run(c.name, func(t *testing.T) {
			got := &exposure.World{}
			var sink exposure.Sink = got
			if c.lean {
				sink = leanWorld{got}
			}
			if err := store.LoadInto(context.Background(), sink); err != nil {
				t.Fatalf("LoadInto: %v", err)
			}
			want := wantLoaded(w, c.lean)
			slices.SortFunc(got.VisitList, func(a, b tracing.Visit) int { return cmp.Compare(a.ID, b.ID) })
			slices.SortFunc(got.TraceList, func(a, b tracing.TracePoint) int { return a.Time.Compare(b.Time) })
			if !reflect.DeepEqual(got.VisitList, want.VisitList) {
				t.Errorf("visits:\n got %+v\nwant %+v", got.VisitList, want.VisitList)
			}
			if !reflect.DeepEqual(got.TraceList, want.TraceList) {
				t.Errorf("trace points:\n got %+v\nwant %+v", got.TraceList, want.TraceList)
			}
		})
	}
}

// wantLoaded is what a load of w hands a sink: times in UTC, visits by
// ID, points by time; for a Lean sink without the fields it does not keep.
func wantLoaded(w *exposure.World, lean bool) *exposure.World {
	out := &exposure.World{}
	for _, v := range w.VisitList {
		v.Start = v.Start.UTC()
		if !v.End.IsZero() {
			v.End = v.End.UTC()
		}
		if lean {
			v.Closing, v.Source, v.Declaration = "", "", 0
		}
		out.VisitList = append(out.VisitList, v)
	}
	for _, p := range w.TraceList {
		p.Time = p.Time.UTC()
		if lean {
			p.Accuracy = 0
		}
		out.TraceList = append(out.TraceList, p)
	}
	slices.SortFunc(out.VisitList, func(a, b tracing.Visit) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(out.TraceList, func(a, b tracing.TracePoint) int { return a.Time.Compare(b.Time) })
	return out
}
