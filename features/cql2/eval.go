package cql2

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Row is what Evaluate reads of one feature.
type Row interface {
	// Value returns the named property: a string, an int64 (or another Go
	// integer), a float64, a bool, or nil when it has no value; a date as a
	// "YYYY-MM-DD" string or a time.Time; a geometry property as an
	// orb.Geometry in longitude/latitude (nil when absent).
	Value(name string) any
}

// Values is a Row held in a map.
type Values map[string]any

// Value returns the named value, nil when absent.
func (v Values) Value(name string) any { return v[name] }

// Evaluate tells whether row passes the filter e, with SQL's three-valued
// logic: only rows for which e is TRUE pass, not those for which it is
// FALSE or unknown (NULL). e should have passed Check; an operand of an
// unexpected type makes its predicate unknown.
func Evaluate(e Expr, row Row) bool { return eval(e, row) == yes }

// tri is a truth value of three-valued logic.
type tri int8

const (
	no tri = iota
	unknown
	yes
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

func (t tri) not() tri { return 2 - t }

func eval(e Expr, row Row) tri {
	switch e := e.(type) {
	case And:
		r := yes
		for _, a := range e.Args {
			r = min(r, eval(a, row))
		}
		return r
	case Or:
		r := no
		for _, a := range e.Args {
			r = max(r, eval(a, row))
		}
		return r
	case Not:
		return eval(e.Arg, row).not()
	case BoolLit:
		return triOf(e.Value)
	case Comparison:
		return compareOp(e.Op, value(e.Left, row), value(e.Right, row))
	case Like:
		s, ok := value(e.Left, row).(string)
		if !ok {
			return unknown
		}
		return triOf(like(s, e.Pattern))
	case In:
		return evalIn(e, row)
	case Between:
		v := value(e.Value, row)
		return min(compareOp(Ge, v, value(e.Low, row)), compareOp(Le, v, value(e.High, row)))
	case IsNull:
		return triOf(value(e.Arg, row) == nil)
	case SIntersects:
		return evalSIntersects(e, row)
	case TIntersects:
		return evalTIntersects(e, row)
	}
	return unknown
}

func evalIn(e In, row Row) tri {
	v := value(e.Left, row)
	r := no
	for _, it := range e.List {
		r = max(r, compareOp(Eq, v, value(it, row)))
	}
	return r
}

// value returns the scalar's value in one of the forms compare knows:
// string (strings and dates), float64, bool, or nil.
func value(s Scalar, row Row) any {
	switch s := s.(type) {
	case Property:
		return normalize(row.Value(s.Name))
	case StringLit:
		return s.Value
	case NumberLit:
		return s.Value
	case BoolLit:
		return s.Value
	case DateLit:
		return s.Value
	case TimestampLit:
		return s.Day()
	}
	return nil
}

func normalize(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	case float32:
		return float64(v)
	case time.Time:
		return v.Format(time.DateOnly)
	}
	return v
}

// compareOp applies op with SQL's NULL rule; strings compare by bytes, as
// under COLLATE "C".
func compareOp(op Op, a, b any) tri {
	if a == nil || b == nil {
		return unknown
	}
	var c int
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return unknown
		}
		c = strings.Compare(x, y)
	case float64:
		y, ok := b.(float64)
		if !ok {
			return unknown
		}
		c = cmpFloat(x, y)
	case bool:
		y, ok := b.(bool)
		if !ok {
			return unknown
		}
		c = cmpFloat(boolNum(x), boolNum(y))
	default:
		return unknown
	}
	switch op {
	case Eq:
		return triOf(c == 0)
	case Ne:
		return triOf(c != 0)
	case Lt:
		return triOf(c < 0)
	case Le:
		return triOf(c <= 0)
	case Gt:
		return triOf(c > 0)
	case Ge:
		return triOf(c >= 0)
	}
	return unknown
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func boolNum(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// like matches s against a LIKE pattern, character by character: % is
// any run, _ one character, \ makes the next character literal.
func like(s, pattern string) bool {
	type tok struct {
		r    rune
		kind byte // 'c' a character, '_' one character, '%' any run
	}
	var toks []tok
	for i := 0; i < len(pattern); {
		r, n := utf8.DecodeRuneInString(pattern[i:])
		i += n
		switch {
		case r == '\\' && i < len(pattern):
			r, n = utf8.DecodeRuneInString(pattern[i:])
			i += n
			toks = append(toks, tok{r, 'c'})
		case r == '%' || r == '_':
			toks = append(toks, tok{kind: byte(r)})
		default:
			toks = append(toks, tok{r, 'c'})
		}
	}
	text := []rune(s)
	// Greedy match with one backtrack point, the last %: linear in most
	// patterns, at worst len(s)*len(pattern).
	ti, pi, starP, starT := 0, 0, -1, 0
	for ti < len(text) {
		switch {
		case pi < len(toks) && (toks[pi].kind == '_' || toks[pi].kind == 'c' && toks[pi].r == text[ti]):
			ti++
			pi++
		case pi < len(toks) && toks[pi].kind == '%':
			starP, starT = pi, ti
			pi++
		case starP >= 0:
			starT++
			ti, pi = starT, starP+1
		default:
			return false
		}
	}
	for pi < len(toks) && toks[pi].kind == '%' {
		pi++
	}
	return pi == len(toks)
}

func evalSIntersects(e SIntersects, row Row) tri {
	a, b := geometry(e.Left, row), geometry(e.Right, row)
	if a == nil || b == nil {
		return unknown
	}
	return triOf(Intersects(a, b))
}

func geometry(s Spatial, row Row) orb.Geometry {
	switch s := s.(type) {
	case Property:
		g, _ := row.Value(s.Name).(orb.Geometry)
		return g
	case BBox:
		return s.Bound
	case Geometry:
		return s.Geom
	}
	return nil
}

// end is one end of a time span: a day, or nil; open says that nil means
// unbounded (an interval's end) rather than unknown (an instant).
type end struct {
	day  any
	open bool
}

func evalTIntersects(e TIntersects, row Row) tri {
	l0, l1 := span(e.Left, row)
	r0, r1 := span(e.Right, row)
	return min(before(l0, r1), before(r0, l1))
}

// span returns the first and last day of an instant or an interval.
func span(t Temporal, row Row) (end, end) {
	if iv, ok := t.(Interval); ok {
		return intervalEnd(iv.Start, row), intervalEnd(iv.End, row)
	}
	in, _ := t.(Scalar)
	e := end{day: value(in, row)}
	return e, e
}

func intervalEnd(in Instant, row Row) end {
	if in == nil {
		return end{open: true}
	}
	_, isProp := in.(Property)
	return end{day: value(in.(Scalar), row), open: isProp}
}

// before is a <= b, where an open end that is nil compares as infinite.
func before(a, b end) tri {
	if a.day == nil && a.open || b.day == nil && b.open {
		return yes
	}
	return compareOp(Le, a.day, b.day)
}
