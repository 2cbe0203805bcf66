package tracing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

func testKeys(t *testing.T) tracing.Keys {
	t.Helper()
	k, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestParseRosterForms checks that the header's language, a byte order
// mark and the separator do not change what a file says.
func TestParseRosterForms(t *testing.T) {
	keys := testKeys(t)
	for _, tc := range []struct{ name, file string }{
		{"English, commas", "employee_id,name,phone,id_number,address,boarding_house,room,ward,lon,lat,site,line,shift,bus_route\n" +
			"NV1,Nguyễn Văn An,+84 912 000 001,074 123 456 789,\"12/3 Đại lộ Bình Dương, Phú Hòa\",Nhà trọ Hoa Mai,P01,25750,106.65,10.98,Xưởng A,Chuyền 1,Ca 1,Tuyến 01\n"},
		{"Vietnamese, semicolons, BOM, CRLF", "\uFEFFMã nhân viên;Họ và tên;Số điện thoại;CCCD;Địa chỉ;Nhà trọ;Phòng;Phường xã;Kinh độ;Vĩ độ;Xưởng;Chuyền;Ca;Tuyến xe\r\n" +
			"NV1;Nguyễn Văn An;0912000001;074123456789;12/3 Đại lộ Bình Dương, Phú Hòa;Nhà trọ Hoa Mai;P01;25750;106,65;10,98;Xưởng A;Chuyền 1;Ca 1;Tuyến 01\r\n\r\n"},
		{"Vietnamese without accents, columns reordered", "SDT,MA_NV,ho ten,cmnd,dia chi,nha tro,phong,ma phuong xa,vi do,kinh do,xuong,to,ca,tuyen xe\n" +
			"0912000001,NV1,Nguyễn Văn An,074123456789,\"12/3 Đại lộ Bình Dương, Phú Hòa\",Nhà trọ Hoa Mai,P01,25750,10.98,106.65,Xưởng A,Chuyền 1,Ca 1,Tuyến 01\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := tracing.ParseRoster(strings.NewReader(tc.file), keys, tracing.RosterOptions{Enterprise: "ent-a"})
			if err != nil {
				t.Fatal(err)
			}
			want := tracing.RosterRow{Line: 2, Worker: tracing.Worker{
				Enterprise: "ent-a", Employee: "NV1",
				Person:    keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912000001"}),
				AltPerson: keys.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: "074123456789"}),
				Residence: tracing.Residence{Address: "12/3 Đại lộ Bình Dương, Phú Hòa", BoardingHouse: "Nhà trọ Hoa Mai",
					Room: "P01", Ward: "25750", Location: orb.Point{106.65, 10.98}},
				Workplace: tracing.Workplace{Site: "Xưởng A", Line: "Chuyền 1", Shift: "Ca 1"}, BusRoute: "Tuyến 01",
			}, Private: tracing.WorkerPrivate{Name: "Nguyễn Văn An", Phone: "0912000001", IDNumber: "074123456789"}}
			if len(rows) != 1 || rows[0] != want {
				t.Errorf("rows = %+v\nwant %+v", rows, want)
			}
		})
	}
}

