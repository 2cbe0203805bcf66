package cql2

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// String writes e as canonical CQL2 text, which ParseText reads back into
// the same tree: keywords in capitals, one space around operators, AND and
// OR groups in parentheses inside other groups, properties quoted only when
// needed.
func String(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case And:
		writeJoined(b, e.Args, " AND ", writeOperand)
	case Or:
		writeJoined(b, e.Args, " OR ", writeOperand)
	case Not:
		writeNot(b, e.Arg)
	case Comparison:
		writeScalar(b, e.Left)
		b.WriteString(" " + string(e.Op) + " ")
		writeScalar(b, e.Right)
	case Like, In, Between, IsNull:
		writePredicate(b, e, "")
	case SIntersects:
		writeCall(b, "S_INTERSECTS", writeSpatial, e.Left, e.Right)
	case TIntersects:
		writeCall(b, "T_INTERSECTS", writeTemporal, e.Left, e.Right)
	case BoolLit:
		writeScalar(b, e)
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

// writeJoined writes each item with write, sep between them.
func writeJoined[T any](b *strings.Builder, items []T, sep string, write func(*strings.Builder, T)) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		write(b, it)
	}
}

// writeCall writes name(arg, arg, ...): CQL2's functions, IN lists and
// WKT's nested coordinate lists (with no name).
func writeCall[T any](b *strings.Builder, name string, write func(*strings.Builder, T), args ...T) {
	b.WriteString(name + "(")
	writeJoined(b, args, ", ", write)
	b.WriteString(")")
}

// writeOperand parenthesises a group inside another group or a NOT, so
// that the text keeps the tree's shape.
func writeOperand(b *strings.Builder, e Expr) {
	switch e.(type) {
	case And, Or:
		b.WriteString("(")
		writeExpr(b, e)
		b.WriteString(")")
	default:
		writeExpr(b, e)
	}
}

// writeNot writes the negated predicates in their SQL form (x NOT LIKE p,
// x IS NOT NULL), which read back as the same Not.
func writeNot(b *strings.Builder, e Expr) {
	switch e.(type) {
	case Like, In, Between, IsNull:
		writePredicate(b, e, "NOT ")
	default:
		b.WriteString("NOT ")
		writeOperand(b, e)
	}
}

// writePredicate writes LIKE, IN, BETWEEN or IS NULL with not ("" or
// "NOT ") in its place inside the predicate.
func writePredicate(b *strings.Builder, e Expr, not string) {
	switch e := e.(type) {
	case Like:
		writeScalar(b, e.Left)
		b.WriteString(" " + not + "LIKE ")
		writeScalar(b, StringLit{e.Pattern})
	case In:
		writeScalar(b, e.Left)
		b.WriteString(" " + not + "IN ")
		writeCall(b, "", writeScalar, e.List...)
	case Between:
		writeScalar(b, e.Value)
		b.WriteString(" " + not + "BETWEEN ")
		writeScalar(b, e.Low)
		b.WriteString(" AND ")
		writeScalar(b, e.High)
	case IsNull:
		writeScalar(b, e.Arg)
		b.WriteString(" IS " + not + "NULL")
	}
}

func writeScalar(b *strings.Builder, s Scalar) {
	switch s := s.(type) {
	case Property:
		b.WriteString(quoteProperty(s.Name))
	case StringLit:
		b.WriteString(quoteString(s.Value))
	case NumberLit:
		b.WriteString(formatNumber(s.Value))
	case BoolLit:
		if s.Value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case DateLit:
		b.WriteString("DATE(" + quoteString(s.Value) + ")")
	case TimestampLit:
		b.WriteString("TIMESTAMP(" + quoteString(formatTimestamp(s.Value)) + ")")
	default:
		fmt.Fprintf(b, "<%T>", s)
	}
}

func writeSpatial(b *strings.Builder, s Spatial) {
	switch s := s.(type) {
	case Property:
		b.WriteString(quoteProperty(s.Name))
	case BBox:
		fmt.Fprintf(b, "BBOX(%s, %s, %s, %s)", formatNumber(s.Bound.Min[0]), formatNumber(s.Bound.Min[1]),
			formatNumber(s.Bound.Max[0]), formatNumber(s.Bound.Max[1]))
	case Geometry:
		writeWKT(b, s.Geom)
	default:
		fmt.Fprintf(b, "<%T>", s)
	}
}

func writeWKT(b *strings.Builder, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		b.WriteString("POINT(" + formatPosition(g) + ")")
	case orb.Polygon:
		writeCall(b, "POLYGON", writeRing, g...)
	case orb.MultiPolygon:
		writeCall(b, "MULTIPOLYGON", writeRings, g...)
	default:
		fmt.Fprintf(b, "<%T>", g)
	}
}

func writeRings(b *strings.Builder, p orb.Polygon) {
	writeCall(b, "", writeRing, p...)
}

func writeRing(b *strings.Builder, r orb.Ring) {
	writeCall(b, "", writePosition, r...)
}

func writePosition(b *strings.Builder, p orb.Point) { b.WriteString(formatPosition(p)) }

func formatPosition(p orb.Point) string { return formatNumber(p[0]) + " " + formatNumber(p[1]) }

func writeTemporal(b *strings.Builder, t Temporal) {
	switch t := t.(type) {
	case Interval:
		writeCall(b, "INTERVAL", writeIntervalEnd, t.Start, t.End)
	case Scalar:
		writeScalar(b, t)
	default:
		fmt.Fprintf(b, "<%T>", t)
	}
}

// writeIntervalEnd writes literal ends as bare strings, as the CQL2
// grammar has them inside INTERVAL.
func writeIntervalEnd(b *strings.Builder, in Instant) {
	switch in := in.(type) {
	case nil:
		b.WriteString("'..'")
	case DateLit:
		b.WriteString(quoteString(in.Value))
	case TimestampLit:
		b.WriteString(quoteString(formatTimestamp(in.Value)))
	case Property:
		b.WriteString(quoteProperty(in.Name))
	default:
		fmt.Fprintf(b, "<%T>", in)
	}
}

func formatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// formatNumber writes whole numbers without exponent or fraction, others
// in the shortest form that reads back exactly.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteProperty leaves a plain identifier bare and double-quotes anything
// else, including every keyword, so that the text cannot be misread.
func quoteProperty(name string) string {
	plain := name != "" && isIdentStart(name[0])
	for i := 0; plain && i < len(name); i++ {
		plain = isIdentPart(name[i])
	}
	if plain && !isKeyword(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func isKeyword(s string) bool {
	if isReserved(s) {
		return true
	}
	switch strings.ToUpper(s) {
	case "DATE", "TIMESTAMP", "INTERVAL", "BBOX", "POINT", "POLYGON", "MULTIPOLYGON", "S_INTERSECTS", "T_INTERSECTS":
		return true
	}
	return false
}
