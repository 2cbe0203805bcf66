package api

import (
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// Markers of personal data; the fixture plants them in people features and the
// privacy test looks for them in every response.
const (
	privateName  = "PRIVATE-NAME-Tran-Thi-Bi-Mat"
	privatePhone = "PRIVATE-PHONE-0912000333"
)

// square is a small MultiPolygon with its south-west corner at lon, lat.
func square(lon, lat, side float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat}}}}
}

// fixtureReader returns places, wards and districts around Thủ Dầu Một,
// with a few cases and contacts carrying personal markers.
func fixtureReader() *testkit.MemReader {
	r := testkit.NewMemReader()
	add := func(col, id string, g orb.Geometry, props map[string]any) {
		r.Add(features.Feature{Collection: col, ID: id, Geometry: g, Properties: props})
	}
	place := func(col, id, name string, lon, lat float64) {
		add(col, id, orb.Point{lon, lat}, map[string]any{"name": name, "address": "Tỉnh Bình Dương",
			"phone": "0274 3800 100", "opening_hours": "07:00-21:00", "district_code": "718", "ward_code": "25747"})
	}
	add("districts", "718", square(106.60, 10.95, 0.10), map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một", "level": "city"})
	add("districts", "719", square(106.55, 11.20, 0.15), map[string]any{"code": "719", "name": "Huyện Bàu Bàng", "level": "district"})
	add("districts", "721", square(106.40, 11.20, 0.15), map[string]any{"code": "721", "name": "Huyện Dầu Tiếng", "level": "district"})
	add("wards", "25747", square(106.64, 10.97, 0.02), map[string]any{"code": "25747", "name": "Phường Phú Cường", "level": "ward", "district_code": "718"})
	add("wards", "25750", square(106.66, 10.99, 0.02), map[string]any{"code": "25750", "name": "Phường Hiệp Thành", "level": "ward", "district_code": "718"})
	add("wards", "25753", square(106.62, 10.96, 0.02), map[string]any{"code": "25753", "name": "Phường Chánh Nghĩa", "level": "ward", "district_code": "718"})
	place("markets", "mk-1", "Chợ Thủ Dầu Một", 106.6540, 10.9800)
	place("markets", "mk-2", "Chợ Phú Hòa", 106.6720, 10.9720)
	place("markets", "mk-3", "Chợ Hiệp Thành", 106.6650, 10.9930)
	place("markets", "mk-4", "Chợ Đình", 106.6480, 10.9850)
	place("markets", "mk-5", "Chợ Dĩ An", 106.7680, 10.9060)
	place("supermarkets", "sm-1", "Siêu thị Co.opmart Bình Dương", 106.6600, 10.9790)
	place("supermarkets", "sm-2", "Siêu thị Big C Dĩ An", 106.7650, 10.9040)
	place("convenience_stores", "cs-1", "Cửa hàng Bách hóa Xanh Phú Cường", 106.6530, 10.9810)
	place("mask_sale_points", "ms-1", "Nhà thuốc Long Châu Thủ Dầu Một", 106.6555, 10.9795)
	place("petrol_stations", "ps-1", "Cửa hàng xăng dầu số 5 Thủ Dầu Một", 106.6500, 10.9770)
	place("shopping_centres", "sc-1", "Trung tâm thương mại Becamex", 106.6800, 10.9800)
	place("emergency_stations", "es-1", "Trạm cấp cứu lưu động số 1", 106.6580, 10.9830)
	add("medical_facilities", "mf-1", orb.Point{106.6590, 10.9760}, map[string]any{"name": "Bệnh viện Đa khoa tỉnh Bình Dương",
		"kind": features.FacilityHospital, "beds": int64(1500), "district_code": "718", "ward_code": "25747"})
	add("medical_facilities", "mf-2", orb.Point{106.6420, 10.9700}, map[string]any{"name": "Trạm y tế phường Phú Cường",
		"kind": features.FacilityHealthStation, "beds": int64(10), "district_code": "718", "ward_code": "25747"})
	// NOTE: case_code and source_case are no longer public (a case's list of
	// places is a path); the reader still returns them, as a store that has
	// not caught up would, and the privacy test checks they are dropped.
	add("epidemic_points", "ep-1", orb.Point{106.6545, 10.9805}, map[string]any{"name": "Quán cà phê Góc Phố",
		"address": "12 Bạch Đằng", "case_code": "BN812", "visited_from": "2021-07-01", "visited_to": "2021-07-02"})
	add("lockdown_points", "lp-1", orb.Point{106.6510, 10.9820}, map[string]any{"name": "Tổ 5 khu phố 2",
		"level": features.LevelResidentialGroup, "start": "2021-07-03", "end": nil})
	add("quarantine_zones", "qz-1", square(106.650, 10.978, 0.004), map[string]any{"name": "Khu phố 3 Phú Cường",
		"status": features.ZonePublished, "level": features.LevelNeighbourhood, "revision": int64(1), "start": "2021-07-03", "end": nil})
	for i := range 4 {
		add("cases", fmt.Sprintf("BN%d", 812+i), features.Geomask(orb.Point{106.6530 + 0.001*float64(i), 10.9800}, 150), map[string]any{
			"code": fmt.Sprintf("BN%d", 812+i), "report_date": "2021-07-05", "status": features.StatusUnderTreatment,
			"name": privateName, "phone": privatePhone, "district_code": "718",
		})
	}
	add("contacts", "F1-0001", features.Geomask(orb.Point{106.6535, 10.9802}, 150), map[string]any{
		"tier": features.TierF1, "source_case": "BN812", "name": privateName, "phone": privatePhone,
	})
	return r
}
