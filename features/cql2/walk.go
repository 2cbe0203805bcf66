package cql2

import "slices"

// Properties returns the names of the properties e reads, each once, in the
// order they first appear, so that a caller can say which one is not a
// queryable before Check does.
func Properties(e Expr) []string {
	var names []string
	add := func(v any) {
		if p, ok := v.(Property); ok && !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case And:
			for _, a := range e.Args {
				walk(a)
			}
		case Or:
			for _, a := range e.Args {
				walk(a)
			}
		case Not:
			walk(e.Arg)
		case Comparison:
			add(e.Left)
			add(e.Right)
		case Like:
			add(e.Left)
		case In:
			add(e.Left)
			for _, s := range e.List {
				add(s)
			}
		case Between:
			add(e.Value)
			add(e.Low)
			add(e.High)
		case IsNull:
			add(e.Arg)
		case SIntersects:
			add(e.Left)
			add(e.Right)
		case TIntersects:
			for _, t := range []Temporal{e.Left, e.Right} {
				if iv, ok := t.(Interval); ok {
					add(iv.Start)
					add(iv.End)
				} else {
					add(t)
				}
			}
		}
	}
	walk(e)
	return names
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
