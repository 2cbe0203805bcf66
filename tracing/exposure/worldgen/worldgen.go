// Package worldgen generates a synthetic contact-tracing world at the
// scale of Bình Dương in August 2021 — 2.6 million residents of whom one
// million check in, 15,000 venues, 300 enterprises with 300,000 workers
// in boarding houses, 2,000 shuttle buses, location traces of 10,000
// people and the F0s of the 2021 wave — scaled by a fraction, the same for
// the same seed. It streams the world into an exposure.Sink (the engine)
// or to a callback in batches (the seed writer), holding only the plan of
// who lives and works where, never the visits.
//
// Person keys are derived from the seed and an index: no real phone or ID
// number is involved.
package worldgen

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Province-scale counts: the world at Fraction 1.
const (
	Residents   = 2_600_000
	Users       = 1_000_000 // residents who check in
	VenueCount  = 15_000
	Enterprises = 300
	Workers     = 300_000
	Buses       = 2_000
	Tracers     = 10_000 // people whose phones give location traces
	Days        = 21     // days of check-ins, rides and rosters
	TraceDays   = 14     // the last days with traces
	PeakCases   = 5_414  // new cases on the peak day, the world's last
)

// LastDay is the world's last day (a Vietnam date, as midnight UTC): the
// peak of the 2021 wave in Bình Dương, 5,414 new cases on 29 August.
var LastDay = time.Date(2021, time.August, 29, 0, 0, 0, 0, time.UTC)

// FirstDay is the world's first day, Days days before the end.
var FirstDay = LastDay.AddDate(0, 0, -(Days - 1))

// vietnam is UTC+7, without daylight saving.
const vietnam = 7 * time.Hour

// Options choose the world.
type Options struct {
	// Fraction scales every count (0 < Fraction ≤ 1; 1 is the province).
	Fraction float64
	// Seed picks the world; the same seed and fraction give the same one.
	Seed uint64
	// Wards are the wards venues and homes are placed in; nil uses a
	// synthetic province of 9 districts × 10 wards in Bình Dương's box.
	Wards []Ward
	// BatchSize is the number of rows per batch (default 10,000).
	BatchSize int
}

// Ward is an area points are drawn in.
type Ward struct {
	// Code is the ward's GSO code; District its district's.
	Code, District string
	// Shape is the outline points must fall in: the ward's, or its
	// district's when ward outlines are not known (points then cluster
	// around a centre drawn inside it).
	Shape orb.MultiPolygon
}

// Counts are the sizes of a world.
type Counts struct {
	Residents, Users, Venues, Enterprises, Workers, Periods, Buses, Tracers int
	// Visits, Rides and Traces are counted by the plan (exact: the stream
	// emits exactly these).
	Visits, Rides, Traces int
	F0s                   int
}

// Bus is an enterprise's shuttle bus.
type Bus struct {
	Enterprise, ID, Route string
	Seats                 int
}

// World is a generated world's plan: venues, people, enterprises, buses
// and F0s. Visits, rides and traces are produced by Stream from it.
type World struct {
	opts        Options
	wards       []placeWard
	venues      []tracing.Venue
	byWard      [][]int32 // venue indices per ward
	byDist      map[string][]int32
	vplan       []venuePlan
	wardPick    []*picker
	distPick    map[string]*picker
	allPick     *picker
	houses      []house
	households  int32
	nLines      int32
	firstWorker int
	users       []user
	workers     []worker
	ents        []enterprise
	buses       []bus
	tracers     []int32 // worker indices
	f0s         [][]exposure.F0
	keys        []tracing.PersonKey // phone keys of persons [0, len(keys))
	altKeys     map[int32]tracing.PersonKey
	counts      Counts
	nPersons    int
}

// New plans a world. It holds the plan in memory (about 100 MB at the
// province's scale), not the visits.
func New(opts Options) (*World, error) {
	if !(opts.Fraction > 0 && opts.Fraction <= 1) {
		return nil, fmt.Errorf("worldgen: fraction %v: want 0 < f ≤ 1", opts.Fraction)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10_000
	}
	if opts.Wards == nil {
		opts.Wards = SyntheticWards()
	}
	if len(opts.Wards) == 0 {
		return nil, errors.New("worldgen: no wards")
	}
	w := &World{opts: opts}
	w.placeWards()
	w.planVenues()
	w.planPeople()
	w.planEnterprises()
	w.planUsers()
	w.planBuses()
	w.planTracers()
	w.planF0s()
	w.count()
	return w, nil
}

