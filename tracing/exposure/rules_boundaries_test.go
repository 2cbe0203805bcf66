package exposure_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// detail is a reason with its evidence's counts: overlap, days, points
// and minutes, which reasonText leaves out.
func detail(r exposure.Reason) string {
	s := reasonText(r)
	switch {
	case r.Venue != nil:
		s += fmt.Sprintf(" overlap %v", r.Venue.Overlap)
	case r.Residence != nil:
		s += fmt.Sprintf(" days %d", r.Residence.Days)
	case r.Line != nil:
		s += fmt.Sprintf(" days %d", r.Line.Days)
	case r.Proximity != nil:
		s += fmt.Sprintf(" points %d minutes %d", r.Proximity.Points, r.Proximity.Minutes)
	}
	return s
}

// details lists a result's contacts as "who tier [reason; …]" with detail.
func details(res exposure.Result) []string {
	var out []string
	for _, c := range res.Contacts {
		var rs []string
		for _, r := range c.Reasons() {
			rs = append(rs, detail(r))
		}
		out = append(out, fmt.Sprintf("%s %s [%s]", names[c.Person], c.Tier, strings.Join(rs, "; ")))
	}
	slices.Sort(out)
	return out
}

// TestRuleBoundaries runs each rule at the exact end of its range, where
// one instant, metre or point more or less changes the contacts: the
// engine must give the contacts listed, and Naive the same.
func TestRuleBoundaries(t *testing.T) {
	noTail := exposure.Rules{AerosolTail: -1}
	house := func(room string) tracing.Residence {
		return tracing.Residence{Ward: "W1", BoardingHouse: "H1", Room: room}
	}
	// f1 makes B an F1 of A (venue 1, 20 Aug 10:00–11:00).
	f1 := func() *builder {
		return newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0))
	}
	ride := func(b *builder, who, bus string, dep time.Time) *builder {
		b.w.Rides(tracing.Ride{Enterprise: "E1", Date: at(dep.Day(), 0, 0), Trip: tracing.Morning, Bus: bus, Person: key(who), Departure: dep, Seat: who})
		return b
	}
	// A 0.25/1800 degree of latitude (~15.4 m) apart: exact in float32.
	const dLat = 1.0 / 7200
	gap := exposure.HaversineM(106.5, 11, 106.5, 11+dLat)
	track := func(b *builder, who string, lat float64, times ...time.Time) *builder {
		for _, tm := range times {
			b.w.Traces(tracing.TracePoint{Person: key(who), Time: tm, Lon: 106.5, Lat: lat})
		}
		return b
	}
	two := []time.Time{at(20, 10, 0), at(20, 10, 10)}
	vnMidnight := exposure.F0{Person: key("A"), Label: "BD-A", Onset: at(20, 17, 0), Isolation: at(20, 17, 0)}
	cases := []struct {
		name  string
		world *builder
		rules exposure.Rules
		f0s   []exposure.F0
		want  []string
		naive bool // false: Naive's own distance may differ in the last bit
	}{
		{name: "no tail: an F1's visit of exactly MinOverlap makes an F2", rules: noTail, naive: true,
			world: f1().visit("B", 3, at(20, 14, 0), at(20, 14, 15)).visit("C", 3, at(20, 14, 0), at(20, 14, 15)),
			want:  []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]", "C F2 [venue F1 B 14:00-14:15 overlap 15m0s]"}},
		{name: "an F2 arriving exactly MinOverlap before the F1 leaves", rules: noTail, naive: true,
			world: f1().visit("B", 3, at(20, 14, 0), at(20, 15, 0)).visit("C", 3, at(20, 14, 45), at(20, 15, 30)),
			want:  []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]", "C F2 [venue F1 B 14:45-15:00 overlap 15m0s]"}},
		{name: "one instant less is no F2", rules: noTail, naive: true,
			world: f1().visit("B", 3, at(20, 14, 0), at(20, 15, 0)).visit("C", 3, at(20, 14, 45).Add(time.Nanosecond), at(20, 15, 30)),
			want:  []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]"}},
		{name: "exactly MinOverlap at a market is epi", naive: true,
			world: newBuilder().visit("A", 2, at(20, 10, 0), at(20, 10, 15)).visit("B", 2, at(20, 10, 0), at(20, 10, 15)),
			want:  []string{"B epi [venue epi A 10:00-10:15 overlap 15m0s]"}},
		{name: "a visit ending as the source arrives is nothing", naive: true,
			world: newBuilder().visit("B", 1, at(20, 9, 0), at(20, 10, 0)).visit("A", 1, at(20, 10, 0), at(20, 10, 30))},
		{name: "a ride at the window's first instant", naive: true,
			world: ride(ride(newBuilder(), "A", "1", at(19, 0, 0)), "B", "1", at(19, 0, 0)),
			want:  []string{"B F1 [ride F1 A 19T00:00-19T00:45]"}},
		{name: "a ride 1 ns before the window is nothing", naive: true,
			world: ride(ride(newBuilder(), "A", "1", at(19, 0, 0).Add(-time.Nanosecond)), "B", "1", at(19, 0, 0).Add(-time.Nanosecond))},
		{name: "an F1's ride makes an F2", naive: true,
			world: ride(ride(f1(), "B", "7", at(20, 23, 0)), "C", "7", at(20, 23, 0)),
			want:  []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]", "C F2 [ride F1 B 23:00-23:45]"}},
		{name: "a boarding house with no rooms recorded: the same house, not the same room", naive: true,
			world: newBuilder().period("A", "", house(""), at(1, 0, 0), time.Time{}).period("B", "", house(""), at(1, 0, 0), time.Time{}),
			want:  []string{"B epi [house epi A 19T00:00-21T00:00 days 3]"}},
		{name: "isolation at a Vietnam midnight: its day is not an exposure day", naive: true,
			world: newBuilder().period("A", "", house("R1"), at(1, 0, 0), time.Time{}).period("B", "", house("R1"), at(1, 0, 0), time.Time{}),
			f0s:   []exposure.F0{vnMidnight},
			want:  []string{"B F1 [room F1 A 18T17:00-17:00 days 2]"}},
		{name: "a line shared up to a Vietnam midnight", naive: true,
			world: newBuilder().period("A", "", tracing.Residence{}, at(1, 0, 0), time.Time{}).
				period("B", "", tracing.Residence{}, at(1, 0, 0), time.Time{}).line("A", "L1", "1").line("B", "L1", "1"),
			f0s:  []exposure.F0{vnMidnight},
			want: []string{"B F1 [line F1 A 18T17:00-17:00 days 2]"}},
		{name: "traces exactly TraceDistanceM apart are close",
			world: track(track(newBuilder(), "A", 11, two...), "B", 11+dLat, two...),
			rules: exposure.Rules{TraceDistanceM: gap},
			want:  []string{"B epi [proximity epi A 10:00-10:20 points 2 minutes 20]"}},
		{name: "traces 1 ULP farther apart are not",
			world: track(track(newBuilder(), "A", 11, two...), "B", 11+dLat, two...),
			rules: exposure.Rules{TraceDistanceM: gap * (1 - 1e-15)}},
		{name: "traces for exactly TraceMinDuration", naive: true,
			world: track(track(newBuilder(), "A", 11, two...), "B", 11+dLat, two...),
			rules: exposure.Rules{TraceMinDuration: 20 * time.Minute},
			want:  []string{"B epi [proximity epi A 10:00-10:20 points 2 minutes 20]"}},
		{name: "traces one step short of TraceMinDuration", naive: true,
			world: track(track(newBuilder(), "A", 11, two...), "B", 11+dLat, two...),
			rules: exposure.Rules{TraceMinDuration: 20*time.Minute + time.Nanosecond}},
		{name: "an F1's traces make an F2 when the trace tier is F1", naive: true,
			world: track(track(f1(), "B", 11, at(20, 12, 0), at(20, 12, 10)), "C", 11+dLat, at(20, 12, 0), at(20, 12, 10)),
			rules: exposure.Rules{TraceTier: exposure.F1},
			want: []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]",
				"C F2 [proximity F1 B 12:00-12:20 points 2 minutes 20]"}},
		{name: "an F1's traces make no F2 of tier epi", naive: true,
			world: track(track(f1(), "B", 11, at(20, 12, 0), at(20, 12, 10)), "C", 11+dLat, at(20, 12, 0), at(20, 12, 10)),
			want:  []string{"B F1 [venue F1 A 10:00-11:00 overlap 1h0m0s]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f0s := c.f0s
			if f0s == nil {
				f0s = []exposure.F0{fA}
			}
			got, err := loaded(t, &c.world.w).Run(context.Background(), c.rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			if g := details(got); !slices.Equal(g, c.want) {
				t.Errorf("contacts:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(c.want, "\n"))
			}
			if !c.naive {
				return
			}
			want, err := exposure.Naive(&c.world.w, c.rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			if msg := diffResults(want, got); msg != "" {
				t.Errorf("engine differs from naive: %s", msg)
			}
		})
	}
}
