package worldgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb"
)

// Roster figures.
const (
	lineSize      = 30   // workers of a line
	busSeats      = 45   // seats of a shuttle bus
	boardingShare = 0.70 // workers in boarding houses (the rest in households)
	altShare      = 0.05 // workers whose roster gives an ID number beside the phone
	roomMovers    = 0.04 // workers who move room during the 21 days
	lineMovers    = 0.02 // workers who change line
	attendance    = 95   // percent of a bus's riders on a trip
)

// rosterStart is when every enterprise's first roster took effect.
var rosterStart = time.Date(2021, time.June, 1, 0, 0, 0, 0, time.UTC)

// Shifts: start in Vietnam local time; each lasts 8 hours.
var shiftNames = []string{"Ca 1", "Ca 2", "Ca 3"}
var shiftStart = []time.Duration{6 * time.Hour, 14 * time.Hour, 22 * time.Hour}

const shiftLength = 8 * time.Hour

type enterprise struct {
	id                string
	ward              int32
	sites             []orb.Point
	shifts            int
	first, n          int32 // workers [first, first+n)
	firstLine, nLines int32
}

type house struct {
	ward  int32
	loc   orb.Point
	rooms int16
	name  string
}

type worker struct {
	person int32
	ent    int32
	line   int32 // global line index (the period's line before a move)
	house  int32 // boarding house index, or -1
	room   int16
	hh     int32 // household index when house is -1
	ward   int32
	loc    orb.Point
	alt    bool
	// moveDay (1..Days-1) is the day index a move takes effect; 0: none.
	moveDay  int8
	newRoom  int16 // -1: the move is of line
	newLine  int32
	bus      int32 // -1: none
	seat     int16
	traceOff int16 // seconds added to trace times
}

type user struct {
	ward   int32
	usual  [6]int32
	nUsual uint8
	worker int32 // -1 when not a worker
}

type bus struct {
	ent    int32
	shift  uint8
	id     string
	route  string
	riders []int32 // workers, by seat
}

// planPeople derives the keys of everyone with data: the users
// [0, Users) and the workers, who overlap them by half.
func (w *World) planPeople() {
	w.nPersons = w.scaled(Residents, 1)
	nu, nw := w.scaled(Users, 1), w.scaled(Workers, 1)
	w.firstWorker = max(0, nu-nw/2)
	n := max(nu, w.firstWorker+nw)
	w.nPersons = max(w.nPersons, n)
	w.keys = make([]tracing.PersonKey, n)
	for i := range w.keys {
		w.keys[i] = personKey(w.opts.Seed, 'p', i)
	}
	w.users = make([]user, nu)
	w.workers = make([]worker, nw)
	w.altKeys = map[int32]tracing.PersonKey{}
}

// planEnterprises sizes the enterprises (a few large, many small), places
// them and their sites, and gives their workers lines, shifts and homes.
func (w *World) planEnterprises() {
	ne := w.scaled(Enterprises, 1)
	nw := len(w.workers)
	ne = min(ne, nw)
	r := w.rng(pEnterprises, 0)
	raw := make([]float64, ne)
	for i := range raw {
		raw[i] = math.Pow(1-r.Float64(), -1/1.3) // Pareto: a few very large
	}
	sizes := apportion(raw, nw)
	w.ents = make([]enterprise, ne)
	first, firstLine := int32(0), int32(0)
	for i := range w.ents {
		r := w.rng(pEnterprises, uint64(i+1))
		ward := int32(r.IntN(len(w.wards)))
		centre := w.pointIn(r, int(ward))
		n := int32(sizes[i])
		nSites := 1 + min(2, int(n)/3000)
		sites := make([]orb.Point, nSites)
		for s := range sites {
			sites[s] = near(r, centre, 300)
		}
		nLines := (n + lineSize - 1) / lineSize
		w.ents[i] = enterprise{id: fmt.Sprintf("DN%04d", i+1), ward: ward, sites: sites, shifts: 2 + r.IntN(2),
			first: first, n: n, firstLine: firstLine, nLines: nLines}
		w.planWorkers(i)
		first += n
		firstLine += nLines
	}
	w.nLines = firstLine
}

// apportion splits total in proportion to weights (largest remainders,
// ties to the lower index).
func apportion(weights []float64, total int) []int {
	out := make([]int, len(weights))
	sum := 0.0
	for _, x := range weights {
		sum += x
	}
	if sum <= 0 {
		return out
	}
	rest := total
	rems := make([]int, len(weights))
	frac := make([]float64, len(weights))
	for i, x := range weights {
		exact := x / sum * float64(total)
		out[i] = int(exact)
		rest -= out[i]
		frac[i] = exact - float64(out[i])
		rems[i] = i
	}
	sort.SliceStable(rems, func(a, b int) bool { return frac[rems[a]] > frac[rems[b]] })
	for k := 0; rest > 0; k = (k + 1) % len(rems) {
		out[rems[k]]++
		rest--
	}
	return out
}

