package tiles

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// CountProperty is the only property of an aggregated cell: how many
// people of a people layer fall in it (features.CountProperty).
const CountProperty = features.CountProperty

// ErrBadRules is returned for rules the encoder cannot draw with.
var ErrBadRules = errors.New("tiles: bad rendering rules")

// maxLatitude is where Web Mercator stops (EPSG:3857's square world).
const maxLatitude = 85.05112877980659

// Aggregated reports whether the layer is drawn as counted cells: a people
// layer (features.Collection.People), at every zoom. Rules.AggregateBelowZoom
// no longer shows single people at deep zooms: a person is never public
// alone (see PublicSource).
func (r LayerRequest) Aggregated() bool {
	return r.Collection.People
}

// Margin is how far around the tile, in tile units, a source must select
// features: Rules.Buffer, plus Rules.CellSize for an aggregated layer, since
// a point just outside the buffer can still fall in a cell whose centre is
// inside it. Selecting more is harmless: the encoder drops what it must.
func (r LayerRequest) Margin() int {
	rules := r.rules()
	if r.Aggregated() {
		return rules.Buffer + rules.CellSize
	}
	return rules.Buffer
}

// Bound is the longitude/latitude box a source must select features from:
// the tile grown by Margin on every side.
func (r LayerRequest) Bound() orb.Bound {
	rules := r.rules()
	return r.Tile.Bound(float64(r.Margin()) / float64(rules.Extent))
}

// rules returns the request's rules, or DefaultRules when none are set.
func (r LayerRequest) rules() Rules {
	if r.Rules == (Rules{}) {
		return DefaultRules()
	}
	return r.Rules
}

func checkRules(r Rules) error {
	if r.Extent <= 0 || r.Buffer < 0 || r.CellSize <= 0 {
		return fmt.Errorf("%w: extent %d, buffer %d, cell %d", ErrBadRules, r.Extent, r.Buffer, r.CellSize)
	}
	return nil
}

// encodeLayer draws one MVT layer in process from features a source
// selected, following the rules written in the package documentation ("How
// a layer is drawn"), which the PostGIS store writes in SQL. A zero
// req.Rules means DefaultRules. The layer is named after the collection id,
// version 2, extent Rules.Extent; features carry no MVT id. No feature, or a
// Limit of 0 or less, gives an empty Layer (nil Data), like ST_AsMVT over no
// rows. The layer is written straight to protobuf: keys and values once each
// in the order first used, a feature's tags by key name, the version first;
// the returned Data is about the only allocation for a layer of points.
func encodeLayer(req LayerRequest, feats []features.Feature) (Layer, error) {
	rules := req.rules()
	if err := checkRules(rules); err != nil {
		return Layer{}, err
	}
	if req.Limit <= 0 || len(feats) == 0 {
		return Layer{}, nil
	}
	e := encoders.Get().(*encoder)
	defer e.release()
	e.drawer = drawer{rules: rules, proj: newProjector(req.Tile.X, req.Tile.Y, uint32(req.Tile.Z), rules.Extent)}
	if req.Aggregated() {
		e.aggregate(feats, req.Limit)
	} else if err := e.features(req.Collection, feats, req.Limit); err != nil {
		return Layer{}, err
	}
	if e.w.n == 0 {
		return Layer{}, nil
	}
	return Layer{Data: e.w.layer(req.Collection.ID, uint32(rules.Extent), mvtVersion), Features: e.w.n}, nil
}

// mvtVersion is the Mapbox Vector Tile specification version written.
const mvtVersion = 2

// encoders holds encoders between calls of encodeLayer, so that a tile
// reuses the buffers, maps and scratch slices of the previous ones.
// NOTE: a package-level variable, yet no state a caller can observe: it
// holds scratch memory only, and an encoder is reset before it goes back.
var encoders = sync.Pool{New: func() any { return newEncoder() }}

// maxPooledSize bounds, in bytes, the memory an encoder may keep when it goes
// back to the pool: one huge layer should not pin its buffers forever.
const maxPooledSize = 8 << 20

// encoder is the working memory of one encodeLayer call.
type encoder struct {
	drawer
	w      *pbfLayer
	ranked []rankedIndex
	names  []string
	counts map[[2]float64]cellSum
	cells  []cell
}

func newEncoder() *encoder {
	return &encoder{w: newPBFLayer(), counts: map[[2]float64]cellSum{}}
}

