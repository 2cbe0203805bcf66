package cql2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ParseJSON reads a filter in CQL2 JSON with the default Limits.
func ParseJSON(b []byte) (Expr, error) { return Limits{}.ParseJSON(b) }

// ParseJSON reads a filter in CQL2 JSON ({"op": "and", "args": [...]},
// {"property": "x"}, {"date": "..."}, {"interval": [...]}, {"bbox": [...]},
// GeoJSON geometries) into the tree ParseText gives. Errors wrap ErrSyntax
// and name the place as a path, e.g. "cql2: at args[1].args[0]: ...".
func (l Limits) ParseJSON(b []byte) (Expr, error) {
	l = l.withDefaults()
	if len(b) > l.MaxJSONBytes {
		return nil, limitError("filter of %d bytes, more than %d", len(b), l.MaxJSONBytes)
	}
	// Nesting is bounded before decoding, which would otherwise recurse as
	// deep as the input asks; geometries add four levels and args one.
	if d := jsonDepth(b); d > 2*l.MaxDepth+8 {
		return nil, limitError("JSON nested %d deep", d)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrSyntax, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: text after the JSON value", ErrSyntax)
	}
	j := &jsonReader{maxDepth: l.MaxDepth}
	e, err := j.expr(v, "")
	if err != nil {
		return nil, err
	}
	if err := l.validate(e); err != nil {
		return nil, err
	}
	return e, nil
}

