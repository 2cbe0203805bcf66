package exposure

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/tidwall/rtree"
)

// traceBucketNS is the time span of one trace bucket: an hour.
const traceBucketNS = int64(time.Hour)

// traceRec is one trace point: Unix ns, degrees, raw person.
type traceRec struct {
	t        int64
	lon, lat float64
	person   pid
}

// traceBucket holds the points of one hour, with an R-tree of them in
// float32 boxes rounded outwards (candidates only: distances are computed
// from the float64 point).
type traceBucket struct {
	pts  []traceRec
	tree rtree.RTreeGN[float32, uint32]
}

// traceRef names a point: its bucket (hours since the epoch) and index.
type traceRef struct {
	hour int32
	idx  uint32
}

// traceIndex holds the trace points in hourly buckets, and per raw person
// its points sorted by time (after a flush, which also keeps the last
// written point of each (person, time)).
type traceIndex struct {
	buckets  map[int32]*traceBucket
	byPerson [][]traceRef
	live     int
	dirty    dirtySet
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (x *traceIndex) rec(r traceRef) *traceRec { return &x.buckets[r.hour].pts[r.idx] }

func (x *traceIndex) add(r traceRec) {
	if x.buckets == nil {
		x.buckets = map[int32]*traceBucket{}
	}
	h := int32(floorDiv(r.t, traceBucketNS))
	b := x.buckets[h]
	if b == nil {
		b = &traceBucket{}
		x.buckets[h] = b
	}
	i := uint32(len(b.pts))
	b.pts = append(b.pts, r)
	lo := [2]float32{down32(r.lon), down32(r.lat)}
	hi := [2]float32{up32(r.lon), up32(r.lat)}
	b.tree.Insert(lo, hi, i)
	x.byPerson = growTo(x.byPerson, int(r.person)+1)
	l := x.byPerson[r.person]
	ref := traceRef{h, i}
	if n := len(l); n > 0 && x.rec(l[n-1]).t >= r.t {
		x.dirty.add(r.person)
	}
	x.byPerson[r.person] = append(l, ref)
	x.live++
}

// down32 and up32 round a float64 to a float32 no greater (no less).
func down32(f float64) float32 {
	g := float32(f)
	if float64(g) > f {
		g = math.Nextafter32(g, float32(math.Inf(-1)))
	}
	return g
}

func up32(f float64) float32 {
	g := float32(f)
	if float64(g) < f {
		g = math.Nextafter32(g, float32(math.Inf(1)))
	}
	return g
}

func (x *traceIndex) flush() {
	for _, p := range x.dirty.drain() {
		l := x.byPerson[p]
		slices.SortFunc(l, func(a, b traceRef) int {
			return cmp.Or(cmp.Compare(x.rec(a).t, x.rec(b).t), cmp.Compare(a.idx, b.idx))
		})
		out := l[:0]
		for k, r := range l {
			if x.rec(r).person == deadPID {
				continue
			}
			if k+1 < len(l) && x.rec(l[k+1]).t == x.rec(r).t {
				x.rec(r).person = deadPID // replaced; the R-tree keeps it, searches skip it
				x.live--
				continue
			}
			out = append(out, r)
		}
		x.byPerson[p] = out
	}
}

// span returns the person's points with a time in [from, to).
func (x *traceIndex) span(p pid, from, to int64) []traceRef {
	if int(p) >= len(x.byPerson) {
		return nil
	}
	l := x.byPerson[p]
	i, _ := slices.BinarySearchFunc(l, from, func(r traceRef, t int64) int { return cmp.Compare(x.rec(r).t, t) })
	j, _ := slices.BinarySearchFunc(l, to, func(r traceRef, t int64) int { return cmp.Compare(x.rec(r).t, t) })
	return l[i:j]
}

// near calls f with each live point within [t−skew, t+skew] whose float32
// box meets the box [lo, hi].
func (x *traceIndex) near(t, skew int64, lo, hi [2]float32, f func(*traceRec)) {
	for h := floorDiv(t-skew, traceBucketNS); h <= floorDiv(t+skew, traceBucketNS); h++ {
		b := x.buckets[int32(h)]
		if b == nil {
			continue
		}
		b.tree.Search(lo, hi, func(_, _ [2]float32, i uint32) bool {
			if r := &b.pts[i]; r.person != deadPID && r.t >= t-skew && r.t <= t+skew {
				f(r)
			}
			return true
		})
	}
}

// forget drops the buckets wholly before the instant, kills the older
// points of the bucket holding it, and drops them from the persons' lists.
func (x *traceIndex) forget(before int64) {
	x.flush()
	hb := int32(floorDiv(before, traceBucketNS))
	for h, b := range x.buckets {
		switch {
		case h < hb:
			for _, r := range b.pts {
				if r.person != deadPID {
					x.live--
				}
			}
			delete(x.buckets, h)
		case h == hb:
			for i := range b.pts {
				if r := &b.pts[i]; r.person != deadPID && r.t < before {
					r.person = deadPID
					x.live--
				}
			}
		}
	}
	for p, l := range x.byPerson {
		x.byPerson[p] = slices.Clip(slices.DeleteFunc(l, func(r traceRef) bool {
			b := x.buckets[r.hour]
			return b == nil || b.pts[r.idx].person == deadPID
		}))
	}
}

// haversineM is the great-circle distance in metres on the sphere of
// radius EarthRadiusM, degrees in. It is written exactly as Naive's
// formula so that both give the same bits.
func haversineM(lon1, lat1, lon2, lat2 float64) float64 {
	const rad = math.Pi / 180
	sinDLat := math.Sin((lat2 - lat1) * rad / 2)
	sinDLon := math.Sin((lon2 - lon1) * rad / 2)
	h := sinDLat*sinDLat + math.Cos(lat1*rad)*math.Cos(lat2*rad)*(sinDLon*sinDLon)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// searchBox is a float32 box holding every point within metres of (lon,
// lat) on the sphere, with a margin.
func searchBox(lon, lat, metres float64) (lo, hi [2]float32) {
	dLat := metres/(EarthRadiusM*math.Pi/180)*1.01 + 1e-6
	dLon := 360.0
	if c := math.Cos((math.Abs(lat) + dLat) * math.Pi / 180); c > 1e-6 {
		dLon = dLat/c + 1e-6
	}
	return [2]float32{down32(lon - dLon), down32(lat - dLat)}, [2]float32{up32(lon + dLon), up32(lat + dLat)}
}
