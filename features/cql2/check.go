package cql2

import (
	"fmt"
	"strings"
)

// Type is the type of a queryable property, as OGC queryables name them.
type Type string

// The types a queryable may have.
const (
	TypeString   Type = "string"
	TypeNumber   Type = "number"
	TypeInteger  Type = "integer"
	TypeDate     Type = "date"
	TypeBoolean  Type = "boolean"
	TypeGeometry Type = "geometry"
)

// Queryables maps each property a filter may name to its type.
type Queryables map[string]Type

// kindOf groups integer with number: they compare with each other.
func kindOf(t Type) Type {
	if t == TypeInteger {
		return TypeNumber
	}
	return t
}

// Check resolves every property of e against q and checks that operands fit
// their operators: both sides of a comparison of one type, LIKE on strings,
// S_INTERSECTS on geometries, T_INTERSECTS on dates, no ordering of
// booleans. Its errors wrap ErrInvalid and name the property or literal.
func Check(e Expr, q Queryables) error {
	c := checker{q}
	return c.expr(e)
}

type checker struct{ q Queryables }

func (c checker) expr(e Expr) error {
	switch e := e.(type) {
	case And:
		return c.all(e.Args)
	case Or:
		return c.all(e.Args)
	case Not:
		return c.expr(e.Arg)
	case BoolLit:
		return nil
	case Comparison:
		return c.comparison(e)
	case Like:
		return c.like(e)
	case In:
		return c.same("IN", e.Left, e.List...)
	case Between:
		return c.same("BETWEEN", e.Value, e.Low, e.High)
	case IsNull:
		_, err := c.typeOf(e.Arg)
		return err
	case SIntersects:
		if err := c.spatial(e.Left); err != nil {
			return err
		}
		return c.spatial(e.Right)
	case TIntersects:
		if err := c.temporal(e.Left); err != nil {
			return err
		}
		return c.temporal(e.Right)
	}
	return fmt.Errorf("%w: unknown expression %T", ErrInvalid, e)
}

func (c checker) all(es []Expr) error {
	for _, a := range es {
		if err := c.expr(a); err != nil {
			return err
		}
	}
	return nil
}

func (c checker) typeOf(s Scalar) (Type, error) {
	switch s := s.(type) {
	case Property:
		t, ok := c.q[s.Name]
		if !ok {
			return "", fmt.Errorf("%w: unknown property %q (see the queryables)", ErrInvalid, s.Name)
		}
		return kindOf(t), nil
	case StringLit:
		return TypeString, nil
	case NumberLit:
		return TypeNumber, nil
	case BoolLit:
		return TypeBoolean, nil
	case DateLit, TimestampLit:
		return TypeDate, nil
	}
	return "", fmt.Errorf("%w: unknown operand %T", ErrInvalid, s)
}

// describe names an operand for an error message.
func describe(s Scalar) string {
	if p, ok := s.(Property); ok {
		return "property " + quoteProperty(p.Name)
	}
	var b strings.Builder
	writeScalar(&b, s)
	return b.String()
}

func (c checker) comparison(e Comparison) error {
	if err := c.same(string(e.Op), e.Left, e.Right); err != nil {
		return err
	}
	t, _ := c.typeOf(e.Left)
	switch {
	case t == TypeGeometry:
		return fmt.Errorf("%w: %s is a geometry: use S_INTERSECTS, not %s", ErrInvalid, describe(e.Left), e.Op)
	case t == TypeBoolean && e.Op != Eq && e.Op != Ne:
		return fmt.Errorf("%w: %s is a boolean: only = and <> apply", ErrInvalid, describe(e.Left))
	}
	return nil
}

// same checks that every operand has the type of the first.
func (c checker) same(op string, first Scalar, rest ...Scalar) error {
	want, err := c.typeOf(first)
	if err != nil {
		return err
	}
	for _, s := range rest {
		got, err := c.typeOf(s)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%w: %s is a %s but %s is a %s (%s needs one type)", ErrInvalid, describe(first), want, describe(s), got, op)
		}
	}
	if want == TypeGeometry {
		return fmt.Errorf("%w: %s is a geometry: use S_INTERSECTS, not %s", ErrInvalid, describe(first), op)
	}
	return nil
}

// typed checks that s has type want; need says who needs it, for the error.
func (c checker) typed(s Scalar, want Type, need string) error {
	t, err := c.typeOf(s)
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("%w: %s, %s is a %s", ErrInvalid, need, describe(s), t)
	}
	return nil
}

func (c checker) like(e Like) error {
	return c.typed(e.Left, TypeString, "LIKE needs a string")
}

// spatial checks a property's type; literal geometries are geometries.
func (c checker) spatial(s Spatial) error {
	if p, ok := s.(Property); ok {
		return c.typed(p, TypeGeometry, "S_INTERSECTS needs a geometry")
	}
	return nil
}

func (c checker) temporal(t Temporal) error {
	switch t := t.(type) {
	case Interval:
		if err := c.instant(t.Start); err != nil {
			return err
		}
		return c.instant(t.End)
	case Instant:
		return c.instant(t)
	}
	return fmt.Errorf("%w: unknown temporal operand %T", ErrInvalid, t)
}

// instant checks a property's type; date and timestamp literals are dates.
func (c checker) instant(in Instant) error {
	if p, ok := in.(Property); ok {
		return c.typed(p, TypeDate, "T_INTERSECTS needs dates")
	}
	return nil
}
