package exposure_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
)

// key is the person key of a name in the edge tests.
func key(name string) tracing.PersonKey { return sha256.Sum256([]byte(name)) }

// names maps the edge tests' keys back to their names, for messages.
var names = func() map[tracing.PersonKey]string {
	m := map[tracing.PersonKey]string{}
	for _, n := range []string{"A", "B", "C", "D", "E", "A-id", "B-id"} {
		m[key(n)] = n
	}
	return m
}()

func venueID(n int) tracing.VenueID { return tracing.VenueID(fmt.Sprintf("%032x", n)) }

// at is 20 August 2021 (or another day of that month) at hh:mm UTC.
func at(day, hh, mm int) time.Time { return time.Date(2021, time.August, day, hh, mm, 0, 0, time.UTC) }

// fA is the edge tests' F0: A, window [19 Aug 00:00, 21 Aug 00:00) UTC.
var fA = exposure.F0{Person: key("A"), Label: "BD-A", Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}

// builder makes small worlds for the edge tests.
type builder struct {
	w  exposure.World
	id int64
}

func newBuilder() *builder {
	b := &builder{}
	b.w.Venues(exposure.VenueInfo{ID: venueID(1), Category: tracing.Restaurant},
		exposure.VenueInfo{ID: venueID(2), Category: tracing.Market},
		exposure.VenueInfo{ID: venueID(3), Category: tracing.Bar})
	return b
}

// visit adds a visit; a zero end leaves it open with a 30-minute stay.
func (b *builder) visit(who string, venue int, start, end time.Time) *builder {
	b.id++
	b.w.Visits(tracing.Visit{ID: b.id, Venue: venueID(venue), Person: key(who), Start: start, End: end, Stay: 30 * time.Minute})
	return b
}

func (b *builder) period(who, alt string, r tracing.Residence, from, to time.Time) *builder {
	w := tracing.Worker{Enterprise: "E1", Employee: who + from.Format("0102"), Person: key(who), Residence: r}
	if alt != "" {
		w.AltPerson = key(alt)
	}
	b.w.Periods(tracing.Period{Worker: w, ValidFrom: from, ValidTo: to})
	return b
}

// want is a contact expected: its name, tier and reasons.
type want struct {
	who     string
	tier    exposure.Tier
	reasons []string // "kind tier via start-end", times as 15:04 (UTC) on the 20th, else 02T15:04
}

func reasonText(r exposure.Reason) string {
	f := func(t time.Time) string {
		if t.Day() == 20 {
			return t.Format("15:04")
		}
		return t.Format("02T15:04")
	}
	return fmt.Sprintf("%s %s %s %s-%s", r.Kind, r.Tier, names[r.Via], f(r.Start), f(r.End))
}

