package cql2

import (
	"reflect"
	"testing"
)

// specExamples are filters in the style of the CQL2 standard's examples.
var specExamples = []string{
	`city='Toronto'`,
	`avg(windSpeed) < 4`,
	`balance-150.0 > 0`,
	`updated >= date('1970-01-01')`,
	`name LIKE 'Smith%'`,
	`depth BETWEEN 100.0 and 150.0`,
	`cityName IN ('Toronto','Frankfurt','Tokyo','New York')`,
	`category NOT IN (1,2,3,4)`,
	`geometry IS NOT NULL`,
	`S_INTERSECTS(geometry,POINT(36.319836 32.288087))`,
	`S_INTERSECTS(footprint, BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))`,
	`T_INTERSECTS(event_time, INTERVAL('1969-07-16T05:32:00Z', '1969-07-24T16:50:35Z'))`,
	`T_INTERSECTS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07', '2010-02-10T05:29:20.073225Z'))`,
	`floors>5 AND S_INTERSECTS(geometry,POLYGON((-79.4 43.6,-79.3 43.6,-79.3 43.7,-79.4 43.7,-79.4 43.6)))`,
	`NOT (name IS NULL OR "x y" <> 'z''') AND TRUE`,
}

var jsonExamples = []string{
	`{"op":"=","args":[{"property":"city"},"Toronto"]}`,
	`{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-79.4,43.6],[-79.3,43.6],[-79.3,43.7],[-79.4,43.6]]]}]}]}`,
	`{"op":"t_intersects","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["1991-10-07",".."]}]}`,
	`{"op":"not","args":[{"op":"like","args":[{"property":"name"},"Sm_th%"]}]}`,
	`{"op":"in","args":[{"property":"category"},[1,2,3]]}`,
	`{"op":"between","args":[{"property":"depth"},100.0,150.0]}`,
	`{"op":"isNull","args":[{"property":"geometry"}]}`,
	`false`,
}

// roomy limits for reading back canonical text, which may be longer than
// what it was made from.
var roomy = Limits{MaxTextBytes: 1 << 20, MaxDepth: 1 << 10, MaxNodes: 1 << 20, MaxVertices: 1 << 20}

func roundTrip(t *testing.T, e Expr) {
	s := String(e)
	again, err := roomy.ParseText(s)
	if err != nil {
		t.Fatalf("String gave %q, which does not parse: %v", s, err)
	}
	if !reflect.DeepEqual(again, e) {
		t.Fatalf("round trip through %q:\n got %#v\nwant %#v", s, again, e)
	}
}

// exercise runs a parsed tree through everything that reads one: the text
// must read back as the same tree, and checking and evaluating must not
// panic, whatever their answers.
func exercise(t *testing.T, e Expr) {
	roundTrip(t, e)
	_ = Check(e, queryables)
	Evaluate(e, Values{"name": "a", "pop": int64(1), "geometry": square})
}

func FuzzParseText(f *testing.F) {
	for _, tt := range parseCases {
		f.Add(tt.text)
	}
	for _, s := range specExamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, err := ParseText(s); err == nil {
			exercise(t, e)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, tt := range parseCases {
		f.Add([]byte(tt.json))
	}
	for _, s := range jsonExamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := ParseJSON(b); err == nil {
			exercise(t, e)
		}
	})
}
