package features

import (
	"errors"
	"iter"
	"time"

	"github.com/bandomap/bando/features/cql2"
	"github.com/paulmach/orb"
)

// DateLayout is how dates are written in properties, queries and CSV files.
const DateLayout = "2006-01-02"

// Feature is what the public may see of one map object: a public id, a
// geometry (geomasked for people layers) and the catalog's public properties.
// Property values are string, int64, float64 or nil; dates are strings in
// DateLayout.
type Feature struct {
	Collection string
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
}

// Person holds the personal fields of a case or contact. They are kept apart
// from public data by every store and never appear in a Feature.
type Person struct {
	Name     string
	Phone    string
	IDNumber string
	Address  string
}

// Record is one object as loaded into a store: the public properties, the
// exact geometry and, for people layers, the personal fields. For people
// layers Geometry is the exact location, which stays private; the public
// position is derived with Geomask when the record is stored.
type Record struct {
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
	Person     *Person
}

// WriteMode says how a Batch meets the rows a collection already has.
type WriteMode int

// Write modes.
const (
	// Replace empties the collection, then inserts the batch.
	Replace WriteMode = iota
	// Upsert inserts the batch, replacing rows that have the same id.
	Upsert
)

// Batch is a set of records for one collection, written as one unit.
type Batch struct {
	Collection string
	Mode       WriteMode
	Records    iter.Seq[Record]
}

// Interval is a closed time interval; a zero Start or End is open.
type Interval struct {
	Start time.Time
	End   time.Time
}

// Contains reports whether t is inside the interval.
func (iv Interval) Contains(t time.Time) bool {
	return (iv.Start.IsZero() || !t.Before(iv.Start)) && (iv.End.IsZero() || !t.After(iv.End))
}

// ItemsQuery selects features of one collection.
type ItemsQuery struct {
	Collection Collection
	// BBox keeps features whose geometry meets the box. A box whose Min
	// longitude is greater than its Max longitude crosses the antimeridian
	// (see BBoxParts).
	BBox *orb.Bound
	// Interval keeps features whose own [start, end] period intersects it.
	Interval *Interval
	// Filters are equality filters on filterable public properties.
	Filters map[string]string
	// Filter, when not nil, is a CQL2 filter (OGC API Features Part 3) on
	// the collection's Queryables, in CRS84; a store refuses one that does
	// not pass cql2.Check against them with an error wrapping ErrInvalid.
	Filter cql2.Expr
	// Limit caps the page: 0 returns no features (NumberMatched only), a
	// negative Limit returns every match. Protocol limits (OGC's 10,000) are
	// the handlers' business, not the store's.
	Limit  int
	Offset int
}

// Page is one page of an items query.
type Page struct {
	Features      []Feature
	NumberMatched int
}

// Extent is the spatial and temporal extent of a collection. Bounds is nil
// for an empty collection; Start/End are zero when unknown or open.
type Extent struct {
	Bounds *orb.Bound
	Start  time.Time
	End    time.Time
}

// NearbyQuery asks for the nearest places of some collections around a point.
type NearbyQuery struct {
	Center      orb.Point
	RadiusM     float64
	Collections []Collection
	Limit       int
}

// Near is a feature with its distance from the query point, in metres.
type Near struct {
	Feature   Feature
	DistanceM float64
}

// SearchQuery is a name search over places, wards and districts.
type SearchQuery struct {
	Text        string
	Collections []Collection
	Limit       int
}

// Match is one search result: a named object, where to show it, and what
// tells it apart from others of the same name (its address, ward and
// district; empty when it has none).
type Match struct {
	Collection   string
	ID           string
	Name         string
	Address      string
	WardCode     string
	DistrictCode string
	Point        orb.Point
	Bounds       orb.Bound
}

// ErrNotFound is returned when a feature does not exist or is not public.
var ErrNotFound = errors.New("features: not found")

// ErrInvalid marks a query or record that breaks a rule; the message says which.
var ErrInvalid = errors.New("features: invalid")

// ErrUnavailable marks a store that cannot answer now (unreachable, timing
// out, out of connections) but may soon: the request is worth retrying
// later, and HTTP answers it with 503 and Retry-After.
var ErrUnavailable = errors.New("features: store unavailable")