func TestEdges(t *testing.T) {
	house := func(h, room string) tracing.Residence {
		return tracing.Residence{Ward: "W1", BoardingHouse: h, Room: room}
	}
	cases := []struct {
		name  string
		world *builder
		rules exposure.Rules
		f0s   []exposure.F0
		want  []want
	}{
		{name: "overlap exactly MinOverlap is F1",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 15)).visit("B", 1, at(20, 10, 0), at(20, 10, 15)),
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 10:00-10:15"}}}},
		{name: "overlap 1 ns short is epi",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 15)).visit("B", 1, at(20, 10, 0), at(20, 10, 15).Add(-time.Nanosecond)),
			want:  []want{{"B", exposure.Epi, []string{"venue epi A 10:00-10:14"}}}},
		{name: "overlap 1 s short is epi",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 15)).visit("B", 1, at(20, 10, 0), at(20, 10, 15).Add(-time.Second)),
			want:  []want{{"B", exposure.Epi, []string{"venue epi A 10:00-10:14"}}}},
		{name: "short overlap with NoShortOverlap is nothing",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 15)).visit("B", 1, at(20, 10, 0), at(20, 10, 10)),
			rules: exposure.Rules{NoShortOverlap: true}},
		{name: "check-in at the isolation instant is outside the window",
			world: newBuilder().visit("A", 1, at(21, 0, 0), at(21, 1, 0)).visit("B", 1, at(21, 0, 0), at(21, 1, 0))},
		{name: "visit ending at the window's start is outside it",
			world: newBuilder().visit("A", 1, at(18, 23, 0), at(19, 0, 0)).visit("B", 1, at(18, 23, 0), at(19, 0, 30))},
		{name: "the window clips the source's visit, the tail still counts",
			world: newBuilder().visit("A", 1, at(20, 23, 30), at(21, 1, 0)).visit("B", 1, at(21, 0, 10), at(21, 2, 0)),
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 21T00:10-21T00:30"}}}},
		{name: "the aerosol tail reaches a later arrival",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 30)).visit("B", 1, at(20, 10, 40), at(20, 11, 30)),
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 10:40-11:00"}}}},
		{name: "no tail: a later arrival is nothing",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 10, 30)).visit("B", 1, at(20, 10, 40), at(20, 11, 30)),
			rules: exposure.Rules{AerosolTail: -1}},
		{name: "an open visit lasts its default stay",
			world: newBuilder().visit("A", 1, at(20, 10, 0), time.Time{}).visit("B", 1, at(20, 10, 30), time.Time{}),
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 10:30-11:00"}}}},
		{name: "a long overlap at a market is epi",
			world: newBuilder().visit("A", 2, at(20, 10, 0), at(20, 11, 0)).visit("B", 2, at(20, 10, 0), at(20, 11, 0)),
			want:  []want{{"B", exposure.Epi, []string{"venue epi A 10:00-11:00"}}}},
		{name: "a market with no large venues is F1",
			world: newBuilder().visit("A", 2, at(20, 10, 0), at(20, 11, 0)).visit("B", 2, at(20, 10, 0), at(20, 11, 0)),
			rules: exposure.Rules{LargeVenues: []tracing.Category{}},
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}}}},
		{name: "an unknown venue is not large",
			world: newBuilder().visit("A", 9, at(20, 10, 0), at(20, 11, 0)).visit("B", 9, at(20, 10, 0), at(20, 11, 0)),
			want:  []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}}}},
		{name: "a move of residence on an exposure day: only the new one counts that day",
			world: newBuilder().period("A", "", house("H1", "R1"), at(1, 0, 0), time.Time{}).
				period("B", "", house("H1", "R1"), at(1, 0, 0), at(20, 0, 0)).
				period("B", "", house("H2", "R1"), at(20, 0, 0), time.Time{}).
				period("C", "", house("H1", "R2"), at(20, 0, 0), time.Time{}),
			want: []want{{"B", exposure.F1, []string{"room F1 A 19T00:00-19T17:00"}},
				{"C", exposure.Epi, []string{"house epi A 19T17:00-21T00:00"}}}},
		{name: "a household shares an address without a boarding house",
			world: newBuilder().period("A", "", tracing.Residence{Ward: "W1", Address: "1 Le Loi"}, at(1, 0, 0), time.Time{}).
				period("B", "", tracing.Residence{Ward: "W1", Address: "1 Le Loi"}, at(1, 0, 0), time.Time{}).
				period("C", "", tracing.Residence{Ward: "W2", Address: "1 Le Loi"}, at(1, 0, 0), time.Time{}),
			want: []want{{"B", exposure.F1, []string{"household F1 A 19T00:00-21T00:00"}}}},
		{name: "aliases: the F0 by ID number, check-ins by phone, the contact by its ID number",
			world: newBuilder().period("A", "A-id", tracing.Residence{Ward: "W1"}, at(1, 0, 0), time.Time{}).
				period("B", "B-id", tracing.Residence{Ward: "W2"}, at(1, 0, 0), time.Time{}).
				visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B-id", 1, at(20, 10, 0), at(20, 11, 0)),
			f0s:  []exposure.F0{{Person: key("A-id"), Label: "BD-A", Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}},
			want: []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}}}},
		{name: "F1 to F1 is not reported, and an F1 is no F2",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0)).
				visit("C", 1, at(20, 10, 0), at(20, 11, 0)),
			want: []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}}, {"C", exposure.F1, []string{"venue F1 A 10:00-11:00"}}}},
		{name: "F1 and epi reasons: F1 with both",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0)).
				visit("A", 3, at(20, 12, 0), at(20, 12, 10)).visit("B", 3, at(20, 12, 35), at(20, 13, 0)),
			want: []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00", "venue epi A 12:35-12:40"}}}},
		{name: "depth 1 stops at F1",
			world: chain(), rules: exposure.Rules{Depth: 1},
			want: []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}}}},
		{name: "depth 3 reaches F3; an epi of an F1 is dropped",
			world: chain(), rules: exposure.Rules{Depth: 3},
			want: []want{{"B", exposure.F1, []string{"venue F1 A 10:00-11:00"}},
				{"C", exposure.F2, []string{"venue F1 B 14:00-15:00"}},
				{"D", exposure.F3, []string{"venue F1 C 18:00-19:00"}}}},
		{name: "rides: the trip's time without a departure, none at the isolation instant",
			world: rides(), want: []want{{"B", exposure.F1, []string{"ride F1 A 19T23:30-00:15"}}}},
		{name: "rides of tier epi",
			world: rides(), rules: exposure.Rules{RideTier: exposure.Epi},
			want: []want{{"B", exposure.Epi, []string{"ride epi A 19T23:30-00:15"}}}},
		{name: "traces within 25 m for two points; beyond, or one point, nothing",
			world: traces(), want: []want{{"B", exposure.Epi, []string{"proximity epi A 10:00-10:20"}}}},
		{name: "traces: a dense track (many points an hour), met late in the hour",
			world: denseTraces(), want: []want{{"B", exposure.Epi, []string{"proximity epi A 10:28-10:39"}}}},
		{name: "a line and shift shared, not another shift",
			world: newBuilder().period("A", "", tracing.Residence{}, at(1, 0, 0), time.Time{}).
				period("B", "", tracing.Residence{}, at(1, 0, 0), time.Time{}).
				period("C", "", tracing.Residence{}, at(1, 0, 0), time.Time{}).line("A", "L1", "1").line("B", "L1", "1").line("C", "L1", "2"),
			want: []want{{"B", exposure.F1, []string{"line F1 A 19T00:00-21T00:00"}}}},
		{name: "a link between two F0s makes no contact and one cluster",
			world: newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0)),
			f0s:   []exposure.F0{fA, {Person: key("B"), Label: "BD-B", Onset: at(21, 0, 0), Isolation: at(21, 0, 0)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f0s := c.f0s
			if f0s == nil {
				f0s = []exposure.F0{fA}
			}
			want, err := exposure.Naive(&c.world.w, c.rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			checkWant(t, want, c.want)
			got, err := loaded(t, &c.world.w).Run(context.Background(), c.rules, f0s...)
			if err != nil {
				t.Fatal(err)
			}
			if msg := diffResults(want, got); msg != "" {
				t.Fatalf("engine differs from naive: %s", msg)
			}
		})
	}
}

