package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

const (
	sqlInsertVenue = `INSERT INTO tracing.venues (id, name, category, address, ward_code, location,
		default_stay_minutes, enterprise, registered_by, token_generation, created_at)
		VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8, nullif($9, ''), $10, $11, $12)`
	sqlUpsertContact = `INSERT INTO private.venue_contacts (venue_id, contact, phone) VALUES ($1, $2, $3)
		ON CONFLICT (venue_id) DO UPDATE SET contact = excluded.contact, phone = excluded.phone`
	sqlUpdateVenue = `UPDATE tracing.venues SET name = $2, category = $3, address = $4, ward_code = $5,
		location = ST_SetSRID(ST_MakePoint($6, $7), 4326), default_stay_minutes = $8 WHERE id = $1`
	sqlRevokeVenue = `UPDATE tracing.venues SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`
	sqlRenewTokens = `UPDATE tracing.venues SET token_generation = token_generation + 1 WHERE id = $1`
	venueColumns   = `v.id, v.name, v.category, v.address, v.ward_code, ST_X(v.location), ST_Y(v.location),
		v.default_stay_minutes, coalesce(v.enterprise, ''), v.registered_by, v.token_generation, v.created_at,
		v.revoked_at, coalesce(c.contact, ''), coalesce(c.phone, '')`
	sqlVenue = `SELECT ` + venueColumns + ` FROM tracing.venues v
		LEFT JOIN private.venue_contacts c ON c.venue_id = v.id WHERE v.id = $1`
	sqlVenueForUpdate = sqlVenue + ` FOR UPDATE OF v`
	sqlVenues         = `SELECT ` + venueColumns + ` FROM tracing.venues v
		LEFT JOIN private.venue_contacts c ON c.venue_id = v.id
		WHERE ($1 = '' OR v.ward_code = $1) AND ($2 = '' OR v.enterprise = $2)
		  AND (NOT $3 OR v.enterprise IS NULL) AND ($4 OR v.revoked_at IS NULL)
		ORDER BY v.id`
)

// RegisterVenue implements tracing.Store.
func (s *Store) RegisterVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Venue{}, err
	}
	if a.Enterprise != "" && v.Enterprise == "" {
		v.Enterprise = a.Enterprise
	}
	if !a.ChangesVenue(v) {
		return tracing.Venue{}, forbidden("register a venue")
	}
	v.RegisteredBy, v.TokenGeneration, v.Created, v.Revoked = principalUser(ctx), 1, s.clock.Now().UTC(), time.Time{}
	if err := v.Validate(); err != nil {
		return tracing.Venue{}, err
	}
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlInsertVenue, v.ID, v.Name, v.Category, v.Address, v.Ward,
			v.Location.Lon(), v.Location.Lat(), minutes(v.DefaultStay), v.Enterprise, v.RegisteredBy,
			v.TokenGeneration, v.Created); err != nil {
			if isUnique(err) {
				return &tracing.FieldError{Field: "id", Reason: "a venue with this id exists"}
			}
			return fmt.Errorf("postgis: register venue: %w", err)
		}
		if err := s.putContact(ctx, tx, v); err != nil {
			return err
		}
		return s.logChange(ctx, tx, func() (audit.Entry, error) {
			return tracing.VenueEntry(ctx, tracing.ActionVenueRegister, nil, v, s.signer)
		})
	})
	if err != nil {
		return tracing.Venue{}, err
	}
	return v, nil
}

func (s *Store) putContact(ctx context.Context, tx pgx.Tx, v tracing.Venue) error {
	if _, err := tx.Exec(ctx, sqlUpsertContact, v.ID, v.Contact, v.ContactPhone); err != nil {
		return fmt.Errorf("postgis: venue contact: %w", err)
	}
	return nil
}