// scaled is n × fraction, rounded, at least min.
func (w *World) scaled(n int, min int) int {
	v := int(math.Round(float64(n) * w.opts.Fraction))
	return max(v, min)
}

// rng returns a generator for one purpose and index: the world is
// reproducible piece by piece, whatever order the pieces are made in.
func (w *World) rng(purpose uint64, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(w.streamSeed(purpose), index))
}

// streamSeed is the first PCG seed of a purpose's streams.
func (w *World) streamSeed(purpose uint64) uint64 {
	const golden = 0x9e3779b97f4a7c15
	return w.opts.Seed ^ purpose*golden
}

// Purposes of the random streams.
const (
	pWards uint64 = iota + 1
	pVenues
	pUsers
	pEnterprises
	pWorkers
	pBuses
	pVisits
	pRides
	pTraces
	pF0
	pTracers
)

// Counts returns the world's sizes.
func (w *World) Counts() Counts { return w.counts }

// Options returns the options the world was made with (defaults applied).
func (w *World) Options() Options { return w.opts }

// Venues returns the world's venues.
func (w *World) Venues() []tracing.Venue { return w.venues }

// Buses returns the world's buses.
func (w *World) Buses() []Bus {
	out := make([]Bus, len(w.buses))
	for i, b := range w.buses {
		out[i] = Bus{Enterprise: w.ents[b.ent].id, ID: b.id, Route: b.route, Seats: busSeats}
	}
	return out
}

// EnterpriseIDs returns the enterprises' ids.
func (w *World) EnterpriseIDs() []string {
	out := make([]string, len(w.ents))
	for i, e := range w.ents {
		out[i] = e.id
	}
	return out
}

// F0s returns the F0s reported on day d (a Vietnam date as midnight UTC;
// nil outside the world's days), in a fixed order.
func (w *World) F0s(day time.Time) []exposure.F0 {
	i := int(day.Sub(FirstDay) / (24 * time.Hour))
	if i < 0 || i >= len(w.f0s) || !FirstDay.AddDate(0, 0, i).Equal(day) {
		return nil
	}
	return w.f0s[i]
}

// AllF0s returns every F0 of the world's days, day by day.
func (w *World) AllF0s() []exposure.F0 {
	var out []exposure.F0
	for _, d := range w.f0s {
		out = append(out, d...)
	}
	return out
}

// Curve returns the number of new cases reported on the i-th day of the
// world (0 = FirstDay) at fraction 1: an exponential rise to PeakCases on
// the last day, from about 2,400 three weeks before (the 2021 wave).
func Curve(i int) int {
	const first = 2_400.0
	k := math.Log(PeakCases/first) / float64(Days-1)
	return int(math.Round(PeakCases * math.Exp(-k*float64(Days-1-i))))
}

// personKey derives the phone key of person i.
func personKey(seed uint64, kind byte, i int) tracing.PersonKey {
	var b [8 + 1 + 8 + 18]byte
	copy(b[:18], "bando/worldgen/v1/")
	binary.BigEndian.PutUint64(b[18:], seed)
	b[26] = kind
	binary.BigEndian.PutUint64(b[27:], uint64(i))
	return sha256.Sum256(b[:])
}

// PersonKey returns the (phone) key of person i of the world; persons who
// neither check in nor work have keys too, though no data names them.
func (w *World) PersonKey(i int) tracing.PersonKey {
	if i >= 0 && i < len(w.keys) {
		return w.keys[i]
	}
	return personKey(w.opts.Seed, 'p', i)
}

// venueID derives venue i's id.
func venueID(seed uint64, i int) tracing.VenueID {
	k := personKey(seed, 'v', i)
	return tracing.VenueID(hex.EncodeToString(k[:16]))
}

// localTime returns day d (midnight UTC of a Vietnam date) at Vietnam
// local clock time t.
func localTime(d time.Time, t time.Duration) time.Time { return d.Add(t - vietnam) }

func (w *World) count() {
	c := &w.counts
	c.Residents = w.nPersons
	c.Users = len(w.users)
	c.Venues = len(w.venues)
	c.Enterprises = len(w.ents)
	c.Workers = len(w.workers)
	for _, wk := range w.workers {
		c.Periods++
		if wk.moveDay > 0 {
			c.Periods++
		}
	}
	c.Buses = len(w.buses)
	c.Tracers = len(w.tracers)
	for _, d := range w.f0s {
		c.F0s += len(d)
	}
	c.Visits = w.plannedVisits()
	c.Rides = w.plannedRides()
	c.Traces = len(w.tracers) * TraceDays * tracePerDay
}
