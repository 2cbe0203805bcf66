package cql2

import (
	"time"

	"github.com/paulmach/orb"
)

// Expr is a boolean expression: the whole filter or one of its parts. Its
// concrete types are And, Or, Not, Comparison, Like, In, Between, IsNull,
// SIntersects, TIntersects and BoolLit.
type Expr interface{ expr() }

// Scalar is an operand of a comparison, LIKE, IN, BETWEEN or IS NULL:
// Property, StringLit, NumberLit, BoolLit, DateLit or TimestampLit.
type Scalar interface{ scalar() }

// Spatial is an operand of S_INTERSECTS: Property, BBox or Geometry.
type Spatial interface{ spatial() }

// Instant is an end of an Interval: Property, DateLit or TimestampLit. A
// nil Instant is an open end ('..').
type Instant interface{ instant() }

// Temporal is an operand of T_INTERSECTS: an Instant or an Interval.
type Temporal interface{ temporal() }

// And is true when all its arguments (two or more) are.
type And struct{ Args []Expr }

// Or is true when any of its arguments (two or more) is.
type Or struct{ Args []Expr }

// Not negates its argument. NOT LIKE, NOT IN, NOT BETWEEN and IS NOT NULL
// are a Not around the positive predicate.
type Not struct{ Arg Expr }

// Op is a comparison operator.
type Op string

// The comparison operators, as CQL2 writes them.
const (
	Eq Op = "="
	Ne Op = "<>"
	Lt Op = "<"
	Le Op = "<="
	Gt Op = ">"
	Ge Op = ">="
)

// Comparison compares two scalars of the same type.
type Comparison struct {
	Op          Op
	Left, Right Scalar
}

// Like matches a string against a pattern in which % stands for any run of
// characters, _ for one character, and \ makes the next character literal.
type Like struct {
	Left    Scalar
	Pattern string
}

// In is true when Left equals one of the literals of List.
type In struct {
	Left Scalar
	List []Scalar
}

// Between is true when Low <= Value <= High.
type Between struct{ Value, Low, High Scalar }

// IsNull is true when Arg has no value.
type IsNull struct{ Arg Scalar }

// SIntersects is true when two geometries share at least one point.
type SIntersects struct{ Left, Right Spatial }

// TIntersects is true when two instants or intervals share at least one day.
type TIntersects struct{ Left, Right Temporal }

// Property names a queryable property of the features.
type Property struct{ Name string }

// StringLit is a character string literal.
type StringLit struct{ Value string }

// NumberLit is a numeric literal; integers and decimals alike are float64.
type NumberLit struct{ Value float64 }

// BoolLit is TRUE or FALSE, as an operand or as a whole expression.
type BoolLit struct{ Value bool }

// DateLit is DATE('YYYY-MM-DD'); Value is that validated day.
type DateLit struct{ Value string }

// TimestampLit is TIMESTAMP('...Z'), in UTC.
type TimestampLit struct{ Value time.Time }

// Day returns the UTC day of the timestamp as YYYY-MM-DD, the value it has
// when compared with dates.
func (t TimestampLit) Day() string { return t.Value.UTC().Format(time.DateOnly) }

// Interval is INTERVAL(Start, End); a nil end is open ('..').
type Interval struct{ Start, End Instant }

// BBox is BBOX(west, south, east, north) in longitude/latitude.
type BBox struct{ Bound orb.Bound }

// Geometry is a literal geometry in longitude/latitude: an orb.Point,
// orb.Polygon or orb.MultiPolygon with closed rings.
type Geometry struct{ Geom orb.Geometry }

func (And) expr()         {}
func (Or) expr()          {}
func (Not) expr()         {}
func (Comparison) expr()  {}
func (Like) expr()        {}
func (In) expr()          {}
func (Between) expr()     {}
func (IsNull) expr()      {}
func (SIntersects) expr() {}
func (TIntersects) expr() {}
func (BoolLit) expr()     {}

func (Property) scalar()     {}
func (StringLit) scalar()    {}
func (NumberLit) scalar()    {}
func (BoolLit) scalar()      {}
func (DateLit) scalar()      {}
func (TimestampLit) scalar() {}

func (Property) spatial() {}
func (BBox) spatial()     {}
func (Geometry) spatial() {}

func (Property) instant()     {}
func (DateLit) instant()      {}
func (TimestampLit) instant() {}

func (Property) temporal()     {}
func (DateLit) temporal()      {}
func (TimestampLit) temporal() {}
func (Interval) temporal()     {}
