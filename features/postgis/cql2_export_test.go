package postgis

import "github.com/bandomap/bando/features/cql2"

// CompileFilter lets the external tests, which need pgtest (and pgtest
// imports this package), compile filters over columns named as their
// properties.
func CompileFilter(e cql2.Expr, types cql2.Queryables, firstArg int) (string, []any, error) {
	cols := make(map[string]column, len(types))
	for name, typ := range types {
		cols[name] = column{name: name, typ: typ}
	}
	return compileFilter(e, cols, firstArg)
}
