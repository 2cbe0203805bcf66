package cql2

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// ParseText reads a filter in CQL2 text with the default Limits.
func ParseText(s string) (Expr, error) { return Limits{}.ParseText(s) }

// ParseText reads a filter in CQL2 text. Errors wrap ErrSyntax and say at
// which byte offset (from 0) and why, e.g.
// "cql2: at 14: expected a literal after '=', found ')'".
func (l Limits) ParseText(s string) (Expr, error) {
	l = l.withDefaults()
	if len(s) > l.MaxTextBytes {
		return nil, limitError("filter of %d bytes, more than %d", len(s), l.MaxTextBytes)
	}
	if err := cleanString(s); err != nil {
		return nil, err
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, maxDepth: l.MaxDepth}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "expected AND, OR or the end, found %s", t.describe())
	}
	if err := l.validate(e); err != nil {
		return nil, err
	}
	return e, nil
}

// parser is a recursive-descent parser over the tokens, by precedence:
// OR < AND < NOT < predicates.
type parser struct {
	toks     []token
	i        int
	depth    int
	maxDepth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// keyword reports whether t is the bare word kw, in any case.
func keyword(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

// accept consumes the next token if it is the keyword kw.
func (p *parser) accept(kw string) bool {
	if keyword(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return fmt.Errorf("%w: at %d: %s", ErrSyntax, t.pos, fmt.Sprintf(format, args...))
}

// expect consumes a token of kind k, described as what in the error.
func (p *parser) expect(k kind, what, after string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.errorf(t, "expected %s after %s, found %s", what, after, t.describe())
	}
	return t, nil
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > p.maxDepth {
		return limitError("at %d: nesting deeper than %d", t.pos, p.maxDepth)
	}
	return nil
}

func (p *parser) expr() (Expr, error) {
	if err := p.enter(p.peek()); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.or()
}

func (p *parser) or() (Expr, error) {
	return p.chain("OR", p.and, func(args []Expr) Expr { return Or{args} })
}

func (p *parser) and() (Expr, error) {
	return p.chain("AND", p.not, func(args []Expr) Expr { return And{args} })
}

// chain reads operands joined by keyword, and groups them when there are
// two or more; a single operand stands alone.
func (p *parser) chain(keyword string, operand func() (Expr, error), group func([]Expr) Expr) (Expr, error) {
	var args []Expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		if !p.accept(keyword) {
			break
		}
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return group(args), nil
}

func (p *parser) not() (Expr, error) {
	t := p.peek()
	if !p.accept("NOT") {
		return p.primary()
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	e, err := p.not()
	if err != nil {
		return nil, err
	}
	return Not{e}, nil
}

func (p *parser) primary() (Expr, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'", "a parenthesised expression"); err != nil {
			return nil, err
		}
		return e, nil
	}
	if t.kind == tIdent && p.toks[p.i+1].kind == tLParen {
		switch strings.ToUpper(t.text) {
		case "S_INTERSECTS":
			return p.sIntersects()
		case "T_INTERSECTS":
			return p.tIntersects()
		case "DATE", "TIMESTAMP":
		default:
			return nil, p.errorf(t, "unsupported function %s (S_INTERSECTS and T_INTERSECTS are supported)", t.text)
		}
	}
	return p.predicate()
}

// predicate reads a scalar and what follows it: a comparison, LIKE, IN,
// BETWEEN or IS NULL, each maybe negated; a lone TRUE or FALSE is a whole
// expression.
func (p *parser) predicate() (Expr, error) {
	left, err := p.scalar("")
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tOp {
		p.next()
		right, err := p.scalar(t.describe())
		if err != nil {
			return nil, err
		}
		return Comparison{Op(t.text), left, right}, nil
	}
	if p.accept("IS") {
		neg := p.accept("NOT")
		if n := p.next(); !keyword(n, "NULL") {
			return nil, p.errorf(n, "expected NULL after IS, found %s", n.describe())
		}
		return negate(IsNull{left}, neg), nil
	}
	neg := p.accept("NOT")
	op := p.peek()
	var e Expr
	switch {
	case p.accept("LIKE"):
		e, err = p.like(left)
	case p.accept("IN"):
		e, err = p.in(left)
	case p.accept("BETWEEN"):
		e, err = p.between(left)
	case neg:
		return nil, p.errorf(op, "expected LIKE, IN or BETWEEN after NOT, found %s", op.describe())
	default:
		if b, ok := left.(BoolLit); ok {
			return b, nil
		}
		return nil, p.errorf(op, "expected a comparison operator, LIKE, IN, BETWEEN or IS after %s, found %s", p.toks[p.i-1].describe(), op.describe())
	}
	if err != nil {
		return nil, err
	}
	return negate(e, neg), nil
}

func negate(e Expr, neg bool) Expr {
	if neg {
		return Not{e}
	}
	return e
}

func (p *parser) like(left Scalar) (Expr, error) {
	t := p.next()
	if t.kind != tString {
		return nil, p.errorf(t, "expected a 'pattern' after LIKE, found %s", t.describe())
	}
	return Like{left, t.text}, nil
}

func (p *parser) in(left Scalar) (Expr, error) {
	if _, err := p.expect(tLParen, "'('", "IN"); err != nil {
		return nil, err
	}
	var list []Scalar
	for {
		t := p.peek()
		s, err := p.scalar("IN (")
		if err != nil {
			return nil, err
		}
		if _, ok := s.(Property); ok {
			return nil, p.errorf(t, "expected a literal in the IN list, found %s", t.describe())
		}
		list = append(list, s)
		n := p.next()
		if n.kind == tRParen {
			return In{left, list}, nil
		}
		if n.kind != tComma {
			return nil, p.errorf(n, "expected ',' or ')' in the IN list, found %s", n.describe())
		}
	}
}

func (p *parser) between(left Scalar) (Expr, error) {
	lo, err := p.scalar("BETWEEN")
	if err != nil {
		return nil, err
	}
	if n := p.next(); !keyword(n, "AND") {
		return nil, p.errorf(n, "expected AND in BETWEEN, found %s", n.describe())
	}
	hi, err := p.scalar("BETWEEN ... AND")
	if err != nil {
		return nil, err
	}
	return Between{left, lo, hi}, nil
}

// scalar reads a property or a literal; after names what came before, for
// the error message.
func (p *parser) scalar(after string) (Scalar, error) {
	t := p.next()
	switch t.kind {
	case tQuoted:
		return Property{t.text}, nil
	case tString:
		return StringLit{t.text}, nil
	case tNumber:
		return p.number(t)
	case tIdent:
		if p.peek().kind == tLParen {
			switch strings.ToUpper(t.text) {
			case "DATE":
				return literalArg(p, t, parseDate)
			case "TIMESTAMP":
				return literalArg(p, t, parseTimestamp)
			}
			return nil, p.errorf(t, "unsupported function %s", t.text)
		}
		switch strings.ToUpper(t.text) {
		case "TRUE":
			return BoolLit{true}, nil
		case "FALSE":
			return BoolLit{false}, nil
		}
		if !isReserved(t.text) {
			return Property{t.text}, nil
		}
	}
	if after == "" {
		return nil, p.errorf(t, "expected a predicate, found %s", t.describe())
	}
	return nil, p.errorf(t, "expected a property or a literal after %s, found %s", after, t.describe())
}

func (p *parser) number(t token) (NumberLit, error) {
	v, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(v, 0) {
		return NumberLit{}, p.errorf(t, "number %s out of range", t.text)
	}
	return NumberLit{v}, nil
}

// stringArg reads ( 'text' ) after a literal constructor such as DATE.
func (p *parser) stringArg(fn token) (token, error) {
	p.next()
	t := p.next()
	if t.kind != tString {
		return t, p.errorf(t, "expected a 'string' in %s(), found %s", strings.ToUpper(fn.text), t.describe())
	}
	_, err := p.expect(tRParen, "')'", strings.ToUpper(fn.text)+"('...'")
	return t, err
}

// literalArg reads the ( 'text' ) of the literal constructor fn and makes
// the literal of it with parse.
func literalArg[T Scalar](p *parser, fn token, parse func(string) (T, error)) (Scalar, error) {
	t, err := p.stringArg(fn)
	if err != nil {
		return nil, err
	}
	v, err := parse(t.text)
	if err != nil {
		return nil, p.errorf(t, "%v", err)
	}
	return v, nil
}

func parseDate(s string) (DateLit, error) {
	if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != 10 {
		return DateLit{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return DateLit{s}, nil
}

func parseTimestamp(s string) (TimestampLit, error) {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		return TimestampLit{}, fmt.Errorf("%q is not a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)", s)
	}
	return TimestampLit{ts.UTC()}, nil
}

// instantString reads the text of an INTERVAL end: a date, a UTC
// timestamp, or '..' for an open end (nil).
func instantString(s string) (Instant, error) {
	switch {
	case s == "..":
		return nil, nil
	case len(s) == 10:
		return parseDate(s)
	}
	return parseTimestamp(s)
}

func (p *parser) sIntersects() (Expr, error) {
	p.next() // S_INTERSECTS
	p.next() // (
	l, r, err := pair(p, p.spatial, "the first argument of S_INTERSECTS", "the arguments of S_INTERSECTS")
	if err != nil {
		return nil, err
	}
	return SIntersects{l, r}, nil
}

// pair reads "a, b )", the two arguments of S_INTERSECTS, T_INTERSECTS or
// INTERVAL after its '('; first and second say, in an error, what the
// comma and the parenthesis were expected after.
func pair[T any](p *parser, arg func() (T, error), first, second string) (T, T, error) {
	var zero T
	a, err := arg()
	if err != nil {
		return zero, zero, err
	}
	if _, err := p.expect(tComma, "','", first); err != nil {
		return zero, zero, err
	}
	b, err := arg()
	if err != nil {
		return zero, zero, err
	}
	if _, err := p.expect(tRParen, "')'", second); err != nil {
		return zero, zero, err
	}
	return a, b, nil
}

func (p *parser) spatial() (Spatial, error) {
	t := p.next()
	if t.kind == tQuoted {
		return Property{t.text}, nil
	}
	if t.kind != tIdent {
		return nil, p.errorf(t, "expected a geometry property, BBOX or a WKT geometry in S_INTERSECTS, found %s", t.describe())
	}
	if p.peek().kind != tLParen {
		return Property{t.text}, nil
	}
	switch strings.ToUpper(t.text) {
	case "BBOX":
		return p.bbox(t)
	case "POINT":
		pt, err := p.point()
		return Geometry{pt}, err
	case "POLYGON":
		pg, err := p.polygon()
		return Geometry{pg}, err
	case "MULTIPOLYGON":
		mp, err := p.multiPolygon()
		return Geometry{mp}, err
	}
	return nil, p.errorf(t, "unsupported geometry %s (BBOX, POINT, POLYGON and MULTIPOLYGON are supported)", t.text)
}

func (p *parser) bbox(fn token) (Spatial, error) {
	if _, err := p.expect(tLParen, "'('", "BBOX"); err != nil {
		return nil, err
	}
	var v []float64
	for {
		t, err := p.expect(tNumber, "a number", "BBOX(")
		if err != nil {
			return nil, err
		}
		n, err := p.number(t)
		if err != nil {
			return nil, err
		}
		v = append(v, n.Value)
		sep := p.next()
		if sep.kind == tRParen {
			break
		}
		if sep.kind != tComma {
			return nil, p.errorf(sep, "expected ',' or ')' in BBOX, found %s", sep.describe())
		}
	}
	return bboxOf(v, func(msg string) error { return p.errorf(fn, "%s", msg) })
}

// bboxOf makes a BBox of 4 numbers, or of 6 with heights ignored.
func bboxOf(v []float64, fail func(string) error) (BBox, error) {
	switch len(v) {
	case 4:
		return BBox{orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}}, nil
	case 6:
		return BBox{orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[3], v[4]}}}, nil
	}
	return BBox{}, fail(fmt.Sprintf("BBOX needs 4 or 6 numbers, has %d", len(v)))
}

