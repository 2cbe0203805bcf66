package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/isolation"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// PlacesFixture returns the batches of the places fixture: two markets of
// the same name in two wards, a convenience store inside a published zone,
// one near a lockdown point, medical facilities with beds, a lifted zone
// and a draft zone. Each call returns fresh batches.
func PlacesFixture() []features.Batch {
	day := testkit.Day
	return []features.Batch{
		{Collection: "districts", Mode: features.Replace, Records: Records(
			features.Record{ID: "718", Geometry: Square(106.60, 10.95, 106.70, 11.05),
				Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một"}},
			features.Record{ID: "725", Geometry: Square(106.68, 10.88, 106.75, 10.95),
				Properties: map[string]any{"code": "725", "name": "Thành phố Thuận An"}},
		)},
		{Collection: "wards", Mode: features.Replace, Records: Records(
			features.Record{ID: "25741", Geometry: Square(106.64, 10.97, 106.67, 11.00),
				Properties: map[string]any{"code": "25741", "name": "Phường Phú Cường", "district_code": "718"}},
			features.Record{ID: "25747", Geometry: Square(106.67, 10.97, 106.70, 11.00),
				Properties: map[string]any{"code": "25747", "name": "Phường Hiệp Thành", "district_code": "718"}},
		)},
		{Collection: "markets", Mode: features.Replace, Records: Records(
			features.Record{ID: "m1", Geometry: orb.Point{106.6550, 10.9810}, Properties: map[string]any{
				"name": "Chợ Thủ Dầu Một", "address": "Đường Bạch Đằng, P. Phú Cường, TP. Thủ Dầu Một",
				"district_code": "718", "ward_code": "25741", "status": features.PlaceRestricted, "opening_hours": "Mo-Su 05:00-19:00"}},
			features.Record{ID: "m2", Geometry: orb.Point{106.6800, 10.9850}, Properties: map[string]any{
				"name": "Chợ Thủ Dầu Một", "address": "Đại lộ Bình Dương, Phường Hiệp Thành",
				"district_code": "718", "ward_code": "25747", "status": features.PlaceClosed}},
			features.Record{ID: "m3", Geometry: orb.Point{106.6850, 10.9900}, Properties: map[string]any{
				"name": "Chợ tạm khu phố Hiệp Thành", "district_code": "718", "ward_code": "25747", "status": features.PlaceOpen}},
		)},
		{Collection: "convenience_stores", Mode: features.Replace, Records: Records(
			features.Record{ID: "cs-in", Geometry: orb.Point{106.7105, 10.9105}, Properties: map[string]any{
				"name": "Cửa hàng Bách hóa Xanh Lái Thiêu", "district_code": "725", "status": features.PlaceDeliveryOnly,
				"delivery_phone": "1900 1908", "opening_hours": "Mo-Su 06:00-21:00"}},
			features.Record{ID: "cs-near", Geometry: orb.Point{106.7300, 10.9300}, Properties: map[string]any{
				"name": "Cửa hàng Circle K Bình Hòa", "district_code": "725", "status": features.PlaceOpen, "opening_hours": "24/7"}},
			features.Record{ID: "cs-out", Geometry: orb.Point{106.6900, 10.8900}, Properties: map[string]any{
				"name": "Cửa hàng FamilyMart An Phú", "district_code": "725", "status": features.PlaceOpen}},
		)},
		{Collection: "medical_facilities", Mode: features.Replace, Records: Records(
			features.Record{ID: "f1", Geometry: orb.Point{106.6590, 10.9760}, Properties: map[string]any{
				"name": "Bệnh viện Đa khoa tỉnh", "kind": features.FacilityHospital, "beds": int64(1500), "free_beds": int64(12),
				"address": "5 Phạm Ngọc Thạch, P. Hiệp Thành"}},
			features.Record{ID: "f2", Geometry: orb.Point{106.7000, 10.9200}, Properties: map[string]any{
				"name": "BV dã chiến số 3", "kind": features.FacilityFieldHospital2, "beds": int64(300), "free_beds": int64(0)}},
		)},
		{Collection: "lockdown_points", Mode: features.Replace, Records: Records(
			features.Record{ID: "l1", Geometry: orb.Point{106.7310, 10.9310}, Properties: map[string]any{
				"name": "Tổ 3 khu phố Bình Hòa", "level": features.LevelResidentialGroup, "start": day("2021-07-20")}},
			features.Record{ID: "l2", Geometry: orb.Point{106.6900, 10.8902}, Properties: map[string]any{
				"name": "Tổ 9 An Phú (đã gỡ)", "level": features.LevelResidentialGroup, "start": day("2021-06-01"), "end": day("2021-06-30")}},
		)},
		{Collection: "quarantine_zones", Mode: features.Replace, Records: Records(
			features.Record{ID: "z-active", Geometry: Square(106.705, 10.905, 106.715, 10.915), Properties: map[string]any{
				"name": "Khu phố Bình Đức, Lái Thiêu", "status": features.ZonePublished, "level": features.LevelNeighbourhood,
				"start": day("2021-07-15"), "end": day("2021-08-31"), "district_code": "725"}},
			features.Record{ID: "z-lifted", Geometry: Square(106.685, 10.885, 106.695, 10.895), Properties: map[string]any{
				"name": "Khu phố An Phú", "status": features.ZoneLifted, "start": day("2021-06-01"), "end": day("2021-06-30"), "district_code": "725"}},
			features.Record{ID: "z-draft", Geometry: Square(106.725, 10.925, 106.735, 10.935), Properties: map[string]any{
				"name": "Khu phố dự thảo", "status": features.ZoneDraft, "start": day("2021-07-01"), "district_code": "725"}},
		)},
	}
}

// runPlaces runs the places part of the contract: operating properties
// read back, isolation areas of points, and search by abbreviation and
// address.
func runPlaces(t *testing.T, open Opener) {
	s := open(t)
	if _, err := s.Write(context.Background(), PlacesFixture()...); err != nil {
		t.Fatalf("write the places fixture: %v", err)
	}
	t.Run("operating properties", func(t *testing.T) { testOperating(t, s) })
	t.Run("free beds within beds", func(t *testing.T) { testFreeBedsRefused(t, s) })
	t.Run("isolation areas", func(t *testing.T) { testIsolation(t, s) })
	t.Run("search by abbreviation and address", func(t *testing.T) { testSearchPlaces(t, s) })
}

func testOperating(t *testing.T, s features.Reader) {
	tests := []struct {
		col, id string
		want    map[string]any
	}{
		{"convenience_stores", "cs-in", map[string]any{"status": features.PlaceDeliveryOnly, "delivery_phone": "1900 1908", "opening_hours": "Mo-Su 06:00-21:00"}},
		{"markets", "m2", map[string]any{"status": features.PlaceClosed}},
		{"medical_facilities", "f1", map[string]any{"kind": features.FacilityHospital, "beds": int64(1500), "free_beds": int64(12)}},
		{"medical_facilities", "f2", map[string]any{"kind": features.FacilityFieldHospital2, "free_beds": int64(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f, err := s.Item(context.Background(), testkit.Collection(t, tt.col), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if f.Properties[k] != v {
					t.Errorf("%s = %#v, want %#v", k, f.Properties[k], v)
				}
			}
		})
	}
}

func testFreeBedsRefused(t *testing.T, s Store) {
	_, err := s.Write(context.Background(), features.Batch{Collection: "medical_facilities", Mode: features.Upsert, Records: Records(
		features.Record{ID: "f3", Geometry: orb.Point{106.66, 10.98}, Properties: map[string]any{
			"name": "Trạm y tế lưu động", "kind": features.FacilityMobileStation, "beds": int64(5), "free_beds": int64(6)}})})
	if !errors.Is(err, features.ErrInvalid) {
		t.Errorf("6 free beds of 5: %v, want ErrInvalid", err)
	}
}

func testIsolation(t *testing.T, s features.Reader) {
	finder := isolation.NewFinder(s, features.NewCatalog(), isolation.DefaultLockdownRadiusM)
	tests := []struct {
		name string
		at   orb.Point
		day  string
		want []string // collection/id, then until
	}{
		{"inside the published zone while it is in force", orb.Point{106.7105, 10.9105}, "2021-08-16",
			[]string{"quarantine_zones/z-active until 2021-08-31"}},
		{"the zone's last day", orb.Point{106.7105, 10.9105}, "2021-08-31", []string{"quarantine_zones/z-active until 2021-08-31"}},
		{"after the zone", orb.Point{106.7105, 10.9105}, "2021-09-01", nil},
		{"before the zone", orb.Point{106.7105, 10.9105}, "2021-07-14", nil},
		{"inside the zone's box, outside the zone", orb.Point{106.7160, 10.9105}, "2021-08-16", nil},
		{"near a lockdown point", orb.Point{106.7300, 10.9300}, "2021-08-16", []string{"lockdown_points/l1 until "}},
		{"a draft zone never counts", orb.Point{106.7300, 10.9300}, "2021-08-16", []string{"lockdown_points/l1 until "}},
		{"a lifted zone and lockdown in their days", orb.Point{106.6900, 10.8900}, "2021-06-15",
			[]string{"quarantine_zones/z-lifted until 2021-06-30", "lockdown_points/l2 until 2021-06-30"}},
		{"a lifted zone and lockdown after", orb.Point{106.6900, 10.8900}, "2021-08-16", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			areas, err := finder.At(context.Background(), tt.at, testkit.Day(tt.day))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range areas {
				got = append(got, a.Collection+"/"+a.ID+" until "+a.Until)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("areas %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("nearby places flagged", func(t *testing.T) {
		near, err := s.Nearby(context.Background(), features.NearbyQuery{Center: orb.Point{106.7100, 10.9100}, RadiusM: 5000,
			Collections: []features.Collection{testkit.Collection(t, "convenience_stores")}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		points := make([]orb.Point, len(near))
		for i, n := range near {
			points[i] = n.Feature.Geometry.(orb.Point)
		}
		areas, err := finder.Each(context.Background(), points, testkit.Day("2021-08-16"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, n := range near {
			flag := "-"
			if len(areas[i]) > 0 {
				flag = areas[i][0].ID
			}
			got = append(got, n.Feature.ID+":"+flag)
		}
		if want := []string{"cs-in:z-active", "cs-near:l1", "cs-out:-"}; !slices.Equal(got, want) {
			t.Errorf("flags %v, want %v", got, want)
		}
	})
}

func testSearchPlaces(t *testing.T, s features.Reader) {
	tests := []struct {
		name, text string
		want       []string // id ward district address
	}{
		{"two markets of one name told apart", "chợ tdm", []string{
			"m1 25741 718 Đường Bạch Đằng, P. Phú Cường, TP. Thủ Dầu Một", "m2 25747 718 Đại lộ Bình Dương, Phường Hiệp Thành"}},
		{"by street, accents aside", "bach dang", []string{"m1 25741 718 Đường Bạch Đằng, P. Phú Cường, TP. Thủ Dầu Một"}},
		{"an abbreviation in the address matches the word in full", "phuong phu cuong", []string{
			"m1 25741 718 Đường Bạch Đằng, P. Phú Cường, TP. Thủ Dầu Một"}},
		{"a word in full in the address matches the abbreviation", "cho p hiep thanh", []string{
			"m2 25747 718 Đại lộ Bình Dương, Phường Hiệp Thành"}},
		{"bv finds Bệnh viện, and Bệnh viện finds BV", "bv", []string{"f2   ", "f1   5 Phạm Ngọc Thạch, P. Hiệp Thành"}}, // the shorter name first
		{"names holding the words before places found by their address", "hiep thanh", []string{
			"m3 25747 718 ", "m2 25747 718 Đại lộ Bình Dương, Phường Hiệp Thành", "f1   5 Phạm Ngọc Thạch, P. Hiệp Thành"}},
		{"name and address words together", "benh vien pham ngoc thach", []string{"f1   5 Phạm Ngọc Thạch, P. Hiệp Thành"}},
	}
	cols := []features.Collection{testkit.Collection(t, "markets"), testkit.Collection(t, "medical_facilities")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(context.Background(), features.SearchQuery{Text: tt.text, Collections: cols, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, m := range got {
				lines = append(lines, m.ID+" "+m.WardCode+" "+m.DistrictCode+" "+m.Address)
			}
			if !slices.Equal(lines, tt.want) {
				t.Errorf("matches %q, want %q", lines, tt.want)
			}
		})
	}
}
