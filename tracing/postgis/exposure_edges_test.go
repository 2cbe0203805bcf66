package postgis_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/postgis"
	"github.com/paulmach/orb"
)

// person is the key of a name in the edge worlds ("A", "A-id", …).
func person(name string) tracing.PersonKey { return sha256.Sum256([]byte(name)) }

var edgeNames = []string{"A", "B", "C", "D", "E", "A-id", "B-id"}

func nameOf(k tracing.PersonKey) string {
	for _, n := range edgeNames {
		if person(n) == k {
			return n
		}
	}
	return short(k)
}

// aug is August 2021, day d, at hh:mm UTC.
func aug(d, hh, mm int) time.Time { return time.Date(2021, time.August, d, hh, mm, 0, 0, time.UTC) }

// edgeF0 is A with the window [19 Aug 00:00, 21 Aug 00:00) UTC under the
// default 48 h before onset.
func edgeF0(name string) exposure.F0 {
	return exposure.F0{Person: person(name), Label: "BD-" + name, Onset: aug(21, 0, 0), Isolation: aug(21, 0, 0)}
}

func edgeVenue(n int) tracing.VenueID { return tracing.VenueID(fmt.Sprintf("%032x", n)) }

// edgeWorld builds the small worlds of the edge table. Venue 1 is a
// restaurant, 2 a market; 9 is unknown (visits only).
type edgeWorld struct {
	w  exposure.World
	id int64
}

func newEdgeWorld() *edgeWorld {
	e := &edgeWorld{}
	e.w.Venues(exposure.VenueInfo{ID: edgeVenue(1), Name: "quán", Category: tracing.Restaurant, Ward: "W1", Point: orb.Point{106.65, 10.98}},
		exposure.VenueInfo{ID: edgeVenue(2), Name: "chợ", Category: tracing.Market, Ward: "W1", Point: orb.Point{106.66, 10.98}})
	return e
}

// visit adds a visit of who; a zero end leaves it open (30-minute stay).
func (e *edgeWorld) visit(who string, venue int, start, end time.Time) *edgeWorld {
	e.id++
	e.w.Visits(tracing.Visit{ID: e.id, Venue: edgeVenue(venue), Person: person(who), Start: start, End: end,
		Stay: 30 * time.Minute, Source: tracing.SelfScan})
	return e
}

// period adds a roster period of who (alias alt) from one day to another.
func (e *edgeWorld) period(who, alt string, r tracing.Residence, wp tracing.Workplace, from, to time.Time) *edgeWorld {
	w := tracing.Worker{Enterprise: "E1", Employee: who + from.Format("0102"), Person: person(who), Residence: r, Workplace: wp}
	if alt != "" {
		w.AltPerson = person(alt)
	}
	e.w.Periods(tracing.Period{Worker: w, ValidFrom: from, ValidTo: to})
	return e
}

func (e *edgeWorld) ride(who, bus string, day time.Time, dep time.Time) *edgeWorld {
	e.w.Rides(tracing.Ride{Enterprise: "E1", Date: day, Trip: tracing.Morning, Bus: bus, Person: person(who), Departure: dep, Seat: who})
	return e
}

// trace adds a point of who, north metres north of a fixed point.
func (e *edgeWorld) trace(who string, t time.Time, north float64) *edgeWorld {
	const perM = 1 / (exposure.EarthRadiusM * math.Pi / 180)
	e.w.Traces(tracing.TracePoint{Person: person(who), Time: t, Lon: 106.65, Lat: 10.98 + north*perM, Accuracy: 5})
	return e
}

func room(house, r string) tracing.Residence {
	return tracing.Residence{Ward: "W1", BoardingHouse: house, Room: r}
}

var noWork tracing.Workplace

// edgeCase is one row of the edge table: a world, rules, F0s (A by
// default) and the contacts expected, as "who tier [reason; …]" with each
// reason "kind tier via start-end" (times 15:04 on the 20th, else
// 02T15:04), and the links between F0s; or an error.
type edgeCase struct {
	name    string
	world   *edgeWorld
	rules   exposure.Rules
	f0s     []exposure.F0
	want    []string
	links   int
	wantErr bool
}