// planWorkers gives enterprise e's workers their lines (in order, lineSize
// each) and homes: boarding-house rooms of 2–6 in houses of 6–20 rooms,
// or households of 1–4, in the enterprise's district.
func (w *World) planWorkers(e int) {
	ent := &w.ents[e]
	r := w.rng(pWorkers, uint64(e))
	order := make([]int32, ent.n)
	for i := range order {
		order[i] = ent.first + int32(i)
		wk := &w.workers[ent.first+int32(i)]
		wk.person = int32(w.firstWorker) + ent.first + int32(i)
		wk.ent = int32(e)
		wk.line = ent.firstLine + int32(i)/lineSize
		wk.bus = -1
		wk.newRoom = -1
		wk.traceOff = int16(r.IntN(60))
		if r.Float64() < altShare {
			wk.alt = true
			w.altKeys[wk.person] = personKey(w.opts.Seed, 'i', int(wk.person))
		}
	}
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	boarding := int(math.Round(float64(len(order)) * boardingShare))
	homeWard := func() int32 {
		if r.IntN(10) < 6 {
			return ent.ward
		}
		return w.wardInDistrict(r, ent.ward)
	}
	// Boarding houses.
	for i := 0; i < boarding; {
		h := int32(len(w.houses))
		ward := homeWard()
		hs := house{ward: ward, loc: w.pointIn(r, int(ward)), name: houseNames[r.IntN(len(houseNames))]}
		rooms := 6 + r.IntN(15)
		for room := 0; room < rooms && i < boarding; room++ {
			size := 2 + r.IntN(5)
			for k := 0; k < size && i < boarding; k++ {
				wk := &w.workers[order[i]]
				wk.house, wk.room, wk.ward, wk.loc = h, int16(room), ward, near(r, hs.loc, 15)
				i++
			}
			hs.rooms = int16(room + 1)
		}
		w.houses = append(w.houses, hs)
	}
	// Households.
	for i := boarding; i < len(order); {
		hh := w.households
		w.households++
		ward := homeWard()
		loc := w.pointIn(r, int(ward))
		size := 1 + r.IntN(4)
		for k := 0; k < size && i < len(order); k++ {
			wk := &w.workers[order[i]]
			wk.house, wk.hh, wk.ward, wk.loc = -1, hh, ward, loc
			i++
		}
	}
	// Moves during the world's days.
	for i := ent.first; i < ent.first+ent.n; i++ {
		wk := &w.workers[i]
		x := r.Float64()
		switch {
		case x < roomMovers && wk.house >= 0 && w.houses[wk.house].rooms > 1:
			rooms := w.houses[wk.house].rooms
			wk.moveDay = int8(1 + r.IntN(Days-1))
			wk.newRoom = (wk.room + 1 + int16(r.IntN(int(rooms)-1))) % rooms
		case x >= roomMovers && x < roomMovers+lineMovers && ent.nLines > 1:
			wk.moveDay = int8(1 + r.IntN(Days-1))
			k := wk.line - ent.firstLine
			wk.newLine = ent.firstLine + (k+1+int32(r.IntN(int(ent.nLines)-1)))%ent.nLines
		}
	}
}

// wardInDistrict draws a ward of ward i's district.
func (w *World) wardInDistrict(r *rand.Rand, i int32) int32 {
	d := w.wards[i].District
	for range 50 {
		j := int32(r.IntN(len(w.wards)))
		if w.wards[j].District == d {
			return j
		}
	}
	return i
}

// lineOf returns the site, line label and shift index of global line gl.
func (w *World) lineOf(e int32, gl int32) (site int, label string, shift int) {
	ent := &w.ents[e]
	k := int(gl - ent.firstLine)
	shift = k % ent.shifts
	site = (k / ent.shifts) % len(ent.sites)
	return site, fmt.Sprintf("Chuyền %d", k/(ent.shifts*len(ent.sites))+1), shift
}

// planUsers gives each user a home ward and 3–6 usual venues near home
// (and near work for workers).
func (w *World) planUsers() {
	for u := range w.users {
		r := w.rng(pUsers, uint64(u))
		us := &w.users[u]
		us.worker = -1
		if wi := u - w.firstWorker; wi >= 0 && wi < len(w.workers) {
			us.worker = int32(wi)
			us.ward = w.workers[wi].ward
		} else {
			us.ward = int32(r.IntN(len(w.wards)))
		}
		us.nUsual = uint8(3 + r.IntN(4))
		for k := range int(us.nUsual) {
			ward := us.ward
			if us.worker >= 0 && k%2 == 1 {
				ward = w.ents[w.workers[us.worker].ent].ward
			}
			us.usual[k] = w.venueNear(r, ward)
		}
	}
}