// position reads "x y".
func (p *parser) position() (orb.Point, error) {
	var pt orb.Point
	for k := range 2 {
		t, err := p.expect(tNumber, "a coordinate", "a position")
		if err != nil {
			return pt, err
		}
		n, err := p.number(t)
		if err != nil {
			return pt, err
		}
		pt[k] = n.Value
	}
	return pt, nil
}

func (p *parser) point() (orb.Point, error) {
	if _, err := p.expect(tLParen, "'('", "POINT"); err != nil {
		return orb.Point{}, err
	}
	pt, err := p.position()
	if err != nil {
		return pt, err
	}
	_, err = p.expect(tRParen, "')'", "a POINT's position (only 2D)")
	return pt, err
}

// list reads "( item, item, ... )".
func (p *parser) list(what string, item func() error) error {
	if _, err := p.expect(tLParen, "'('", what); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		t := p.next()
		if t.kind == tRParen {
			return nil
		}
		if t.kind != tComma {
			return p.errorf(t, "expected ',' or ')' in %s, found %s", what, t.describe())
		}
	}
}

func (p *parser) polygon() (orb.Polygon, error) {
	var pg orb.Polygon
	err := p.list("POLYGON", func() error {
		var r orb.Ring
		err := p.list("a ring", func() error {
			pt, err := p.position()
			r = append(r, pt)
			return err
		})
		pg = append(pg, r)
		return err
	})
	return pg, err
}

