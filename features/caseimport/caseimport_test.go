package caseimport_test

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/paulmach/orb"
)

const header = "code,report_date,report_session,origin,detected_in,cluster,status,status_date,district_code,ward_code,address,lon,lat,name,phone,id_number"

// good is a valid row for header.
const good = "BD-1,2021-07-05,afternoon,community,quarantine_area,Công ty Wanek 2,under_treatment,,719,25813,Số 1,106.6,11.25,Nguyễn Văn An,0900000001,074000000001"

// row returns good with some fields replaced, by column name.
func row(t *testing.T, set map[string]string) string {
	t.Helper()
	names := strings.Split(header, ",")
	fields := strings.Split(good, ",")
	for k, v := range set {
		i := indexOf(names, k)
		if i < 0 {
			t.Fatalf("no column %q", k)
		}
		fields[i] = v
	}
	return strings.Join(fields, ",")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestParseGood(t *testing.T) {
	in := lines(
		"\uFEFF"+header,
		good,
		row(t, map[string]string{
			"code": "BD-2", "report_session": "", "origin": "Cộng đồng", "detected_in": "SÀNG LỌC",
			"cluster": "", "status": "khỏi bệnh", "status_date": "2021-07-20", "ward_code": "", "address": "",
			"name": "", "phone": "", "id_number": "", "lon": " 106.75 ", "lat": "10.95",
		}),
	)
	got, err := caseimport.Parse(strings.NewReader(in), caseimport.Options{Districts: map[string]bool{"719": true}})
	if err != nil {
		t.Fatal(err)
	}
	july5 := time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)
	want := []features.Record{
		{
			ID: "BD-1", Geometry: orb.Point{106.6, 11.25},
			Properties: map[string]any{
				"code": "BD-1", "report_date": july5, "report_session": "afternoon", "origin": "community",
				"detected_in": "quarantine_area", "cluster": "Công ty Wanek 2", "status": "under_treatment",
				"status_date": nil, "district_code": "719", "ward_code": "25813",
			},
			Person: &features.Person{Name: "Nguyễn Văn An", Phone: "0900000001", IDNumber: "074000000001", Address: "Số 1"},
		},
		{
			ID: "BD-2", Geometry: orb.Point{106.75, 10.95},
			Properties: map[string]any{
				"code": "BD-2", "report_date": july5, "report_session": nil, "origin": "community",
				"detected_in": "community_screening", "cluster": nil, "status": "recovered",
				"status_date": time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC), "district_code": "719", "ward_code": nil,
			},
			Person: &features.Person{},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records:\n got %#v\nwant %#v", got, want)
	}
}

