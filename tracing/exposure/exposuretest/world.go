// Package exposuretest generates small random worlds for the exposure
// engine's property tests: dense, on a minute grid, and built to hit the
// edges of the rules (exact overlaps, window bounds, default stays,
// aliases, residence moves, shared rooms and lines, rides with and
// without departure, traces just within and just beyond the distance).
// Every time is a whole second, so a world round-trips through PostgreSQL
// unchanged. A seed gives the same world and F0s every time.
package exposuretest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Day0 is the first Vietnam day of every random world (a roster day,
// midnight UTC of 2021-08-20); its activity spans Days days from there.
var Day0 = time.Date(2021, time.August, 20, 0, 0, 0, 0, time.UTC)

// Days is how many days a random world's activity spans.
const Days = 4

// Origin is the point trace points and venues are placed around.
var Origin = orb.Point{106.652, 10.981}

// gen holds the generator's state while one world is built.
type gen struct {
	rng     *rand.Rand
	w       *exposure.World
	persons []person
	venues  []tracing.VenueID
	visitID int64
}

type person struct {
	key, alt tracing.PersonKey
	worker   bool
}

// RandomWorld returns the world of seed with about size persons (at least
// 4). The same seed and size give the same world.
func RandomWorld(seed int64, size int) *exposure.World {
	g := &gen{rng: rand.New(rand.NewSource(seed)), w: &exposure.World{}}
	size = max(size, 4)
	for range size {
		g.persons = append(g.persons, person{key: g.key(), worker: g.rng.Intn(10) < 7})
	}
	g.makeVenues(max(3, size/6))
	g.makePeriods()
	g.makeVisits()
	g.makeRides()
	g.makeTraces()
	return g.w
}

func (g *gen) key() tracing.PersonKey {
	var k tracing.PersonKey
	g.rng.Read(k[:])
	return k
}

// pick returns one of the person's keys: the alias sometimes.
func (g *gen) pick(p person) tracing.PersonKey {
	if !p.alt.IsZero() && g.rng.Intn(2) == 0 {
		return p.alt
	}
	return p.key
}

// minute returns a whole-minute instant of day (0-based) at local hour h
// plus m minutes.
func minute(day int, h, m int) time.Time {
	from, _ := exposure.DayInterval(Day0.AddDate(0, 0, day))
	return from.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

var categories = []tracing.Category{tracing.Restaurant, tracing.Factory, tracing.Market, tracing.Office,
	tracing.Supermarket, tracing.Bar, tracing.Karaoke}

func (g *gen) makeVenues(n int) {
	for i := range n {
		id := tracing.VenueID(fmt.Sprintf("%032x", g.rng.Int63()))
		g.venues = append(g.venues, id)
		if i == n-1 && g.rng.Intn(2) == 0 {
			continue // a venue the engine never hears of: not large
		}
		g.w.Venues(exposure.VenueInfo{ID: id, Name: fmt.Sprintf("venue %d", i), Category: categories[g.rng.Intn(len(categories))],
			Ward: "W1", Point: orb.Point{Origin.Lon() + float64(i)*0.001, Origin.Lat()}})
	}
}

var (
	wards  = []string{"W1", "W2"}
	houses = []string{"H1", "H2", ""}
	rooms  = []string{"R1", "R2", ""}
	addrs  = []string{"A1", "A2", ""}
	lines  = []string{"L1", "L2", ""}
	shifts = []string{"A", "B"}
)

func (g *gen) oneOf(s []string) string { return s[g.rng.Intn(len(s))] }

func (g *gen) residence() tracing.Residence {
	r := tracing.Residence{Ward: g.oneOf(wards), BoardingHouse: g.oneOf(houses)}
	if r.BoardingHouse != "" {
		r.Room = g.oneOf(rooms)
	} else {
		r.Address = g.oneOf(addrs)
	}
	return r
}

func (g *gen) makePeriods() {
	for i := range g.persons {
		p := &g.persons[i]
		if !p.worker {
			continue
		}
		if g.rng.Intn(3) == 0 {
			p.alt = g.key()
		}
		jobs := 1
		if g.rng.Intn(8) == 0 {
			jobs = 2 // a second enterprise's period of the same person
		}
		for j := range jobs {
			g.workerPeriods(*p, fmt.Sprintf("E%d", (i+j)%2+1), fmt.Sprintf("e%d", i))
		}
		if !p.alt.IsZero() && g.rng.Intn(10) == 0 {
			// Another worker's roster row carries this alias too: the
			// smaller Person wins.
			o := g.persons[g.rng.Intn(len(g.persons))]
			g.w.Periods(tracing.Period{Worker: tracing.Worker{Enterprise: "E3", Employee: fmt.Sprintf("x%d", i), Person: o.key,
				AltPerson: p.alt, Residence: g.residence()}, ValidFrom: Day0.AddDate(0, 0, -3)})
		}
	}
}

// workerPeriods writes one worker's periods at an enterprise: one open
// period, or a move on one of the world's days (the old period ends the
// day the new one starts).
func (g *gen) workerPeriods(p person, enterprise, employee string) {
	w := tracing.Worker{Enterprise: enterprise, Employee: employee, Person: p.key, AltPerson: p.alt, Residence: g.residence(),
		Workplace: tracing.Workplace{Site: "S1", Line: g.oneOf(lines), Shift: g.oneOf(shifts)}}
	from := Day0.AddDate(0, 0, -g.rng.Intn(3))
	if g.rng.Intn(3) != 0 {
		g.w.Periods(tracing.Period{Worker: w, ValidFrom: from})
		return
	}
	move := Day0.AddDate(0, 0, 1+g.rng.Intn(Days-1))
	g.w.Periods(tracing.Period{Worker: w, ValidFrom: from, ValidTo: move})
	w.Residence = g.residence()
	if g.rng.Intn(2) == 0 {
		w.Workplace.Line = g.oneOf(lines)
	}
	g.w.Periods(tracing.Period{Worker: w, ValidFrom: move})
}

var stays = []time.Duration{14, 15, 16, 20, 30, 45, 60, 90}

func (g *gen) makeVisits() {
	// Each venue has one busy moment a day; most visits start near it,
	// on a five-minute grid, so overlaps are frequent and often exact.
	anchors := make([][]int, len(g.venues))
	for v := range anchors {
		for range Days {
			anchors[v] = append(anchors[v], 7*60+g.rng.Intn(14*60))
		}
	}
	for _, p := range g.persons {
		for range 2 + g.rng.Intn(6) {
			v, day := g.rng.Intn(len(g.venues)), g.rng.Intn(Days)
			m := anchors[v][day] + 5*(g.rng.Intn(13)-6)
			if g.rng.Intn(4) == 0 {
				m = g.rng.Intn(24 * 60)
			}
			g.visitID++
			vis := tracing.Visit{ID: g.visitID, Venue: g.venues[v], Person: g.pick(p), Start: minute(day, 0, m),
				Stay: time.Duration(30+30*g.rng.Intn(2)) * time.Minute, Source: tracing.SelfScan}
			switch g.rng.Intn(5) {
			case 0, 1: // open: the default stay ends it
			case 2:
				vis.End = vis.Start.Add(stays[g.rng.Intn(len(stays))]*time.Minute + time.Duration(g.rng.Intn(3)-1)*time.Second)
			default:
				vis.End = vis.Start.Add(stays[g.rng.Intn(len(stays))] * time.Minute)
			}
			g.w.Visits(vis)
		}
	}
}

func (g *gen) makeRides() {
	buses := []string{"B1", "B2"}
	for _, p := range g.persons {
		if !p.worker {
			continue
		}
		for day := range Days {
			for _, trip := range []tracing.Trip{tracing.Morning, tracing.Evening} {
				if g.rng.Intn(3) != 0 {
					continue
				}
				r := tracing.Ride{Enterprise: fmt.Sprintf("E%d", 1+g.rng.Intn(2)), Date: Day0.AddDate(0, 0, day), Trip: trip,
					Bus: buses[g.rng.Intn(len(buses))], Person: g.pick(p), Seat: g.oneOf([]string{"1", "2", "3", ""})}
				if g.rng.Intn(2) == 0 {
					h := 6
					if trip == tracing.Evening {
						h = 17
					}
					r.Departure = minute(day, h, 5*g.rng.Intn(12))
				}
				g.w.Rides(r)
			}
		}
	}
}

// offsets are trace distances around 25 m (the default TraceDistanceM)
// and time skews around 5 min (the default TraceSkew).
var (
	offsetsM = []float64{0, 10, 24.5, 25.5, 40}
	skews    = []time.Duration{0, 3 * time.Minute, 5 * time.Minute, 6 * time.Minute}
)

// metresPerDegree is the length of a degree of latitude on the engine's
// sphere.
const metresPerDegree = exposure.EarthRadiusM * math.Pi / 180

func (g *gen) makeTraces() {
	walkers := g.rng.Perm(len(g.persons))[:min(len(g.persons), 12)]
	for i := 0; i+1 < len(walkers); i++ {
		a, b := g.persons[walkers[i]], g.persons[walkers[i+1]]
		day, h := g.rng.Intn(Days), 7+g.rng.Intn(12)
		off := offsetsM[g.rng.Intn(len(offsetsM))]
		skew := skews[g.rng.Intn(len(skews))]
		for j := range 1 + g.rng.Intn(6) {
			t := minute(day, h, 10*j)
			lon := Origin.Lon() + float64(j)*0.0003
			lat := Origin.Lat()
			g.w.Traces(tracing.TracePoint{Person: g.pick(a), Time: t, Lon: lon, Lat: lat, Accuracy: 10},
				tracing.TracePoint{Person: g.pick(b), Time: t.Add(skew), Lon: lon, Lat: lat + off/metresPerDegree, Accuracy: 10})
		}
	}
}

// RandomF0s returns up to n F0s of distinct persons of the world, chosen
// by seed, with windows meant for the default PreOnset (48 h): some end
// exactly at one of the person's check-ins, some start exactly at the end
// of one of its visits, and some give the person by its alias key.
func RandomF0s(seed int64, w *exposure.World, n int) []exposure.F0 {
	rng := rand.New(rand.NewSource(seed))
	canon := canonOf(w)
	visits := map[tracing.PersonKey][]tracing.Visit{}
	var keys []tracing.PersonKey
	for _, v := range w.VisitList {
		c := canon(v.Person)
		if _, ok := visits[c]; !ok {
			keys = append(keys, c)
		}
		visits[c] = append(visits[c], v)
	}
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	var out []exposure.F0
	for i, c := range keys[:min(n, len(keys))] {
		vs := visits[c]
		v := vs[rng.Intn(len(vs))]
		f := exposure.F0{Person: v.Person, Label: fmt.Sprintf("BD-%d", i+1)}
		switch rng.Intn(3) {
		case 0: // isolated exactly as the visit starts
			f.Isolation = v.Start
			f.Onset = v.Start.Add(-time.Duration(rng.Intn(48)) * time.Hour)
		case 1: // the window starts exactly as the visit ends
			end := v.End
			if end.IsZero() {
				end = v.Start.Add(v.Stay)
			}
			f.Onset = end.Add(48 * time.Hour)
			f.Isolation = f.Onset.Add(time.Duration(1+rng.Intn(48)) * time.Hour)
		default:
			f.Onset = minute(rng.Intn(Days), rng.Intn(24), 0).Add(24 * time.Hour)
			f.Isolation = f.Onset.Add(time.Duration(1+rng.Intn(72)) * time.Hour)
		}
		if rng.Intn(4) == 0 {
			f.Person = c
		}
		out = append(out, f)
	}
	return out
}

// canonOf is the identity rule: a key is the person of the smallest
// Person among the periods whose AltPerson it is, else itself.
func canonOf(w *exposure.World) func(tracing.PersonKey) tracing.PersonKey {
	m := map[tracing.PersonKey]tracing.PersonKey{}
	for _, p := range w.PeriodList {
		if p.AltPerson.IsZero() {
			continue
		}
		if c, ok := m[p.AltPerson]; !ok || bytes.Compare(p.Person[:], c[:]) < 0 {
			m[p.AltPerson] = p.Person
		}
	}
	return func(k tracing.PersonKey) tracing.PersonKey {
		if c, ok := m[k]; ok {
			return c
		}
		return k
	}
}
