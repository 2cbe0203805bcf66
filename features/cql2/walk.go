package cql2

import "slices"

// Properties returns the names of the properties e reads, each once, in the
// order they first appear, so that a caller can say which one is not a
// queryable before Check does.
func Properties(e Expr) []string {
	var names []string
	walk(e, func(n any) {
		if p, ok := n.(Property); ok && !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	})
	return names
}

// walk calls f on every node of the tree, parents first.
func walk(n any, f func(any)) {
	f(n)
	switch n := n.(type) {
	case And:
		for _, a := range n.Args {
			walk(a, f)
		}
	case Or:
		for _, a := range n.Args {
			walk(a, f)
		}
	case Not:
		walk(n.Arg, f)
	case Comparison:
		walk(n.Left, f)
		walk(n.Right, f)
	case Like:
		walk(n.Left, f)
	case In:
		walk(n.Left, f)
		for _, a := range n.List {
			walk(a, f)
		}
	case Between:
		walk(n.Value, f)
		walk(n.Low, f)
		walk(n.High, f)
	case IsNull:
		walk(n.Arg, f)
	case SIntersects:
		walk(n.Left, f)
		walk(n.Right, f)
	case TIntersects:
		walk(n.Left, f)
		walk(n.Right, f)
	case Interval:
		if n.Start != nil {
			walk(n.Start, f)
		}
		if n.End != nil {
			walk(n.End, f)
		}
	}
}

// MapSpatial returns e with every operand of S_INTERSECTS replaced by f's
// answer, for example a literal's geometry moved to another CRS; e itself
// is not changed. The first error of f is returned.
func MapSpatial(e Expr, f func(Spatial) (Spatial, error)) (Expr, error) {
	switch e := e.(type) {
	case And:
		args, err := mapAll(e.Args, f)
		return And{Args: args}, err
	case Or:
		args, err := mapAll(e.Args, f)
		return Or{Args: args}, err
	case Not:
		a, err := MapSpatial(e.Arg, f)
		return Not{Arg: a}, err
	case SIntersects:
		l, err := f(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := f(e.Right)
		if err != nil {
			return nil, err
		}
		return SIntersects{Left: l, Right: r}, nil
	}
	return e, nil
}

func mapAll(es []Expr, f func(Spatial) (Spatial, error)) ([]Expr, error) {
	out := make([]Expr, len(es))
	for i, a := range es {
		var err error
		if out[i], err = MapSpatial(a, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}
