package tracing_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// fuzzKeys are the keys of the fuzz targets.
func fuzzKeys(f *testing.F) tracing.Keys {
	f.Helper()
	k, err := tracing.NewKeys([]byte("a fuzzing secret of thirty-two bytes"))
	if err != nil {
		f.Fatal(err)
	}
	return k
}

// fuzzNow is the day the uploads are read on (15:00 in Vietnam).
var fuzzNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// rowsOrError fails when a parser both refused a file and returned rows:
// an upload is taken whole or not at all.
func rowsOrError(t *testing.T, name string, n int, err error) {
	t.Helper()
	if err != nil && n != 0 {
		t.Fatalf("%s refused the file (%v) and still gave %d rows", name, err, n)
	}
	if err != nil {
		_ = err.Error()
	}
}

// FuzzParseRoster: a workers CSV file of an enterprise.
func FuzzParseRoster(f *testing.F) {
	for _, s := range []string{
		"employee_id,name,phone,id_number,address,boarding_house,room,ward,lon,lat,site,line,shift,bus_route\n" +
			"NV1,Nguyễn Văn An,+84 912 000 001,074 123 456 789,\"12/3 Đại lộ Bình Dương, Phú Hòa\",Nhà trọ Hoa Mai,P01,25750,106.65,10.98,Xưởng A,Chuyền 1,Ca 1,Tuyến 01\n",
		"\uFEFFMã nhân viên;Họ và tên;Số điện thoại;CCCD;Kinh độ;Vĩ độ\r\nNV1;An;0912000001;074123456789;106,65;10,98\r\n",
		"employee_id,phone\nNV1,0912000001\nNV1,0912000001\n",
		"employee_id,phone,lon,lat\nNV1,0912000001,NaN,1e400\n",
		"", "\x00", "employee_id\n\"",
	} {
		f.Add([]byte(s))
	}
	keys := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := tracing.ParseRoster(bytes.NewReader(data), keys, tracing.RosterOptions{Enterprise: "ent-a"})
		rowsOrError(t, "ParseRoster", len(rows), err)
	})
}

// FuzzParseTraces: a traces upload, as CSV and as GeoJSON.
func FuzzParseTraces(f *testing.F) {
	for _, s := range []string{
		"person,time,lon,lat,accuracy\n0912345678,2026-11-20T07:00:00+07:00,106.65,10.98,10\n",
		"person,time,lon,lat,accuracy\n0912345678,2026-11-20T07:00:00Z,NaN,10.98,-1\n",
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98,12.0]},"properties":{"person":"079123456789","time":"2026-11-20T14:00:00+07:00","accuracy":5}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]}}]}`,
		`{"features": [`, `[]`, `{"type":"FeatureCollection","features":"none"}`,
	} {
		f.Add([]byte(s))
	}
	keys := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o := tracing.TraceUpload{Keys: keys, Now: fuzzNow}
		rows, err := tracing.ParseTracesCSV(bytes.NewReader(data), o)
		rowsOrError(t, "ParseTracesCSV", len(rows), err)
		rows, err = tracing.ParseTracesGeoJSON(bytes.NewReader(data), o)
		rowsOrError(t, "ParseTracesGeoJSON", len(rows), err)
	})
}

// FuzzParseRides: an enterprise's rides upload, as CSV and as JSON.
func FuzzParseRides(f *testing.F) {
	for _, s := range []string{
		"date,trip,bus,employee_id,person,seat,departure\n2026-11-20,am,61A-123.45,NV-003,,12,06:30\n",
		"\uFEFFdate,trip,bus,employee_id,person,seat,departure\n2026-11-20,pm,61A-123.45,,0912 34,,\n",
		`[{"date":"2026-11-20","trip":"am","bus":"61A-123.45","employee_id":"NV-003","seat":"12"}]`,
		`{"rides":[{"date":"2026-02-30"}]}`, `[`, "",
	} {
		f.Add([]byte(s))
	}
	keys := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o := tracing.RideUpload{Enterprise: "ent-a", Keys: keys, Now: fuzzNow}
		rows, err := tracing.ParseRidesCSV(bytes.NewReader(data), o)
		rowsOrError(t, "ParseRidesCSV", len(rows), err)
		rows, err = tracing.ParseRidesJSON(bytes.NewReader(data), o)
		rowsOrError(t, "ParseRidesJSON", len(rows), err)
	})
}

// FuzzQRToken: a QR token either verifies as one this server made or is
// refused; a venue's own token always verifies, to its venue.
func FuzzQRToken(f *testing.F) {
	keys := fuzzKeys(f)
	v := tracing.Venue{ID: "0123456789abcdef0123456789abcdef", TokenGeneration: 3}
	good, err := keys.VenueToken(v)
	if err != nil {
		f.Fatal(err)
	}
	staff, err := keys.StaffToken(v)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, staff, good[:len(good)-1], good + "A", "", "====", "AQ", "../../etc/passwd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if claim, err := keys.VerifyVenueToken(token); err == nil && claim.Venue != v.ID {
			t.Fatalf("token %q verified as venue %q, which no token was made for", token, claim.Venue)
		}
		if claim, err := keys.VerifyStaffToken(token); err == nil && claim.Venue != v.ID {
			t.Fatalf("staff token %q verified as venue %q", token, claim.Venue)
		}
		if claim, err := keys.VerifyVenueToken(good); err != nil || claim.Venue != v.ID {
			t.Fatalf("the venue's own token: %v, %v", claim, err)
		}
	})
}

// FuzzParseIdentity: a phone or ID number typed by a person checking in.
func FuzzParseIdentity(f *testing.F) {
	for _, s := range []string{"0912345678", "+84 912 345 678", "074123456789", "079-123-456-789", "", "\x00", "０９１２３４５６７８", "84912345678"} {
		f.Add(s)
	}
	keys := fuzzKeys(f)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := tracing.ParseIdentity(s)
		if err != nil {
			return
		}
		again, err := tracing.ParseIdentity(id.Value)
		if err != nil || again != id {
			t.Fatalf("ParseIdentity(%q) = %+v, whose value reads back as %+v, %v", s, id, again, err)
		}
		_ = keys.PersonKey(id)
	})
}
