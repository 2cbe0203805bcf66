// Package exposurefeed keeps the exposure engine live: decorators over the
// tracing stores the HTTP handlers write through (tracing.Store, Rosters,
// Movements) forward each successful write to an exposure.Sink, so that a
// check-in recorded a second ago is in the next run.
//
// A write the store refused is not forwarded; a forwarded event is an
// upsert, so a write replayed by the periodic catch-up changes nothing.
// Writes that the decorators cannot see (CLI imports, other instances)
// reach the engine by that catch-up (BANDO_TRACE_REFRESH), not here.
package exposurefeed

import (
	"context"
	"log/slog"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// Options are what the decorators share.
type Options struct {
	// Logger receives the re-reads that failed (the write itself
	// succeeded; the catch-up repairs the engine); nil: slog.Default().
	Logger *slog.Logger
}

// feed is the sink with what the decorators need beside it.
type feed struct {
	sink exposure.Sink
	log  *slog.Logger
}

func newFeed(sink exposure.Sink, o Options) feed {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return feed{sink: sink, log: o.Logger}
}

// Reader is the principal of the decorators' own re-reads (a batch's
// visits, an import's periods): the server reading what it has just
// written, on behalf of the engine, never answered to a client.
func Reader() auth.Principal {
	return auth.Principal{User: "system:exposure-feed", Role: auth.Tracer, Via: "internal"}
}

// readContext is ctx with the feed's own principal and without ctx's
// cancellation, so that a client leaving after its write was committed
// does not stop the engine from seeing it.
func readContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = auth.WithPrincipal(context.WithoutCancel(ctx), Reader())
	return context.WithTimeout(ctx, reReadTimeout)
}

// reReadTimeout bounds a re-read after a write.
const reReadTimeout = 30 * time.Second

// VenueInfo is what the engine keeps of a venue.
func VenueInfo(v tracing.Venue) exposure.VenueInfo {
	return exposure.VenueInfo{ID: v.ID, Name: v.Name, Category: v.Category, Ward: v.Ward, Point: v.Location}
}
