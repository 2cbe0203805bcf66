package exposure

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/bandomap/bando/internal/hugemem"
	"github.com/bandomap/bando/tracing"
)

// noDeparture marks a ride without a departure time.
const noDeparture = math.MinInt64

// rideRec is one ride, 24 bytes: its departure (Unix ns or noDeparture),
// its group (enterprise, date, trip, bus), rider and interned seat.
type rideRec struct {
	departure int64
	group     uint32
	person    pid
	seat      uint32
}

// rideGroup is one trip of one bus on one day.
type rideGroup struct {
	enterprise, bus string
	date            time.Time
	trip            tracing.Trip
}

type rideGroupKey struct {
	enterprise, bus string
	date            int64
	trip            tracing.Trip
}

// rideIndex holds the rides in an arena, with the riders of each group and
// the rides of each raw person. A ride's key is (group, person): a flush
// keeps the last written of each.
type rideIndex struct {
	arena    []rideRec
	groupAt  map[rideGroupKey]uint32
	groups   []rideGroup
	riders   [][]uint32
	byPerson [][]uint32
	seats    []string
	seatAt   map[string]uint32
	live     int

	dirtyGroups, dirtyPersons dirtySet
}

// grow makes room for n more rides.
func (x *rideIndex) grow(n int) { x.arena = growHuge(x.arena, n) }

func (x *rideIndex) add(r tracing.Ride, person pid) {
	if x.groupAt == nil {
		x.groupAt, x.seatAt = map[rideGroupKey]uint32{}, map[string]uint32{}
	}
	k := rideGroupKey{r.Enterprise, r.Bus, r.Date.UnixNano(), r.Trip}
	g, ok := x.groupAt[k]
	if !ok {
		g = uint32(len(x.groups))
		x.groupAt[k] = g
		x.groups = append(x.groups, rideGroup{r.Enterprise, r.Bus, r.Date.UTC(), r.Trip})
		x.riders = append(x.riders, nil)
	}
	seat, ok := x.seatAt[r.Seat]
	if !ok {
		seat = uint32(len(x.seats))
		x.seatAt[r.Seat] = seat
		x.seats = append(x.seats, r.Seat)
	}
	rec := rideRec{departure: noDeparture, group: g, person: person, seat: seat}
	if !r.Departure.IsZero() {
		rec.departure = r.Departure.UnixNano()
	}
	i := uint32(len(x.arena))
	x.arena = append(x.arena, rec)
	x.riders[g] = append(x.riders[g], i)
	x.byPerson = growTo(x.byPerson, int(person)+1)
	x.byPerson[person] = append(x.byPerson[person], i)
	x.dirtyGroups.add(g)
	x.live++
}

func (x *rideIndex) flush() {
	for _, g := range x.dirtyGroups.drain() {
		l := x.riders[g]
		slices.SortFunc(l, func(a, b uint32) int {
			return cmp.Or(cmp.Compare(x.arena[a].person, x.arena[b].person), cmp.Compare(a, b))
		})
		out := l[:0]
		for k, i := range l {
			if x.arena[i].person == deadPID {
				continue
			}
			if k+1 < len(l) && x.arena[l[k+1]].person == x.arena[i].person {
				x.dirtyPersons.add(x.arena[i].person)
				x.arena[i].person = deadPID
				x.live--
				continue
			}
			out = append(out, i)
		}
		x.riders[g] = out
	}
	for _, p := range x.dirtyPersons.drain() {
		x.byPerson[p] = slices.DeleteFunc(x.byPerson[p], func(i uint32) bool { return x.arena[i].person == deadPID })
	}
}

// instant is the ride's RideInstant under the rules, in Unix ns.
func (x *rideIndex) instant(r rideRec, rules Rules) int64 {
	if r.departure != noDeparture {
		return r.departure
	}
	g := x.groups[r.group]
	local := rules.MorningDeparture
	if g.trip == tracing.Evening {
		local = rules.EveningDeparture
	}
	return g.date.Add(local - 7*time.Hour).UnixNano()
}

// forget drops the rides dated before the instant and compacts.
func (x *rideIndex) forget(before int64) {
	x.flush()
	if !slices.ContainsFunc(x.arena, func(r rideRec) bool {
		return r.person != deadPID && x.groups[r.group].date.UnixNano() < before
	}) {
		return
	}
	remap := make([]uint32, len(x.arena))
	arena := hugemem.MakeCap[rideRec](0, x.live)
	for i, r := range x.arena {
		remap[i] = deadPID
		if r.person != deadPID && x.groups[r.group].date.UnixNano() >= before {
			remap[i] = uint32(len(arena))
			arena = append(arena, r)
		}
	}
	x.arena, x.live = arena, len(arena)
	for g := range x.riders {
		x.riders[g] = remapLive(x.riders[g], remap)
	}
	for p := range x.byPerson {
		x.byPerson[p] = remapLive(x.byPerson[p], remap)
	}
}
