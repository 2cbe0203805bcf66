package exposuretest

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Scale sizes a Populate world; the zero fields take the province's
// proportions (DESIGN-13 "Scale") for the given Persons.
type Scale struct {
	Persons int
	Days    int // default 14
}

// Populate streams a world of realistic proportions into sink, for
// benchmarks: 40% of persons check in about twice a day at venues with
// about 130 visits a day each, 12% are workers (boarding houses of about
// 20 in rooms of 4, lines of about 50 per shift, buses of 40 on two trips
// a day), 1% share a location trace every 10 minutes. It returns the
// persons' keys, those that check in first.
func Populate(seed int64, sc Scale, sink exposure.Sink) []tracing.PersonKey {
	rng := rand.New(rand.NewSource(seed))
	if sc.Days <= 0 {
		sc.Days = 14
	}
	keys := make([]tracing.PersonKey, sc.Persons)
	for i := range keys {
		rng.Read(keys[i][:])
	}
	checkers := sc.Persons * 4 / 10
	venues := make([]exposure.VenueInfo, max(1, checkers*2/130))
	for i := range venues {
		venues[i] = exposure.VenueInfo{ID: tracing.VenueID(fmt.Sprintf("%032x", rng.Int63())), Category: categories[rng.Intn(len(categories))],
			Ward: "W1", Point: orb.Point{Origin.Lon() + rng.Float64()*0.2, Origin.Lat() + rng.Float64()*0.2}}
	}
	sink.Venues(venues...)
	populateVisits(rng, sc, keys[:checkers], venues, sink)
	populateWorkers(rng, sc, keys, sink)
	populateTraces(rng, sc, keys, venues, sink)
	return keys
}

const populateBatch = 10000

func populateVisits(rng *rand.Rand, sc Scale, keys []tracing.PersonKey, venues []exposure.VenueInfo, sink exposure.Sink) {
	var batch []tracing.Visit
	id := int64(0)
	for day := range sc.Days {
		for _, k := range keys {
			for range 1 + rng.Intn(3) {
				id++
				start := minute(day, 6+rng.Intn(15), rng.Intn(60))
				v := tracing.Visit{ID: id, Venue: venues[rng.Intn(len(venues))].ID, Person: k, Start: start, Stay: time.Hour}
				if rng.Intn(2) == 0 {
					v.End = start.Add(time.Duration(5+rng.Intn(120)) * time.Minute)
				}
				batch = append(batch, v)
				if len(batch) == populateBatch {
					sink.Visits(batch...)
					batch = batch[:0]
				}
			}
		}
	}
	sink.Visits(batch...)
}

func populateWorkers(rng *rand.Rand, sc Scale, keys []tracing.PersonKey, sink exposure.Sink) {
	workers := sc.Persons * 12 / 100
	var periods []tracing.Period
	var rides []tracing.Ride
	for i := range workers {
		k := keys[(i*7919)%len(keys)]
		ent := fmt.Sprintf("E%d", i/1000)
		house := i / 20
		w := tracing.Worker{Enterprise: ent, Employee: fmt.Sprint(i), Person: k,
			Residence: tracing.Residence{Ward: fmt.Sprintf("W%d", house%40), BoardingHouse: fmt.Sprintf("H%d", house), Room: fmt.Sprint(i % 20 / 4)},
			Workplace: tracing.Workplace{Site: "S1", Line: fmt.Sprintf("L%d", i%1000/100), Shift: fmt.Sprint(i % 2)}}
		if i%10 == 0 {
			w.Residence = tracing.Residence{Ward: fmt.Sprintf("W%d", house%40), Address: fmt.Sprintf("%d Le Loi", i/3)}
		}
		periods = append(periods, tracing.Period{Worker: w, ValidFrom: Day0.AddDate(0, 0, -30)})
		bus := fmt.Sprintf("B%d", i/40)
		for day := range sc.Days {
			for _, trip := range []tracing.Trip{tracing.Morning, tracing.Evening} {
				rides = append(rides, tracing.Ride{Enterprise: ent, Date: Day0.AddDate(0, 0, day), Trip: trip, Bus: bus, Person: k, Seat: fmt.Sprint(i % 40)})
			}
		}
		if len(rides) >= populateBatch {
			sink.Rides(rides...)
			rides = rides[:0]
		}
	}
	sink.Periods(periods...)
	sink.Rides(rides...)
}

func populateTraces(rng *rand.Rand, sc Scale, keys []tracing.PersonKey, venues []exposure.VenueInfo, sink exposure.Sink) {
	var batch []tracing.TracePoint
	for i := range max(1, sc.Persons/100) {
		k := keys[(i*104729)%len(keys)]
		for day := range sc.Days {
			home := venues[rng.Intn(len(venues))].Point
			for m := 0; m < 24*60; m += 10 {
				batch = append(batch, tracing.TracePoint{Person: k, Time: minute(day, 0, m),
					Lon: home.Lon() + rng.Float64()*0.0005, Lat: home.Lat() + rng.Float64()*0.0005, Accuracy: 10})
				if len(batch) == populateBatch {
					sink.Traces(batch...)
					batch = batch[:0]
				}
			}
		}
	}
	sink.Traces(batch...)
}
