package features

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
)

// Validate checks a record against its collection before any store writes
// it: an id, a geometry of the collection's type with finite WGS84
// coordinates and closed rings, and property values of the catalog's types.
// It returns the geometry normalised to the collection's type (a Polygon
// becomes a one-member MultiPolygon). Errors wrap ErrInvalid.
func Validate(col Collection, rec Record) (orb.Geometry, error) {
	if rec.ID == "" {
		return nil, fmt.Errorf("%w: %s record has no id", ErrInvalid, col.ID)
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
		switch v.(type) {
		case int, int32, int64:
			return nil
		}
	case TypeString:
		if s, ok := v.(string); ok {
			return checkVocabulary(col, name, s)
		}
	}
	return fmt.Errorf("property %s: %T is not a %s", name, v, p.Type)
}

func checkVocabulary(col Collection, name, value string) error {
	allowed, ok := Vocabulary[col.ID+"."+name]
	if !ok {
		return nil
	}
	for _, a := range allowed {
		if a == value {
			return nil
		}
	}
	return fmt.Errorf("property %s: %q is not one of %v", name, value, allowed)
}
