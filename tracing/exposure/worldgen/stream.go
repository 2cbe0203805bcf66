package worldgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Batch is one batch of the stream: exactly one of its slices is set.
// The slices belong to the receiver.
type Batch struct {
	// Day is the Vietnam day of the visits, rides or traces (midnight
	// UTC); zero for venues and periods.
	Day     time.Time
	Venues  []tracing.Venue
	Periods []tracing.Period
	Visits  []tracing.Visit
	Rides   []tracing.Ride
	Traces  []tracing.TracePoint
}

// Len is the number of rows of the batch.
func (b Batch) Len() int {
	return len(b.Venues) + len(b.Periods) + len(b.Visits) + len(b.Rides) + len(b.Traces)
}

// Stream produces the world in batches: the venues, the roster periods,
// then day by day the visits, the rides and the traces. It stops at the
// first error of fn or when ctx is done.
func (w *World) Stream(ctx context.Context, fn func(Batch) error) error {
	bs := w.opts.BatchSize
	for lo := 0; lo < len(w.venues); lo += bs {
		vs := w.venues[lo:min(lo+bs, len(w.venues))]
		if err := fn(Batch{Venues: append([]tracing.Venue(nil), vs...)}); err != nil {
			return err
		}
	}
	periods := make([]tracing.Period, 0, bs)
	for i := range w.workers {
		periods = w.appendPeriods(periods, int32(i))
		if len(periods) >= bs {
			if err := fn(Batch{Periods: periods}); err != nil {
				return err
			}
			periods = make([]tracing.Period, 0, bs)
		}
	}
	if len(periods) > 0 {
		if err := fn(Batch{Periods: periods}); err != nil {
			return err
		}
	}
	var id int64
	for di := range Days {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("worldgen: %w", err)
		}
		day := FirstDay.AddDate(0, 0, di)
		if err := w.streamVisits(di, day, &id, fn); err != nil {
			return err
		}
		if err := w.streamRides(di, day, fn); err != nil {
			return err
		}
		if di >= Days-TraceDays {
			if err := w.streamTraces(di, day, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// emitAhead is how many batches Emit's generator may run ahead of the sink.
const emitAhead = 8

// Emit streams the world into an engine (or any Sink), telling it the
// world's sizes first when it is an exposure.Reserver. The world is
// generated on its own goroutine, a few batches ahead of the sink, which
// is called from the caller's goroutine only, in the stream's order: on
// two cores the generator and the engine's writes overlap.
func (w *World) Emit(ctx context.Context, sink exposure.Sink) error {
	if r, ok := sink.(exposure.Reserver); ok {
		c := w.Counts()
		r.Reserve(exposure.Stats{Venues: c.Venues, Visits: c.Visits, Periods: c.Periods, Rides: c.Rides, Traces: c.Traces,
			Persons: c.Residents})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan Batch, emitAhead)
	done := make(chan error, 1)
	go func() {
		defer close(batches)
		done <- w.Stream(ctx, func(b Batch) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return fmt.Errorf("worldgen: %w", ctx.Err())
			}
		})
	}()
	for b := range batches {
		switch {
		case len(b.Venues) > 0:
			sink.Venues(VenueInfos(b.Venues)...)
		case len(b.Periods) > 0:
			sink.Periods(b.Periods...)
		case len(b.Visits) > 0:
			sink.Visits(b.Visits...)
		case len(b.Rides) > 0:
			sink.Rides(b.Rides...)
		case len(b.Traces) > 0:
			sink.Traces(b.Traces...)
		}
	}
	return <-done
}

// VenueInfos returns what the engine knows of venues.
func VenueInfos(vs []tracing.Venue) []exposure.VenueInfo {
	out := make([]exposure.VenueInfo, len(vs))
	for i, v := range vs {
		out[i] = exposure.VenueInfo{ID: v.ID, Name: v.Name, Category: v.Category, Ward: v.Ward, Point: v.Location}
	}
	return out
}

// hash mixes the seed, a purpose and two numbers (splitmix64).
func (w *World) hash(purpose, a, b uint64) uint64 {
	x := w.opts.Seed ^ purpose*0x9e3779b97f4a7c15 ^ a*0xbf58476d1ce4e5b9 ^ b*0x94d049bb133111eb
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// visitCount is how many check-ins user u makes on day di: 0–4, about 2
// on average.
func (w *World) visitCount(u, di int) int {
	x := w.hash(pVisits, uint64(u), uint64(di)) % 100
	switch {
	case x < 8:
		return 0
	case x < 32:
		return 1
	case x < 68:
		return 2
	case x < 88:
		return 3
	}
	return 4
}

func (w *World) plannedVisits() int {
	n := 0
	for di := range Days {
		for u := range w.users {
			n += w.visitCount(u, di)
		}
	}
	return n
}

// checkInWindows are the parts of the day people check in (Vietnam local
// time): the morning market, lunch, after work, the evening.
var checkInWindows = [4][2]time.Duration{
	{6 * time.Hour, 8*time.Hour + 30*time.Minute},
	{11 * time.Hour, 12*time.Hour + 30*time.Minute},
	{17 * time.Hour, 19 * time.Hour},
	{19*time.Hour + 30*time.Minute, 21*time.Hour + 30*time.Minute},
}

// Visit figures.
const (
	usualShare    = 0.75 // check-ins at one's usual venues
	missingOut    = 0.15 // check-ins never checked out (closed by default stay)
	minStay       = 10   // minutes
	maxStay       = 120  // minutes
	staffScanRate = 0.2
)

func (w *World) streamVisits(di int, day time.Time, id *int64, fn func(Batch) error) error {
	bs := w.opts.BatchSize
	out := make([]tracing.Visit, 0, bs)
	pcg := rand.NewPCG(0, 0)
	r := rand.New(pcg)
	for u := range w.users {
		n := w.visitCount(u, di)
		if n == 0 {
			continue
		}
		pcg.Seed(w.streamSeed(pVisits), uint64(di)<<32|uint64(u))
		us := &w.users[u]
		key := w.keys[u]
		alt, hasAlt := w.altKeys[int32(u)]
		left := 4
		for k := 0; k < 4 && n > 0; k++ {
			// Selection sampling: n of the 4 windows, in order.
			if r.IntN(left) >= n {
				left--
				continue
			}
			left--
			n--
			win := checkInWindows[k]
			start := localTime(day, win[0]+time.Duration(r.Int64N(int64((win[1]-win[0])/time.Second)))*time.Second)
			var v int32
			if r.Float64() < usualShare {
				v = us.usual[r.IntN(int(us.nUsual))]
			} else {
				v = w.venueNear(r, us.ward)
			}
			c := &categories[w.vplan[v].cat]
			stay := min(maxStay, minStay+int(r.ExpFloat64()*c.meanStay))
			*id++
			vis := tracing.Visit{ID: *id, Venue: w.venues[v].ID, Person: key, Start: start,
				Stay: c.stay, Source: tracing.SelfScan}
			if r.Float64() >= missingOut {
				vis.End = start.Add(time.Duration(stay)*time.Minute + time.Duration(r.IntN(60))*time.Second)
				vis.Closing = tracing.CheckedOut
			}
			if r.Float64() < staffScanRate {
				vis.Source = tracing.StaffScan
			}
			if hasAlt && r.IntN(2) == 0 {
				vis.Person = alt
			}
			out = append(out, vis)
			if len(out) >= bs {
				if err := fn(Batch{Day: day, Visits: out}); err != nil {
					return err
				}
				out = make([]tracing.Visit, 0, bs)
			}
		}
	}
	if len(out) > 0 {
		return fn(Batch{Day: day, Visits: out})
	}
	return nil
}

// rides on a trip: attendance decides who of the bus's riders rode.
func (w *World) rides(di int, wk int32, trip int) bool {
	return w.hash(pRides, uint64(wk), uint64(di*2+trip))%100 < attendance
}

func (w *World) plannedRides() int {
	n := 0
	for di := range Days {
		for _, b := range w.buses {
			for trip := range 2 {
				for _, wk := range b.riders {
					if w.rides(di, wk, trip) {
						n++
					}
				}
			}
		}
	}
	return n
}

// departure is when bus b leaves on day di for trip (0 am to work, 1 pm
// home): 40 minutes before its shift, 10 after, give or take 10 minutes.
func (w *World) departure(day time.Time, di int, b int, trip int) time.Time {
	start := shiftStart[w.buses[b].shift]
	t := start - 40*time.Minute
	if trip == 1 {
		t = (start + shiftLength + 10*time.Minute) % (24 * time.Hour)
	}
	t += time.Duration(w.hash(pBuses, uint64(b), uint64(di*2+trip))%600) * time.Second
	return localTime(day, t)
}

func (w *World) streamRides(di int, day time.Time, fn func(Batch) error) error {
	bs := w.opts.BatchSize
	out := make([]tracing.Ride, 0, bs)
	for b := range w.buses {
		bus := &w.buses[b]
		ent := &w.ents[bus.ent]
		for trip := range 2 {
			dep := w.departure(day, di, b, trip)
			t := tracing.Morning
			if trip == 1 {
				t = tracing.Evening
			}
			for seat, wi := range bus.riders {
				if !w.rides(di, wi, trip) {
					continue
				}
				wk := &w.workers[wi]
				out = append(out, tracing.Ride{Enterprise: ent.id, Date: day, Trip: t, Departure: dep, Bus: bus.id,
					Person: w.keys[wk.person], Employee: employeeID(wi - ent.first), Seat: fmt.Sprintf("%02d", seat+1)})
				if len(out) >= bs {
					if err := fn(Batch{Day: day, Rides: out}); err != nil {
						return err
					}
					out = make([]tracing.Ride, 0, bs)
				}
			}
		}
	}
	if len(out) > 0 {
		return fn(Batch{Day: day, Rides: out})
	}
	return nil
}

func employeeID(i int32) string { return fmt.Sprintf("NV%06d", i+1) }

// Trace figures.
const (
	traceStep   = 10 * time.Minute
	tracePerDay = int(24 * time.Hour / traceStep)
)

func (w *World) streamTraces(di int, day time.Time, fn func(Batch) error) error {
	bs := w.opts.BatchSize
	out := make([]tracing.TracePoint, 0, bs)
	pcg := rand.NewPCG(0, 0)
	r := rand.New(pcg)
	for _, wi := range w.tracers {
		wk := &w.workers[wi]
		pcg.Seed(w.streamSeed(pTraces), uint64(di)<<32|uint64(wi))
		line := wk.line
		if wk.moveDay > 0 && di >= int(wk.moveDay) && wk.newRoom < 0 {
			line = wk.newLine
		}
		site, _, shift := w.lineOf(wk.ent, line)
		// The line's place on the site floor: within 40 m of the site's point.
		h := w.hash(pTracers, uint64(line), 0)
		a := float64(h%3600) / 3600 * 2 * math.Pi
		d := float64(h>>12%40) / metresPerDegree
		work := w.ents[wk.ent].sites[site]
		work = orb.Point{work[0] + d*math.Cos(a), work[1] + d*math.Sin(a)}
		key := w.keys[wk.person]
		for i := range tracePerDay {
			clock := time.Duration(i) * traceStep
			base := wk.loc
			if (clock-shiftStart[shift]+24*time.Hour)%(24*time.Hour) < shiftLength {
				base = work
			}
			p := near(r, base, 8)
			out = append(out, tracing.TracePoint{Person: key, Time: localTime(day, clock+time.Duration(wk.traceOff)*time.Second),
				Lon: p[0], Lat: p[1], Accuracy: float64(5 + r.IntN(16))})
			if len(out) >= bs {
				if err := fn(Batch{Day: day, Traces: out}); err != nil {
					return err
				}
				out = make([]tracing.TracePoint, 0, bs)
			}
		}
	}
	if len(out) > 0 {
		return fn(Batch{Day: day, Traces: out})
	}
	return nil
}

// appendPeriods appends worker wi's roster periods: one, or two around a
// move of room or line.
func (w *World) appendPeriods(out []tracing.Period, wi int32) []tracing.Period {
	wk := &w.workers[wi]
	ent := &w.ents[wk.ent]
	worker := tracing.Worker{Enterprise: ent.id, Employee: employeeID(wi - ent.first), Person: w.keys[wk.person],
		AltPerson: w.altKeys[wk.person]}
	res := tracing.Residence{Ward: w.wards[wk.ward].Code, Location: wk.loc}
	if wk.house >= 0 {
		hs := &w.houses[wk.house]
		res.BoardingHouse = fmt.Sprintf("Nhà trọ %s %d", hs.name, wk.house+1)
		res.Address = fmt.Sprintf("%d %s", 1+wk.house%900, streets[int(wk.house)%len(streets)])
		res.Room = fmt.Sprintf("P%02d", wk.room+1)
	} else {
		res.Address = fmt.Sprintf("%d/%d %s", wk.hh+1, 1+wk.hh%40, streets[int(wk.hh)%len(streets)])
	}
	worker.Residence = res
	worker.Workplace = w.workplace(wk.ent, wk.line)
	if wk.bus >= 0 {
		worker.BusRoute = w.buses[wk.bus].route
	}
	p := tracing.Period{Worker: worker, ValidFrom: rosterStart}
	if wk.moveDay == 0 {
		return append(out, p)
	}
	move := FirstDay.AddDate(0, 0, int(wk.moveDay))
	p.ValidTo = move
	next := tracing.Period{Worker: worker, ValidFrom: move}
	if wk.newRoom >= 0 {
		next.Residence.Room = fmt.Sprintf("P%02d", wk.newRoom+1)
	} else {
		next.Workplace = w.workplace(wk.ent, wk.newLine)
	}
	return append(out, p, next)
}

func (w *World) workplace(e, line int32) tracing.Workplace {
	site, label, shift := w.lineOf(e, line)
	return tracing.Workplace{Site: "Xưởng " + string(rune('A'+site)), Line: label, Shift: shiftNames[shift]}
}