// TestParseRosterProblems checks that every bad line is named with its
// field, and that nothing is returned then.
func TestParseRosterProblems(t *testing.T) {
	const head = "employee_id,name,phone,id_number,lon,lat,room\n"
	long := strings.Repeat("ă", tracing.MaxRosterTextLength+1)
	for _, tc := range []struct {
		name, file string
		opts       tracing.RosterOptions
		want       []string
	}{
		{"empty file", "", tracing.RosterOptions{}, []string{"line 1: the file is empty: expected a header line naming the columns"}},
		{"header only", head, tracing.RosterOptions{}, []string{"line 1: the file has a header but no worker rows"}},
		{"missing columns beside an unknown one", "name,salary,lon\nA,1,2\n", tracing.RosterOptions{}, []string{
			"line 1, column employee_id: missing required column",
			"line 1, column phone: the file needs a phone or an id_number column (or both)",
			"line 1, column lon: lon and lat come together"}},
		{"a column twice", "employee_id,phone,sdt\nNV1,0912000001,0912000001\n", tracing.RosterOptions{}, []string{
			"line 1, column phone: column named twice"}},
		{"bad cells", head +
			"NV1,An,0912000001,,106.6,10.9,P1\n" +
			",Bình,0912000002,,,,\n" +
			"NV 3,Cường,12345,99,,,\n" +
			"NV4,Dung,,,,,\n" +
			"NV1,Em,0912000001,,,,\n" +
			"NV6,Giang,0912000006,,abc,10.9,\n" +
			"NV7,Hà,0912000007,,106.6,,\n" +
			"NV8," + long + ",0912000008,,,,\n" +
			"NV9,Lan,0912000009,,,,\"P\x01\"\n" +
			"NV10,Mai,0912000010\n", tracing.RosterOptions{}, []string{
			"line 3, column employee_id: required value is empty",
			"line 4, column employee_id: an employee id has no spaces or control characters",
			`line 4, column phone: "12345" is not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)`,
			`line 4, column id_number: "99" is not an ID number: 9 digits (CMND) or 12 (CCCD)`,
			"line 5, column phone: a worker needs a phone or an ID number",
			`line 6, column employee_id: "NV1" is also on line 2`,
			`line 6, column phone: "0912000001" is also on line 2`,
			`line 7, column lon: "abc" is not a number from -180 to 180 (decimal degrees)`,
			"line 8, column lat: lon and lat come together: this one is empty",
			"line 9, column name: longer than 200 characters",
			"line 10, column room: contains control characters",
			"line 11: has 3 fields but the header has 7"}},
		{"a point outside the bounds", head + "NV1,An,0912000001,,105.5,10.98,\n",
			tracing.RosterOptions{Bounds: orb.Bound{Min: orb.Point{106.2, 10.7}, Max: orb.Point{107.1, 11.6}}},
			[]string{"line 2, column lon: the point 105.5, 10.98 is outside the province: check the order of lon and lat"}},
		{"broken quotes", head + "NV1,\"An,0912000001,,,,\n", tracing.RosterOptions{}, []string{
			`line 2: not valid CSV: extraneous or missing " in quoted-field`}},
		{"the cap", head + strings.Repeat(",,,,,,\n", 5), tracing.RosterOptions{MaxErrors: 3}, []string{
			"line 2, column employee_id: required value is empty",
			"line 2, column phone: a worker needs a phone or an ID number",
			"line 3, column employee_id: required value is empty",
			"... and 7 more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := tracing.ParseRoster(strings.NewReader(tc.file), testKeys(t), tc.opts)
			var fe *tracing.RosterFileError
			if !errors.As(err, &fe) || !errors.Is(err, tracing.ErrInvalid) || rows != nil {
				t.Fatalf("rows %v, err = %v; want a RosterFileError and no rows", rows, err)
			}
			got := strings.Split(err.Error(), "\n")[1:]
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestRosterImportValidate checks the store-side checks of an import.
func TestRosterImportValidate(t *testing.T) {
	keys := testKeys(t)
	p := keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912000001"})
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	row := func(emp, ent string, k tracing.PersonKey) tracing.RosterRow {
		return tracing.RosterRow{Worker: tracing.Worker{Enterprise: ent, Employee: emp, Person: k}}
	}
	for _, tc := range []struct {
		name  string
		imp   tracing.RosterImport
		field string
		row   int
	}{
		{"good", tracing.RosterImport{Enterprise: "e1", Rows: []tracing.RosterRow{row("A", "", p)}}, "", -1},
		{"no enterprise", tracing.RosterImport{}, "enterprise", -1},
		{"enterprise *", tracing.RosterImport{Enterprise: "*"}, "enterprise", -1},
		{"a day after tomorrow", tracing.RosterImport{Enterprise: "e1", AsOf: now.AddDate(0, 0, 2)}, "as_of", -1},
		{"tomorrow", tracing.RosterImport{Enterprise: "e1", AsOf: now.AddDate(0, 0, 1)}, "as_of", -1},
		{"another enterprise's row", tracing.RosterImport{Enterprise: "e1", Rows: []tracing.RosterRow{row("A", "", p), row("B", "e2", p)}}, "enterprise", 1},
		{"no person", tracing.RosterImport{Enterprise: "e1", Rows: []tracing.RosterRow{row("A", "", tracing.PersonKey{})}}, "person", 0},
		{"twice", tracing.RosterImport{Enterprise: "e1", Rows: []tracing.RosterRow{row("A", "", p), row("A", "", p)}}, "employee_id", 1},
		{"a long id", tracing.RosterImport{Enterprise: "e1", Rows: []tracing.RosterRow{row(strings.Repeat("x", 65), "", p)}}, "employee_id", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.imp.Validate(now)
			var fe *tracing.FieldError
			var re *tracing.RowError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.field == "":
				if !tc.imp.AsOf.Equal(tracing.RosterDay(now)) || tc.imp.Rows[0].Worker.Enterprise != "e1" {
					t.Errorf("the import after Validate: %+v", tc.imp)
				}
			case !errors.As(err, &fe) || fe.Field != tc.field:
				t.Errorf("err = %v, want a FieldError on %s", err, tc.field)
			case tc.row >= 0 && (!errors.As(err, &re) || re.Row != tc.row):
				t.Errorf("err = %v, want row %d", err, tc.row)
			}
		})
	}
}

// TestParseRosterUnknownColumn: a column no one reads is ignored with a
// warning naming it, and the rows are read as without it.
func TestParseRosterUnknownColumn(t *testing.T) {
	keys := testKeys(t)
	plain, err := tracing.ParseRoster(strings.NewReader("employee_id,phone,room\nNV1,0912000001,P1\n"), keys, tracing.RosterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := tracing.ParseRosterFile(strings.NewReader("employee_id,Lương,phone,room\nNV1,9000000,0912000001,P1\n"), keys, tracing.RosterOptions{})
	if err != nil {
		t.Fatalf("a file with an extra column: %v", err)
	}
	if len(f.Rows) != 1 || f.Rows[0] != plain[0] {
		t.Errorf("rows %+v, want %+v", f.Rows, plain)
	}
	if len(f.Warnings) != 1 || f.Warnings[0].Line != 1 || f.Warnings[0].Field != "Lương" || !strings.Contains(f.Warnings[0].Reason, "ignored") {
		t.Errorf("warnings %+v", f.Warnings)
	}
}

// TestParseRosterReasonsInVietnamese: every problem of a file with many
// kinds of bad lines, and the warning of an ignored column, also says why
// in Vietnamese, with the same values.
func TestParseRosterReasonsInVietnamese(t *testing.T) {
	const head = "employee_id,name,phone,id_number,lon,lat,room\n"
	file := head + ",Bình,0912000002,,,,\n" + "NV 3,Cường,12345,99,,,\n" + "NV4,Dung,,,,,\n" +
		"NV5,Em,0912000005,,,,\n" + "NV5,Em,0912000006,,,,\n" + "NV6,Giang,0912000007,,abc,10.9,\n" +
		"NV7,Hà,0912000008,,106.6,,\n" + "NV9,Lan,0912000009,,,,\"P\x01\"\n" + "NV10,Mai,0912000010\n" +
		strings.Repeat("x", tracing.MaxEmployeeIDLength+1) + ",Na,0912000011,,,,\n"
	_, err := tracing.ParseRoster(strings.NewReader(file), testKeys(t), tracing.RosterOptions{})
	var fe *tracing.RosterFileError
	if !errors.As(err, &fe) || len(fe.Lines) < 10 {
		t.Fatalf("want many problems, got %v", err)
	}
	for _, l := range fe.Lines {
		if l.ReasonVI == "" || strings.Contains(l.ReasonVI, "%!") {
			t.Errorf("%s: Vietnamese %q", l, l.ReasonVI)
		}
	}
	if !strings.Contains(fe.Lines[2].ReasonVI, `"12345" không phải số điện thoại`) {
		t.Errorf("the phone's reason in Vietnamese: %q", fe.Lines[2].ReasonVI)
	}
	f, err := tracing.ParseRosterFile(strings.NewReader("employee_id,phone,ghi chú\nNV1,0912000001,x\n"), testKeys(t), tracing.RosterOptions{})
	if err != nil || len(f.Warnings) != 1 || !strings.HasPrefix(f.Warnings[0].ReasonVI, "cột không xác định, đã bỏ qua") {
		t.Errorf("warnings %+v, %v", f.Warnings, err)
	}
}
