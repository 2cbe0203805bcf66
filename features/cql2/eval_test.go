package cql2

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var queryables = Queryables{
	"name": TypeString, "pop": TypeInteger, "ratio": TypeNumber, "report_date": TypeDate,
	"start": TypeDate, "end": TypeDate, "open": TypeBoolean, "geometry": TypeGeometry,
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // "" when valid, else a part of the message
	}{
		{"string compare", `name = 'a'`, ""},
		{"integer with decimal", `pop < 2.5 AND ratio >= pop`, ""},
		{"date with timestamp", `report_date BETWEEN DATE('2021-01-01') AND TIMESTAMP('2021-02-01T00:00:00Z')`, ""},
		{"boolean equal", `open = TRUE AND open <> FALSE`, ""},
		{"any is null", `geometry IS NULL OR name IS NOT NULL`, ""},
		{"spatial", `S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, ""},
		{"temporal", `T_INTERSECTS(INTERVAL(start, end), INTERVAL('2021-01-01', '..')) AND T_INTERSECTS(report_date, DATE('2021-01-01'))`, ""},
		{"bare literal", `FALSE`, ""},
		{"unknown property", `nam = 'a'`, `unknown property "nam"`},
		{"unknown in not", `NOT (x IS NULL)`, `unknown property "x"`},
		{"date with number", `report_date > 5`, "property report_date is a date but 5 is a number"},
		{"string with date", `name = DATE('2021-01-01')`, "property name is a string but DATE('2021-01-01') is a date"},
		{"like on number", `pop LIKE '1%'`, "LIKE needs a string, property pop is a number"},
		{"in mixed list", `name IN ('a', 1)`, "1 is a number"},
		{"between mixed", `pop BETWEEN 1 AND 'z'`, "'z' is a string"},
		{"boolean order", `open < TRUE`, "only = and <> apply"},
		{"geometry compare", `geometry = geometry`, "use S_INTERSECTS"},
		{"spatial on string", `S_INTERSECTS(name, BBOX(0, 0, 1, 1))`, "S_INTERSECTS needs a geometry, property name is a string"},
		{"temporal on number", `T_INTERSECTS(pop, DATE('2021-01-01'))`, "T_INTERSECTS needs dates, property pop is a number"},
		{"temporal interval end", `T_INTERSECTS(INTERVAL(start, name), DATE('2021-01-01'))`, "property name is a string"},
		{"literal mismatch", `1 = 'a'`, "1 is a number but 'a' is a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			err = Check(e, queryables)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Check(%s) = %v", tt.text, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check(%s) = %v, want ErrInvalid saying %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	row := Values{
		"name": "Bình Dương", "pop": int64(12), "ratio": 0.5, "report_date": "2021-07-05",
		"start": "2021-07-01", "end": nil, "open": true, "geometry": orb.Point{2, 3},
	}
	nulls := Values{}
	tests := []struct {
		text          string
		row, nullsRow bool // expected on row and on a row of NULLs
	}{
		{`name = 'Bình Dương'`, true, false},
		{`name <> 'Bình Dương'`, false, false},
		{`NOT name = 'x'`, true, false}, // NOT unknown is unknown
		{`NOT (name = 'x' AND FALSE)`, true, true},
		{`name = 'x' OR TRUE`, true, true},
		{`name IS NULL`, false, true},
		{`name IS NOT NULL`, true, false},
		{`name > 'Bình'`, true, false},
		{`name < 'bình'`, true, false}, // bytes: 'B' < 'b'
		{`name LIKE 'B_nh%'`, true, false},
		{`name LIKE 'b%'`, false, false},
		{`name NOT LIKE 'b%'`, true, false},
		{`pop = 12.0`, true, false},
		{`pop > 9`, true, false},
		{`pop > 100`, false, false},
		{`pop IN (1, 12)`, true, false},
		{`pop NOT IN (1, 2)`, true, false},
		{`pop BETWEEN 12 AND 13`, true, false},
		{`pop NOT BETWEEN 1 AND 11`, true, false},
		{`ratio < 1 AND pop >= 12`, true, false},
		{`report_date = DATE('2021-07-05')`, true, false},
		{`report_date < DATE('2021-10-01')`, true, false}, // dates, not text of varying width
		{`report_date = TIMESTAMP('2021-07-05T23:59:59Z')`, true, false},
		{`open = TRUE`, true, false},
		{`S_INTERSECTS(geometry, BBOX(0, 0, 2, 3))`, true, false}, // a corner counts
		{`S_INTERSECTS(geometry, BBOX(0, 0, 1.9, 3))`, false, false},
		{`NOT S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, true, false},
		{`T_INTERSECTS(report_date, INTERVAL('2021-07-05', '..'))`, true, false},
		{`T_INTERSECTS(report_date, INTERVAL('..', '2021-07-04'))`, false, false},
		{`T_INTERSECTS(INTERVAL(start, end), DATE('2030-01-01'))`, true, true}, // a NULL end is open
		{`T_INTERSECTS(INTERVAL(start, end), DATE('2021-06-30'))`, false, true},
		{`T_INTERSECTS(INTERVAL(start, end), INTERVAL('2021-06-01', '2021-07-01'))`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, err := ParseText(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(e, queryables); err != nil {
				t.Fatal(err)
			}
			if got := Evaluate(e, row); got != tt.row {
				t.Errorf("on the row: %v, want %v", got, tt.row)
			}
			if got := Evaluate(e, nulls); got != tt.nullsRow {
				t.Errorf("on NULLs: %v, want %v", got, tt.nullsRow)
			}
		})
	}
}