func TestParseSynonyms(t *testing.T) {
	tests := []struct {
		column, cell, want string
	}{
		{"origin", "COMMUNITY", features.OriginCommunity},
		{"origin", "lây nhiễm cộng đồng", features.OriginCommunity},
		{"origin", "Nhập cảnh", features.OriginReturningCitizen},
		{"origin", "returning_citizen", features.OriginReturningCitizen},
		{"origin", "Chuyên gia nước ngoài", features.OriginForeignExpert},
		{"origin", "nhập cảnh trái phép", features.OriginIllegalEntry},
		{"detected_in", "Khu cách ly", features.DetectedQuarantineArea},
		{"detected_in", "cơ sở y tế", features.DetectedHealthFacility},
		{"detected_in", "Health Facility", features.DetectedHealthFacility},
		{"detected_in", "tầm soát cộng đồng", features.DetectedCommunityScreening},
		{"status", "Đang điều trị", features.StatusUnderTreatment},
		{"status", "tử vong", features.StatusDied},
		{"status", "Xuất viện", features.StatusRecovered},
		{"report_session", "Sáng", features.SessionMorning},
		{"report_session", "chiều", features.SessionAfternoon},
		{"report_session", "Tối", features.SessionEvening},
	}
	for _, tt := range tests {
		t.Run(tt.column+"/"+tt.cell, func(t *testing.T) {
			recs, err := caseimport.Parse(strings.NewReader(lines(header, row(t, map[string]string{tt.column: tt.cell}))), caseimport.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := recs[0].Properties[tt.column]; got != tt.want {
				t.Errorf("%s %q = %v, want %q", tt.column, tt.cell, got, tt.want)
			}
		})
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		name string
		in   func(t *testing.T) string
		opts caseimport.Options
		want []caseimport.RowError // Reason is checked to contain the want's Reason
	}{
		{
			name: "empty file",
			in:   func(*testing.T) string { return "" },
			want: []caseimport.RowError{{Line: 1, Reason: "empty"}},
		},
		{
			name: "header only",
			in:   func(*testing.T) string { return lines(header) },
			want: []caseimport.RowError{{Line: 1, Reason: "no case rows"}},
		},
		{
			name: "missing column",
			in: func(t *testing.T) string {
				return lines(strings.TrimSuffix(header, ",lat,name,phone,id_number")+",name,phone,id_number", good)
			},
			want: []caseimport.RowError{{Line: 1, Column: "lat", Reason: "geocoder"}},
		},
		{
			name: "unknown and repeated columns",
			in:   func(*testing.T) string { return lines(header+",age,Code", good+",30,BD-1") },
			want: []caseimport.RowError{{Line: 1, Column: "age", Reason: "unknown column"}, {Line: 1, Column: "Code", Reason: "twice"}},
		},
		{
			name: "bad date",
			in: func(t *testing.T) string {
				return lines(header, good, row(t, map[string]string{"code": "BD-2", "report_date": "5/7/2021"}))
			},
			want: []caseimport.RowError{{Line: 3, Column: "report_date", Reason: "YYYY-MM-DD"}},
		},
		{
			name: "impossible date",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"status_date": "2021-07-32"}))
			},
			want: []caseimport.RowError{{Line: 2, Column: "status_date", Reason: "not a date"}},
		},
		{
			name: "status date before report date",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"status_date": "2021-07-04"}))
			},
			want: []caseimport.RowError{{Line: 2, Column: "status_date", Reason: "before report_date"}},
		},
		{
			name: "report date before the epidemic",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"report_date": "2019-11-30"}))
			},
			opts: caseimport.Options{Now: july5Evening},
			want: []caseimport.RowError{{Line: 2, Column: "report_date", Reason: "2019-11-30 is before 2019-12-01"}},
		},
		{
			name: "report date in the future",
			in: func(t *testing.T) string {
				return lines(header, good, row(t, map[string]string{"code": "BD-2", "report_date": "2021-07-08"}))
			},
			opts: caseimport.Options{Now: july5Evening},
			want: []caseimport.RowError{{Line: 3, Column: "report_date", Reason: "2021-07-08 is after 2021-07-07"}},
		},
		{
			name: "status date with a mistyped year",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"status_date": "2201-07-20"}))
			},
			opts: caseimport.Options{Now: july5Evening},
			want: []caseimport.RowError{{Line: 2, Column: "status_date", Reason: "2201-07-20 is after 2021-07-07"}},
		},
		{
			name: "status date long before the epidemic",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"status_date": "0001-01-01"}))
			},
			want: []caseimport.RowError{{Line: 2, Column: "status_date", Reason: "0001-01-01 is before 2019-12-01"}},
		},
		{
			name: "unknown origin",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"origin": "abroad"})) },
			want: []caseimport.RowError{{Line: 2, Column: "origin", Reason: "community, returning_citizen, foreign_expert or illegal_entry"}},
		},
		{
			name: "unknown detected_in, status and session",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"detected_in": "airport", "status": "ok", "report_session": "noon"}))
			},
			want: []caseimport.RowError{
				{Line: 2, Column: "report_session", Reason: "noon"},
				{Line: 2, Column: "detected_in", Reason: "airport"},
				{Line: 2, Column: "status", Reason: "ok"},
			},
		},
		{
			name: "duplicate code",
			in: func(t *testing.T) string {
				return lines(header, good, row(t, map[string]string{"code": "BD-2"}), good)
			},
			want: []caseimport.RowError{{Line: 4, Column: "code", Reason: "also on line 2"}},
		},
		{
			name: "code with a space",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"code": "BD 1"})) },
			want: []caseimport.RowError{{Line: 2, Column: "code", Reason: "spaces"}},
		},
		{
			name: "missing required values",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"code": "", "district_code": "", "lon": ""}))
			},
			want: []caseimport.RowError{
				{Line: 2, Column: "code", Reason: "empty"},
				{Line: 2, Column: "district_code", Reason: "empty"},
				{Line: 2, Column: "lon", Reason: "geocoder"},
			},
		},
		{
			name: "point outside the province",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"lon": "105.8", "lat": "21.0"}))
			},
			want: []caseimport.RowError{{Line: 2, Column: "lon", Reason: "outside the province"}},
		},
		{
			name: "swapped lon and lat",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"lon": "11.25", "lat": "106.6"}))
			},
			want: []caseimport.RowError{{Line: 2, Column: "lon", Reason: "swapped"}},
		},
		{
			name: "outside a custom box",
			in:   func(t *testing.T) string { return lines(header, good) },
			opts: caseimport.Options{Bounds: orb.Bound{Min: orb.Point{106.7, 10.8}, Max: orb.Point{106.9, 11}}},
			want: []caseimport.RowError{{Line: 2, Column: "lon", Reason: "106.7"}},
		},
		{
			name: "not a number",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"lat": "11°15'"})) },
			want: []caseimport.RowError{{Line: 2, Column: "lat", Reason: "decimal degrees"}},
		},
		{
			name: "NaN",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"lat": "NaN"})) },
			want: []caseimport.RowError{{Line: 2, Column: "lat", Reason: "decimal degrees"}},
		},
		{
			name: "unknown district",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"district_code": "999"})) },
			opts: caseimport.Options{Districts: map[string]bool{"718": true, "719": true}},
			want: []caseimport.RowError{{Line: 2, Column: "district_code", Reason: "718, 719"}},
		},
		{
			name: "wrong number of fields",
			in:   func(*testing.T) string { return lines(header, good+",extra", good, "BD-3,2021-07-05") },
			want: []caseimport.RowError{{Line: 2, Reason: "17 fields"}, {Line: 4, Reason: "2 fields"}},
		},
		{
			name: "line numbers count quoted line breaks",
			in: func(t *testing.T) string {
				return lines(header,
					row(t, map[string]string{"address": "\"Số 1\nkhu phố 2\""}),
					row(t, map[string]string{"code": "BD-2", "origin": "?"}))
			},
			want: []caseimport.RowError{{Line: 4, Column: "origin", Reason: "unknown value"}},
		},
		{
			name: "not UTF-8",
			in:   func(t *testing.T) string { return lines(header, row(t, map[string]string{"cluster": "C\xf4ng ty"})) },
			want: []caseimport.RowError{{Line: 2, Column: "cluster", Reason: "UTF-8"}},
		},
		{
			name: "broken quoting",
			in: func(t *testing.T) string {
				return lines(header, row(t, map[string]string{"origin": "?"}), row(t, map[string]string{"code": "BD-2", "cluster": "a\"b"}), good)
			},
			want: []caseimport.RowError{{Line: 2, Column: "origin", Reason: "unknown value"}, {Line: 3, Reason: "not valid CSV"}},
		},
		{
			name: "errors are capped",
			in: func(t *testing.T) string {
				return lines(header,
					row(t, map[string]string{"code": "A", "origin": "?"}), row(t, map[string]string{"code": "B", "origin": "?"}),
					row(t, map[string]string{"code": "C", "origin": "?"}), row(t, map[string]string{"code": "D", "origin": "?"}))
			},
			opts: caseimport.Options{MaxErrors: 2},
			want: []caseimport.RowError{{Line: 2, Column: "origin"}, {Line: 3, Column: "origin"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := caseimport.Parse(strings.NewReader(tt.in(t)), tt.opts)
			if recs != nil {
				t.Errorf("got %d records with an error, want none", len(recs))
			}
			if !errors.Is(err, features.ErrInvalid) {
				t.Fatalf("error %v is not features.ErrInvalid", err)
			}
			var ie *caseimport.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %T is not *caseimport.Error", err)
			}
			if len(ie.Rows) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ie.Rows), len(tt.want), err)
			}
			for i, w := range tt.want {
				g := ie.Rows[i]
				if g.Line != w.Line || g.Column != w.Column || !strings.Contains(g.Reason, w.Reason) {
					t.Errorf("problem %d = %v, want line %d, column %q, reason with %q", i, g, w.Line, w.Column, w.Reason)
				}
				if g.ReasonVI == "" || g.ReasonVI == g.Reason {
					t.Errorf("problem %d = %v has no Vietnamese reason (%q)", i, g, g.ReasonVI)
				}
			}
		})
	}
}

