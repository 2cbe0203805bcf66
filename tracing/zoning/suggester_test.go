package zoning

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/paulmach/orb"
)

type venueMap map[tracing.VenueID]tracing.Venue

func (m venueMap) Venue(_ context.Context, id tracing.VenueID) (tracing.Venue, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	if id == "broken" {
		return tracing.Venue{}, errors.New("store down")
	}
	return tracing.Venue{}, tracing.ErrNotFound
}

// TestSuggester checks the runs API's Zoner: the points it gathers, the
// wards it reads, the dates and the note, and what an empty zone is.
func TestSuggester(t *testing.T) {
	wards := testkit.NewMemReader(
		features.Feature{Collection: "wards", ID: west.Code, Geometry: west.Shape, Properties: map[string]any{"code": west.Code}},
		features.Feature{Collection: "wards", ID: east.Code, Geometry: east.Shape, Properties: map[string]any{"code": east.Code}},
	)
	v1, v2 := tracing.VenueID(strings.Repeat("1", 32)), tracing.VenueID(strings.Repeat("2", 32))
	s := &Suggester{Reader: wards, Catalog: features.NewCatalog(), Days: 10,
		Venues: venueMap{v1: {ID: v1, Location: offset(centre, 300, 0)}, v2: {ID: v2}}}
	iso := time.Date(2021, 8, 20, 18, 0, 0, 0, time.UTC) // 21 August in Vietnam
	run := exposure.Result{
		F0s:      []exposure.F0{{Label: "BD-7", Isolation: iso}, {Label: "BD-9", Isolation: iso.Add(-48 * time.Hour)}},
		Clusters: []exposure.Cluster{{Venues: []tracing.VenueID{v1, v2}}, {Venues: []tracing.VenueID{v1, tracing.VenueID(strings.Repeat("3", 32))}}},
	}
	homes := []exposurehttp.Home{{Point: offset(centre, -500, 0)}, {}}
	z, err := s.Suggest(context.Background(), run, homes)
	if err != nil {
		t.Fatal(err)
	}
	if z.IsEmpty() || len(z.Geometry) != 2 || strings.Join(z.Wards, ",") != "25741,25744" {
		t.Errorf("zone of %d polygons in %v; want two, in both wards", len(z.Geometry), z.Wards)
	}
	if z.Start != time.Date(2021, 8, 21, 0, 0, 0, 0, time.UTC) || z.End != time.Date(2021, 8, 31, 0, 0, 0, 0, time.UTC) {
		t.Errorf("zone from %v to %v; want 21 to 31 August", z.Start, z.End)
	}
	if !strings.HasPrefix(z.Note, "F0 BD-7, BD-9; 1 residence, 1 venue; 3.") || !strings.HasSuffix(z.Note, "ha on a 5 m raster") {
		t.Errorf("note %q", z.Note)
	}

	empty, err := s.Suggest(context.Background(), exposure.Result{F0s: run.F0s}, nil)
	if err != nil || !empty.IsEmpty() || empty.Note != "F0 BD-7, BD-9; 0 residences, 0 venues" {
		t.Errorf("no point: %+v, %v; want an empty zone", empty, err)
	}
	far, err := s.Suggest(context.Background(), run, []exposurehttp.Home{{Point: orb.Point{105, 10}}})
	if err != nil || far.IsEmpty() || len(far.Geometry) != 1 {
		t.Errorf("a home outside every ward: %+v, %v; want the venue's zone alone", far, err)
	}
	broken := exposure.Result{Clusters: []exposure.Cluster{{Venues: []tracing.VenueID{"broken"}}}}
	if _, err := s.Suggest(context.Background(), broken, nil); err == nil {
		t.Error("a venue store error was swallowed")
	}
}
