package storetest

import (
	"slices"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// Persons returns the personal fields of the fixture's people, by record id
// (c… cases, k… contacts).
func Persons() map[string]features.Person {
	return map[string]features.Person{
		"c1": {Name: "Trần Thị Bí Mật", Phone: "0912345678", IDNumber: "079300000001", Address: "12 Hẻm Riêng Tư"},
		"c2": {Name: "Lê Văn Kín", Phone: "0987654321", IDNumber: "079300000002", Address: "34 Đường Giấu"},
		"c3": {Name: "Phạm Ẩn Danh", Phone: "0900000003", IDNumber: "079300000003", Address: "56 Ngõ Khuất"},
		"k1": {Name: "Võ Thị Riêng", Phone: "0900000004", IDNumber: "079300000004", Address: "78 Kiệt Kín"},
		"k2": {Name: "Đỗ Văn Mật", Phone: "0900000005", IDNumber: "079300000005", Address: "90 Hẻm Sâu"},
	}
}

// Homes returns the exact locations of the fixture's people, by record id.
func Homes() map[string]orb.Point {
	return map[string]orb.Point{
		"c1": {106.65237, 10.98041},
		"c2": {106.75013, 10.90127},
		"c3": {106.64811, 10.97577},
		"k1": {106.65302, 10.98123},
		"k2": {106.75155, 10.90266},
	}
}

// PeopleCollection is the collection of a fixture person's record.
func PeopleCollection(id string) string {
	if id[0] == 'k' {
		return "contacts"
	}
	return "cases"
}

// Square is a rectangle as a MultiPolygon, from its south-west to its
// north-east corner.
func Square(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

// Records is a batch's record sequence.
func Records(rs ...features.Record) func(func(features.Record) bool) { return slices.Values(rs) }

// Fixture returns the batches of the fixture: two districts, a ward, three
// markets and a supermarket, three cases and two contacts with their
// personal fields, and three zones (one a draft, one a triangle whose
// bounds hold points outside it). Each call returns fresh batches.
func Fixture() []features.Batch {
	persons, homes := Persons(), Homes()
	person := func(id string, props map[string]any) features.Record {
		p := persons[id]
		return features.Record{ID: id, Geometry: homes[id], Properties: props, Person: &p}
	}
	place := func(id, name, district string, p orb.Point) features.Record {
		return features.Record{ID: id, Geometry: p, Properties: map[string]any{
			"name": name, "address": "Đường " + name, "phone": "0274 3822 000", "district_code": district, "ward_code": "",
		}}
	}
	day := testkit.Day
	triangle := orb.Polygon{{{106.745, 10.895}, {106.755, 10.895}, {106.745, 10.905}, {106.745, 10.895}}}
	return []features.Batch{
		{Collection: "districts", Mode: features.Replace, Records: Records(
			features.Record{ID: "718", Geometry: Square(106.60, 10.95, 106.70, 11.05),
				Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một", "level": "Thành phố"}},
			features.Record{ID: "724", Geometry: Square(106.70, 10.85, 106.80, 10.95),
				Properties: map[string]any{"code": "724", "name": "Thành phố Dĩ An", "level": "Thành phố"}},
		)},
		{Collection: "wards", Mode: features.Replace, Records: Records(
			features.Record{ID: "25741", Geometry: Square(106.64, 10.97, 106.67, 11.00),
				Properties: map[string]any{"code": "25741", "name": "Phường Phú Cường", "level": "Phường", "district_code": "718"}},
		)},
		{Collection: "markets", Mode: features.Replace, Records: Records(
			place("m1", "Chợ Thủ Dầu Một", "718", orb.Point{106.6550, 10.9810}),
			place("m2", "Chợ Dĩ An", "724", orb.Point{106.7500, 10.9000}),
			place("m3", "Chợ đêm Phú Cường", "718", orb.Point{106.6520, 10.9850}),
		)},
		{Collection: "supermarkets", Mode: features.Replace, Records: Records(
			place("s1", "Siêu thị Co.opmart Thủ Dầu Một", "718", orb.Point{106.6600, 10.9900}),
		)},
		{Collection: "cases", Mode: features.Replace, Records: Records(
			person("c1", map[string]any{"code": "BD-1", "report_date": day("2021-07-01"), "origin": features.OriginCommunity,
				"status": features.StatusUnderTreatment, "cluster": "KCN VSIP", "district_code": "718"}),
			person("c2", map[string]any{"code": "BD-2", "report_date": day("2021-07-05"), "origin": features.OriginReturningCitizen,
				"status": features.StatusRecovered, "status_date": day("2021-07-20"), "district_code": "724"}),
			person("c3", map[string]any{"code": "BD-3", "report_date": "2021-07-10", "origin": features.OriginCommunity,
				"status": features.StatusDied, "district_code": "718"}),
		)},
		{Collection: "contacts", Mode: features.Replace, Records: Records(
			person("k1", map[string]any{"tier": features.TierF1,
				"quarantine_start": day("2021-07-02"), "quarantine_end": day("2021-07-16"), "district_code": "718"}),
			person("k2", map[string]any{"tier": features.TierF2,
				"quarantine_start": day("2021-07-06"), "district_code": "724"}),
		)},
		{Collection: "quarantine_zones", Mode: features.Replace, Records: Records(
			features.Record{ID: "z1", Geometry: Square(106.650, 10.978, 106.656, 10.984), Properties: map[string]any{
				"name": "Khu phố 1 Phú Cường", "status": features.ZonePublished, "level": features.LevelNeighbourhood,
				"start": day("2021-07-01"), "district_code": "718"}},
			features.Record{ID: "z2", Geometry: Square(106.651, 10.979, 106.655, 10.983), Properties: map[string]any{
				"name": "Khu phố dự thảo", "status": features.ZoneDraft, "start": day("2021-07-08"), "district_code": "718"}},
			features.Record{ID: "z3", Geometry: triangle, Properties: map[string]any{
				"name": "Khu phố 3 Dĩ An", "status": features.ZoneLifted, "revision": 2,
				"start": day("2021-06-01"), "end": day("2021-06-20"), "district_code": "724"}},
		)},
	}
}
