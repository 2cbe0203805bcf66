package exposurefeed

import (
	"context"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// Rosters is a tracing.Rosters that forwards an import's periods to a
// sink once the store has applied it.
type Rosters struct {
	tracing.Rosters
	feed feed
}

var _ tracing.Rosters = (*Rosters)(nil)

// NewRosters returns r forwarding to sink.
func NewRosters(r tracing.Rosters, sink exposure.Sink, o Options) *Rosters {
	return &Rosters{Rosters: r, feed: newFeed(sink, o)}
}

// ImportRoster implements tracing.Rosters. An import opens periods on its
// day and closes others on it: the workers on the day before (as stored
// now, with the ValidTo the import gave them) and on the day itself hold
// every period it touched.
func (r *Rosters) ImportRoster(ctx context.Context, imp tracing.RosterImport) (tracing.RosterResult, error) {
	res, err := r.Rosters.ImportRoster(ctx, imp)
	if err != nil || res.Added+res.Changed+res.Left == 0 {
		return res, err
	}
	rctx, cancel := readContext(ctx)
	defer cancel()
	day := features.VietnamDay(imp.AsOf)
	for _, d := range []time.Time{day.AddDate(0, 0, -1), day} {
		entries, err := r.Rosters.WorkersAt(rctx, imp.Enterprise, d)
		if err != nil {
			r.feed.log.Warn("exposure feed: re-read a roster; the next refresh brings it", "enterprise", imp.Enterprise, "err", err)
			return res, nil
		}
		ps := make([]tracing.Period, len(entries))
		for i, e := range entries {
			ps[i] = e.Period
		}
		r.feed.sink.Periods(ps...)
	}
	return res, nil
}

// PurgeRosters implements tracing.Rosters.
func (r *Rosters) PurgeRosters(ctx context.Context, before time.Time) (int64, error) {
	n, err := r.Rosters.PurgeRosters(ctx, before)
	if err == nil {
		r.feed.sink.Forget(before)
	}
	return n, err
}
