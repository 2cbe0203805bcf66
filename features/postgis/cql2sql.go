package postgis

import (
	"fmt"
	"strings"
	"time"

	"github.com/bandomap/bando/features/cql2"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"
)

// column is a queryable property as the store sees it: the SQL column it
// reads (quoted through pgx.Identifier, never spliced) and its CQL2 type.
// Geometry columns hold SRID 4326.
type column struct {
	name string
	typ  cql2.Type
}

// compileFilter turns a CQL2 filter into a WHERE fragment and its
// arguments, numbered from $firstArg. It checks e against cols first, so
// that only allow-listed columns are named; every value is bound.
//
// The SQL keeps cql2.Evaluate's answers: strings compare under COLLATE "C"
// (bytes), numbers as float8, dates as dates (a timestamp is its UTC day),
// LIKE with an explicit escape, S_INTERSECTS through && (for the GiST
// index) and ST_Intersects, and T_INTERSECTS with NULL interval ends open.
func compileFilter(e cql2.Expr, cols map[string]column, firstArg int) (string, []any, error) {
	q := make(cql2.Queryables, len(cols))
	for name, c := range cols {
		q[name] = c.typ
	}
	if err := cql2.Check(e, q); err != nil {
		return "", nil, err
	}
	c := &compiler{cols: cols, first: firstArg}
	sql, err := c.expr(e)
	if err != nil {
		return "", nil, err
	}
	return sql, c.args, nil
}

type compiler struct {
	cols  map[string]column
	first int
	args  []any
}

// bind adds a value and returns its placeholder with a cast, so that no
// parameter's type depends on inference.
func (c *compiler) bind(v any, cast string) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d::%s", c.first+len(c.args)-1, cast)
}

func (c *compiler) expr(e cql2.Expr) (string, error) {
	switch e := e.(type) {
	case cql2.And:
		return c.group(e.Args, " AND ")
	case cql2.Or:
		return c.group(e.Args, " OR ")
	case cql2.Not:
		s, err := c.expr(e.Arg)
		return "(NOT " + s + ")", err
	case cql2.BoolLit:
		return c.bind(e.Value, "boolean"), nil
	case cql2.Comparison:
		return c.comparison(e), nil
	case cql2.Like:
		l, _ := c.scalar(e.Left)
		return "(" + l + ` COLLATE "C" LIKE ` + c.bind(e.Pattern, "text") + ` ESCAPE E'\\')`, nil
	case cql2.In:
		return c.in(e)
	case cql2.Between:
		v, typ := c.scalar(e.Value)
		lo, _ := c.scalar(e.Low)
		hi, _ := c.scalar(e.High)
		return "(" + collate(v, typ) + " BETWEEN " + lo + " AND " + hi + ")", nil
	case cql2.IsNull:
		v, _ := c.scalar(e.Arg)
		return "(" + v + " IS NULL)", nil
	case cql2.SIntersects:
		return c.sIntersects(e)
	case cql2.TIntersects:
		return c.tIntersects(e), nil
	}
	return "", fmt.Errorf("postgis: filter: unsupported expression %T: %w", e, cql2.ErrInvalid)
}

