package caseimport_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
)

// TestParseMalformed: a file that is not CSV is refused with the line of
// the problem, whether the header or a row is broken, and a failing reader
// is an error of its own, not a list of problems.
func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want caseimport.RowError
	}{
		// The quoted field runs on into the next line, where the reader
		// finds the stray quote.
		{"header with an open quote", `code,"report_date,origin` + "\n" + good + "\n", caseimport.RowError{Line: 2, Reason: "not valid CSV"}},
		{"header with a stray quote", `code,rep"ort_date` + "\n" + good + "\n", caseimport.RowError{Line: 1, Reason: "not valid CSV"}},
		{"row with an open quote", lines(header, good, `BD-2,"2021-07-05`), caseimport.RowError{Line: 3, Reason: "not valid CSV"}},
		{"row with too few fields", lines(header, "BD-2,2021-07-05"), caseimport.RowError{Line: 2, Reason: "has 2 fields but the header has 16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := caseimport.Parse(strings.NewReader(tt.in), caseimport.Options{Now: july5Evening})
			var ie *caseimport.Error
			if !errors.As(err, &ie) || recs != nil {
				t.Fatalf("Parse = %d records, %v; want no records and an *Error", len(recs), err)
			}
			if !errors.Is(err, features.ErrInvalid) {
				t.Errorf("%v does not wrap features.ErrInvalid", err)
			}
			g := ie.Rows[0]
			if len(ie.Rows) != 1 || g.Line != tt.want.Line || g.Column != tt.want.Column || !strings.Contains(g.Reason, tt.want.Reason) {
				t.Errorf("problems %v, want only line %d, column %q, reason with %q", ie.Rows, tt.want.Line, tt.want.Column, tt.want.Reason)
			}
		})
	}
	t.Run("reader fails in the rows", func(t *testing.T) {
		broken := errors.New("disk gone")
		_, err := caseimport.Parse(io.MultiReader(strings.NewReader(header+"\n"), iotest.ErrReader(broken)), caseimport.Options{})
		var ie *caseimport.Error
		if !errors.Is(err, broken) || errors.As(err, &ie) {
			t.Errorf("err = %v, want the reader's error", err)
		}
	})
	t.Run("reader fails on the header", func(t *testing.T) {
		_, err := caseimport.Parse(iotest.ErrReader(errors.New("disk gone")), caseimport.Options{})
		var ie *caseimport.Error
		if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Line != 1 || !strings.Contains(ie.Rows[0].Reason, "disk gone") {
			t.Errorf("err = %v, want one problem on line 1 naming the reader's error", err)
		}
	})
}

// TestLatestDateInVietnam: the latest date accepted is the day after today
// in Vietnam (UTC+7), whatever the server's clock zone, at every hour
// around Vietnam's midnight.
func TestLatestDateInVietnam(t *testing.T) {
	newYork := time.FixedZone("UTC-5", -5*3600)
	tests := []struct {
		name string
		now  time.Time
		want string // the latest date accepted
	}{
		{"UTC midnight (07:00 in Vietnam)", time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC), "2021-07-06"},
		{"a second before Vietnam's midnight", time.Date(2021, 7, 5, 16, 59, 59, 0, time.UTC), "2021-07-06"},
		{"Vietnam's midnight", time.Date(2021, 7, 5, 17, 0, 0, 0, time.UTC), "2021-07-07"},
		{"UTC noon (19:00 in Vietnam)", time.Date(2021, 7, 5, 12, 0, 0, 0, time.UTC), "2021-07-06"},
		{"evening in New York, next morning in Vietnam", time.Date(2021, 7, 5, 20, 0, 0, 0, newYork), "2021-07-07"},
		{"new year's eve, 18:00 UTC", time.Date(2021, 12, 31, 18, 0, 0, 0, time.UTC), "2022-01-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := caseimport.LatestDate(tt.now).Format(features.DateLayout); got != tt.want {
				t.Errorf("LatestDate(%v) = %s, want %s", tt.now, got, tt.want)
			}
			now := func() time.Time { return tt.now }
			latest, _ := time.Parse(features.DateLayout, tt.want)
			after := latest.AddDate(0, 0, 1).Format(features.DateLayout)
			in := lines(header,
				row(t, map[string]string{"code": "A", "report_date": tt.want, "status_date": ""}),
			)
			if _, err := caseimport.Parse(strings.NewReader(in), caseimport.Options{Now: now}); err != nil {
				t.Errorf("report date %s refused: %v", tt.want, err)
			}
			in = lines(header, row(t, map[string]string{"code": "A", "report_date": after, "status_date": ""}))
			var ie *caseimport.Error
			_, err := caseimport.Parse(strings.NewReader(in), caseimport.Options{Now: now})
			if !errors.As(err, &ie) || ie.Rows[0].Column != "report_date" || !strings.Contains(ie.Rows[0].Reason, "after "+tt.want) {
				t.Errorf("report date %s: err = %v, want refused as after %s", after, err, tt.want)
			}
		})
	}
}

