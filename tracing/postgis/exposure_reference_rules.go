package postgis

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/jackc/pgx/v5"
)

// reasons runs the five rules' statements for the sources, in one round
// trip, and returns every reason found (both tiers).
func (q refQuery) reasons(ctx context.Context, sources []refSource) ([]refFound, error) {
	if len(sources) == 0 {
		return nil, nil
	}
	r := q.rules
	keys := make([][]byte, len(sources))
	froms, tos := make([]time.Time, len(sources)), make([]time.Time, len(sources))
	bySource := make(map[tracing.PersonKey]refSource, len(sources))
	minFrom, maxTo := sources[0].from, sources[0].to
	for i, s := range sources {
		keys[i], froms[i], tos[i] = keyBytes(s.person), s.from, s.to
		bySource[s.person] = s
		if s.from.Before(minFrom) {
			minFrom = s.from
		}
		if s.to.After(maxTo) {
			maxTo = s.to
		}
	}
	large := make([]string, len(r.LargeVenues))
	for i, c := range r.LargeVenues {
		large[i] = string(c)
	}
	var out []refFound
	add := func(src []byte, to []byte, reason exposure.Reason) {
		s := bySource[toKey(src)]
		reason.Via, reason.ViaLabel = s.person, s.label
		out = append(out, refFound{to: toKey(to), r: reason})
	}
	b := &pgx.Batch{}
	b.Queue(sqlRefVenue, keys, froms, tos, interval(r.AerosolTail), interval(r.MinOverlap), r.NoShortOverlap, large,
		interval(tracing.MaxStay)).Query(func(rows pgx.Rows) error { return q.scanVenues(rows, add) })
	b.Queue(sqlRefRide, keys, froms, tos, interval(r.MorningDeparture), interval(r.EveningDeparture)).
		Query(func(rows pgx.Rows) error { return q.scanRides(rows, add) })
	b.Queue(sqlRefResidence, keys, froms, tos).Query(func(rows pgx.Rows) error { return q.scanResidences(rows, add) })
	b.Queue(sqlRefLine, keys, froms, tos).Query(func(rows pgx.Rows) error { return q.scanLines(rows, add) })
	b.Queue(sqlRefProximity, keys, froms, tos, interval(r.TraceSkew), r.TraceDistanceM, interval(r.TraceStep),
		interval(r.TraceMinDuration), minFrom, maxTo, traceCell(r.TraceDistanceM)).
		Query(func(rows pgx.Rows) error { return q.scanProximity(rows, add) })
	if err := q.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("postgis: reference rules: %w", err)
	}
	return out, nil
}

// traceCell is the proximity rule's grid cell, in degrees: twice the
// distance as degrees of latitude on the engine's sphere.
func traceCell(distanceM float64) float64 {
	return 2 * distanceM / (exposure.EarthRadiusM * math.Pi / 180)
}

type addFunc func(src, to []byte, r exposure.Reason)

func tierIf(close bool) exposure.Tier {
	if close {
		return exposure.F1
	}
	return exposure.Epi
}