// july5Evening is 20:00 UTC on 5 July 2021, already 6 July in Vietnam, so
// that the latest date accepted is 7 July.
func july5Evening() time.Time { return time.Date(2021, 7, 5, 20, 0, 0, 0, time.UTC) }

// TestParseDateBounds checks the range of accepted dates: from the first
// cases of COVID-19 (1 December 2019) to the day after today in Vietnam.
func TestParseDateBounds(t *testing.T) {
	tests := []struct {
		name, column, cell string
		ok                 bool
	}{
		{"first day", "report_date", "2019-12-01", true},
		{"the day before", "report_date", "2019-11-30", false},
		{"today in Vietnam", "report_date", "2021-07-06", true},
		{"tomorrow in Vietnam", "report_date", "2021-07-07", true},
		{"the day after tomorrow", "report_date", "2021-07-08", false},
		{"status date tomorrow", "status_date", "2021-07-07", true},
		{"status date the day after tomorrow", "status_date", "2021-07-08", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := map[string]string{tt.column: tt.cell}
			if tt.column == "report_date" {
				set["status_date"] = ""
			}
			_, err := caseimport.Parse(strings.NewReader(lines(header, row(t, set))), caseimport.Options{Now: july5Evening})
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			var ie *caseimport.Error
			if !tt.ok && (!errors.As(err, &ie) || ie.Rows[0].Column != tt.column) {
				t.Errorf("error %v, want one on column %s", err, tt.column)
			}
		})
	}
}

