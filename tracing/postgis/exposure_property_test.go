package postgis_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
	"github.com/bandomap/bando/tracing/postgis"
)

// namedRunner is one implementation of a run, named in failures.
type namedRunner struct {
	name string
	exposure.Runner
}

// ruleVariants are the rules the seeds cycle through: the defaults at
// each depth and the settings that change a rule's tier or reach.
var ruleVariants = []exposure.Rules{
	{Depth: 1},
	{Depth: 2},
	{Depth: 3},
	{Depth: 2, NoShortOverlap: true, AerosolTail: -1},
	{Depth: 3, RideTier: exposure.Epi, TraceTier: exposure.F1, HouseTier: exposure.F1},
	{Depth: 2, LargeVenues: []tracing.Category{}, MinOverlap: 30 * time.Minute, TraceMinDuration: 10 * time.Minute,
		TraceDistanceM: 40, TraceSkew: 3 * time.Minute, TraceTier: exposure.F1},
	{Depth: 4, LineTier: exposure.Epi, RoomTier: exposure.Epi, TraceTier: exposure.F1, NotifyDelay: time.Hour},
}

// TestExposureAgreement writes random worlds into a fresh PostGIS
// database and runs the same F0s through Naive (on the world itself),
// the SQL reference (on the database) and the engine (loaded from the
// database by LoadInto): the results must be equal after SortResult.
func TestExposureAgreement(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	pool := fs.Pool()
	store := postgis.New(pool, tracing.Options{})
	ref := postgis.NewExposureReference(pool)
	stats := map[string]int{}
	for seed := int64(1); seed <= 60; seed++ {
		w := exposuretest.RandomWorld(seed, 30)
		f0s := exposuretest.RandomF0s(seed, w, 1+int(seed%4))
		rules := ruleVariants[int(seed)%len(ruleVariants)]
		writeWorld(t, pool, w)
		runners := []namedRunner{{"naive", exposure.NaiveRunner{World: w}}, {"sql", ref}}
		runners = append(runners, loadedRunners(t, store)...)
		res := agree(ctx, t, fmt.Sprintf("seed %d", seed), rules, f0s, runners)
		for _, c := range res.Contacts {
			stats[string(c.Tier)]++
			for _, r := range c.Reasons() {
				stats[string(r.Kind)]++
			}
		}
		stats["links"] += len(res.Links)
	}
	t.Logf("contacts and reasons over the seeds: %v", stats)
}

// loadedRunners are the runners fed by the store's LoadInto: Naive over
// the world LoadInto rebuilds (the load's round trip) and the engine
// (exposure_engine_test.go).
func loadedRunners(t *testing.T, store *postgis.Store) []namedRunner {
	t.Helper()
	loaded := &exposure.World{}
	if err := store.LoadInto(context.Background(), loaded); err != nil {
		t.Fatalf("LoadInto: %v", err)
	}
	return append([]namedRunner{{"naive over LoadInto", exposure.NaiveRunner{World: loaded}}}, engineRunners(t, store)...)
}

// agree runs the F0s through every runner and fails on the first that
// disagrees with the first runner, naming both and the first difference.
// It returns the first runner's result.
func agree(ctx context.Context, t *testing.T, name string, rules exposure.Rules, f0s []exposure.F0, runners []namedRunner) exposure.Result {
	t.Helper()
	want, wantErr := runners[0].Run(ctx, rules, f0s...)
	roundClosest(&want)
	for _, r := range runners[1:] {
		got, err := r.Run(ctx, rules, f0s...)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%s: %s says error %v, %s says %v", name, runners[0].name, wantErr, r.name, err)
		}
		if err != nil {
			continue
		}
		roundClosest(&got)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s (rules %+v): %s and %s disagree: %s", name, rules, runners[0].name, r.name, firstDifference(want, got))
		}
	}
	return want
}

// roundClosest materializes the result's reasons (so that results
// compare with reflect.DeepEqual) and rounds ClosestM to the micrometre:
// PostGIS's sphere distance and Go's haversine agree to far better than
// that, not to the last bit.
func roundClosest(res *exposure.Result) {
	res.Materialize()
	for i := range res.Contacts {
		for _, r := range res.Contacts[i].Reasons() {
			if p := r.Proximity; p != nil {
				p.ClosestM = math.Round(p.ClosestM*1e6) / 1e6
			}
		}
	}
	for i := range res.Links {
		if p := res.Links[i].Reason.Proximity; p != nil {
			p.ClosestM = math.Round(p.ClosestM*1e6) / 1e6
		}
	}
}

// firstDifference describes where two results first differ: the first
// contact (or link, cluster, F0 list) that is not the same, both sides.
func firstDifference(a, b exposure.Result) string {
	for i := 0; i < max(len(a.Contacts), len(b.Contacts)); i++ {
		ca, cb := "none", "none"
		if i < len(a.Contacts) {
			ca = describeContact(a.Contacts[i])
		}
		if i < len(b.Contacts) {
			cb = describeContact(b.Contacts[i])
		}
		if ca != cb || (i < len(a.Contacts) && i < len(b.Contacts) && !reflect.DeepEqual(a.Contacts[i], b.Contacts[i])) {
			return fmt.Sprintf("contact %d:\nfirst:  %s\nsecond: %s", i, ca, cb)
		}
	}
	switch {
	case !reflect.DeepEqual(a.Links, b.Links):
		return fmt.Sprintf("links:\nfirst:  %s\nsecond: %s", describeLinks(a.Links), describeLinks(b.Links))
	case !reflect.DeepEqual(a.Clusters, b.Clusters):
		return fmt.Sprintf("clusters:\nfirst:  %+v\nsecond: %+v", a.Clusters, b.Clusters)
	}
	return fmt.Sprintf("F0s:\nfirst:  %+v\nsecond: %+v", a.F0s, b.F0s)
}

func short(k tracing.PersonKey) string { return hex.EncodeToString(k[:4]) }

func describeContact(c exposure.Contact) string {
	var vias []string
	for _, v := range c.Via {
		vias = append(vias, short(v))
	}
	out := fmt.Sprintf("%s %s level %d via %v exposure %s–%s quarantine %s monitor %s",
		short(c.Person), c.Tier, c.Level, vias, c.FirstExposure.Format(time.RFC3339), c.LastExposure.Format(time.RFC3339),
		c.QuarantineEnd.Format(time.RFC3339), c.MonitorEnd.Format(time.RFC3339))
	for _, r := range c.Reasons() {
		out += "\n\t" + describeReason(r)
	}
	return out
}

func describeReason(r exposure.Reason) string {
	var ev any
	switch {
	case r.Venue != nil:
		ev = *r.Venue
	case r.Ride != nil:
		ev = *r.Ride
	case r.Residence != nil:
		ev = *r.Residence
	case r.Line != nil:
		ev = *r.Line
	case r.Proximity != nil:
		ev = *r.Proximity
	}
	return fmt.Sprintf("%s %s via %s (%s) %s–%s %+v", r.Kind, r.Tier, short(r.Via), r.ViaLabel,
		r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339), ev)
}

func describeLinks(ls []exposure.Link) string {
	var out string
	for _, l := range ls {
		out += "\n\tto " + short(l.F0) + ": " + describeReason(l.Reason)
	}
	return out
}
