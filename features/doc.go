// Package features holds Bando's layer catalog, the public feature model, the
// records that stores load, and the Store interface that the HTTP layers read
// through. It knows nothing of PostGIS, bbolt or Redis: those live in the
// stores under features/postgis and features/embedded.
//
// The split between Record (what is loaded, personal fields included) and
// Feature (what the public may see) is deliberate: every public read path
// returns Features, which have no place to carry a name, phone, ID number or
// exact home location.
package features
