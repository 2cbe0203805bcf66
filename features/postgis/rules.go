package postgis

import (
	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
)

// The catalog's rules written as SQL conditions, in one place, for every
// query of the store (items, item, extent, nearby, search and tiles).

// publicOnly hides what no public read may return
// (features.Collection.Public): draft zones.
func publicOnly(col features.Collection, w *where) {
	h := col.Hidden
	if h == nil {
		return
	}
	c := pgx.Identifier{h.Property}.Sanitize()
	w.add("("+c+" IS NULL OR "+c+" <> ALL(?))", h.Values)
}

// addDays keeps the features r selects, writing each condition of the
// catalog's temporal rule (features.Temporal.Conditions) as SQL: a bound
// date comparison, which a missing date passes when the condition is open.
func addDays(t features.Temporal, r features.DayRange, w *where) {
	for _, c := range t.Conditions() {
		bound, op := r.Last, " <= ?"
		if c.Side == features.RangeFirst {
			bound, op = r.First, " >= ?"
		}
		if bound == features.NoDay {
			continue
		}
		col := pgx.Identifier{c.Property}.Sanitize()
		cond := col + op
		if c.Open {
			cond = "(" + col + " IS NULL OR " + cond + ")"
		}
		w.add(cond, bound.Time())
	}
}
