package postgis

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	sqlInsertPersons = `INSERT INTO private.tracing_persons (person_key, name, phone, id_number, first_seen)
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
		ON CONFLICT DO NOTHING`
	// sqlInsertNamePersons is for officials, who also name a nameless
	// person (as RememberPerson does).
	sqlInsertNamePersons = `INSERT INTO private.tracing_persons AS p (person_key, name, phone, id_number, first_seen)
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
		ON CONFLICT (person_key) DO UPDATE SET name = EXCLUDED.name WHERE p.name = '' AND EXCLUDED.name <> ''`
)

// RememberPersons keeps many persons' private records as RememberPerson
// keeps one, in one transaction and two statements: an upload of
// thousands of check-ins by typed numbers costs one round trip, not one
// each.
func (s *Store) RememberPersons(ctx context.Context, ps []tracing.Person) error {
	a, err := access(ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	for i, p := range ps {
		if p.Key.IsZero() || (p.Phone == "" && p.IDNumber == "") {
			return &tracing.RowError{Row: i, Err: &tracing.FieldError{Field: "person", Reason: "a person has a key and a phone or ID number"}}
		}
	}
	ps = slices.Clone(ps)
	// One order for every writer, so that two uploads never deadlock.
	slices.SortFunc(ps, func(x, y tracing.Person) int { return bytes.Compare(x.Key[:], y.Key[:]) })
	now := s.clock.Now()
	keys, names := make([][]byte, len(ps)), make([]string, len(ps))
	phones, ids, seen := make([]string, len(ps)), make([]string, len(ps)), make([]time.Time, len(ps))
	for i, p := range ps {
		if p.FirstSeen.IsZero() {
			p.FirstSeen = now
		}
		keys[i], names[i], phones[i], ids[i], seen[i] = keyBytes(p.Key), p.Name, p.Phone, p.IDNumber, p.FirstSeen
	}
	sql := sqlInsertPersons
	if a.All {
		sql = sqlInsertNamePersons
	}
	return s.scoped(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sql, keys, names, phones, ids, seen); err != nil {
			return fmt.Errorf("postgis: remember %d persons: %w", len(ps), err)
		}
		return nil
	})
}
