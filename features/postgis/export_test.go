package postgis

import "github.com/bandomap/bando/features"

// FrameColumns are the columns every table has before the catalog's
// properties, and the geometries after them.
func FrameColumns() []string {
	return append(append([]string{}, frameColumns...), "geom", "geom3857")
}

// RuleWhere returns the WHERE clause the store writes for the catalog's
// public and temporal rules (a nil r adds no temporal condition), numbering
// its parameters after args, and all the arguments.
func RuleWhere(col features.Collection, r *features.DayRange, args []any) (string, []any) {
	w := &where{args: args}
	publicOnly(col, w)
	if r != nil {
		addDays(*col.Temporal, *r, w)
	}
	return w.String(), w.args
}

// EditColumns are the columns of the store's revisions (migration 5), in
// every table besides the catalog's properties; a property of that name
// (a zone's revision) shows the store's value.
func EditColumns() []string { return []string{revisionColumn, "updated_at", "updated_by"} }
