package embedded

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// The fixture: a small province around Thủ Dầu Một, with people whose
// personal fields must never come out of a public read.

var secretPersons = map[string]*features.Person{
	"c1": {Name: "Trần Thị Bí Mật", Phone: "0912345678", IDNumber: "079300000001", Address: "12 Hẻm Riêng Tư"},
	"c2": {Name: "Lê Văn Kín", Phone: "0987654321", IDNumber: "079300000002", Address: "34 Đường Giấu"},
	"c3": {Name: "Phạm Ẩn Danh", Phone: "0900000003", IDNumber: "079300000003", Address: "56 Ngõ Khuất"},
	"k1": {Name: "Võ Thị Riêng", Phone: "0900000004", IDNumber: "079300000004", Address: "78 Kiệt Kín"},
	"k2": {Name: "Đỗ Văn Mật", Phone: "0900000005", IDNumber: "079300000005", Address: "90 Hẻm Sâu"},
}

// exactHomes are the exact locations of the people of the fixture.
var exactHomes = map[string]orb.Point{
	"c1": {106.65237, 10.98041},
	"c2": {106.75013, 10.90127},
	"c3": {106.64811, 10.97577},
	"k1": {106.65302, 10.98123},
	"k2": {106.75155, 10.90266},
}

func day(s string) time.Time {
	t, err := time.Parse(features.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func square(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

func records(rs ...features.Record) func(func(features.Record) bool) {
	return slices.Values(rs)
}

func fixtureBatches() []features.Batch {
	// NOTE: a zone whose bounds hold points outside it, for bbox tests.
	triangle := orb.Polygon{{{106.745, 10.895}, {106.755, 10.895}, {106.745, 10.905}, {106.745, 10.895}}}
	person := func(id string, props map[string]any) features.Record {
		return features.Record{ID: id, Geometry: exactHomes[id], Properties: props, Person: secretPersons[id]}
	}
	place := func(id, name, district string, p orb.Point) features.Record {
		return features.Record{ID: id, Geometry: p, Properties: map[string]any{
			"name": name, "address": "Đường " + name, "phone": "0274 3822 000", "district_code": district, "ward_code": "",
		}}
	}
	return []features.Batch{
		{Collection: "districts", Mode: features.Replace, Records: records(
			features.Record{ID: "718", Geometry: square(106.60, 10.95, 106.70, 11.05),
				Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một", "level": "Thành phố"}},
			features.Record{ID: "724", Geometry: square(106.70, 10.85, 106.80, 10.95),
				Properties: map[string]any{"code": "724", "name": "Thành phố Dĩ An", "level": "Thành phố"}},
		)},
		{Collection: "wards", Mode: features.Replace, Records: records(
			features.Record{ID: "25741", Geometry: square(106.64, 10.97, 106.67, 11.00),
				Properties: map[string]any{"code": "25741", "name": "Phường Phú Cường", "level": "Phường", "district_code": "718"}},
		)},
		{Collection: "markets", Mode: features.Replace, Records: records(
			place("m1", "Chợ Thủ Dầu Một", "718", orb.Point{106.6550, 10.9810}),
			place("m2", "Chợ Dĩ An", "724", orb.Point{106.7500, 10.9000}),
			place("m3", "Chợ đêm Phú Cường", "718", orb.Point{106.6520, 10.9850}),
		)},
		{Collection: "supermarkets", Mode: features.Replace, Records: records(
			place("s1", "Siêu thị Co.opmart Thủ Dầu Một", "718", orb.Point{106.6600, 10.9900}),
		)},
		{Collection: "cases", Mode: features.Replace, Records: records(
			person("c1", map[string]any{"code": "BD-1", "report_date": day("2021-07-01"), "origin": features.OriginCommunity,
				"status": features.StatusUnderTreatment, "cluster": "KCN VSIP", "district_code": "718"}),
			person("c2", map[string]any{"code": "BD-2", "report_date": day("2021-07-05"), "origin": features.OriginReturningCitizen,
				"status": features.StatusRecovered, "status_date": day("2021-07-20"), "district_code": "724"}),
			person("c3", map[string]any{"code": "BD-3", "report_date": "2021-07-10", "origin": features.OriginCommunity,
				"status": features.StatusDied, "district_code": "718"}),
		)},
		{Collection: "contacts", Mode: features.Replace, Records: records(
			person("k1", map[string]any{"tier": features.TierF1,
				"quarantine_start": day("2021-07-02"), "quarantine_end": day("2021-07-16"), "district_code": "718"}),
			person("k2", map[string]any{"tier": features.TierF2,
				"quarantine_start": day("2021-07-06"), "district_code": "724"}),
		)},
		{Collection: "quarantine_zones", Mode: features.Replace, Records: records(
			features.Record{ID: "z1", Geometry: square(106.650, 10.978, 106.656, 10.984), Properties: map[string]any{
				"name": "Khu phố 1 Phú Cường", "status": features.ZonePublished, "level": features.LevelNeighbourhood,
				"start": day("2021-07-01"), "district_code": "718"}},
			features.Record{ID: "z2", Geometry: square(106.651, 10.979, 106.655, 10.983), Properties: map[string]any{
				"name": "Khu phố dự thảo", "status": features.ZoneDraft, "start": day("2021-07-08"), "district_code": "718"}},
			features.Record{ID: "z3", Geometry: triangle, Properties: map[string]any{
				"name": "Khu phố 3 Dĩ An", "status": features.ZoneLifted, "revision": 2,
				"start": day("2021-06-01"), "end": day("2021-06-20"), "district_code": "724"}},
		)},
	}
}

// openTemp opens a store in a new temporary directory.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	return openDir(t, dir), dir
}

func openDir(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(s.Close)
	return s
}

// seeded opens a store holding the fixture.
func seeded(t testing.TB) (*Store, string) {
	t.Helper()
	s, dir := openTemp(t)
	if _, err := s.Write(context.Background(), fixtureBatches()...); err != nil {
		t.Fatalf("Write(fixture): %v", err)
	}
	return s, dir
}

func mustCollection(t testing.TB, id string) features.Collection {
	t.Helper()
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

func ids(fs []features.Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