// jsonDepth is the deepest nesting of arrays and objects in b.
func jsonDepth(b []byte) int {
	depth, max, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			max = maxInt(max, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return max
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

type jsonReader struct {
	depth, maxDepth int
}

func jsonErr(path, format string, args ...any) error {
	if path == "" {
		path = "the top"
	}
	return fmt.Errorf("%w: at %s: %s", ErrSyntax, path, fmt.Sprintf(format, args...))
}

func sub(path string, i int) string {
	if path == "" {
		return fmt.Sprintf("args[%d]", i)
	}
	return fmt.Sprintf("%s.args[%d]", path, i)
}

// describeJSON names a JSON value for an error message.
func describeJSON(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

func (j *jsonReader) expr(v any, path string) (Expr, error) {
	if b, ok := v.(bool); ok {
		return BoolLit{b}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, jsonErr(path, "expected an expression {\"op\": ..., \"args\": [...]}, found %s", describeJSON(v))
	}
	op, _ := obj["op"].(string)
	args, ok := obj["args"].([]any)
	if op == "" || !ok || len(obj) != 2 {
		return nil, jsonErr(path, "expected an object with \"op\" and \"args\" only, found %s", describeJSON(v))
	}
	j.depth++
	defer func() { j.depth-- }()
	if j.depth > j.maxDepth {
		return nil, limitError("at %s: nesting deeper than %d", path, j.maxDepth)
	}
	return j.op(strings.ToLower(op), args, path)
}

func (j *jsonReader) op(op string, args []any, path string) (Expr, error) {
	nargs := map[string]int{"not": 1, "isnull": 1, "like": 2, "in": 2, "between": 3, "s_intersects": 2, "t_intersects": 2,
		"=": 2, "<>": 2, "<": 2, "<=": 2, ">": 2, ">=": 2}
	if op == "and" || op == "or" {
		return j.group(op, args, path)
	}
	n, known := nargs[op]
	if !known {
		return nil, jsonErr(path, "unsupported operator %q", op)
	}
	if len(args) != n {
		return nil, jsonErr(path, "%q takes %d arguments, has %d", op, n, len(args))
	}
	switch op {
	case "not":
		e, err := j.expr(args[0], sub(path, 0))
		return Not{e}, err
	case "isnull":
		s, err := j.scalar(args[0], sub(path, 0))
		return IsNull{s}, err
	case "like":
		return j.like(args, path)
	case "in":
		return j.in(args, path)
	case "between":
		return j.between(args, path)
	case "s_intersects":
		return j.sIntersects(args, path)
	case "t_intersects":
		return j.tIntersects(args, path)
	}
	l, err := j.scalar(args[0], sub(path, 0))
	if err != nil {
		return nil, err
	}
	r, err := j.scalar(args[1], sub(path, 1))
	return Comparison{Op(op), l, r}, err
}

func (j *jsonReader) group(op string, args []any, path string) (Expr, error) {
	if len(args) < 2 {
		return nil, jsonErr(path, "%q takes at least 2 arguments, has %d", op, len(args))
	}
	es := make([]Expr, len(args))
	for i, a := range args {
		e, err := j.expr(a, sub(path, i))
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	if op == "and" {
		return And{es}, nil
	}
	return Or{es}, nil
}

func (j *jsonReader) like(args []any, path string) (Expr, error) {
	l, err := j.scalar(args[0], sub(path, 0))
	if err != nil {
		return nil, err
	}
	p, ok := args[1].(string)
	if !ok {
		return nil, jsonErr(sub(path, 1), "expected a pattern string, found %s", describeJSON(args[1]))
	}
	return Like{l, p}, nil
}

func (j *jsonReader) in(args []any, path string) (Expr, error) {
	l, err := j.scalar(args[0], sub(path, 0))
	if err != nil {
		return nil, err
	}
	items, ok := args[1].([]any)
	if !ok || len(items) == 0 {
		return nil, jsonErr(sub(path, 1), "expected a non-empty array of literals, found %s", describeJSON(args[1]))
	}
	list := make([]Scalar, len(items))
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", sub(path, 1), i)
		s, err := j.scalar(it, p)
		if err != nil {
			return nil, err
		}
		if _, isProp := s.(Property); isProp {
			return nil, jsonErr(p, "expected a literal in the IN list, found %s", describeJSON(it))
		}
		list[i] = s
	}
	return In{l, list}, nil
}

func (j *jsonReader) between(args []any, path string) (Expr, error) {
	var s [3]Scalar
	for i := range s {
		var err error
		if s[i], err = j.scalar(args[i], sub(path, i)); err != nil {
			return nil, err
		}
	}
	return Between{s[0], s[1], s[2]}, nil
}

// scalar reads a property, a string, a number, a boolean, a date or a
// timestamp.
func (j *jsonReader) scalar(v any, path string) (Scalar, error) {
	switch v := v.(type) {
	case string:
		return StringLit{v}, nil
	case bool:
		return BoolLit{v}, nil
	case json.Number:
		return jsonNumber(v, path)
	case map[string]any:
		if len(v) == 1 {
			for k, x := range v {
				s, isString := x.(string)
				switch {
				case k == "property" && isString:
					return Property{s}, nil
				case k == "date" && isString:
					d, err := parseDate(s)
					if err != nil {
						return nil, jsonErr(path, "%v", err)
					}
					return d, nil
				case k == "timestamp" && isString:
					t, err := parseTimestamp(s)
					if err != nil {
						return nil, jsonErr(path, "%v", err)
					}
					return t, nil
				}
			}
		}
	}
	return nil, jsonErr(path, "expected a property or a literal, found %s", describeJSON(v))
}

func jsonNumber(n json.Number, path string) (NumberLit, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return NumberLit{}, jsonErr(path, "number %s out of range", n)
	}
	return NumberLit{f}, nil
}

func (j *jsonReader) sIntersects(args []any, path string) (Expr, error) {
	var s [2]Spatial
	for i := range s {
		var err error
		if s[i], err = spatialJSON(args[i], sub(path, i)); err != nil {
			return nil, err
		}
	}
	return SIntersects{s[0], s[1]}, nil
}

func spatialJSON(v any, path string) (Spatial, error) {
	obj, _ := v.(map[string]any)
	if p, ok := obj["property"].(string); ok && len(obj) == 1 {
		return Property{p}, nil
	}
	if b, ok := obj["bbox"].([]any); ok && len(obj) == 1 {
		nums, err := numbers(b, path+".bbox")
		if err != nil {
			return nil, err
		}
		return bboxOf(nums, func(msg string) error { return jsonErr(path, "%s", msg) })
	}
	if t, ok := obj["type"].(string); ok {
		g, err := geoJSON(t, obj["coordinates"], path)
		return Geometry{g}, err
	}
	return nil, jsonErr(path, "expected {\"property\": ...}, {\"bbox\": [...]} or a GeoJSON Point, Polygon or MultiPolygon, found %s", describeJSON(v))
}

func numbers(v []any, path string) ([]float64, error) {
	out := make([]float64, len(v))
	for i, x := range v {
		n, ok := x.(json.Number)
		if !ok {
			return nil, jsonErr(fmt.Sprintf("%s[%d]", path, i), "expected a number, found %s", describeJSON(x))
		}
		f, err := jsonNumber(n, path)
		if err != nil {
			return nil, err
		}
		out[i] = f.Value
	}
	return out, nil
}

func geoJSON(typ string, coords any, path string) (orb.Geometry, error) {
	path += ".coordinates"
	switch typ {
	case "Point":
		return positionJSON(coords, path)
	case "Polygon":
		return polygonJSON(coords, path)
	case "MultiPolygon":
		return arrayJSON[orb.MultiPolygon](coords, path, "polygons", polygonJSON)
	}
	return nil, jsonErr(path, "unsupported geometry type %q (Point, Polygon and MultiPolygon are supported)", typ)
}

func positionJSON(v any, path string) (orb.Point, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 || len(arr) > 3 {
		return orb.Point{}, jsonErr(path, "expected a position [x, y], found %s", describeJSON(v))
	}
	nums, err := numbers(arr, path)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{nums[0], nums[1]}, nil
}

func polygonJSON(v any, path string) (orb.Polygon, error) {
	return arrayJSON[orb.Polygon](v, path, "rings", ringJSON)
}

func ringJSON(v any, path string) (orb.Ring, error) {
	return arrayJSON[orb.Ring](v, path, "positions", positionJSON)
}

// arrayJSON reads a JSON array of what, each element with item: the nested
// coordinate arrays of GeoJSON.
func arrayJSON[S ~[]E, E any](v any, path, what string, item func(any, string) (E, error)) (S, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, jsonErr(path, "expected an array of %s, found %s", what, describeJSON(v))
	}
	out := make(S, len(arr))
	for i, x := range arr {
		e, err := item(x, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (j *jsonReader) tIntersects(args []any, path string) (Expr, error) {
	var t [2]Temporal
	for i := range t {
		var err error
		if t[i], err = j.temporal(args[i], sub(path, i)); err != nil {
			return nil, err
		}
	}
	return TIntersects{t[0], t[1]}, nil
}

func (j *jsonReader) temporal(v any, path string) (Temporal, error) {
	if obj, ok := v.(map[string]any); ok && len(obj) == 1 {
		if iv, ok := obj["interval"].([]any); ok {
			return j.interval(iv, path+".interval")
		}
	}
	s, err := j.scalar(v, path)
	if err != nil {
		return nil, err
	}
	if t, ok := s.(Temporal); ok {
		return t, nil
	}
	return nil, jsonErr(path, "expected a date property, a date, a timestamp or an interval, found %s", describeJSON(v))
}

func (j *jsonReader) interval(v []any, path string) (Temporal, error) {
	if len(v) != 2 {
		return nil, jsonErr(path, "an interval has 2 ends, has %d", len(v))
	}
	var ends [2]Instant
	for i, x := range v {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s, ok := x.(string); ok {
			in, err := instantString(s)
			if err != nil {
				return nil, jsonErr(p, "%v", err)
			}
			ends[i] = in
			continue
		}
		s, err := j.scalar(x, p)
		if err != nil {
			return nil, err
		}
		in, ok := s.(Instant)
		if !ok {
			return nil, jsonErr(p, "expected a date, a timestamp, \"..\" or a property, found %s", describeJSON(x))
		}
		ends[i] = in
	}
	return Interval{ends[0], ends[1]}, nil
}
