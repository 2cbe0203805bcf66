package postgis

import (
	"context"
	"fmt"

	"github.com/bandomap/bando/features"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

const (
	sqlLockGeomaskCell = `SELECT geomask_m FROM data_version FOR UPDATE`
	sqlSetGeomaskCell  = `UPDATE data_version SET geomask_m = $1, version = version + 1`
	sqlCreateRemask    = `CREATE TEMP TABLE remask (id text PRIMARY KEY, wkb bytea) ON COMMIT DROP`
	sqlPrivateSpotsFmt = `SELECT %s, ST_X(location), ST_Y(location) FROM %s`
	sqlApplyRemaskFmt  = `UPDATE %s t SET geom = ST_SetSRID(ST_GeomFromWKB(r.wkb), 4326) FROM remask r WHERE t.id = r.id`
)

// EnsureGeomask re-masks every public position of a person when the
// database's people were snapped with another cell than this store's, so
// that raising BANDO_GEOMASK_METRES protects the people already stored, not
// only new ones. It reports whether it re-masked. Exact locations come from
// the private schema; the public tables only ever receive the masked ones.
func (s *Store) EnsureGeomask(ctx context.Context) (bool, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgis: begin re-mask: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var stored *float64
	if err := tx.QueryRow(ctx, sqlLockGeomaskCell).Scan(&stored); err != nil {
		return false, fmt.Errorf("postgis: read geomask cell: %w", err)
	}
	if stored != nil && *stored == s.cellM {
		return false, nil
	}
	for _, id := range []string{"cases", "contacts"} {
		if err := s.remask(ctx, tx, id); err != nil {
			return false, err
		}
	}
	if _, err := tx.Exec(ctx, sqlSetGeomaskCell, s.cellM); err != nil {
		return false, fmt.Errorf("postgis: record geomask cell: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("postgis: commit re-mask: %w", err)
	}
	s.caughtUp(ctx)
	return true, nil
}

// remask recomputes one people layer's public positions from the private ones.
func (s *Store) remask(ctx context.Context, tx pgx.Tx, id string) error {
	priv := privateTables[id]
	rows, err := tx.Query(ctx, fmt.Sprintf(sqlPrivateSpotsFmt,
		pgx.Identifier{priv[1]}.Sanitize(), pgx.Identifier{"private", priv[0]}.Sanitize()))
	if err != nil {
		return fmt.Errorf("postgis: read private %s: %w", id, err)
	}
	masked, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) {
		var key string
		var p orb.Point
		if err := r.Scan(&key, &p[0], &p[1]); err != nil {
			return nil, err
		}
		body, err := wkb.Marshal(features.Geomask(p, s.cellM))
		return []any{key, body}, err
	})
	if err != nil {
		return fmt.Errorf("postgis: read private %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS remask"); err != nil {
		return fmt.Errorf("postgis: re-mask %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, sqlCreateRemask); err != nil {
		return fmt.Errorf("postgis: re-mask %s: %w", id, err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"remask"}, []string{"id", "wkb"}, pgx.CopyFromRows(masked)); err != nil {
		return fmt.Errorf("postgis: re-mask %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(sqlApplyRemaskFmt, pgx.Identifier{id}.Sanitize())); err != nil {
		return fmt.Errorf("postgis: re-mask %s: %w", id, err)
	}
	return nil
}