func TestEvaluateValueForms(t *testing.T) {
	e, err := ParseText(`pop = 3 AND report_date = DATE('2021-07-05')`)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []Values{
		{"pop": 3, "report_date": time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)},
		{"pop": int32(3), "report_date": "2021-07-05"},
		{"pop": 3.0, "report_date": "2021-07-05"},
	} {
		if !Evaluate(e, row) {
			t.Errorf("%v does not pass %s", row, String(e))
		}
	}
	if Evaluate(e, Values{"pop": "3", "report_date": "2021-07-05"}) {
		t.Error("a string 3 equals the number 3")
	}
}

func TestLike(t *testing.T) {
	tests := []struct {
		s, pattern string
		want       bool
	}{
		{"", "", true},
		{"", "%", true},
		{"", "_", false},
		{"abc", "abc", true},
		{"abc", "ABC", false},
		{"abc", "a%", true},
		{"abc", "%c", true},
		{"abc", "%b%", true},
		{"abc", "a_c", true},
		{"abc", "a__c", false},
		{"ả", "_", true}, // one character, two bytes
		{"aXbXc", "a%b%c", true},
		{"aaab", "%a%ab", true},
		{"a%b", `a\%b`, true},
		{"axb", `a\%b`, false},
		{"a_b", `a\_b`, true},
		{"axb", `a\_b`, false},
		{`a\b`, `a\\b`, true},
		{"ab", `\a\b`, true},
		{"mississippi", "%iss%ppi", true},
		{"mississippi", "%iss%ppx", false},
	}
	for _, tt := range tests {
		t.Run(tt.s+" LIKE "+tt.pattern, func(t *testing.T) {
			if got := like(tt.s, tt.pattern); got != tt.want {
				t.Errorf("like(%q, %q) = %v, want %v", tt.s, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestIntersects(t *testing.T) {
	// A 4x4 square with a 1..2 hole, and a multipolygon of it and a far
	// triangle.
	tri := orb.Polygon{{{10, 10}, {12, 10}, {10, 12}, {10, 10}}}
	multi := orb.MultiPolygon{square, tri}
	box := func(w, s, e, n float64) orb.Bound { return orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}} }
	tests := []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"point inside", orb.Point{3, 3}, square, true},
		{"point in hole", orb.Point{1.5, 1.5}, square, false},
		{"point on hole edge", orb.Point{1, 1.5}, square, true},
		{"point on outer edge", orb.Point{4, 2}, square, true},
		{"point on vertex", orb.Point{0, 0}, square, true},
		{"point outside", orb.Point{5, 2}, square, false},
		{"point left outside on vertex row", orb.Point{-1, 4}, square, false},
		{"point in far part", orb.Point{10.5, 10.5}, multi, true},
		{"point beyond far part's hypotenuse", orb.Point{11.5, 11.5}, multi, false},
		{"point on hypotenuse", orb.Point{11, 11}, multi, true},
		{"point equal point", orb.Point{1, 1}, orb.Point{1, 1}, true},
		{"point other point", orb.Point{1, 1}, orb.Point{1, 2}, false},
		{"point in bound", orb.Point{1, 1}, box(0, 0, 1, 1), true},
		{"box in hole", box(1.2, 1.2, 1.8, 1.8), square, false},
		{"box is hole", box(1, 1, 2, 2), square, true}, // shares the hole's boundary
		{"box around everything", box(-1, -1, 20, 20), multi, true},
		{"box crossing edge", box(3, 3, 5, 5), square, true},
		{"box touching side", box(4, 1, 5, 2), square, true},
		{"box touching corner", box(4, 4, 5, 5), square, true},
		{"box apart", box(4.1, 0, 5, 5), square, false},
		{"box between parts", box(5, 5, 9, 9), multi, false},
		{"box touching far part", box(11, 11, 12, 12), multi, true},
		{"box near hypotenuse", box(11.1, 11.1, 12, 12), multi, false},
		{"degenerate box crossing", box(2, -1, 2, 5), square, true},
		{"degenerate box in hole", box(1.5, 1.2, 1.5, 1.8), square, false},
		{"point box on edge", box(4, 2, 4, 2), square, true},
		{"polygon inside hole", orb.Polygon{{{1.2, 1.2}, {1.8, 1.2}, {1.8, 1.8}, {1.2, 1.2}}}, square, false},
		{"polygon holding the square", orb.Polygon{{{-5, -5}, {9, -5}, {9, 9}, {-5, 9}, {-5, -5}}}, square, true},
		{"polygon whose hole holds the square", orb.Polygon{{{-5, -5}, {9, -5}, {9, 9}, {-5, 9}, {-5, -5}}, {{-1, -1}, {5, -1}, {5, 5}, {-1, 5}, {-1, -1}}}, square, false},
		{"ring crossing ring", orb.Polygon{{{-1, 2}, {5, 2}, {5, 3}, {-1, 2}}}, square, true},
		{"line through hole only", orb.LineString{{1.2, 1.5}, {1.8, 1.5}}, square, false},
		{"line across", orb.LineString{{-1, 0.5}, {5, 0.5}}, square, true},
		{"multipoint", orb.MultiPoint{{9, 9}, {3, 3}}, square, true},
		{"collection", orb.Collection{orb.Point{9, 9}, tri}, box(11, 11, 12, 12), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersects(tt.a, tt.b); got != tt.want {
				t.Errorf("Intersects(a, b) = %v, want %v", got, tt.want)
			}
			if got := Intersects(tt.b, tt.a); got != tt.want {
				t.Errorf("Intersects(b, a) = %v, want %v", got, tt.want)
			}
		})
	}
}
