package features

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MaxIDLength is the most bytes of a record id: an id is a key on disk and
// a part of URLs.
const MaxIDLength = 200

// Validate checks a record against its collection before any store writes
// it: an id, a geometry of the collection's type with finite WGS84
// coordinates and closed rings, property values of the catalog's types,
// within its vocabularies and lengths, and a value for every required
// property. Uniqueness needs the stored rows, so each store checks it.
// It returns the geometry normalised to the collection's type (a Polygon
// becomes a one-member MultiPolygon). Errors wrap ErrInvalid.
func Validate(col Collection, rec Record) (orb.Geometry, error) {
	if rec.ID == "" {
		return nil, fmt.Errorf("%w: %s record has no id", ErrInvalid, col.ID)
	}
	if !CleanText(rec.ID) {
		return nil, fmt.Errorf("%w: %s id %q is not clean UTF-8 text", ErrInvalid, col.ID, rec.ID)
	}
	if len(rec.ID) > MaxIDLength {
		return nil, fmt.Errorf("%w: %s id %.20q… is longer than %d bytes", ErrInvalid, col.ID, rec.ID, MaxIDLength)
	}
	if p := rec.Person; p != nil {
		if !col.People {
			return nil, fmt.Errorf("%w: %s %q: personal fields on a layer that is not about people", ErrInvalid, col.ID, rec.ID)
		}
		for _, v := range []string{p.Name, p.Phone, p.IDNumber, p.Address} {
			if !CleanText(v) {
				return nil, fmt.Errorf("%w: %s %q: a personal field is not clean UTF-8 text", ErrInvalid, col.ID, rec.ID)
			}
		}
	}
	g, err := normalise(col, rec.Geometry)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %q: %v", ErrInvalid, col.ID, rec.ID, err)
	}
	for name, v := range rec.Properties {
		if err := checkProperty(col, name, v); err != nil {
			return nil, fmt.Errorf("%w: %s %q: %v", ErrInvalid, col.ID, rec.ID, err)
		}
	}
	for _, p := range col.Properties {
		if p.Required && p.OrDefault(rec.Properties[p.Name]) == nil {
			return nil, fmt.Errorf("%w: %s %q: property %q is required", ErrInvalid, col.ID, rec.ID, p.Name)
		}
	}
	return g, nil
}

func normalise(col Collection, g orb.Geometry) (orb.Geometry, error) {
	if g == nil {
		return nil, fmt.Errorf("no geometry")
	}
	if err := checkCoordinates(g); err != nil {
		return nil, err
	}
	switch v := g.(type) {
	case orb.Point:
		if !col.IsPolygon() {
			return v, nil
		}
	case orb.Polygon:
		if col.IsPolygon() {
			return orb.MultiPolygon{v}, checkRings(orb.MultiPolygon{v})
		}
	case orb.MultiPolygon:
		if col.IsPolygon() {
			return v, checkRings(v)
		}
	}
	return nil, fmt.Errorf("geometry is a %s, the collection holds %s", g.GeoJSONType(), col.Geometry)
}

func checkCoordinates(g orb.Geometry) error {
	var bad error
	visit(g, func(p orb.Point) {
		if bad != nil {
			return
		}
		switch {
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
			bad = fmt.Errorf("coordinate is not a number")
		case p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90:
			bad = fmt.Errorf("coordinate %v is outside longitude/latitude range (is it in EPSG:4326, lon before lat?)", p)
		}
	})
	return bad
}

func visit(g orb.Geometry, f func(orb.Point)) {
	switch v := g.(type) {
	case orb.Point:
		f(v)
	case orb.Polygon:
		for _, r := range v {
			for _, p := range r {
				f(p)
			}
		}
	case orb.MultiPolygon:
		for _, poly := range v {
			visit(poly, f)
		}
	}
}

func checkRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("empty multipolygon")
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			return fmt.Errorf("polygon %d has no rings", i+1)
		}
		for j, r := range poly {
			if len(r) < 4 {
				return fmt.Errorf("polygon %d ring %d has %d points, needs at least 4", i+1, j+1, len(r))
			}
			if !r.Closed() {
				return fmt.Errorf("polygon %d ring %d is not closed", i+1, j+1)
			}
			if a, b := selfIntersection(r); a > 0 {
				return fmt.Errorf("polygon %d ring %d crosses itself (segments %d and %d)", i+1, j+1, a, b)
			}
			if j > 0 && !planar.RingContains(poly[0], r[0]) {
				return fmt.Errorf("polygon %d ring %d is a hole outside its outer ring", i+1, j+1)
			}
		}
	}
	return nil
}

func checkProperty(col Collection, name string, v any) error {
	p, ok := col.Property(name)
	if !ok {
		return fmt.Errorf("unknown property %q", name)
	}
	if v == nil {
		return nil
	}
	switch p.Type {
	case TypeDate:
		switch d := v.(type) {
		case time.Time:
			return nil
		case string:
			if _, err := time.Parse(DateLayout, d); err != nil {
				return fmt.Errorf("property %s: %q is not a date (YYYY-MM-DD)", name, d)
			}
			return nil
		}
	case TypeInteger:
		switch n := v.(type) {
		case int32:
			return nil
		case int:
			return checkInt32(name, int64(n))
		case int64:
			return checkInt32(name, n)
		}
	case TypeString:
		if s, ok := v.(string); ok {
			return checkText(p, s)
		}
	}
	return fmt.Errorf("property %s: %T is not a %s", name, v, p.Type)
}

// checkInt32 keeps integers in the range every store holds exactly.
func checkInt32(name string, n int64) error {
	if n < math.MinInt32 || n > math.MaxInt32 {
		return fmt.Errorf("property %s: %d is out of range", name, n)
	}
	return nil
}

// CleanText reports whether s is valid UTF-8 without NUL characters: text
// every store keeps as given. Anything else is refused at the edge.
func CleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func checkText(p Property, s string) error {
	switch {
	case !CleanText(s):
		return fmt.Errorf("property %s: not clean UTF-8 text (invalid bytes or NUL)", p.Name)
	case !p.Allows(s):
		return fmt.Errorf("property %s: %q is not one of %v", p.Name, s, p.Vocabulary)
	case p.MaxLength > 0 && utf8.RuneCountInString(s) > p.MaxLength:
		return fmt.Errorf("property %s: longer than %d characters", p.Name, p.MaxLength)
	}
	return nil
}

// selfIntersection returns the 1-based index of the first pair of segments of
// a closed ring that cross or touch other than at a shared vertex of
// neighbours, or 0 when the ring is simple. Quadratic: rings of boundaries
// and zones have thousands of vertices at most.
func selfIntersection(r orb.Ring) (int, int) {
	n := len(r) - 1 // segments; the ring is closed
	for i := 0; i < n; i++ {
		a, b := r[i], r[i+1]
		lo := orb.Bound{Min: a, Max: a}.Extend(b)
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // first and last segments share the closing vertex
			}
			c, d := r[j], r[j+1]
			if !lo.Intersects(orb.Bound{Min: c, Max: c}.Extend(d)) {
				continue
			}
			if segmentsIntersect(a, b, c, d) {
				return i + 1, j + 1
			}
		}
	}
	return 0, 0
}

func segmentsIntersect(p1, p2, p3, p4 orb.Point) bool {
	d1 := cross(p3, p4, p1)
	d2 := cross(p3, p4, p2)
	d3 := cross(p1, p2, p3)
	d4 := cross(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(p3, p4, p1)) || (d2 == 0 && onSegment(p3, p4, p2)) ||
		(d3 == 0 && onSegment(p1, p2, p3)) || (d4 == 0 && onSegment(p1, p2, p4))
}

func cross(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}