func edgeCases() []edgeCase {
	chain := func() *edgeWorld {
		return newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 11, 0)).visit("B", 1, aug(20, 10, 0), aug(20, 11, 0)).
			visit("B", 9, aug(20, 14, 0), aug(20, 14, 30)).visit("C", 9, aug(20, 14, 0), aug(20, 14, 30)).
			visit("C", 1, aug(20, 18, 0), aug(20, 19, 0)).visit("D", 1, aug(20, 18, 0), aug(20, 19, 0)).
			visit("B", 1, aug(20, 21, 0), aug(20, 21, 5)).visit("E", 1, aug(20, 21, 30), aug(20, 22, 0))
	}
	return []edgeCase{
		{name: "overlap exactly MinOverlap: F1",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 10, 15)).visit("B", 1, aug(20, 10, 0), aug(20, 10, 15)),
			rules: exposure.Rules{AerosolTail: -1},
			want:  []string{"B F1 [venue F1 A 10:00-10:15]"}},
		{name: "overlap one second short of MinOverlap: epi (PostgreSQL keeps microseconds, not the nanosecond)",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 10, 15)).visit("B", 1, aug(20, 10, 0), aug(20, 10, 15).Add(-time.Second)),
			rules: exposure.Rules{AerosolTail: -1},
			want:  []string{"B epi [venue epi A 10:00-10:14]"}},
		{name: "a check-in at the isolation instant: nothing",
			world: newEdgeWorld().visit("A", 1, aug(21, 0, 0), aug(21, 1, 0)).visit("B", 1, aug(21, 0, 0), aug(21, 1, 0))},
		{name: "a visit ending at the window's start: nothing",
			world: newEdgeWorld().visit("A", 1, aug(18, 23, 0), aug(19, 0, 0)).visit("B", 1, aug(18, 23, 0), aug(19, 0, 30))},
		{name: "the aerosol tail reaches a later arrival",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 10, 30)).visit("B", 1, aug(20, 10, 40), aug(20, 11, 30)),
			want:  []string{"B F1 [venue F1 A 10:40-11:00]"}},
		{name: "open visits last their default stay",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), time.Time{}).visit("B", 1, aug(20, 10, 15), time.Time{}),
			rules: exposure.Rules{AerosolTail: -1},
			want:  []string{"B F1 [venue F1 A 10:15-10:30]"}},
		{name: "a long overlap at a market is epi; an unknown venue is not large",
			world: newEdgeWorld().visit("A", 2, aug(20, 10, 0), aug(20, 11, 0)).visit("B", 2, aug(20, 10, 0), aug(20, 11, 0)).
				visit("A", 9, aug(20, 12, 0), aug(20, 13, 0)).visit("C", 9, aug(20, 12, 0), aug(20, 13, 0)),
			want: []string{"B epi [venue epi A 10:00-11:00]", "C F1 [venue F1 A 12:00-13:00]"}},
		{name: "a move of residence on an exposure day: that day only the new one counts",
			world: newEdgeWorld().period("A", "", room("H1", "R1"), noWork, aug(1, 0, 0), time.Time{}).
				period("B", "", room("H1", "R1"), noWork, aug(1, 0, 0), aug(20, 0, 0)).
				period("B", "", room("H2", "R1"), noWork, aug(20, 0, 0), time.Time{}).
				period("C", "", room("H1", "R2"), noWork, aug(20, 0, 0), time.Time{}),
			want: []string{"B F1 [room F1 A 19T00:00-19T17:00]", "C epi [house epi A 19T17:00-21T00:00]"}},
		{name: "a household: one address, no boarding house, same ward",
			world: newEdgeWorld().period("A", "", tracing.Residence{Ward: "W1", Address: "1 Lê Lợi"}, noWork, aug(1, 0, 0), time.Time{}).
				period("B", "", tracing.Residence{Ward: "W1", Address: "1 Lê Lợi"}, noWork, aug(1, 0, 0), time.Time{}).
				period("C", "", tracing.Residence{Ward: "W2", Address: "1 Lê Lợi"}, noWork, aug(1, 0, 0), time.Time{}),
			want: []string{"B F1 [household F1 A 19T00:00-21T00:00]"}},
		{name: "aliases: the F0 by ID number, its check-ins by phone, the contact's by ID number",
			world: newEdgeWorld().period("A", "A-id", tracing.Residence{Ward: "W1"}, noWork, aug(1, 0, 0), time.Time{}).
				period("B", "B-id", tracing.Residence{Ward: "W2"}, noWork, aug(1, 0, 0), time.Time{}).
				visit("A", 1, aug(20, 10, 0), aug(20, 11, 0)).visit("B-id", 1, aug(20, 10, 0), aug(20, 11, 0)),
			f0s:  []exposure.F0{{Person: person("A-id"), Label: "BD-A", Onset: aug(21, 0, 0), Isolation: aug(21, 0, 0)}},
			want: []string{"B F1 [venue F1 A 10:00-11:00]"}},
		{name: "the same person twice among the F0s (phone and ID number): an error",
			world: newEdgeWorld().period("A", "A-id", tracing.Residence{Ward: "W1"}, noWork, aug(1, 0, 0), time.Time{}),
			f0s:   []exposure.F0{edgeF0("A"), edgeF0("A-id")}, wantErr: true},
		{name: "F1 to F1 is not reported",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 11, 0)).visit("B", 1, aug(20, 10, 0), aug(20, 11, 0)).
				visit("C", 1, aug(20, 10, 0), aug(20, 11, 0)),
			want: []string{"B F1 [venue F1 A 10:00-11:00]", "C F1 [venue F1 A 10:00-11:00]"}},
		{name: "reachable as F1 and as epi: F1 with both reasons",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 11, 0)).visit("B", 1, aug(20, 10, 0), aug(20, 11, 0)).
				visit("A", 2, aug(20, 12, 0), aug(20, 13, 0)).visit("B", 2, aug(20, 12, 0), aug(20, 13, 0)),
			want: []string{"B F1 [venue F1 A 10:00-11:00; venue epi A 12:00-13:00]"}},
		{name: "depth 1 stops at F1",
			world: chain(), rules: exposure.Rules{Depth: 1},
			want: []string{"B F1 [venue F1 A 10:00-11:00]"}},
		{name: "depth 3 reaches F3; an F1's epi is dropped",
			world: chain(), rules: exposure.Rules{Depth: 3},
			want: []string{"B F1 [venue F1 A 10:00-11:00]", "C F2 [venue F1 B 14:00-14:30]", "D F3 [venue F1 C 18:00-19:00]"}},
		{name: "rides: the trip's local time without a departure; none leaving at the isolation instant",
			world: newEdgeWorld().ride("A", "1", aug(20, 0, 0), time.Time{}).ride("B", "1", aug(20, 0, 0), aug(19, 23, 45)).
				ride("A", "2", aug(21, 0, 0), aug(21, 0, 0)).ride("C", "2", aug(21, 0, 0), time.Time{}),
			want: []string{"B F1 [ride F1 A 19T23:30-00:15]"}},
		{name: "a line and shift shared; another shift is not",
			world: newEdgeWorld().period("A", "", tracing.Residence{}, tracing.Workplace{Site: "S1", Line: "L1", Shift: "1"}, aug(1, 0, 0), time.Time{}).
				period("B", "", tracing.Residence{}, tracing.Workplace{Site: "S1", Line: "L1", Shift: "1"}, aug(1, 0, 0), time.Time{}).
				period("C", "", tracing.Residence{}, tracing.Workplace{Site: "S1", Line: "L1", Shift: "2"}, aug(1, 0, 0), time.Time{}),
			want: []string{"B F1 [line F1 A 19T00:00-21T00:00]"}},
		{name: "traces: within 25 m at two points (one 5 min apart); 25.5 m, or one point, nothing",
			world: newEdgeWorld().trace("A", aug(20, 10, 0), 0).trace("A", aug(20, 10, 10), 0).
				trace("B", aug(20, 10, 5), 24.5).trace("B", aug(20, 10, 10), 24.5).
				trace("C", aug(20, 10, 0), 25.5).trace("C", aug(20, 10, 10), 25.5).trace("D", aug(20, 10, 0), 10),
			want: []string{"B epi [proximity epi A 10:00-10:20]"}},
		{name: "two F0s at one venue: a link, no contact",
			world: newEdgeWorld().visit("A", 1, aug(20, 10, 0), aug(20, 11, 0)).visit("B", 1, aug(20, 10, 0), aug(20, 11, 0)),
			f0s:   []exposure.F0{edgeF0("A"), edgeF0("B")}, links: 2},
	}
}

