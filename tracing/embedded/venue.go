package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/tracing"
	bolt "go.etcd.io/bbolt"
)

// RegisterVenue implements tracing.Store.
func (s *Store) RegisterVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	a, err := tracing.AccessFrom(ctx)
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		if bucket(tx, bucketVenues).Get([]byte(v.ID)) != nil {
			return &tracing.FieldError{Field: "id", Reason: "a venue with this id exists"}
		}
		if err := putVenue(tx, v); err != nil {
			return err
		}
		return s.logChange(tx, func() (audit.Entry, error) {
			return tracing.VenueEntry(ctx, tracing.ActionVenueRegister, nil, v, s.signer)
		})
	})
	return v, err
}

// putVenue keeps the venue, its contact apart in the private bucket.
func putVenue(tx *bolt.Tx, v tracing.Venue) error {
	if err := putJSON(bucket(tx, bucketContacts), []byte(v.ID), contact{v.Contact, v.ContactPhone}); err != nil {
		return err
	}
	v.Contact, v.ContactPhone = "", ""
	return putJSON(bucket(tx, bucketVenues), []byte(v.ID), v)
}

// contact is a venue's private contact.
type contact struct {
	Name  string
	Phone string
}

// getVenue returns the stored venue, whoever asks.
func getVenue(tx *bolt.Tx, id tracing.VenueID) (tracing.Venue, error) {
	b := bucket(tx, bucketVenues).Get([]byte(id))
	if b == nil {
		return tracing.Venue{}, tracing.ErrNotFound
	}
	var v tracing.Venue
	var c contact
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("embedded: decode venue %s: %w", id, err)
	}
	if err := json.Unmarshal(bucket(tx, bucketContacts).Get([]byte(id)), &c); err != nil {
		return v, fmt.Errorf("embedded: decode venue contact %s: %w", id, err)
	}
	v.Contact, v.ContactPhone = c.Name, c.Phone
	return v, nil
}

// seenVenue returns the venue if a sees it (ErrNotFound otherwise, as
// row-level security answers), its contact blank for a venue token.
func seenVenue(tx *bolt.Tx, a tracing.Access, id tracing.VenueID) (tracing.Venue, error) {
	v, err := getVenue(tx, id)
	if err != nil {
		return v, err
	}
	if !a.SeesVenue(v) {
		return tracing.Venue{}, tracing.ErrNotFound
	}
	if !a.ChangesVenue(v) {
		v.Contact, v.ContactPhone = "", ""
	}
	return v, nil
}

func (s *Store) change(ctx context.Context, action string, id tracing.VenueID, fn func(v tracing.Venue) (tracing.Venue, error)) (tracing.Venue, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.Venue{}, err
	}
	var out tracing.Venue
	err = s.db.Update(func(tx *bolt.Tx) error {
		v, err := seenVenue(tx, a, id)
		if err != nil {
			return err
		}
		if !a.ChangesVenue(v) {
			return forbidden("change venue " + string(id))
		}
		if !v.Active() {
			return tracing.ErrVenueRevoked
		}
		if out, err = fn(v); err != nil {
			return err
		}
		if err := putVenue(tx, out); err != nil {
			return err
		}
		return s.logChange(tx, func() (audit.Entry, error) {
			return tracing.VenueEntry(ctx, action, &v, out, s.signer)
		})
	})
	return out, err
}

// UpdateVenue implements tracing.Store.
func (s *Store) UpdateVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueUpdate, v.ID, func(old tracing.Venue) (tracing.Venue, error) {
		v.Enterprise, v.RegisteredBy, v.TokenGeneration, v.Created, v.Revoked = old.Enterprise, old.RegisteredBy, old.TokenGeneration, old.Created, old.Revoked
		return v, v.Validate()
	})
}

// RevokeVenue implements tracing.Store.
func (s *Store) RevokeVenue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueRevoke, id, func(v tracing.Venue) (tracing.Venue, error) {
		v.Revoked = s.clock.Now().UTC()
		return v, nil
	})
}

// RenewVenueTokens implements tracing.Store.
func (s *Store) RenewVenueTokens(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	return s.change(ctx, tracing.ActionVenueRenew, id, func(v tracing.Venue) (tracing.Venue, error) {
		v.TokenGeneration++
		return v, nil
	})
}

// Venue implements tracing.Store.
func (s *Store) Venue(ctx context.Context, id tracing.VenueID) (tracing.Venue, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return tracing.Venue{}, err
	}
	var v tracing.Venue
	err = s.db.View(func(tx *bolt.Tx) error {
		v, err = seenVenue(tx, a, id)
		return err
	})
	return v, err
}

// Venues implements tracing.Store.
func (s *Store) Venues(ctx context.Context, q tracing.VenueQuery) ([]tracing.Venue, error) {
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return nil, err
	}
	var out []tracing.Venue
	err = s.db.View(func(tx *bolt.Tx) error {
		out, err = listVenues(tx, a, q)
		return err
	})
	return out, err
}

// listVenues returns the venues a sees that match q, by id (the bucket's
// order).
func listVenues(tx *bolt.Tx, a tracing.Access, q tracing.VenueQuery) ([]tracing.Venue, error) {
	var out []tracing.Venue
	err := bucket(tx, bucketVenues).ForEach(func(k, _ []byte) error {
		v, err := seenVenue(tx, a, tracing.VenueID(k))
		if errors.Is(err, tracing.ErrNotFound) || (err == nil && !matches(q, v)) {
			return nil
		}
		out = append(out, v)
		return err
	})
	return out, err
}

func matches(q tracing.VenueQuery, v tracing.Venue) bool {
	return (q.Ward == "" || q.Ward == v.Ward) && (q.Enterprise == "" || q.Enterprise == v.Enterprise) &&
		(!q.EditorsOnly || v.Enterprise == "") && (q.WithRevoked || v.Active())
}