func TestErrorOmitted(t *testing.T) {
	var rows []string
	for i := range 60 {
		rows = append(rows, strings.Replace(good, "BD-1", fmt.Sprintf("X%d", i), 1)+",extra")
	}
	_, err := caseimport.Parse(strings.NewReader(lines(append([]string{header}, rows...)...)), caseimport.Options{})
	var ie *caseimport.Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not *caseimport.Error", err)
	}
	if len(ie.Rows) != caseimport.DefaultMaxErrors || ie.Omitted != 60-caseimport.DefaultMaxErrors {
		t.Errorf("listed %d, omitted %d; want %d and %d", len(ie.Rows), ie.Omitted, caseimport.DefaultMaxErrors, 60-caseimport.DefaultMaxErrors)
	}
	if last := ie.Rows[len(ie.Rows)-1].Line; last != caseimport.DefaultMaxErrors+1 {
		t.Errorf("last listed line %d, want %d", last, caseimport.DefaultMaxErrors+1)
	}
}

func TestErrorText(t *testing.T) {
	e := &caseimport.Error{
		Rows: []caseimport.RowError{
			{Line: 1, Column: "lat", Reason: "missing required column"},
			{Line: 7, Reason: "has 3 fields but the header has 16"},
		},
		Omitted: 4,
	}
	want := "caseimport: 6 problems in the file, nothing imported\n" +
		"line 1, column lat: missing required column\n" +
		"line 7: has 3 fields but the header has 16\n" +
		"... and 4 more"
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}

func TestParseFixture(t *testing.T) {
	f, err := os.Open("../bulletin/testdata/july5.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	districts := map[string]bool{}
	for c := 718; c <= 726; c++ {
		districts[fmt.Sprint(c)] = true
	}
	recs, err := caseimport.Parse(f, caseimport.Options{Districts: districts})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 812 {
		t.Errorf("got %d records, want 812", len(recs))
	}
}

func ExampleParse() {
	in := "code,report_date,origin,detected_in,status,district_code,lon,lat\n" +
		"BD-1,2021-07-05,cộng đồng,khu cách ly,đang điều trị,719,106.6,11.25\n" +
		"BD-2,5/7/2021,community,airport,under_treatment,719,106.6,11.25\n" +
		"BD-1,2021-07-05,community,quarantine_area,under_treatment,719,,\n"
	_, err := caseimport.Parse(strings.NewReader(in), caseimport.Options{})
	fmt.Println(err)
	// Output:
	// caseimport: 5 problems in the file, nothing imported
	// line 3, column report_date: "5/7/2021" is not a date: write it as YYYY-MM-DD
	// line 3, column detected_in: unknown value "airport"; use quarantine_area, health_facility or community_screening
	// line 4, column code: duplicate code "BD-1": also on line 2
	// line 4, column lon: required value is empty (cases need a lon/lat point: no geocoder is available offline to place addresses)
	// line 4, column lat: required value is empty (cases need a lon/lat point: no geocoder is available offline to place addresses)
}