func (p *parser) multiPolygon() (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	err := p.list("MULTIPOLYGON", func() error {
		pg, err := p.polygon()
		mp = append(mp, pg)
		return err
	})
	return mp, err
}

func (p *parser) tIntersects() (Expr, error) {
	p.next() // T_INTERSECTS
	p.next() // (
	l, r, err := pair(p, p.temporal, "the first argument of T_INTERSECTS", "the arguments of T_INTERSECTS")
	if err != nil {
		return nil, err
	}
	return TIntersects{l, r}, nil
}

func (p *parser) temporal() (Temporal, error) {
	t := p.peek()
	if keyword(t, "INTERVAL") && p.toks[p.i+1].kind == tLParen {
		p.next() // INTERVAL
		p.next() // (
		start, end, err := pair(p, p.intervalEnd, "the start of INTERVAL", "the end of INTERVAL")
		if err != nil {
			return nil, err
		}
		return Interval{start, end}, nil
	}
	s, err := p.scalar("T_INTERSECTS(")
	if err != nil {
		return nil, err
	}
	if in, ok := s.(Instant); ok {
		return in.(Temporal), nil
	}
	return nil, p.errorf(t, "expected a date property, DATE, TIMESTAMP or INTERVAL in T_INTERSECTS, found %s", t.describe())
}

// intervalEnd reads a 'date', 'timestamp' or '..' string, a DATE or
// TIMESTAMP literal, or a property.
func (p *parser) intervalEnd() (Instant, error) {
	t := p.peek()
	if t.kind == tString {
		p.next()
		in, err := instantString(t.text)
		if err != nil {
			return nil, p.errorf(t, "%v in INTERVAL", err)
		}
		return in, nil
	}
	s, err := p.scalar("INTERVAL(")
	if err != nil {
		return nil, err
	}
	if in, ok := s.(Instant); ok {
		return in, nil
	}
	return nil, p.errorf(t, "expected a date, '..' or a property in INTERVAL, found %s", t.describe())
}

// isReserved reports the words that cannot be bare property names, since
// they would read as operators; quote them ("in").
func isReserved(s string) bool {
	switch strings.ToUpper(s) {
	case "AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE":
		return true
	}
	return false
}
