// Package cql2 reads the filters of OGC API Features Part 3 (Filtering),
// written in CQL2 text or CQL2 JSON, into one tree; checks the tree against
// a collection's queryables; and evaluates it on an in-memory row with the
// same answers a SQL database gives (three-valued logic, byte order for
// strings), so that every store filters alike.
//
// The package is a leaf: it imports nothing of the project, so that the
// domain and the stores can all import it.
//
// # What is supported
//
//   - Comparison: = <> < <= > >= between properties and literals of the
//     same type (strings, numbers, booleans, dates).
//   - LIKE and NOT LIKE with % (any run), _ (one character) and \ (escapes
//     the next character); case-sensitive.
//   - IN (...) and NOT IN (...) with a list of literals; BETWEEN a AND b and
//     NOT BETWEEN; IS NULL and IS NOT NULL.
//   - AND, OR, NOT and parentheses; the bare literals TRUE and FALSE.
//   - S_INTERSECTS between a geometry property and a BBOX(w, s, e, n) or a
//     POINT, POLYGON or MULTIPOLYGON in WKT (GeoJSON in CQL2 JSON), in
//     longitude/latitude; a boundary that touches counts, as in PostGIS's
//     ST_Intersects. A box across the antimeridian (w > e) is refused.
//   - T_INTERSECTS between instants (a date property, DATE('YYYY-MM-DD'),
//     TIMESTAMP('...Z')) and intervals (INTERVAL(a, b), whose ends are date
//     or timestamp strings, '..' for an open end, or date properties).
//
// Nothing else of CQL2 is (functions, arithmetic, CASEI, ACCENTI, array
// and other spatial or temporal operators); they are refused with ErrSyntax.
//
// # Semantics that a store must follow
//
// Dates are days. A TIMESTAMP compared with a date (the only temporal type
// of the queryables) is reduced to its day as written, that is its UTC day,
// since a timestamp literal must end in Z. In T_INTERSECTS, an instant
// intersects an interval when start <= instant <= end; two intervals
// intersect when each starts no later than the other ends. Ends are
// inclusive. In INTERVAL(start, end) over properties, a NULL value is an
// open end (a zone without an end date is still in force); an instant
// property that is NULL makes the predicate unknown.
//
// Logic is SQL's: a comparison with a NULL property is unknown, NOT unknown
// is unknown, FALSE AND unknown is FALSE, TRUE OR unknown is TRUE, and only
// rows for which the filter is TRUE pass. Strings compare by bytes (a SQL
// store must use COLLATE "C"); numbers compare as float64 (integers are
// converted); LIKE's _ matches one Unicode character.
//
// # Limits
//
// The parser faces the internet: inputs over Limits (by default 8 KiB of
// text, 32 KiB of JSON, nesting depth 32, 1000 nodes, 10,000 vertices) are
// refused with an error wrapping both ErrLimit and ErrSyntax. Strings must be
// valid UTF-8 without NUL, since a database cannot store anything else.
package cql2