// release resets the encoder, dropping every reference to the caller's
// data, and returns it to the pool unless it grew too big.
func (e *encoder) release() {
	size := e.w.size() + 16*(cap(e.ranked)+cap(e.names)+cap(e.cells)+len(e.counts))
	e.w.reset(0)
	clear(e.names)
	clear(e.counts)
	e.drawer = drawer{}
	if size <= maxPooledSize {
		encoders.Put(e)
	}
}

// drawer turns public features into tile geometry under one set of rules.
type drawer struct {
	rules Rules
	proj  projector
}

// features writes the first limit features in thinning order, less those
// that come out empty.
func (e *encoder) features(col features.Collection, feats []features.Feature, limit int) error {
	order := e.thinningOrder(feats)
	order = order[:min(limit, len(order))]
	names := e.publicNames(col)
	e.w.reset(len(names))
	for _, r := range order {
		f := &feats[r.i]
		ok, err := e.geometry(f.Geometry)
		if err == nil && ok {
			err = e.properties(names, f.Properties)
		}
		if err != nil {
			return fmt.Errorf("tiles: %s %q: %w", col.ID, f.ID, err)
		}
		if ok {
			e.w.endFeature()
		}
	}
	return nil
}

// rankedIndex is a feature's place in the thinning order.
type rankedIndex struct {
	rank uint32
	i    int // index in the features given to encodeLayer
}

// thinningOrder returns the indexes of feats ordered by (features.Rank(id),
// id).
func (e *encoder) thinningOrder(feats []features.Feature) []rankedIndex {
	rs := e.ranked[:0]
	for i := range feats {
		rs = append(rs, rankedIndex{features.Rank(feats[i].ID), i})
	}
	slices.SortFunc(rs, func(a, b rankedIndex) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return cmp.Compare(feats[a.i].ID, feats[b.i].ID)
	})
	e.ranked = rs
	return rs
}

// publicNames returns the names of the collection's public properties in
// byte order: the order of a feature's tags, as orb's encoder sorts them.
// A name's position is its key slot in the layer.
func (e *encoder) publicNames(col features.Collection) []string {
	names := e.names[:0]
	for _, p := range col.Properties {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	e.names = slices.Compact(names)
	return e.names
}

// geometry begins a feature with the drawn geometry of g; false means
// nothing of g is left in the tile, and the feature is to be dropped.
func (e *encoder) geometry(g orb.Geometry) (bool, error) {
	e.w.beginFeature()
	if p, ok := g.(orb.Point); ok {
		// The common case, the same steps as draw without the generic
		// machinery and its allocations.
		q := snapPoint(e.proj.point(p))
		if !e.clipBox().Contains(q) {
			return false, nil
		}
		e.w.point(int32(q[0]), int32(q[1]))
		return true, nil
	}
	t, err := e.draw(g)
	if err != nil || t == nil {
		return false, err
	}
	return true, e.w.geometry(t)
}

// properties tags the feature with the public properties it has: every
// non-nil value of a name in names (sorted), in the value types MVT holds.
// Any other property (a private one) is never written.
func (e *encoder) properties(names []string, props map[string]any) error {
	for slot, name := range names {
		v, ok := props[name]
		if !ok || v == nil {
			continue
		}
		id, err := e.value(v)
		if err != nil {
			return fmt.Errorf("property %s: %w", name, err)
		}
		e.w.tag(slot, name, id)
	}
	return nil
}

// value returns the layer's id of a property value: strings as string
// values, integers as sint, floats as double, bool as bool, dates as
// features.DateLayout strings.
func (e *encoder) value(v any) (uint32, error) {
	switch v := v.(type) {
	case string:
		return e.w.stringValue(v), nil
	case int64:
		return e.w.intValue(v), nil
	case int:
		return e.w.intValue(int64(v)), nil
	case int32:
		return e.w.intValue(int64(v)), nil
	case float64:
		return e.w.doubleValue(v), nil
	case float32:
		return e.w.doubleValue(float64(v)), nil
	case bool:
		return e.w.boolValue(v), nil
	case time.Time:
		return e.w.stringValue(v.Format(features.DateLayout)), nil
	}
	return 0, fmt.Errorf("%w: value of type %T cannot go in a tile", features.ErrInvalid, v)
}

// draw projects, simplifies, snaps, clips and cleans one geometry; nil
// means nothing of it is left in the tile.
func (d drawer) draw(g orb.Geometry) (orb.Geometry, error) {
	if g == nil {
		return nil, nil
	}
	t, err := mapPoints(g, d.proj.point)
	if err != nil {
		return nil, err
	}
	if t.Dimensions() > 0 {
		// NOTE: the simplifier works in place; t is our own copy.
		t = simplify.DouglasPeucker(1).Simplify(t)
		if t == nil {
			return nil, nil
		}
	}
	t = snap(t)
	t = clip.Geometry(d.clipBox(), t)
	if t == nil {
		return nil, nil
	}
	return clean(snap(t)), nil
}

func (d drawer) clipBox() orb.Bound {
	b, e := float64(d.rules.Buffer), float64(d.rules.Extent)
	return orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{e + b, e + b}}
}

