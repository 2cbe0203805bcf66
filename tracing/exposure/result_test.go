package exposure_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposure/exposuretest"
)

// TestResultKeepsItsAnswer: a run's reasons, materialized after data has
// arrived (venues described anew, visits moved and added, rides reseated
// and added, rosters changed, a compaction, a purge, further runs), are
// those it had when it returned: the result keeps what it needs, not the engine's indices.
func TestResultKeepsItsAnswer(t *testing.T) {
	reasons, changed := 0, 0
	for seed := int64(1); seed <= 60; seed++ {
		w := exposuretest.RandomWorld(seed, 30)
		f0s := exposuretest.RandomF0s(seed, w, 1+int(seed%3))
		e := exposure.New(exposure.Options{})
		exposure.CompactAlways(e)
		if err := w.LoadInto(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		rules := exposure.Rules{Depth: 2}
		res, err := e.Run(context.Background(), rules, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		before := materialized(res)
		for _, c := range before.Contacts {
			reasons += c.NumReasons()
		}

		for _, v := range w.VenueList {
			v.Category = tracing.Category("changed-" + string(v.Category))
			e.Venues(v)
		}
		var visits []tracing.Visit
		for i, v := range w.VisitList {
			v.Start, v.End = v.Start.Add(time.Duration(i%7)*time.Minute), v.End.Add(time.Hour)
			visits = append(visits, v)
			n := v
			n.ID += 1_000_000
			visits = append(visits, n)
		}
		e.Visits(visits...)
		var rides []tracing.Ride
		for _, r := range w.RideList {
			r.Seat += "-moved"
			rides = append(rides, r)
			n := r
			n.Bus += "-other"
			rides = append(rides, n)
		}
		e.Rides(rides...)
		var periods []tracing.Period
		for _, p := range w.PeriodList {
			p.Residence.Room += "-moved"
			p.Workplace.Line += "-moved"
			periods = append(periods, p)
		}
		e.Periods(periods...)
		now, err := e.Run(context.Background(), rules, f0s...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, materialized(now)) {
			changed++ // the new data change the answer of a new run
		}
		if len(w.VisitList) > 0 {
			e.Forget(w.VisitList[len(w.VisitList)/2].Start)
		}
		if _, err := e.Run(context.Background(), rules, f0s...); err != nil {
			t.Fatal(err)
		}

		if after := materialized(res); !reflect.DeepEqual(before, after) {
			t.Fatalf("seed %d: the result changed with the data: %s", seed, diffResults(before, after))
		}
	}
	if reasons < 500 || changed < 30 {
		t.Errorf("only %d reasons over every seed, %d seeds whose data changed a new run's answer: too few to test anything", reasons, changed)
	}
}

// TestReasonsForms: a run's contact gives the same reasons by Reasons,
// AppendReasons and after Materialize, NumReasons counts them, ViaLabels
// are its reasons' labels, and a caller changing what it was given
// changes nothing of the result.
func TestReasonsForms(t *testing.T) {
	w := exposuretest.RandomWorld(7, 40)
	f0s := exposuretest.RandomF0s(7, w, 3)
	res, err := loaded(t, w).Run(context.Background(), exposure.Rules{Depth: 2}, f0s...)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contacts) == 0 {
		t.Fatal("no contacts")
	}
	var buf []exposure.Reason
	for i := range res.Contacts {
		c := &res.Contacts[i]
		rs := c.Reasons()
		if len(rs) != c.NumReasons() || len(rs) == 0 {
			t.Fatalf("contact %d: %d reasons, NumReasons %d", i, len(rs), c.NumReasons())
		}
		buf = c.AppendReasons(buf[:0])
		if !reflect.DeepEqual(rs, buf) {
			t.Fatalf("contact %d: AppendReasons differs from Reasons", i)
		}
		labels := map[tracing.PersonKey]string{}
		for _, r := range rs {
			labels[r.Via] = r.ViaLabel
		}
		for j, l := range c.ViaLabels() {
			if l != labels[c.Via[j]] {
				t.Fatalf("contact %d: via %d labelled %q, its reasons say %q", i, j, l, labels[c.Via[j]])
			}
		}
		for k := range rs {
			rs[k].ViaLabel = "changed"
			switch {
			case rs[k].Venue != nil:
				rs[k].Venue.Visit = -1
			case rs[k].Ride != nil:
				rs[k].Ride.Seat = "changed"
			case rs[k].Residence != nil:
				rs[k].Residence.Days = -1
			case rs[k].Line != nil:
				rs[k].Line.Days = -1
			case rs[k].Proximity != nil:
				rs[k].Proximity.Points = -1
			}
		}
		if !reflect.DeepEqual(c.Reasons(), buf) {
			t.Fatalf("contact %d: changing the reasons given changed the result", i)
		}
	}
	m := materialized(res)
	for i := range res.Contacts {
		if !reflect.DeepEqual(m.Contacts[i].Reasons(), res.Contacts[i].Reasons()) {
			t.Fatalf("contact %d: Materialize changed the reasons", i)
		}
	}
}
