package exposure

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/rtree"
)

// traceBucketNS is the time span of one trace bucket: an hour.
const traceBucketNS = int64(time.Hour)

// traceSegment is the most points one R-tree item covers.
const traceSegment = 16

// traceRec is one trace point: Unix ns, degrees, raw person.
type traceRec struct {
	t        int64
	lon, lat float64
	person   pid
}

// traceBucket holds the points of one hour. After a flush its points are
// ordered by (person, time), one per (person, time), and its R-tree holds
// one float32 box (rounded outwards) per segment of up to traceSegment
// consecutive points of one person: the item is first<<4 | (n−1). Points
// written since are appended unordered until the next flush.
type traceBucket struct {
	pts   []traceRec
	tree  rtree.RTreeGN[float32, uint32]
	dirty bool
}

// traceIndex holds the trace points in hourly buckets. A person's points
// in a time range are found bucket by bucket (a binary search in each); the
// points near a place and time through the R-trees of the buckets the time
// skew spans.
type traceIndex struct {
	buckets map[int32]*traceBucket
	dirty   []int32
	live    int
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

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
	if len(b.pts) == cap(b.pts) {
		// Doubling: append grows a large slice by a quarter, which for
		// an hour's thousands of points copied each about four times
		// and first touched five times its size.
		b.pts = slices.Grow(b.pts, max(len(b.pts), 256))
	}
	b.pts = append(b.pts, r)
	if !b.dirty {
		b.dirty = true
		x.dirty = append(x.dirty, h)
	}
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

func byPersonTime(a, b traceRec) int {
	return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.t, b.t))
}

func (x *traceIndex) flush() { x.flushWith(1) }

// flushWith tidies the dirty buckets on up to workers goroutines: each
// bucket is its own points and R-tree, so they tidy apart.
func (x *traceIndex) flushWith(workers int) {
	var next, dropped atomic.Int64
	work := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(x.dirty) {
				return
			}
			if b := x.buckets[x.dirty[k]]; b != nil {
				dropped.Add(int64(b.tidy()))
			}
		}
	}
	var wg sync.WaitGroup
	for range min(workers, len(x.dirty)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	x.live -= int(dropped.Load())
	x.dirty = x.dirty[:0]
}

// tidy orders the bucket, keeps the last written point of each (person,
// time), rebuilds the R-tree and returns how many points it dropped.
func (b *traceBucket) tidy() int {
	b.dirty = false
	if !slices.IsSortedFunc(b.pts, byPersonTime) {
		slices.SortStableFunc(b.pts, byPersonTime) // stable: the last written of equals stays last
	}
	n, out := len(b.pts), b.pts[:0]
	for k, r := range b.pts {
		if k+1 < len(b.pts) && byPersonTime(b.pts[k+1], r) == 0 {
			continue
		}
		out = append(out, r)
	}
	b.pts = out
	b.index()
	return n - len(out)
}

// index rebuilds the bucket's R-tree of segments.
func (b *traceBucket) index() {
	b.tree.Clear()
	for first := 0; first < len(b.pts); {
		end := first + 1
		for end < len(b.pts) && end-first < traceSegment && b.pts[end].person == b.pts[first].person {
			end++
		}
		lo := [2]float32{float32(math.Inf(1)), float32(math.Inf(1))}
		hi := [2]float32{float32(math.Inf(-1)), float32(math.Inf(-1))}
		for _, r := range b.pts[first:end] {
			lo = [2]float32{min(lo[0], down32(r.lon)), min(lo[1], down32(r.lat))}
			hi = [2]float32{max(hi[0], up32(r.lon)), max(hi[1], up32(r.lat))}
		}
		b.tree.Insert(lo, hi, uint32(first)<<4|uint32(end-first-1))
		first = end
	}
}

// span calls f with each of the person's points with a time in [from,
// to), in time order.
func (x *traceIndex) span(p pid, from, to int64, f func(*traceRec)) {
	if from >= to {
		return
	}
	for h := floorDiv(from, traceBucketNS); h <= floorDiv(to-1, traceBucketNS); h++ {
		b := x.buckets[int32(h)]
		if b == nil {
			continue
		}
		i, _ := slices.BinarySearchFunc(b.pts, traceRec{person: p, t: from}, byPersonTime)
		for ; i < len(b.pts) && b.pts[i].person == p && b.pts[i].t < to; i++ {
			f(&b.pts[i])
		}
	}
}

// near calls f with each point within [t−skew, t+skew] in a segment whose
// box meets [lo, hi].
func (x *traceIndex) near(t, skew int64, lo, hi [2]float32, f func(*traceRec)) {
	for h := floorDiv(t-skew, traceBucketNS); h <= floorDiv(t+skew, traceBucketNS); h++ {
		b := x.buckets[int32(h)]
		if b == nil {
			continue
		}
		b.tree.Search(lo, hi, func(_, _ [2]float32, item uint32) bool {
			first := int(item >> 4)
			for _, r := range b.pts[first : first+int(item&15)+1] {
				if r.t >= t-skew && r.t <= t+skew {
					f(&r)
				}
			}
			return true
		})
	}
}

// forget drops the buckets wholly before the instant and the older points
// of the bucket holding it.
func (x *traceIndex) forget(before int64) {
	x.flush()
	hb := int32(floorDiv(before, traceBucketNS))
	for h, b := range x.buckets {
		switch {
		case h < hb:
			x.live -= len(b.pts)
			delete(x.buckets, h)
		case h == hb:
			n := len(b.pts)
			b.pts = slices.DeleteFunc(b.pts, func(r traceRec) bool { return r.t < before })
			x.live -= n - len(b.pts)
			b.index()
		}
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