func (q refQuery) scanVenues(rows pgx.Rows, add addFunc) error {
	var src, to []byte
	var ev exposure.VenueEvidence
	var start, end time.Time
	var close bool
	_, err := pgx.ForEachRow(rows, []any{&src, &to, &ev.Venue, &ev.Category, &ev.ViaVisit, &ev.Visit, &start, &end, &close}, func() error {
		e := ev
		e.Overlap = end.Sub(start)
		add(src, to, exposure.Reason{Kind: exposure.VenueOverlap, Tier: tierIf(close), Start: start.UTC(), End: end.UTC(), Venue: &e})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: reference venue rule: %w", err)
	}
	return nil
}

func (q refQuery) scanRides(rows pgx.Rows, add addFunc) error {
	var src, to []byte
	var ev exposure.RideEvidence
	_, err := pgx.ForEachRow(rows, []any{&src, &to, &ev.Enterprise, &ev.Bus, &ev.Date, &ev.Trip, &ev.Departure, &ev.ViaSeat, &ev.Seat}, func() error {
		e := ev
		e.Date, e.Departure = e.Date.UTC(), e.Departure.UTC()
		add(src, to, exposure.Reason{Kind: exposure.SameRide, Tier: q.rules.RideTier, Start: e.Departure,
			End: e.Departure.Add(q.rules.RideDuration), Ride: &e})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: reference ride rule: %w", err)
	}
	return nil
}

func (q refQuery) scanResidences(rows pgx.Rows, add addFunc) error {
	var src, to []byte
	var kind exposure.ReasonKind
	var ev exposure.ResidenceEvidence
	var start, end time.Time
	_, err := pgx.ForEachRow(rows, []any{&src, &to, &kind, &ev.Ward, &ev.BoardingHouse, &ev.Address, &ev.ViaRoom, &ev.Room,
		&ev.Days, &start, &end}, func() error {
		e := ev
		tier := q.rules.RoomTier
		if kind == exposure.SameHouse {
			tier = q.rules.HouseTier
		}
		add(src, to, exposure.Reason{Kind: kind, Tier: tier, Start: start.UTC(), End: end.UTC(), Residence: &e})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: reference residence rule: %w", err)
	}
	return nil
}

func (q refQuery) scanLines(rows pgx.Rows, add addFunc) error {
	var src, to []byte
	var ev exposure.LineEvidence
	var start, end time.Time
	_, err := pgx.ForEachRow(rows, []any{&src, &to, &ev.Enterprise, &ev.Site, &ev.Line, &ev.Shift, &ev.Days, &start, &end}, func() error {
		e := ev
		add(src, to, exposure.Reason{Kind: exposure.SameLine, Tier: q.rules.LineTier, Start: start.UTC(), End: end.UTC(), Line: &e})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: reference line rule: %w", err)
	}
	return nil
}

func (q refQuery) scanProximity(rows pgx.Rows, add addFunc) error {
	var src, to []byte
	var ev exposure.ProximityEvidence
	var first, last time.Time
	step := q.rules.TraceStep
	_, err := pgx.ForEachRow(rows, []any{&src, &to, &ev.Points, &first, &last, &ev.ClosestM}, func() error {
		e := ev
		e.Minutes = int(time.Duration(e.Points) * step / time.Minute)
		add(src, to, exposure.Reason{Kind: exposure.Proximity, Tier: q.rules.TraceTier, Start: first.UTC(), End: last.Add(step).UTC(),
			Proximity: &e})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgis: reference proximity rule: %w", err)
	}
	return nil
}

// refClusters unions the F0s linked to one another or sharing a level-1
// contact and counts each component's contacts (DESIGN-13 "Clusters").
func refClusters(res exposure.Result, depth int) []exposure.Cluster {
	var f0s []tracing.PersonKey
	for _, f := range res.F0s {
		f0s = append(f0s, f.Person)
	}
	slices.SortFunc(f0s, func(a, b tracing.PersonKey) int { return bytes.Compare(a[:], b[:]) })
	root := map[tracing.PersonKey]tracing.PersonKey{}
	for _, f := range f0s {
		root[f] = f
	}
	var find func(tracing.PersonKey) tracing.PersonKey
	find = func(k tracing.PersonKey) tracing.PersonKey {
		if root[k] != k {
			root[k] = find(root[k])
		}
		return root[k]
	}
	union := func(a, b tracing.PersonKey) {
		ra, rb := find(a), find(b)
		if bytes.Compare(ra[:], rb[:]) > 0 {
			ra, rb = rb, ra
		}
		root[rb] = ra
	}
	for _, l := range res.Links {
		union(l.F0, l.Reason.Via)
	}
	for _, c := range res.Contacts {
		for i := 1; c.Level == 1 && i < len(c.Via); i++ {
			union(c.Via[0], c.Via[i])
		}
	}
	var out []exposure.Cluster
	for _, f := range f0s {
		if find(f) != f {
			continue
		}
		cl := exposure.Cluster{ID: len(out) + 1}
		for _, g := range f0s {
			if find(g) == f {
				cl.F0s = append(cl.F0s, g)
			}
		}
		countCluster(&cl, res.Contacts, depth)
		out = append(out, cl)
	}
	return out
}

// countCluster counts the cluster's F1, deeper and Epi contacts and lists
// its venues and enterprises.
func countCluster(cl *exposure.Cluster, contacts []exposure.Contact, depth int) {
	inCluster := map[tracing.PersonKey]bool{}
	for _, f := range cl.F0s {
		inCluster[f] = true
	}
	via := func(c exposure.Contact, set map[tracing.PersonKey]bool) bool {
		return slices.ContainsFunc(c.Via, func(v tracing.PersonKey) bool { return set[v] })
	}
	above := inCluster
	for level := 1; level <= depth; level++ {
		here := map[tracing.PersonKey]bool{}
		for _, c := range contacts {
			if c.Level == level && via(c, above) {
				here[c.Person] = true
			}
		}
		if level == 1 {
			cl.F1 = len(here)
		} else {
			cl.F2 += len(here)
		}
		above = here
	}
	venues, enterprises := map[tracing.VenueID]bool{}, map[string]bool{}
	for _, c := range contacts {
		if c.Level == 0 && via(c, inCluster) {
			cl.Epi++
		}
		for _, r := range c.Reasons() {
			if !inCluster[r.Via] {
				continue
			}
			if r.Venue != nil && r.Tier == exposure.F1 {
				venues[r.Venue.Venue] = true
			}
			if r.Ride != nil {
				enterprises[r.Ride.Enterprise] = true
			}
			if r.Line != nil {
				enterprises[r.Line.Enterprise] = true
			}
		}
	}
	for v := range venues {
		cl.Venues = append(cl.Venues, v)
	}
	for e := range enterprises {
		cl.Enterprises = append(cl.Enterprises, e)
	}
}
