// Package migrations holds Bando's versioned PostGIS schema as embedded SQL
// files named NNNN_name.sql. Each file is applied once, in its own
// transaction, in version order; features/postgis runs them.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