func (c *compiler) group(args []cql2.Expr, sep string) (string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		s, err := c.expr(a)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

// collate makes strings compare by bytes, as cql2.Evaluate does.
func collate(sql string, typ cql2.Type) string {
	if typ == cql2.TypeString {
		return sql + ` COLLATE "C"`
	}
	return sql
}

func (c *compiler) comparison(e cql2.Comparison) string {
	l, typ := c.scalar(e.Left)
	r, _ := c.scalar(e.Right)
	return "(" + collate(l, typ) + " " + string(e.Op) + " " + r + ")"
}

// scalar returns the SQL of a property or literal and its type.
func (c *compiler) scalar(s cql2.Scalar) (string, cql2.Type) {
	switch s := s.(type) {
	case cql2.Property:
		col := c.cols[s.Name]
		id := pgx.Identifier{col.name}.Sanitize()
		switch col.typ {
		case cql2.TypeString:
			return id + "::text", cql2.TypeString
		case cql2.TypeDate:
			return id + "::date", cql2.TypeDate
		case cql2.TypeInteger:
			return id, cql2.TypeNumber
		}
		return id, col.typ
	case cql2.StringLit:
		return c.bind(s.Value, "text"), cql2.TypeString
	case cql2.NumberLit:
		return c.bind(s.Value, "float8"), cql2.TypeNumber
	case cql2.BoolLit:
		return c.bind(s.Value, "boolean"), cql2.TypeBoolean
	case cql2.DateLit:
		return c.bind(day(s.Value), "date"), cql2.TypeDate
	case cql2.TimestampLit:
		return c.bind(day(s.Day()), "date"), cql2.TypeDate
	}
	// Check has refused every other operand.
	panic(fmt.Sprintf("postgis: filter: unchecked operand %T", s))
}

// day binds a checked YYYY-MM-DD as a time pgx encodes into a date.
func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// in binds the list as one array: x = ANY($n) is SQL's IN, NULLs alike.
func (c *compiler) in(e cql2.In) (string, error) {
	l, typ := c.scalar(e.Left)
	var arr any
	var cast string
	switch typ {
	case cql2.TypeString:
		arr, cast = literals(e.List, func(s cql2.StringLit) string { return s.Value }), "text[]"
	case cql2.TypeNumber:
		arr, cast = literals(e.List, func(s cql2.NumberLit) float64 { return s.Value }), "float8[]"
	case cql2.TypeBoolean:
		arr, cast = literals(e.List, func(s cql2.BoolLit) bool { return s.Value }), "boolean[]"
	case cql2.TypeDate:
		days := make([]time.Time, len(e.List))
		for i, s := range e.List {
			if ts, ok := s.(cql2.TimestampLit); ok {
				days[i] = day(ts.Day())
			} else {
				days[i] = day(s.(cql2.DateLit).Value)
			}
		}
		arr, cast = days, "date[]"
	default:
		return "", fmt.Errorf("postgis: filter: IN on a %s: %w", typ, cql2.ErrInvalid)
	}
	return "(" + collate(l, typ) + " = ANY(" + c.bind(arr, cast) + "))", nil
}

// literals collects the values of a list Check has found all of type L.
func literals[L any, V any](list []cql2.Scalar, value func(L) V) []V {
	out := make([]V, len(list))
	for i, s := range list {
		out[i] = value(s.(L))
	}
	return out
}

func (c *compiler) sIntersects(e cql2.SIntersects) (string, error) {
	l, err := c.spatial(e.Left)
	if err != nil {
		return "", err
	}
	r, err := c.spatial(e.Right)
	if err != nil {
		return "", err
	}
	return "(" + l + " && " + r + " AND ST_Intersects(" + l + ", " + r + "))", nil
}

func (c *compiler) spatial(s cql2.Spatial) (string, error) {
	switch s := s.(type) {
	case cql2.Property:
		return pgx.Identifier{c.cols[s.Name].name}.Sanitize(), nil
	case cql2.BBox:
		// NOTE: a box of no width or height is a line or a point to
		// cql2.Intersects; ST_MakeEnvelope would make a collapsed polygon,
		// which GEOS finds intersecting nothing. ST_Envelope gives the line
		// or point.
		b := s.Bound
		return "ST_Envelope(ST_MakeEnvelope(" + c.bind(b.Min[0], "float8") + ", " + c.bind(b.Min[1], "float8") + ", " +
			c.bind(b.Max[0], "float8") + ", " + c.bind(b.Max[1], "float8") + ", 4326))", nil
	case cql2.Geometry:
		b, err := wkb.Marshal(s.Geom)
		if err != nil {
			return "", fmt.Errorf("postgis: filter: geometry: %w", err)
		}
		return "ST_GeomFromWKB(" + c.bind(b, "bytea") + ", 4326)", nil
	}
	return "", fmt.Errorf("postgis: filter: unsupported spatial operand %T: %w", s, cql2.ErrInvalid)
}

// bound is one end of a time span: open when it is '..'; nullOpen when a
// NULL value is an open end too (a property in an INTERVAL).
type bound struct {
	at       cql2.Scalar
	open     bool
	nullOpen bool
}

func (c *compiler) tIntersects(e cql2.TIntersects) string {
	l0, l1 := span(e.Left)
	r0, r1 := span(e.Right)
	var conds []string
	for _, cond := range []string{c.notAfter(l0, r1), c.notAfter(r0, l1)} {
		if cond != "" {
			conds = append(conds, cond)
		}
	}
	if len(conds) == 0 {
		return "TRUE"
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

func span(t cql2.Temporal) (bound, bound) {
	if iv, ok := t.(cql2.Interval); ok {
		return intervalEnd(iv.Start), intervalEnd(iv.End)
	}
	b := bound{at: t.(cql2.Scalar)}
	return b, b
}

func intervalEnd(in cql2.Instant) bound {
	if in == nil {
		return bound{open: true}
	}
	_, isProp := in.(cql2.Property)
	return bound{at: in.(cql2.Scalar), nullOpen: isProp}
}

// notAfter is a <= b, or "" when always true. Values are bound only here,
// so that no parameter goes unused (PostgreSQL cannot type those).
func (c *compiler) notAfter(a, b bound) string {
	if a.open || b.open {
		return ""
	}
	as, _ := c.scalar(a.at)
	bs, _ := c.scalar(b.at)
	var ors []string
	if a.nullOpen {
		ors = append(ors, as+" IS NULL")
	}
	if b.nullOpen {
		ors = append(ors, bs+" IS NULL")
	}
	ors = append(ors, as+" <= "+bs)
	return "(" + strings.Join(ors, " OR ") + ")"
}