// chain is A → B (venue 1, 20th 10:00) → C (venue 3 at 14:00) → D
// (venue 1 at 18:00); E is only short with B (epi of an F1: dropped).
func chain() *builder {
	return newBuilder().visit("A", 1, at(20, 10, 0), at(20, 11, 0)).visit("B", 1, at(20, 10, 0), at(20, 11, 0)).
		visit("B", 3, at(20, 14, 0), at(20, 15, 0)).visit("C", 3, at(20, 14, 0), at(20, 15, 0)).
		visit("B", 1, at(20, 16, 0), at(20, 16, 5)).visit("E", 1, at(20, 16, 30), at(20, 17, 0)).
		visit("C", 1, at(20, 18, 0), at(20, 19, 0)).visit("D", 1, at(20, 18, 0), at(20, 19, 0))
}

func checkWant(t *testing.T, res exposure.Result, want []want) {
	t.Helper()
	var got, exp []string
	for _, c := range res.Contacts {
		var rs []string
		for _, r := range c.Reasons() {
			rs = append(rs, reasonText(r))
		}
		got = append(got, fmt.Sprintf("%s %s [%s]", names[c.Person], c.Tier, strings.Join(rs, "; ")))
	}
	for _, w := range want {
		exp = append(exp, fmt.Sprintf("%s %s [%s]", w.who, w.tier, strings.Join(w.reasons, "; ")))
	}
	slices.Sort(got)
	slices.Sort(exp)
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("contacts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

// line sets the workplace line and shift of the person's periods.
func (b *builder) line(who, line, shift string) *builder {
	for i := range b.w.PeriodList {
		if p := &b.w.PeriodList[i]; p.Person == key(who) {
			p.Workplace = tracing.Workplace{Site: "S1", Line: line, Shift: shift}
		}
	}
	return b
}

// rides: A and B on bus 1's morning trip of the 20th (no departure:
// 06:30 Vietnam); A alone on a ride leaving at A's isolation with C.
func rides() *builder {
	b := newBuilder()
	ride := func(who, bus string, dep time.Time) {
		b.w.Rides(tracing.Ride{Enterprise: "E1", Date: at(20, 0, 0), Trip: tracing.Morning, Bus: bus, Person: key(who), Departure: dep, Seat: who})
	}
	ride("A", "1", time.Time{})
	ride("B", "1", at(19, 23, 50))
	b.w.Rides(tracing.Ride{Enterprise: "E1", Date: at(21, 0, 0), Trip: tracing.Morning, Bus: "2", Person: key("A"), Departure: at(21, 0, 0)},
		tracing.Ride{Enterprise: "E1", Date: at(21, 0, 0), Trip: tracing.Morning, Bus: "2", Person: key("C")})
	return b
}

// traces: A at two points ten minutes apart; B 24.5 m north of both, C
// 25.5 m north, D within 10 m of the first only.
func traces() *builder {
	b := newBuilder()
	const perM = 1 / (exposure.EarthRadiusM * math.Pi / 180)
	for i, t := range []time.Time{at(20, 10, 0), at(20, 10, 10)} {
		lon := 106.65 + float64(i)*0.001
		pt := func(who string, north float64, skew time.Duration) {
			b.w.Traces(tracing.TracePoint{Person: key(who), Time: t.Add(skew), Lon: lon, Lat: 10.98 + north*perM})
		}
		pt("A", 0, 0)
		pt("B", 24.5, 5*time.Minute)
		pt("C", 25.5, 0)
		if i == 0 {
			pt("D", 10, 0)
		}
	}
	return b
}

// denseTraces: A and B have a point every minute from 10:00 to 10:39,
// 110 m apart; B is 10 m north of A at 10:28 and 10:29, 1 km otherwise
// (late in its second R-tree segment).
func denseTraces() *builder {
	b := newBuilder()
	const perM = 1 / (exposure.EarthRadiusM * math.Pi / 180)
	for i := range 40 {
		t, lon := at(20, 10, i), 106.65+float64(i)*0.001
		b.w.Traces(tracing.TracePoint{Person: key("A"), Time: t, Lon: lon, Lat: 10.98})
		north := 1000.0
		if i == 28 || i == 29 {
			north = 10
		}
		b.w.Traces(tracing.TracePoint{Person: key("B"), Time: t, Lon: lon, Lat: 10.98 + north*perM})
	}
	return b
}