// weight is how many people a point of an aggregated layer stands for: its
// CountProperty when it is a public group (PublicSource), else one.
func weight(f features.Feature) int64 {
	if n, ok := f.Properties[CountProperty].(int64); ok && n > 0 {
		return n
	}
	return 1
}

// cell is one aggregation cell: its centre, which orders and keeps it, and
// the point it is drawn at, in tile units.
type cell struct {
	x, y  int64
	at    orb.Point
	count int64
}

// cellSum gathers the points of one cell: their total weight and the
// member it is drawn at (see drawnBefore).
type cellSum struct {
	count  int64
	at     orb.Point
	weight int64
}

// drawnBefore reports whether a point of weight w at t draws its cell
// rather than the member chosen so far: the heaviest member, ties broken by
// x, then y, ascending. A cell is drawn at one of its own points, never at
// its centre, which for a cell of several kilometres at low zoom may lie
// outside the province or across a river from every person it counts.
func (s cellSum) drawnBefore(t orb.Point, w int64) bool {
	if s.count == 0 || w != s.weight {
		return s.count == 0 || w > s.weight
	}
	return t[0] < s.at[0] || (t[0] == s.at[0] && t[1] < s.at[1])
}

// aggregate counts points per cell and writes the limit fullest cells,
// each at its heaviest member.
func (e *encoder) aggregate(feats []features.Feature, limit int) {
	c := float64(e.rules.CellSize)
	for i := range feats {
		p, ok := feats[i].Geometry.(orb.Point)
		if !ok {
			continue
		}
		t := e.proj.point(p)
		key := [2]float64{math.Floor(t[0]/c)*c + c/2, math.Floor(t[1]/c)*c + c/2}
		s, w := e.counts[key], weight(feats[i])
		if s.drawnBefore(t, w) {
			s.at, s.weight = t, w
		}
		s.count += w
		e.counts[key] = s
	}
	lo, hi := float64(-e.rules.Buffer), float64(e.rules.Extent+e.rules.Buffer)
	cells := e.cells[:0]
	for centre, s := range e.counts {
		if centre[0] < lo || centre[0] > hi || centre[1] < lo || centre[1] > hi {
			continue
		}
		cells = append(cells, cell{x: int64(math.RoundToEven(centre[0])), y: int64(math.RoundToEven(centre[1])), at: s.at, count: s.count})
	}
	slices.SortFunc(cells, func(a, b cell) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y))
	})
	e.cells = cells
	e.w.reset(1)
	for _, cl := range cells[:min(limit, len(cells))] {
		e.w.beginFeature()
		e.w.point(int32(math.RoundToEven(cl.at[0])), int32(math.RoundToEven(cl.at[1])))
		e.w.tag(0, CountProperty, e.w.intValue(cl.count))
		e.w.endFeature()
	}
}

// projector maps longitude/latitude to the tile units of one tile.
type projector struct {
	world  float64 // size of the world in tile units at the tile's zoom
	x0, y0 float64 // the tile's top-left corner in world tile units
}

func newProjector(x, y, z uint32, extent int) projector {
	e := float64(extent)
	return projector{world: math.Ldexp(e, int(z)), x0: float64(x) * e, y0: float64(y) * e}
}

func (p projector) point(ll orb.Point) orb.Point {
	lat := math.Max(-maxLatitude, math.Min(maxLatitude, ll[1]))
	s := math.Sin(lat * math.Pi / 180)
	x := (ll[0]+180)/360*p.world - p.x0
	y := (0.5-math.Log((1+s)/(1-s))/(4*math.Pi))*p.world - p.y0
	return orb.Point{x, y}
}
