package ogc

import (
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// Markers a store must never let out; the fixture plants them in properties the
// catalog does not declare, and the privacy test looks for them everywhere.
const (
	privateName  = "PRIVATE-NAME-Nguyen-Van-Mau"
	privatePhone = "PRIVATE-PHONE-0909000111"
)

// fixtureReader returns the fixture: 5 medical facilities, 30 cases, 3
// zones, 7 markets, an emergency station and 2 districts around Thủ Dầu Một.
func fixtureReader() *testkit.MemReader {
	r := testkit.NewMemReader()
	add := func(col, id string, g orb.Geometry, props map[string]any) {
		r.Add(features.Feature{Collection: col, ID: id, Geometry: g, Properties: props})
	}
	kinds := []string{features.FacilityHospital, features.FacilityFieldHospital, features.FacilityHealthStation, features.FacilityTestingSite}
	for i := range 5 {
		add("medical_facilities", fmt.Sprintf("mf-%02d", i+1), orb.Point{106.65 + 0.01*float64(i), 10.98 + 0.005*float64(i)}, map[string]any{
			"name": fmt.Sprintf("Bệnh viện số %d", i+1), "kind": kinds[i%len(kinds)], "beds": int64(100 * (i + 1)),
			"address": fmt.Sprintf("%d Đại lộ Bình Dương", 10*(i+1)), "phone": "0274 3822 000", "opening_hours": "24/7",
			"district_code": "718", "ward_code": "25747",
		})
	}
	statuses := []string{features.StatusUnderTreatment, features.StatusRecovered, features.StatusDied}
	for i := range 30 {
		exact := orb.Point{106.60 + 0.003*float64(i), 10.95 + 0.002*float64(i)}
		add("cases", fmt.Sprintf("BN%04d", 800+i), features.Geomask(exact, 150), map[string]any{
			"code": fmt.Sprintf("BN%04d", 800+i), "report_date": fmt.Sprintf("2021-07-%02d", 1+i%10),
			"report_session": features.SessionMorning, "origin": features.OriginCommunity,
			"detected_in": features.DetectedCommunityScreening, "cluster": "Công ty Pouyuen",
			"status": statuses[i%3], "status_date": nil, "district_code": "718", "ward_code": "25747",
			// What a broken store might leak; the handler must drop them.
			"person_name": privateName, "phone": privatePhone,
		})
	}
	zone := func(lon, lat float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon, lat + 0.01}, {lon, lat}}}}
	}
	add("quarantine_zones", "qz-1", zone(106.60, 10.95), map[string]any{"name": "Khu phố 1", "status": features.ZoneLifted,
		"level": features.LevelNeighbourhood, "revision": int64(2), "start": "2021-06-20", "end": "2021-07-04", "district_code": "718", "ward_code": "25747"})
	add("quarantine_zones", "qz-2", zone(106.65, 10.97), map[string]any{"name": "Ấp 3", "status": features.ZonePublished,
		"level": features.LevelHamlet, "revision": int64(1), "start": "2021-07-03", "end": nil, "district_code": "718", "ward_code": "25747"})
	add("quarantine_zones", "qz-3", zone(106.70, 11.00), map[string]any{"name": "Tổ 5", "status": features.ZonePublished,
		"level": features.LevelResidentialGroup, "revision": int64(1), "start": "2021-07-08", "end": nil, "district_code": "718", "ward_code": "25747"})
	for i := range 6 {
		add("markets", fmt.Sprintf("mk-%02d", i+1), orb.Point{106.66 + 0.004*float64(i), 10.99 - 0.003*float64(i)}, map[string]any{
			"name": fmt.Sprintf("Chợ Thủ Dầu Một %d", i+1), "address": "Đường Bạch Đằng", "phone": nil,
			"opening_hours": "05:00-18:00", "district_code": "718", "ward_code": "25747",
		})
	}
	// A name that must reach HTML pages escaped.
	add("markets", "mk-07", orb.Point{106.70, 10.96}, map[string]any{"name": "<script>alert(1)</script> & Chợ"})
	// An id that needs escaping in a path.
	add("emergency_stations", "trạm 1/A", orb.Point{106.67, 10.97}, map[string]any{"name": "Trạm cấp cứu lưu động 1A"})
	add("districts", "718", zone(106.60, 10.94), map[string]any{"code": "718", "name": "Thủ Dầu Một", "level": "city"})
	add("districts", "719", zone(106.55, 11.10), map[string]any{"code": "719", "name": "Bàu Bàng", "level": "district"})
	return r
}
