package cql2

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Errors, tested with errors.Is.
var (
	// ErrSyntax marks a filter that cannot be read: bad grammar, bad
	// literal, unsupported construct, or over a limit.
	ErrSyntax = errors.New("cql2: syntax error")
	// ErrLimit marks a filter over one of the Limits; such errors wrap
	// ErrSyntax too.
	ErrLimit = errors.New("cql2: filter too large")
	// ErrInvalid marks a well-formed filter that does not fit the
	// queryables: an unknown property or a type mismatch.
	ErrInvalid = errors.New("cql2: invalid filter")
)

// Limits bound the work a filter from the internet can cause. A zero field
// takes its default.
type Limits struct {
	MaxTextBytes int // default 8192
	MaxJSONBytes int // default 32768
	MaxDepth     int // nesting of AND, OR, NOT and parentheses; default 32
	MaxNodes     int // nodes of the tree, literals and list items included; default 1000
	MaxVertices  int // positions of all literal geometries; default 10000
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxTextBytes, 8192)
	def(&l.MaxJSONBytes, 32768)
	def(&l.MaxDepth, 32)
	def(&l.MaxNodes, 1000)
	def(&l.MaxVertices, 10000)
	return l
}

// limitError wraps both ErrLimit and ErrSyntax, so that a handler mapping
// syntax errors to 400 needs no second case.
func limitError(format string, args ...any) error {
	return fmt.Errorf("%w: %s (%w)", ErrLimit, fmt.Sprintf(format, args...), ErrSyntax)
}

// validate applies the checks both encodings share to a parsed tree: size
// limits, literal strings, LIKE patterns, boxes and rings.
func (l Limits) validate(e Expr) error {
	nodes, vertices := 0, 0
	var err error
	walk(e, func(n any) {
		if err != nil {
			return
		}
		nodes++
		switch n := n.(type) {
		case StringLit:
			err = cleanString(n.Value)
		case Property:
			err = cleanString(n.Name)
			if err == nil && n.Name == "" {
				err = fmt.Errorf("%w: empty property name", ErrSyntax)
			}
		case Like:
			err = checkPattern(n.Pattern)
		case BBox:
			err = checkBox(n.Bound)
		case Geometry:
			vertices += countVertices(n.Geom)
			err = checkGeometry(n.Geom)
		}
	})
	switch {
	case err != nil:
		return err
	case nodes > l.MaxNodes:
		return limitError("%d nodes, more than %d", nodes, l.MaxNodes)
	case vertices > l.MaxVertices:
		return limitError("%d vertices, more than %d", vertices, l.MaxVertices)
	}
	return nil
}

// cleanString refuses what a database cannot store as text.
func cleanString(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: string %q is not valid UTF-8", ErrSyntax, s)
	}
	if strings.ContainsRune(s, 0) {
		return fmt.Errorf("%w: string %q contains NUL", ErrSyntax, s)
	}
	return nil
}

// checkPattern refuses a LIKE pattern ending in a lone escape, which
// PostgreSQL rejects at run time.
func checkPattern(p string) error {
	if err := cleanString(p); err != nil {
		return err
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			if i == len(p)-1 {
				return fmt.Errorf("%w: LIKE pattern %q ends with the escape character \\", ErrSyntax, p)
			}
			i++
		}
	}
	return nil
}

func checkBox(b orb.Bound) error {
	if b.Min[0] > b.Max[0] {
		return fmt.Errorf("%w: BBOX west %g > east %g (boxes across the antimeridian are not supported; split the box in two)", ErrSyntax, b.Min[0], b.Max[0])
	}
	if b.Min[1] > b.Max[1] {
		return fmt.Errorf("%w: BBOX south %g > north %g", ErrSyntax, b.Min[1], b.Max[1])
	}
	return nil
}

func countVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += countVertices(p)
		}
		return n
	}
	return 0
}

func checkGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Point:
		return nil
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("%w: empty MULTIPOLYGON", ErrSyntax)
		}
		for _, p := range g {
			if err := checkPolygon(p); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported geometry %T (POINT, POLYGON and MULTIPOLYGON are)", ErrSyntax, g)
}

func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: empty POLYGON", ErrSyntax)
	}
	for _, r := range p {
		if len(r) < 4 {
			return fmt.Errorf("%w: a polygon ring needs at least 4 positions, has %d", ErrSyntax, len(r))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("%w: polygon ring not closed: first position %v, last %v", ErrSyntax, r[0], r[len(r)-1])
		}
		// NOTE: a ring without area is an invalid polygon, which GEOS
		// finds intersecting nothing while Intersects sees its lines; it
		// is refused so that the stores cannot disagree. Other invalid
		// rings (crossing themselves) are not detected.
		if ringArea(r) == 0 {
			return fmt.Errorf("%w: polygon ring %v has no area", ErrSyntax, r[:min(len(r), 5)])
		}
	}
	return nil
}

// ringArea is twice the signed area of r (shoelace formula).
func ringArea(r orb.Ring) float64 {
	a := 0.0
	for i := 1; i < len(r); i++ {
		a += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
	}
	return a
}
