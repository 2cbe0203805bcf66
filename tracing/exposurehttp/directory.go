package exposurehttp

import (
	"context"
	"errors"
	"time"

	"github.com/bandomap/bando/tracing"
)

// Private is what the private side knows of a person.
type Private struct {
	Name, Phone, IDNumber string
}

// Directory reads the private side of tracing for officials: persons'
// names and numbers, and their homes (StoreDirectory).
type Directory interface {
	// Private returns the person's details; the zero Private when none
	// are known.
	Private(ctx context.Context, k tracing.PersonKey) (Private, error)
	// Home returns where the person lived on a day (midnight UTC of its
	// date) by the rosters; ok is false when unknown.
	Home(ctx context.Context, k tracing.PersonKey, day time.Time) (Home, bool, error)
}

// StoreDirectory is the Directory of the tracing stores: the persons met
// at check-ins (tracing.Store.Person), then the rosters' workers
// (WorkerPrivate of the period naming the person).
type StoreDirectory struct {
	Store   tracing.Store
	Rosters tracing.Rosters // nil: no rosters
	// Since bounds the roster periods searched for a worker's details.
	Since time.Duration
	// Clock places that bound; nil: the wall clock.
	Clock tracing.Clock
}

var _ Directory = StoreDirectory{}

// Private implements Directory.
func (d StoreDirectory) Private(ctx context.Context, k tracing.PersonKey) (Private, error) {
	p, err := d.Store.Person(ctx, k)
	switch {
	case err == nil && p.Name != "":
		return Private{Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber}, nil
	case err != nil && !errors.Is(err, tracing.ErrNotFound):
		return Private{}, err
	}
	out := Private{Phone: p.Phone, IDNumber: p.IDNumber}
	w, ok, err := d.worker(ctx, k)
	if err != nil || !ok {
		return out, err
	}
	out.Name = w.Name
	if out.Phone == "" {
		out.Phone = w.Phone
	}
	if out.IDNumber == "" {
		out.IDNumber = w.IDNumber
	}
	return out, nil
}

// worker returns the private details of the person's latest roster
// period.
func (d StoreDirectory) worker(ctx context.Context, k tracing.PersonKey) (tracing.WorkerPrivate, bool, error) {
	if d.Rosters == nil {
		return tracing.WorkerPrivate{}, false, nil
	}
	since := d.Since
	if since <= 0 {
		since = 366 * 24 * time.Hour
	}
	now := time.Now()
	if d.Clock != nil {
		now = d.Clock.Now()
	}
	ps, err := d.Rosters.PeriodsOf(ctx, k, now.Add(-since), now.Add(48*time.Hour))
	if err != nil || len(ps) == 0 {
		return tracing.WorkerPrivate{}, false, err
	}
	last := ps[len(ps)-1]
	history, err := d.Rosters.WorkerHistory(ctx, last.Enterprise, last.Employee)
	if errors.Is(err, tracing.ErrNotFound) {
		return tracing.WorkerPrivate{}, false, nil
	} else if err != nil {
		return tracing.WorkerPrivate{}, false, err
	}
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].HasPerson(k) && history[i].Private.Name != "" {
			return history[i].Private, true, nil
		}
	}
	return tracing.WorkerPrivate{}, false, nil
}

// Home implements Directory: the residence of a roster period covering
// the day, with a point.
func (d StoreDirectory) Home(ctx context.Context, k tracing.PersonKey, day time.Time) (Home, bool, error) {
	if d.Rosters == nil {
		return Home{}, false, nil
	}
	ps, err := d.Rosters.PeriodsOf(ctx, k, day, day.AddDate(0, 0, 1))
	if err != nil {
		return Home{}, false, err
	}
	for _, p := range ps {
		if p.Covers(day) && p.Residence.Location != ([2]float64{}) {
			return Home{Person: k, Point: p.Residence.Location, Ward: p.Residence.Ward}, true, nil
		}
	}
	return Home{}, false, nil
}