// TestParseFieldLengths: codes up to features.MaxCodeLength characters and
// free text up to 500 characters, counted in characters (not bytes), pass;
// one more is refused on its column.
func TestParseFieldLengths(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ệ", n) } // 3 bytes each
	tests := []struct {
		column string
		cell   string
		ok     bool
	}{
		{"code", strings.Repeat("B", features.MaxCodeLength), true},
		{"code", strings.Repeat("B", features.MaxCodeLength+1), false},
		{"code", long(features.MaxCodeLength), true},
		{"cluster", long(500), true},
		{"cluster", long(501), false},
		{"address", long(500), true},
		{"address", long(501), false},
		{"name", long(501), false},
		{"phone", long(501), false},
		{"id_number", long(501), false},
		{"ward_code", long(501), false},
	}
	for _, tt := range tests {
		t.Run(tt.column+" "+map[bool]string{true: "at the limit", false: "over it"}[tt.ok]+" "+tt.cell[:1], func(t *testing.T) {
			recs, err := caseimport.Parse(strings.NewReader(lines(header, row(t, map[string]string{tt.column: tt.cell}))), caseimport.Options{Now: july5Evening})
			if tt.ok {
				if err != nil || len(recs) != 1 {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var ie *caseimport.Error
			if !errors.As(err, &ie) || ie.Rows[0].Column != tt.column || !strings.Contains(ie.Rows[0].Reason, "longer than") {
				t.Errorf("err = %v, want a length problem on %s", err, tt.column)
			}
		})
	}
}

// TestParseCells covers cells refused on their own: empty required values
// and codes with spaces or control characters.
func TestParseCells(t *testing.T) {
	tests := []struct {
		column, cell, reason string
	}{
		{"code", "", "required value is empty"},
		{"code", "BD 1", "contains spaces or control characters"},
		{"code", "BD\u00a01", "contains spaces or control characters"},
		{"code", "BD\x7f1", "contains spaces or control characters"},
		{"code", "\x7fBD1", "contains spaces or control characters"},
		{"origin", "", "required value is empty"},
		{"status", " ", "required value is empty"},
		{"district_code", "", "required value is empty"},
		{"report_session", "noon", "use morning, afternoon or evening"},
	}
	for _, tt := range tests {
		t.Run(tt.column+" "+tt.cell, func(t *testing.T) {
			_, err := caseimport.Parse(strings.NewReader(lines(header, row(t, map[string]string{tt.column: tt.cell}))), caseimport.Options{Now: july5Evening})
			var ie *caseimport.Error
			if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Column != tt.column || !strings.Contains(ie.Rows[0].Reason, tt.reason) {
				t.Errorf("err = %v, want one problem on %s with %q", err, tt.column, tt.reason)
			}
		})
	}
}
