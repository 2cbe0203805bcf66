package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

const (
	sqlPerson = `SELECT person_key, name, phone, id_number, first_seen FROM private.tracing_persons WHERE person_key = $1`
)

// Person implements tracing.Store; for an enterprise the policy on
// private.tracing_persons lets through only visitors of its venues.
func (s *Store) Person(ctx context.Context, k tracing.PersonKey) (tracing.Person, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Person{}, err
	}
	if !a.ReadsPersons() {
		return tracing.Person{}, forbidden("read persons")
	}
	var p tracing.Person
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		var key []byte
		err := tx.QueryRow(ctx, sqlPerson, keyBytes(k)).Scan(&key, &p.Name, &p.Phone, &p.IDNumber, &p.FirstSeen)
		if errors.Is(err, pgx.ErrNoRows) {
			return tracing.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("postgis: person: %w", err)
		}
		p.Key, p.FirstSeen = toKey(key), p.FirstSeen.UTC()
		return nil
	})
	if err != nil {
		return tracing.Person{}, err
	}
	if !a.All {
		p = p.Masked()
	}
	return p, nil
}

const (
	sqlNextDeclaration   = `SELECT nextval('tracing.declarations_id_seq')`
	sqlInsertDeclaration = `INSERT INTO tracing.declarations (id, person_key, venue_id, declared_at, symptoms, contact_f0, travel)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7)`
	sqlDeclarationsOf = `SELECT id, person_key, coalesce(venue_id, ''), declared_at, symptoms, contact_f0, travel
		FROM tracing.declarations WHERE person_key = $1 AND declared_at >= $2 AND declared_at < $3
		ORDER BY declared_at, id`
)

// Declare implements tracing.Store.
func (s *Store) Declare(ctx context.Context, d tracing.Declaration) (tracing.Declaration, error) {
	a, err := access(ctx)
	if err != nil {
		return d, err
	}
	if !a.All && (a.Venue == "" || a.Venue != d.Venue) {
		return d, forbidden("declare")
	}
	if err := d.Validate(s.clock.Now()); err != nil {
		return d, err
	}
	symptoms := make([]string, len(d.Symptoms))
	for i, x := range d.Symptoms {
		symptoms[i] = string(x)
	}
	err = s.inDays(ctx, "declarations", []time.Time{d.Time}, func() error { return s.declare(ctx, a, &d, symptoms) })
	return d, err
}

func (s *Store) declare(ctx context.Context, a tracing.Access, d *tracing.Declaration, symptoms []string) error {
	return s.scoped(ctx, a, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, sqlNextDeclaration).Scan(&d.ID); err != nil {
			return fmt.Errorf("postgis: declaration id: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlInsertDeclaration, d.ID, keyBytes(d.Person), d.Venue, d.Time,
			symptoms, d.ContactF0, d.Travel); err != nil {
			return fmt.Errorf("postgis: declare: %w", err)
		}
		return nil
	})
}

// DeclarationsOf implements tracing.Store.
func (s *Store) DeclarationsOf(ctx context.Context, person tracing.PersonKey, from, to time.Time) ([]tracing.Declaration, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	if !a.All {
		return nil, forbidden("read declarations")
	}
	var out []tracing.Declaration
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlDeclarationsOf, keyBytes(person), from, to)
		if err != nil {
			return fmt.Errorf("postgis: declarations: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.Declaration, error) {
			var d tracing.Declaration
			var key []byte
			var symptoms []string
			err := r.Scan(&d.ID, &key, &d.Venue, &d.Time, &symptoms, &d.ContactF0, &d.Travel)
			d.Person, d.Time = toKey(key), d.Time.UTC()
			for _, x := range symptoms {
				d.Symptoms = append(d.Symptoms, tracing.Symptom(x))
			}
			return d, err
		})
		return err
	})
	return out, err
}