// TestExposureEdges runs the edge table through Naive, the SQL reference
// and the engine loaded by LoadInto: each must give the contacts expected
// and the three must agree exactly.
func TestExposureEdges(t *testing.T) {
	ctx := context.Background()
	fs, _ := pgtest.NewStore(t)
	pool := fs.Pool()
	store := postgis.New(pool, tracing.Options{})
	ref := postgis.NewExposureReference(pool)
	for _, c := range edgeCases() {
		t.Run(c.name, func(t *testing.T) {
			f0s := c.f0s
			if f0s == nil {
				f0s = []exposure.F0{edgeF0("A")}
			}
			writeWorld(t, pool, &c.world.w)
			runners := append([]namedRunner{{"naive", exposure.NaiveRunner{World: &c.world.w}}, {"sql", ref}}, engineRunners(t, store)...)
			for _, r := range runners {
				res, err := r.Run(ctx, c.rules, f0s...)
				if (err != nil) != c.wantErr {
					t.Fatalf("%s: error %v, want error %v", r.name, err, c.wantErr)
				}
				if err == nil {
					checkContacts(t, r.name, res, c.want)
				}
				if len(res.Links) != c.links {
					t.Errorf("%s: %d links, want %d", r.name, len(res.Links), c.links)
				}
			}
			agree(ctx, t, c.name, c.rules, f0s, runners)
		})
	}
}

// checkContacts compares the contacts with the expected lines.
func checkContacts(t *testing.T, runner string, res exposure.Result, want []string) {
	t.Helper()
	day := func(tm time.Time) string {
		if tm.Day() == 20 {
			return tm.Format("15:04")
		}
		return tm.Format("02T15:04")
	}
	var got []string
	for _, c := range res.Contacts {
		var rs []string
		for _, r := range c.Reasons() {
			rs = append(rs, fmt.Sprintf("%s %s %s %s-%s", r.Kind, r.Tier, nameOf(r.Via), day(r.Start), day(r.End)))
		}
		got = append(got, fmt.Sprintf("%s %s [%s]", nameOf(c.Person), c.Tier, strings.Join(rs, "; ")))
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s: contacts\n%s\nwant\n%s", runner, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