// change runs fn on the venue, locked, when the principal may change it.
func (s *Store) change(ctx context.Context, action string, id tracing.VenueID, fn func(tx pgx.Tx, v tracing.Venue) error) (tracing.Venue, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Venue{}, err
	}
	if !a.All && a.Enterprise == "" {
		return tracing.Venue{}, forbidden("change venue " + string(id))
	}
	var out tracing.Venue
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		v, err := scanVenue(tx.QueryRow(ctx, sqlVenueForUpdate, id))
		if err != nil {
			return err
		}
		if !a.ChangesVenue(v) {
			return forbidden("change venue " + string(id))
		}
		if !v.Active() {
			return tracing.ErrVenueRevoked
		}
		if err := fn(tx, v); err != nil {
			return err
		}
		if out, err = scanVenue(tx.QueryRow(ctx, sqlVenue, id)); err != nil {
			return err
		}
		return s.logChange(ctx, tx, func() (audit.Entry, error) {
			return tracing.VenueEntry(ctx, action, &v, out, s.signer)
		})
	})
	return out, err
}

// UpdateVenue implements tracing.Store.
func (s *Store) UpdateVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueUpdate, v.ID, func(tx pgx.Tx, old tracing.Venue) error {
		v.Enterprise, v.RegisteredBy, v.TokenGeneration, v.Created, v.Revoked = old.Enterprise, old.RegisteredBy, old.TokenGeneration, old.Created, old.Revoked
		if err := v.Validate(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlUpdateVenue, v.ID, v.Name, v.Category, v.Address, v.Ward,
			v.Location.Lon(), v.Location.Lat(), minutes(v.DefaultStay)); err != nil {
			return fmt.Errorf("postgis: update venue: %w", err)
		}
		return s.putContact(ctx, tx, v)
	})
}

// RevokeVenue implements tracing.Store.
func (s *Store) RevokeVenue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueRevoke, id, func(tx pgx.Tx, _ tracing.Venue) error {
		if _, err := tx.Exec(ctx, sqlRevokeVenue, id, s.clock.Now().UTC()); err != nil {
			return fmt.Errorf("postgis: revoke venue: %w", err)
		}
		return nil
	})
}

// RenewVenueTokens implements tracing.Store.
func (s *Store) RenewVenueTokens(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueRenew, id, func(tx pgx.Tx, _ tracing.Venue) error {
		if _, err := tx.Exec(ctx, sqlRenewTokens, id); err != nil {
			return fmt.Errorf("postgis: renew venue tokens: %w", err)
		}
		return nil
	})
}

// Venue implements tracing.Store.
func (s *Store) Venue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	a, err := access(ctx)
	if err != nil {
		return tracing.Venue{}, err
	}
	var v tracing.Venue
	err = s.scopedRow(ctx, a, func(r pgx.Row) error {
		v, err = scanVenue(r)
		return err
	}, sqlVenue, id)
	return v, err
}

// Venues implements tracing.Store.
func (s *Store) Venues(ctx context.Context, q tracing.VenueQuery) ([]tracing.Venue, error) {
	a, err := access(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Venue
	err = s.scoped(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlVenues, q.Ward, q.Enterprise, q.EditorsOnly, q.WithRevoked)
		if err != nil {
			return fmt.Errorf("postgis: venues: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracing.Venue, error) { return scanVenue(r) })
		return err
	})
	return out, err
}

func scanVenue(r pgx.Row) (tracing.Venue, error) {
	var v tracing.Venue
	var lon, lat float64
	var stay int
	var revoked *time.Time
	err := r.Scan(&v.ID, &v.Name, &v.Category, &v.Address, &v.Ward, &lon, &lat, &stay, &v.Enterprise,
		&v.RegisteredBy, &v.TokenGeneration, &v.Created, &revoked, &v.Contact, &v.ContactPhone)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, tracing.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("postgis: read venue: %w", err)
	}
	v.Location, v.DefaultStay, v.Created = orb.Point{lon, lat}, time.Duration(stay)*time.Minute, v.Created.UTC()
	if revoked != nil {
		v.Revoked = revoked.UTC()
	}
	return v, nil
}