// planBuses gives each enterprise buses in proportion to its size, each
// serving one shift and carrying up to busSeats of its workers.
func (w *World) planBuses() {
	nb := w.scaled(Buses, 1)
	weights := make([]float64, len(w.ents))
	for i, e := range w.ents {
		weights[i] = float64(e.n)
	}
	per := apportion(weights, nb)
	for e := range w.ents {
		ent := &w.ents[e]
		next := make([]int32, ent.shifts) // next line offset per shift
		for b := range per[e] {
			shift := b % ent.shifts
			bs := bus{ent: int32(e), shift: uint8(shift), id: fmt.Sprintf("61B-%03d.%02d", e%1000, b+1),
				route: fmt.Sprintf("Tuyến %02d", b+1)}
			// Riders: workers of the shift's lines, in line order.
			for len(bs.riders) < busSeats {
				k := int32(shift) + next[shift]*int32(ent.shifts)
				if k >= ent.nLines {
					break
				}
				lo := ent.first + k*lineSize
				hi := min(lo+lineSize, ent.first+ent.n)
				for i := lo; i < hi && len(bs.riders) < busSeats; i++ {
					if w.workers[i].bus < 0 {
						w.workers[i].bus = int32(len(w.buses))
						w.workers[i].seat = int16(len(bs.riders))
						bs.riders = append(bs.riders, i)
					}
				}
				if hi == lo || allOnBus(w.workers[lo:hi]) {
					next[shift]++
				}
			}
			w.buses = append(w.buses, bs)
		}
	}
}

func allOnBus(ws []worker) bool {
	for _, wk := range ws {
		if wk.bus < 0 {
			return false
		}
	}
	return true
}

// planTracers picks the people whose phones give traces: whole lines
// (every 30th line, then the ones after), so that line mates and room
// mates are traced together.
func (w *World) planTracers() {
	n := min(w.scaled(Tracers, 1), len(w.workers))
	for off := int32(0); off < 30 && len(w.tracers) < n; off++ {
		for gl := off; gl < w.nLines && len(w.tracers) < n; gl += 30 {
			for _, e := range w.entOfLine(gl) {
				ent := &w.ents[e]
				lo := ent.first + (gl-ent.firstLine)*lineSize
				hi := min(lo+lineSize, ent.first+ent.n)
				for i := lo; i < hi && len(w.tracers) < n; i++ {
					w.tracers = append(w.tracers, i)
				}
			}
		}
	}
}

// entOfLine returns the enterprise of global line gl (as a one-element
// slice, or none).
func (w *World) entOfLine(gl int32) []int32 {
	lo, hi := 0, len(w.ents)
	for lo < hi {
		m := (lo + hi) / 2
		if w.ents[m].firstLine+w.ents[m].nLines <= gl {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(w.ents) && gl >= w.ents[lo].firstLine {
		return []int32{int32(lo)}
	}
	return nil
}

// planF0s draws the wave's F0s among the people with data, distinct,
// Curve(i) × fraction on each day, with onset and isolation times.
func (w *World) planF0s() {
	r := w.rng(pF0, 0)
	total := 0
	per := make([]int, Days)
	for i := range per {
		per[i] = int(math.Round(float64(Curve(i)) * w.opts.Fraction))
		total += per[i]
	}
	pool := len(w.keys)
	total = min(total, pool)
	perm := r.Perm(pool)
	w.f0s = make([][]exposure.F0, Days)
	next := 0
	for i := range per {
		day := FirstDay.AddDate(0, 0, i)
		for range per[i] {
			if next >= total {
				break
			}
			p := int32(perm[next])
			next++
			key := w.keys[p]
			if alt, ok := w.altKeys[p]; ok && r.IntN(2) == 0 {
				key = alt // the case is known by its ID number
			}
			iso := localTime(day, 7*time.Hour+time.Duration(r.IntN(12*3600))*time.Second)
			if r.IntN(10) < 3 {
				iso = iso.Add(-24 * time.Hour) // isolated the day before the positive result
			}
			onset := iso.Add(-(12*time.Hour + time.Duration(r.IntN(84*3600))*time.Second))
			w.f0s[i] = append(w.f0s[i], exposure.F0{Person: key, Label: fmt.Sprintf("BD-%06d", next),
				Onset: onset, Isolation: iso})
		}
	}
}

// houseNames name boarding houses.
var houseNames = []string{"Hoa Mai", "Bình An", "Phú Lợi", "Thanh Bình", "Cô Ba", "Hạnh Phúc", "Sông Bé",
	"Lái Thiêu", "Minh Tâm", "Phước Lộc", "An Khang", "Tân Phú"}
