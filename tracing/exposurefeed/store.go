package exposurefeed

import (
	"context"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// Store is a tracing.Store that forwards venues, check-ins, check-outs,
// batches and purges to a sink once the store has taken them.
type Store struct {
	tracing.Store
	feed feed
}

var _ tracing.Store = (*Store)(nil)

// NewStore returns s forwarding to sink.
func NewStore(s tracing.Store, sink exposure.Sink, o Options) *Store {
	return &Store{Store: s, feed: newFeed(sink, o)}
}

// RegisterVenue implements tracing.Store.
func (s *Store) RegisterVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	return s.venue(s.Store.RegisterVenue(ctx, v))
}

// UpdateVenue implements tracing.Store.
func (s *Store) UpdateVenue(ctx context.Context, v tracing.Venue) (tracing.Venue, error) {
	return s.venue(s.Store.UpdateVenue(ctx, v))
}

func (s *Store) venue(v tracing.Venue, err error) (tracing.Venue, error) {
	if err == nil {
		s.feed.sink.Venues(VenueInfo(v))
	}
	return v, err
}

// CheckIn implements tracing.Store.
func (s *Store) CheckIn(ctx context.Context, c tracing.CheckIn) (tracing.Visit, error) {
	return s.visit(s.Store.CheckIn(ctx, c))
}

// CheckOut implements tracing.Store.
func (s *Store) CheckOut(ctx context.Context, venue tracing.VenueID, person tracing.PersonKey, at time.Time) (tracing.Visit, error) {
	return s.visit(s.Store.CheckOut(ctx, venue, person, at))
}

func (s *Store) visit(v tracing.Visit, err error) (tracing.Visit, error) {
	if err == nil {
		s.feed.sink.Visits(v)
	}
	return v, err
}

// CheckInBatch implements tracing.Store: the engine is fed the visits
// recorded, as the store returns them (tracing.BatchRecorder), or else
// re-read per venue over the batch's time range (their ids are the
// store's). Re-reading cost a batch of 1,000 rows at 200 venues 200
// queries: most of its time.
func (s *Store) CheckInBatch(ctx context.Context, cs []tracing.CheckIn) (int, error) {
	if br, ok := s.Store.(tracing.BatchRecorder); ok {
		vs, err := br.RecordBatch(ctx, cs)
		if err == nil {
			s.feed.sink.Visits(vs...)
		}
		return len(vs), err
	}
	n, err := s.Store.CheckInBatch(ctx, cs)
	if err == nil && n > 0 {
		s.reread(ctx, spans(cs))
	}
	return n, err
}

// Purge implements tracing.Store.
func (s *Store) Purge(ctx context.Context, before time.Time) (tracing.PurgeResult, error) {
	r, err := s.Store.Purge(ctx, before)
	if err == nil {
		s.feed.sink.Forget(before)
	}
	return r, err
}

// span is the time range of a batch's check-ins at one venue: [from, to).
type span struct{ from, to time.Time }

// spanMargin widens a batch's span: stores keep times to the
// microsecond (PostgreSQL) and may round; reading a visit or two more is
// harmless, as the engine upserts.
const spanMargin = time.Second

// spans groups check-ins by venue.
func spans(cs []tracing.CheckIn) map[tracing.VenueID]span {
	out := map[tracing.VenueID]span{}
	for _, c := range cs {
		sp, ok := out[c.Venue]
		if from := c.At.Add(-spanMargin); !ok || from.Before(sp.from) {
			sp.from = from
		}
		if to := c.At.Add(spanMargin); !ok || to.After(sp.to) {
			sp.to = to
		}
		out[c.Venue] = sp
	}
	return out
}

// reread sends the visits that began in each venue's span.
func (s *Store) reread(ctx context.Context, venues map[tracing.VenueID]span) {
	ctx, cancel := readContext(ctx)
	defer cancel()
	for id, sp := range venues {
		vs, err := s.Store.VisitsAt(ctx, id, sp.from, sp.to)
		if err != nil {
			s.feed.log.Warn("exposure feed: re-read a batch's visits; the next refresh brings them", "venue", id, "err", err)
			continue
		}
		s.feed.sink.Visits(vs...)
	}
}

var _ tracing.PersonCheckIns = (*Store)(nil)

// CheckInPerson implements tracing.PersonCheckIns: in one transaction
// when the store can, else RememberPerson then CheckIn.
func (s *Store) CheckInPerson(ctx context.Context, p tracing.Person, c tracing.CheckIn) (tracing.Visit, error) {
	if pc, ok := s.Store.(tracing.PersonCheckIns); ok {
		return s.visit(pc.CheckInPerson(ctx, p, c))
	}
	if err := s.Store.RememberPerson(ctx, p); err != nil {
		return tracing.Visit{}, err
	}
	return s.CheckIn(ctx, c)
}

// RememberPersons keeps many persons' records, in one call when the
// store can (the batch upload's path), else one by one.
func (s *Store) RememberPersons(ctx context.Context, ps []tracing.Person) error {
	if pb, ok := s.Store.(interface {
		RememberPersons(ctx context.Context, ps []tracing.Person) error
	}); ok {
		return pb.RememberPersons(ctx, ps)
	}
	for _, p := range ps {
		if err := s.Store.RememberPerson(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
