package cql2

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var (
	name   = Property{"name"}
	pop    = Property{"pop"}
	day    = Property{"report_date"}
	geom   = Property{"geometry"}
	square = orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}}
)

func ts(s string) TimestampLit {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return TimestampLit{t.UTC()}
}

// parseCases hold each construct in text and JSON, the tree both must
// give, and the canonical text String must write.
var parseCases = []struct {
	name, text, json string
	want             Expr
	canonical        string // "" when it is text itself
}{
	{"equal string", `name = 'Thủ Dầu Một'`, `{"op":"=","args":[{"property":"name"},"Thủ Dầu Một"]}`,
		Comparison{Eq, name, StringLit{"Thủ Dầu Một"}}, ""},
	{"quote escape", `name <> 'it''s'`, `{"op":"<>","args":[{"property":"name"},"it's"]}`,
		Comparison{Ne, name, StringLit{"it's"}}, ""},
	{"less integer", `pop < 10`, `{"op":"<","args":[{"property":"pop"},10]}`, Comparison{Lt, pop, NumberLit{10}}, ""},
	{"less equal negative decimal", `pop <= -2.5`, `{"op":"<=","args":[{"property":"pop"},-2.5]}`, Comparison{Le, pop, NumberLit{-2.5}}, ""},
	{"greater exponent", `pop > 1.5E3`, `{"op":">","args":[{"property":"pop"},1.5e3]}`, Comparison{Gt, pop, NumberLit{1500}}, `pop > 1500`},
	{"greater equal fraction", `pop >= .25`, `{"op":">=","args":[{"property":"pop"},0.25]}`, Comparison{Ge, pop, NumberLit{0.25}}, `pop >= 0.25`},
	{"literal on the left", `3 = pop`, `{"op":"=","args":[3,{"property":"pop"}]}`, Comparison{Eq, NumberLit{3}, pop}, ""},
	{"two properties", `pop = "min pop"`, `{"op":"=","args":[{"property":"pop"},{"property":"min pop"}]}`,
		Comparison{Eq, pop, Property{"min pop"}}, ""},
	{"boolean", `open = true`, `{"op":"=","args":[{"property":"open"},true]}`, Comparison{Eq, Property{"open"}, BoolLit{true}}, `open = TRUE`},
	{"bare true", `TRUE`, `true`, BoolLit{true}, ""},
	{"date", `report_date = date('2021-07-05')`, `{"op":"=","args":[{"property":"report_date"},{"date":"2021-07-05"}]}`,
		Comparison{Eq, day, DateLit{"2021-07-05"}}, `report_date = DATE('2021-07-05')`},
	{"timestamp", `report_date < TIMESTAMP('2021-07-05T10:30:00Z')`, `{"op":"<","args":[{"property":"report_date"},{"timestamp":"2021-07-05T10:30:00Z"}]}`,
		Comparison{Lt, day, ts("2021-07-05T10:30:00Z")}, ""},
	{"like", `name LIKE 'Bình%\_x'`, `{"op":"like","args":[{"property":"name"},"Bình%\\_x"]}`, Like{name, `Bình%\_x`}, ""},
	{"not like", `name NOT LIKE '_a'`, `{"op":"not","args":[{"op":"like","args":[{"property":"name"},"_a"]}]}`, Not{Like{name, "_a"}}, ""},
	{"in", `name IN ('a', 'b')`, `{"op":"in","args":[{"property":"name"},["a","b"]]}`, In{name, []Scalar{StringLit{"a"}, StringLit{"b"}}}, ""},
	{"not in", `pop not in (1,2)`, `{"op":"not","args":[{"op":"in","args":[{"property":"pop"},[1,2]]}]}`,
		Not{In{pop, []Scalar{NumberLit{1}, NumberLit{2}}}}, `pop NOT IN (1, 2)`},
	{"between", `pop BETWEEN 1 AND 5`, `{"op":"between","args":[{"property":"pop"},1,5]}`, Between{pop, NumberLit{1}, NumberLit{5}}, ""},
	{"not between and", `pop NOT BETWEEN 1 AND 5 AND name = 'a'`,
		`{"op":"and","args":[{"op":"not","args":[{"op":"between","args":[{"property":"pop"},1,5]}]},{"op":"=","args":[{"property":"name"},"a"]}]}`,
		And{[]Expr{Not{Between{pop, NumberLit{1}, NumberLit{5}}}, Comparison{Eq, name, StringLit{"a"}}}}, ""},
	{"is null", `name IS NULL`, `{"op":"isNull","args":[{"property":"name"}]}`, IsNull{name}, ""},
	{"is not null", `name is not null`, `{"op":"not","args":[{"op":"isNull","args":[{"property":"name"}]}]}`, Not{IsNull{name}}, `name IS NOT NULL`},
	{"and or precedence", `pop = 1 OR pop = 2 AND name = 'a'`,
		`{"op":"or","args":[{"op":"=","args":[{"property":"pop"},1]},{"op":"and","args":[{"op":"=","args":[{"property":"pop"},2]},{"op":"=","args":[{"property":"name"},"a"]}]}]}`,
		Or{[]Expr{Comparison{Eq, pop, NumberLit{1}}, And{[]Expr{Comparison{Eq, pop, NumberLit{2}}, Comparison{Eq, name, StringLit{"a"}}}}}},
		`pop = 1 OR (pop = 2 AND name = 'a')`},
	{"parentheses", `(pop = 1 OR pop = 2) AND name = 'a'`,
		`{"op":"and","args":[{"op":"or","args":[{"op":"=","args":[{"property":"pop"},1]},{"op":"=","args":[{"property":"pop"},2]}]},{"op":"=","args":[{"property":"name"},"a"]}]}`,
		And{[]Expr{Or{[]Expr{Comparison{Eq, pop, NumberLit{1}}, Comparison{Eq, pop, NumberLit{2}}}}, Comparison{Eq, name, StringLit{"a"}}}}, ""},
	{"not binds tighter than and", `NOT pop = 1 AND pop = 2`,
		`{"op":"and","args":[{"op":"not","args":[{"op":"=","args":[{"property":"pop"},1]}]},{"op":"=","args":[{"property":"pop"},2]}]}`,
		And{[]Expr{Not{Comparison{Eq, pop, NumberLit{1}}}, Comparison{Eq, pop, NumberLit{2}}}}, ""},
	{"not of a group", `NOT (pop = 1 OR pop = 2)`,
		`{"op":"not","args":[{"op":"or","args":[{"op":"=","args":[{"property":"pop"},1]},{"op":"=","args":[{"property":"pop"},2]}]}]}`,
		Not{Or{[]Expr{Comparison{Eq, pop, NumberLit{1}}, Comparison{Eq, pop, NumberLit{2}}}}}, ""},
	{"quoted keyword property", `"date" = 'x'`, `{"op":"=","args":[{"property":"date"},"x"]}`, Comparison{Eq, Property{"date"}, StringLit{"x"}}, ""},
	{"bare date property", `date = 'x'`, `{"op":"=","args":[{"property":"date"},"x"]}`, Comparison{Eq, Property{"date"}, StringLit{"x"}}, `"date" = 'x'`},
	{"bbox", `S_INTERSECTS(geometry, BBOX(106.5, 10.9, 106.8, 11.2))`, `{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[106.5,10.9,106.8,11.2]}]}`,
		SIntersects{geom, BBox{orb.Bound{Min: orb.Point{106.5, 10.9}, Max: orb.Point{106.8, 11.2}}}}, ""},
	{"bbox with heights", `s_intersects(geometry, bbox(1, 2, 0, 3, 4, 9))`, `{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[1,2,0,3,4,9]}]}`,
		SIntersects{geom, BBox{orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}}}, `S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))`},
	{"point", `S_INTERSECTS(geometry, POINT(106.6 11))`, `{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[106.6,11]}]}`,
		SIntersects{geom, Geometry{orb.Point{106.6, 11}}}, ""},
	{"polygon with hole", `S_INTERSECTS(geometry, POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1)))`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}]}`,
		SIntersects{geom, Geometry{square}}, ""},
	{"multipolygon literal first", `S_INTERSECTS(MULTIPOLYGON(((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1)), ((5 5, 6 5, 6 6, 5 5))), geometry)`,
		`{"op":"s_intersects","args":[{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]],[[[5,5],[6,5],[6,6],[5,5]]]]},{"property":"geometry"}]}`,
		SIntersects{Geometry{orb.MultiPolygon{square, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}}}, geom}, ""},
	{"t_intersects date", `T_INTERSECTS(report_date, DATE('2021-07-05'))`, `{"op":"t_intersects","args":[{"property":"report_date"},{"date":"2021-07-05"}]}`,
		TIntersects{day, DateLit{"2021-07-05"}}, ""},
	{"t_intersects interval", `T_INTERSECTS(report_date, INTERVAL('2021-07-01', '..'))`, `{"op":"t_intersects","args":[{"property":"report_date"},{"interval":["2021-07-01",".."]}]}`,
		TIntersects{day, Interval{DateLit{"2021-07-01"}, nil}}, ""},
	{"t_intersects two intervals", `T_INTERSECTS(INTERVAL(start, "end"), INTERVAL('..', '2021-07-05T00:00:00Z'))`,
		`{"op":"t_intersects","args":[{"interval":[{"property":"start"},{"property":"end"}]},{"interval":["..","2021-07-05T00:00:00Z"]}]}`,
		TIntersects{Interval{Property{"start"}, Property{"end"}}, Interval{nil, ts("2021-07-05T00:00:00Z")}},
		`T_INTERSECTS(INTERVAL(start, end), INTERVAL('..', '2021-07-05T00:00:00Z'))`},
	{"interval of date literals", `T_INTERSECTS(report_date, INTERVAL(DATE('2021-07-01'), DATE('2021-07-02')))`,
		`{"op":"t_intersects","args":[{"property":"report_date"},{"interval":[{"date":"2021-07-01"},{"date":"2021-07-02"}]}]}`,
		TIntersects{day, Interval{DateLit{"2021-07-01"}, DateLit{"2021-07-02"}}}, `T_INTERSECTS(report_date, INTERVAL('2021-07-01', '2021-07-02'))`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseText(tt.text)
			if err != nil {
				t.Fatalf("ParseText(%s): %v", tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseText(%s)\n got %#v\nwant %#v", tt.text, got, tt.want)
			}
			fromJSON, err := ParseJSON([]byte(tt.json))
			if err != nil {
				t.Fatalf("ParseJSON(%s): %v", tt.json, err)
			}
			if !reflect.DeepEqual(fromJSON, tt.want) {
				t.Errorf("ParseJSON(%s)\n got %#v\nwant %#v", tt.json, fromJSON, tt.want)
			}
			canonical := tt.canonical
			if canonical == "" {
				canonical = tt.text
			}
			if s := String(got); s != canonical {
				t.Errorf("String = %s, want %s", s, canonical)
			}
			again, err := ParseText(String(got))
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("ParseText(String) = %#v, %v; want the same tree", again, err)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	deep := strings.Repeat("(", 40) + "pop = 1" + strings.Repeat(")", 40)
	nots := strings.Repeat("NOT ", 40) + "pop = 1"
	many := "pop IN (" + strings.Repeat("1, ", 1200) + "1)"
	long := "name = '" + strings.Repeat("x", 9000) + "'"
	tests := []struct {
		name, text string
		limit      bool
		want       string // a part of the message: where and why
	}{
		{"empty", ``, false, "at 0: expected a predicate, found the end"},
		{"missing literal", `name = 'a' AND pop = )`, false, "at 21: expected a property or a literal after '=', found ')'"},
		{"unclosed paren", `(pop = 1`, false, "at 8: expected ')' after a parenthesised expression"},
		{"trailing", `pop = 1 pop`, false, "at 8: expected AND, OR or the end"},
		{"no operator", `pop 1`, false, "at 4: expected a comparison operator"},
		{"unterminated string", `name = 'abc`, false, "at 7: unterminated '-quoted"},
		{"hex", `pop = 0x10`, false, "at 6: malformed number"},
		{"underscore number", `pop = 1_000`, false, "malformed number"},
		{"double dot number", `pop = 1.2.3`, false, "malformed number"},
		{"bad character", `pop = 1 ; DROP`, false, "at 8: unexpected character"},
		{"bang operator", `pop != 1`, false, "unexpected character '!'"},
		{"number overflow", `pop = 1e999`, false, "out of range"},
		{"is without null", `pop IS 1`, false, "expected NULL after IS"},
		{"not without predicate", `pop NOT = 1`, false, "expected LIKE, IN or BETWEEN after NOT"},
		{"like needs string", `name LIKE 1`, false, "expected a 'pattern' after LIKE"},
		{"like trailing escape", `name LIKE 'a\'`, false, "ends with the escape character"},
		{"in property", `pop IN (a)`, false, "expected a literal in the IN list"},
		{"in unclosed", `pop IN (1 2)`, false, "expected ',' or ')' in the IN list"},
		{"between without and", `pop BETWEEN 1 OR 2`, false, "expected AND in BETWEEN"},
		{"bad date", `report_date = DATE('2021-02-30')`, false, "is not a date"},
		{"date without quotes", `report_date = DATE(2021)`, false, "expected a 'string' in DATE()"},
		{"local timestamp", `report_date = TIMESTAMP('2021-07-05T10:00:00+07:00')`, false, "not a UTC timestamp"},
		{"unknown function", `CASEI(name) = 'a'`, false, "unsupported function CASEI"},
		{"unknown spatial op", `S_WITHIN(geometry, BBOX(0,0,1,1))`, false, "unsupported function S_WITHIN"},
		{"bbox 5 numbers", `S_INTERSECTS(geometry, BBOX(0,0,1,1,2))`, false, "BBOX needs 4 or 6 numbers"},
		{"bbox antimeridian", `S_INTERSECTS(geometry, BBOX(170,0,-170,1))`, false, "across the antimeridian"},
		{"bbox south north", `S_INTERSECTS(geometry, BBOX(0,5,1,1))`, false, "south 5 > north 1"},
		{"open ring", `S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))`, false, "ring not closed"},
		{"flat ring", `S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 2 2, 0 0)))`, false, "has no area"},
		{"short ring", `S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 0)))`, false, "at least 4 positions"},
		{"3d point", `S_INTERSECTS(geometry, POINT(1 2 3))`, false, "expected ')' after a POINT's position"},
		{"linestring", `S_INTERSECTS(geometry, LINESTRING(0 0, 1 1))`, false, "unsupported geometry LINESTRING"},
		{"s_intersects one arg", `S_INTERSECTS(geometry)`, false, "expected ',' after the first argument of S_INTERSECTS"},
		{"interval bad end", `T_INTERSECTS(report_date, INTERVAL('yesterday', '..'))`, false, "not a UTC timestamp"},
		{"t_intersects string", `T_INTERSECTS(report_date, 'x')`, false, "expected a date property, DATE, TIMESTAMP or INTERVAL"},
		{"keyword as property", `AND = 1`, false, "at 0: expected a predicate, found 'AND'"},
		{"nul", "name = 'a\x00'", false, "contains NUL"},
		{"invalid utf-8", "name = '\xff'", false, "not valid UTF-8"},
		{"empty quoted property", `"" = 1`, false, "empty property name"},
		{"too deep", deep, true, "nesting deeper than 32"},
		{"too many nots", nots, true, "nesting deeper than 32"},
		{"too many nodes", many, true, "nodes, more than 1000"},
		{"too long", long, true, "more than 8192"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseText(tt.text)
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("ParseText(%.60s) = %v, %v; want ErrSyntax", tt.text, e, err)
			}
			if errors.Is(err, ErrLimit) != tt.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, !tt.limit, tt.limit)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "cql2: ") {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := strings.Repeat(`{"op":"not","args":[`, 40) + `true` + strings.Repeat(`]}`, 40)
	tests := []struct {
		name, json string
		limit      bool
		want       string
	}{
		{"not json", `{"op":`, false, "not JSON"},
		{"two values", `true true`, false, "text after the JSON value"},
		{"no op", `{"args":[]}`, false, `at the top: expected an object with "op" and "args"`},
		{"extra key", `{"op":"=","args":[1,1],"x":1}`, false, `expected an object with "op" and "args" only`},
		{"unknown op", `{"op":"s_within","args":[1,2]}`, false, `unsupported operator "s_within"`},
		{"wrong arity", `{"op":"=","args":[1]}`, false, `"=" takes 2 arguments, has 1`},
		{"and of one", `{"op":"and","args":[true]}`, false, `"and" takes at least 2 arguments`},
		{"nested path", `{"op":"and","args":[true,{"op":"=","args":[{"property":"a"},[1]]}]}`, false, "at args[1].args[1]: expected a property or a literal"},
		{"like pattern", `{"op":"like","args":[{"property":"a"},1]}`, false, "at args[1]: expected a pattern string"},
		{"in not array", `{"op":"in","args":[{"property":"a"},1]}`, false, "expected a non-empty array"},
		{"in property", `{"op":"in","args":[{"property":"a"},[{"property":"b"}]]}`, false, "args[1][0]: expected a literal in the IN list"},
		{"bad date", `{"op":"=","args":[{"property":"a"},{"date":"2021-7-5"}]}`, false, "is not a date"},
		{"bbox strings", `{"op":"s_intersects","args":[{"property":"g"},{"bbox":["0",0,1,1]}]}`, false, "expected a number"},
		{"linestring", `{"op":"s_intersects","args":[{"property":"g"},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}`, false, "unsupported geometry type"},
		{"bad position", `{"op":"s_intersects","args":[{"property":"g"},{"type":"Point","coordinates":[0]}]}`, false, "expected a position"},
		{"open ring", `{"op":"s_intersects","args":[{"property":"g"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}]}`, false, "ring not closed"},
		{"interval of three", `{"op":"t_intersects","args":[{"property":"d"},{"interval":["..","..",".."]}]}`, false, "an interval has 2 ends"},
		{"interval number", `{"op":"t_intersects","args":[{"property":"d"},{"interval":[1,".."]}]}`, false, "expected a date, a timestamp"},
		{"nul", `{"op":"=","args":[{"property":"a"},"x\u0000"]}`, false, "contains NUL"},
		{"number overflow", `{"op":"=","args":[{"property":"a"},1e999]}`, false, "out of range"},
		{"too deep", deep, true, "nested"},
		{"too long", `"` + strings.Repeat("x", 40000) + `"`, true, "more than 32768"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseJSON([]byte(tt.json))
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("ParseJSON = %v, %v; want ErrSyntax", e, err)
			}
			if errors.Is(err, ErrLimit) != tt.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, !tt.limit, tt.limit)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestLimitsVertices(t *testing.T) {
	ring := "0 0, 1 0, 1 1, 0 0"
	text := "S_INTERSECTS(geometry, POLYGON((" + ring + "), (" + ring + ")))"
	if _, err := (Limits{MaxVertices: 7}).ParseText(text); !errors.Is(err, ErrLimit) {
		t.Errorf("8 vertices with MaxVertices 7: %v, want ErrLimit", err)
	}
	if _, err := (Limits{MaxVertices: 8}).ParseText(text); err != nil {
		t.Errorf("8 vertices with MaxVertices 8: %v", err)
	}
}
