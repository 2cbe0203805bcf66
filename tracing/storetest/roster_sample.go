package storetest

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// SampleWorker is one synthetic worker of a roster file.
type SampleWorker struct {
	Employee, Name, Phone, IDNumber    string
	Address, BoardingHouse, Room, Ward string
	Lon, Lat                           float64
	Site, Line, Shift, BusRoute        string
}

// Vietnamese name parts and places the samples draw from.
var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Kim", "Quốc", "Thu"}
	givenNames  = []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"}
	houseNames  = []string{"Hoa Mai", "Bình An", "Phú Lợi", "Thanh Bình", "Cô Ba", "Hạnh Phúc", "Sông Bé", "Lái Thiêu"}
	streets     = []string{"Đại lộ Bình Dương", "Đường Mỹ Phước Tân Vạn", "Đường ĐT743", "Đường Nguyễn Văn Tiết", "Đường Cách Mạng Tháng Tám"}
)

// sampleWard is a ward of the shared Bình Dương data, with its
// district's outline to draw points in.
type sampleWard struct {
	code  string
	shape orb.MultiPolygon
}

// sampleWards reads the real ward codes and district outlines from the
// shared data beside the repository (never copied into it).
func sampleWards(t testing.TB) []sampleWard {
	t.Helper()
	shapes := map[string]orb.MultiPolygon{}
	for _, f := range testkit.SharedGeoJSON(t, "data/binhduong/districts.geojson").Features {
		if mp, ok := f.Geometry.(orb.MultiPolygon); ok {
			shapes[f.Properties.MustString("code")] = mp
		}
	}
	f, err := os.Open(filepath.Join(testkit.SharedDir(t), "data", "binhduong", "wards.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []sampleWard
	for _, r := range recs[1:] {
		if mp, ok := shapes[r[0]]; ok {
			out = append(out, sampleWard{code: r[2], shape: mp})
		}
	}
	if len(out) == 0 {
		t.Fatal("storetest: no wards in the shared data")
	}
	return out
}

// SampleWorkers returns n synthetic workers, the same for the same seed:
// Vietnamese names, phones (and for most an ID number), boarding houses in
// real Bình Dương wards with a point inside the ward's district.
func SampleWorkers(t testing.TB, n int, seed uint64) []SampleWorker {
	t.Helper()
	wards := sampleWards(t)
	r := rand.New(rand.NewPCG(seed, 12))
	out := make([]SampleWorker, n)
	for i := range out {
		w := wards[r.IntN(len(wards))]
		pt := pointIn(r, w.shape)
		house := houseNames[r.IntN(len(houseNames))]
		out[i] = SampleWorker{
			Employee: fmt.Sprintf("NV%06d", i+1),
			Name: familyNames[r.IntN(len(familyNames))] + " " + middleNames[r.IntN(len(middleNames))] + " " +
				givenNames[r.IntN(len(givenNames))],
			Phone:         fmt.Sprintf("09%08d", 10_000_000+i),
			Address:       fmt.Sprintf("%d/%d %s", 1+r.IntN(300), 1+r.IntN(40), streets[r.IntN(len(streets))]),
			BoardingHouse: "Nhà trọ " + house, Room: fmt.Sprintf("P%02d", 1+r.IntN(30)), Ward: w.code,
			Lon: pt.Lon(), Lat: pt.Lat(),
			Site: "Xưởng " + string(rune('A'+r.IntN(4))), Line: fmt.Sprintf("Chuyền %d", 1+r.IntN(20)),
			Shift: []string{"Ca 1", "Ca 2", "Ca 3", "Hành chính"}[r.IntN(4)], BusRoute: fmt.Sprintf("Tuyến %02d", 1+r.IntN(12)),
		}
		if i%4 != 0 {
			out[i].IDNumber = fmt.Sprintf("074%09d", 100_000_000+i)
		}
	}
	return out
}

// pointIn draws a point inside mp, rounded to 6 decimals (about 10 cm).
func pointIn(r *rand.Rand, mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	for {
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		p = orb.Point{float64(int64(p[0]*1e6)) / 1e6, float64(int64(p[1]*1e6)) / 1e6}
		if planar.MultiPolygonContains(mp, p) {
			return p
		}
	}
}

// RosterHeader is the English header of SampleCSV.
const RosterHeader = "employee_id,name,phone,id_number,address,boarding_house,room,ward,lon,lat,site,line,shift,bus_route"

// SampleCSV writes workers as a roster file with the English header and
// commas.
func SampleCSV(ws []SampleWorker) string {
	return sampleCSV(ws, RosterHeader, ',', false)
}

// SampleCSVVietnamese writes workers as Excel does in Vietnam: a byte
// order mark, Vietnamese column names and semicolons.
func SampleCSVVietnamese(ws []SampleWorker) string {
	return sampleCSV(ws, "Mã nhân viên;Họ tên;Số điện thoại;CCCD;Địa chỉ;Nhà trọ;Phòng;Phường xã;Kinh độ;Vĩ độ;Xưởng;Chuyền;Ca;Tuyến xe", ';', true)
}

func sampleCSV(ws []SampleWorker, header string, sep rune, bom bool) string {
	var b strings.Builder
	if bom {
		b.WriteString("\uFEFF")
	}
	b.WriteString(header + "\n")
	cw := csv.NewWriter(&b)
	cw.Comma = sep
	for _, w := range ws {
		_ = cw.Write([]string{w.Employee, w.Name, w.Phone, w.IDNumber, w.Address, w.BoardingHouse, w.Room, w.Ward,
			fmt.Sprint(w.Lon), fmt.Sprint(w.Lat), w.Site, w.Line, w.Shift, w.BusRoute})
	}
	cw.Flush()
	return b.String()
}
