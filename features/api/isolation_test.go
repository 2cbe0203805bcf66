package api

import (
	"net/http"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

func TestZonesAt(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []string // collection/id
		until string
	}{
		{"inside the zone and near the lockdown", "lon=106.652&lat=10.980&date=2021-08-16",
			[]string{"quarantine_zones/qz-1", "lockdown_points/lp-1"}, ""},
		{"before the zone and the lockdown", "lon=106.652&lat=10.980&date=2021-07-01", nil, ""},
		{"today by default (the test clock)", "lon=106.652&lat=10.980", []string{"quarantine_zones/qz-1", "lockdown_points/lp-1"}, ""},
		{"near the lockdown only", "lon=106.6510&lat=10.9840&date=2021-08-16", []string{"lockdown_points/lp-1"}, ""},
		{"far from both", "lon=106.70&lat=10.90&date=2021-08-16", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.Get(newServer(fixtureReader()), "/api/zones/at?"+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := decode[zonesAtResponse](t, rec)
			var got []string
			for _, a := range body.Areas {
				got = append(got, a.Collection+"/"+a.ID)
				if a.Name == "" || a.Start == "" {
					t.Errorf("%s: no name or start: %+v", a.ID, a)
				}
			}
			if !slices.Equal(got, tt.want) || body.Inside != (len(tt.want) > 0) {
				t.Errorf("areas %v (inside %v), want %v", got, body.Inside, tt.want)
			}
		})
	}
}

func TestZonesAtRefused(t *testing.T) {
	for _, q := range []string{"", "lon=106.65", "lon=200&lat=10", "lon=106.65&lat=10.98&date=16/08/2021", "lon=106.65&lat=10.98&radius=5"} {
		t.Run(q, func(t *testing.T) {
			if rec := testkit.Get(newServer(fixtureReader()), "/api/zones/at?"+q); rec.Code != http.StatusBadRequest {
				t.Errorf("status %d, want 400: %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestNearbyFlagsAndFilters(t *testing.T) {
	r := fixtureReader()
	r.Add(features.Feature{Collection: "markets", ID: "mk-closed", Geometry: orb.Point{106.6535, 10.9805}, Properties: map[string]any{
		"name": "Chợ tạm đóng", "status": features.PlaceClosed, "opening_hours": "Mo-Su 05:00-22:00"}})
	r.Add(features.Feature{Collection: "markets", ID: "mk-delivery", Geometry: orb.Point{106.6536, 10.9806}, Properties: map[string]any{
		"name": "Chợ giao hàng", "status": features.PlaceDeliveryOnly}})
	r.Add(features.Feature{Collection: "markets", ID: "mk-morning", Geometry: orb.Point{106.6537, 10.9807}, Properties: map[string]any{
		"name": "Chợ sáng", "status": features.PlaceOpen, "opening_hours": "Mo-Su 05:00-11:00"}})
	r.Add(features.Feature{Collection: "medical_facilities", ID: "mf-free", Geometry: orb.Point{106.6538, 10.9808}, Properties: map[string]any{
		"name": "Bệnh viện dã chiến số 1", "kind": features.FacilityFieldHospital1, "beds": int64(500), "free_beds": int64(12)}})
	r.Add(features.Feature{Collection: "medical_facilities", ID: "mf-full", Geometry: orb.Point{106.6539, 10.9809}, Properties: map[string]any{
		"name": "Bệnh viện dã chiến số 2", "kind": features.FacilityFieldHospital2, "beds": int64(300), "free_beds": int64(0)}})
	tests := []struct {
		name, query string
		want        []string
		flagged     []string
	}{
		{"open now at 20:30: hours, or a serving status without hours", "layers=markets&radius=300&open_now=true",
			[]string{"mk-delivery", "mk-1"}, []string{"mk-delivery", "mk-1"}},
		{"a closed market is not open now, whatever its hours", "layers=markets&radius=300&open_now=true&limit=1",
			[]string{"mk-delivery"}, []string{"mk-delivery"}},
		{"every market", "layers=markets&radius=300",
			[]string{"mk-closed", "mk-delivery", "mk-morning", "mk-1"}, []string{"mk-closed", "mk-delivery", "mk-morning", "mk-1"}},
		{"free beds", "layers=medical_facilities&radius=5000&free_beds=true", []string{"mf-free"}, []string{"mf-free"}},
		{"a day before the zones: nothing flagged", "layers=markets&radius=300&date=2021-07-01",
			[]string{"mk-closed", "mk-delivery", "mk-morning", "mk-1"}, nil},
		{"the limit counts what the filter keeps", "layers=markets&radius=300&open_now=1&limit=1", []string{"mk-delivery"}, []string{"mk-delivery"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.Get(newServer(r), "/api/nearby?lon=106.6534&lat=10.9804&"+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := decode[nearbyResponse](t, rec)
			var got, flagged []string
			for _, p := range body.Places {
				got = append(got, p.ID)
				if p.InZone != nil {
					flagged = append(flagged, p.ID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("places %v, want %v", got, tt.want)
			}
			if !slices.Equal(flagged, tt.flagged) {
				t.Errorf("flagged %v, want %v", flagged, tt.flagged)
			}
		})
	}
	for _, q := range []string{"open_now=yes", "free_beds=2", "date=2021-13-01"} {
		if rec := testkit.Get(newServer(r), "/api/nearby?lon=106.6534&lat=10.9804&"+q); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, rec.Code)
		}
	}
}
