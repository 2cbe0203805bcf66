package tiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Protobuf keys (field number << 3 | wire type) of the Mapbox Vector Tile
// 2.1 messages this file writes (vector_tile.proto).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5

	keyTileLayer       = 3<<3 | wireBytes   // Tile.layers
	keyLayerName       = 1<<3 | wireBytes   // Layer.name
	keyLayerFeature    = 2<<3 | wireBytes   // Layer.features
	keyLayerKey        = 3<<3 | wireBytes   // Layer.keys
	keyLayerValue      = 4<<3 | wireBytes   // Layer.values
	keyLayerExtent     = 5<<3 | wireVarint  // Layer.extent
	keyLayerVersion    = 15<<3 | wireVarint // Layer.version
	keyFeatureTags     = 2<<3 | wireBytes   // Feature.tags, packed
	keyFeatureType     = 3<<3 | wireVarint  // Feature.type
	keyFeatureGeometry = 4<<3 | wireBytes   // Feature.geometry, packed
	keyValueString     = 1<<3 | wireBytes   // Value.string_value
	keyValueDouble     = 3<<3 | wireFixed64 // Value.double_value
	keyValueSint       = 6<<3 | wireVarint  // Value.sint_value
	keyValueBool       = 7<<3 | wireVarint  // Value.bool_value
)

// geomType is Feature.type.
type geomType uint32

const (
	geomPoint      geomType = 1
	geomLineString geomType = 2
	geomPolygon    geomType = 3
)

// Geometry commands (MVT 2.1 §4.3.3).
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// noID marks a key or bool value not yet written to the layer.
const noID = math.MaxUint32

// pbfLayer writes one MVT layer straight to protobuf bytes: features as
// they come, keys and values deduplicated in the order they are first
// used. It mirrors what orb's mvt.Marshal writes for the same features
// (fields in number order, no feature id), except that the layer's version
// comes first.
//
// A feature is built with beginFeature, the geometry methods and tag, then
// endFeature. The zero value is not ready: call reset first. A pbfLayer is
// reused across layers; it holds no reference to the strings it was given
// once reset.
type pbfLayer struct {
	features     []byte // encoded Layer.features fields
	keys, values []byte // encoded Layer.keys and Layer.values fields
	n            int    // features written
	nkeys        uint32
	nvalues      uint32

	keyIDs  []uint32 // by key slot
	strings map[string]uint32
	ints    map[int64]uint32
	doubles map[float64]uint32
	bools   [2]uint32

	// The feature being built.
	tags   []uint32
	geom   []uint32
	typ    geomType
	cx, cy int32 // the geometry cursor
}

func newPBFLayer() *pbfLayer {
	return &pbfLayer{
		strings: map[string]uint32{},
		ints:    map[int64]uint32{},
		doubles: map[float64]uint32{},
	}
}

// reset empties the layer for slots keys (see tag).
func (l *pbfLayer) reset(slots int) {
	l.features, l.keys, l.values = l.features[:0], l.keys[:0], l.values[:0]
	l.n, l.nkeys, l.nvalues = 0, 0, 0
	l.keyIDs = l.keyIDs[:0]
	for range slots {
		l.keyIDs = append(l.keyIDs, noID)
	}
	clear(l.strings)
	clear(l.ints)
	clear(l.doubles)
	l.bools = [2]uint32{noID, noID}
}

// size is the memory the layer holds on to, in bytes and map entries, to
// decide whether it is worth keeping for another layer.
func (l *pbfLayer) size() int {
	return cap(l.features) + cap(l.keys) + cap(l.values) + 4*(cap(l.tags)+cap(l.geom)) +
		16*(len(l.strings)+len(l.ints)+len(l.doubles))
}

// beginFeature starts a feature with no tags and no geometry.
func (l *pbfLayer) beginFeature() {
	l.tags, l.geom = l.tags[:0], l.geom[:0]
	l.cx, l.cy, l.typ = 0, 0, 0
}

// endFeature writes the feature begun last. Fields follow in number order;
// empty packed fields are left out, as protobuf writers do.
func (l *pbfLayer) endFeature() {
	tagsLen, geomLen := packedLen(l.tags), packedLen(l.geom)
	body := 2 + packedFieldLen(tagsLen) + packedFieldLen(geomLen)
	b := binary.AppendUvarint(append(l.features, keyLayerFeature), uint64(body))
	b = appendPacked(b, keyFeatureTags, tagsLen, l.tags)
	b = append(b, keyFeatureType, byte(l.typ))
	l.features = appendPacked(b, keyFeatureGeometry, geomLen, l.geom)
	l.n++
}

// point sets the feature's geometry to one point in tile units.
func (l *pbfLayer) point(x, y int32) {
	l.typ = geomPoint
	l.geom = append(l.geom, command(cmdMoveTo, 1), zigzag32(x), zigzag32(y))
}

// geometry sets the feature's geometry from a snapped, clipped and cleaned
// geometry in tile units: rings oriented, polygons with their exterior
// first, nothing empty.
func (l *pbfLayer) geometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Point:
		l.point(int32(g[0]), int32(g[1]))
	case orb.MultiPoint:
		l.moveTo(g)
	case orb.LineString:
		l.line(g)
	case orb.MultiLineString:
		for _, ls := range g {
			l.line(ls)
		}
	case orb.Ring:
		l.ring(g)
	case orb.Polygon:
		l.polygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			l.polygon(p)
		}
	default:
		return fmt.Errorf("%w: a %T cannot go in a tile", features.ErrInvalid, g)
	}
	// MVT's three geometry types are orb's three dimensions: points 0,
	// lines 1, areas 2.
	l.typ = [...]geomType{geomPoint, geomLineString, geomPolygon}[g.Dimensions()]
	return nil
}

func (l *pbfLayer) line(ls orb.LineString) {
	l.moveTo(ls[:1])
	l.lineTo(ls[1:])
}

func (l *pbfLayer) polygon(p orb.Polygon) {
	for _, r := range p {
		l.ring(r)
	}
}

// ring writes a ring without its closing point: ClosePath stands for it.
func (l *pbfLayer) ring(r orb.Ring) {
	if r.Closed() {
		r = r[:len(r)-1]
	}
	l.moveTo(r[:1])
	l.lineTo(r[1:])
	l.geom = append(l.geom, command(cmdClosePath, 1))
}

func (l *pbfLayer) moveTo(pts []orb.Point) {
	l.geom = append(l.geom, command(cmdMoveTo, len(pts)))
	l.points(pts)
}

func (l *pbfLayer) lineTo(pts []orb.Point) {
	l.geom = append(l.geom, command(cmdLineTo, len(pts)))
	l.points(pts)
}

// points appends parameters: each point as its delta from the cursor.
func (l *pbfLayer) points(pts []orb.Point) {
	for _, p := range pts {
		x, y := int32(p[0]), int32(p[1])
		l.geom = append(l.geom, zigzag32(x-l.cx), zigzag32(y-l.cy))
		l.cx, l.cy = x, y
	}
}

// tag gives the feature the key of slot (named name) with value id v, an
// id from one of the value methods.
func (l *pbfLayer) tag(slot int, name string, v uint32) {
	k := l.keyIDs[slot]
	if k == noID {
		k = l.nkeys
		l.nkeys++
		l.keyIDs[slot] = k
		l.keys = appendString(append(l.keys, keyLayerKey), name)
	}
	l.tags = append(l.tags, k, v)
}

// stringValue returns the id of a string value, writing it on first use.
func (l *pbfLayer) stringValue(s string) uint32 {
	return valueID(l, l.strings, s, appendStringValue)
}

// intValue returns the id of an integer value, written as sint_value.
func (l *pbfLayer) intValue(i int64) uint32 {
	return valueID(l, l.ints, i, appendIntValue)
}

// doubleValue returns the id of a float value, written as double_value.
// NOTE: a NaN never finds itself in the map, so each NaN gets its own
// value, as in orb.
func (l *pbfLayer) doubleValue(f float64) uint32 {
	return valueID(l, l.doubles, f, appendDoubleValue)
}

// valueID returns the id of v in ids; on first use it gives v the next id
// and writes its Value message with write.
func valueID[K comparable](l *pbfLayer, ids map[K]uint32, v K, write func([]byte, K) []byte) uint32 {
	if id, ok := ids[v]; ok {
		return id
	}
	l.values = write(l.values, v)
	id := l.newValue()
	ids[v] = id
	return id
}

func appendStringValue(b []byte, s string) []byte {
	n := len(s)
	msg := 1 + sizeVarint(uint64(n)) + n
	b = binary.AppendUvarint(append(b, keyLayerValue), uint64(msg))
	return appendString(append(b, keyValueString), s)
}

func appendIntValue(b []byte, i int64) []byte {
	z := zigzag64(i)
	b = append(b, keyLayerValue, byte(1+sizeVarint(z)), keyValueSint)
	return binary.AppendUvarint(b, z)
}

func appendDoubleValue(b []byte, f float64) []byte {
	b = append(b, keyLayerValue, 9, keyValueDouble)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// boolValue returns the id of a bool value.
func (l *pbfLayer) boolValue(v bool) uint32 {
	i := 0
	if v {
		i = 1
	}
	if l.bools[i] == noID {
		l.values = append(l.values, keyLayerValue, 2, keyValueBool, byte(i))
		l.bools[i] = l.newValue()
	}
	return l.bools[i]
}

func (l *pbfLayer) newValue() uint32 {
	id := l.nvalues
	l.nvalues++
	return id
}

// layer returns the layer as a Tile.layers field, in a new slice of its
// exact size: version, name, features, keys, values, extent. The version
// comes first, as the MVT specification asks, so that a decoder knows it
// before it reads the features; the rest is in field number order.
func (l *pbfLayer) layer(name string, extent, version uint32) []byte {
	body := 1 + sizeVarint(uint64(version)) + 1 + sizeVarint(uint64(len(name))) + len(name) +
		len(l.features) + len(l.keys) + len(l.values) +
		1 + sizeVarint(uint64(extent))
	b := make([]byte, 0, 1+sizeVarint(uint64(body))+body)
	b = binary.AppendUvarint(append(b, keyTileLayer), uint64(body))
	b = binary.AppendUvarint(append(b, keyLayerVersion), uint64(version))
	b = appendString(append(b, keyLayerName), name)
	b = append(append(append(b, l.features...), l.keys...), l.values...)
	return binary.AppendUvarint(append(b, keyLayerExtent), uint64(extent))
}

// command is a geometry command integer: id in the low 3 bits, count above.
func command(id, count int) uint32 {
	return uint32(count)<<3 | uint32(id)
}

func zigzag32(v int32) uint32 {
	return uint32(v<<1) ^ uint32(v>>31)
}

func zigzag64(v int64) uint64 {
	return uint64(v<<1) ^ uint64(v>>63)
}

// sizeVarint is the length of v as a protobuf varint.
func sizeVarint(v uint64) int {
	return (bits.Len64(v|1) + 6) / 7
}

// packedLen is the length of vs as packed varints, without key or length.
func packedLen(vs []uint32) int {
	n := 0
	for _, v := range vs {
		n += sizeVarint(uint64(v))
	}
	return n
}

// packedFieldLen is the length of a packed field whose values take n bytes:
// none when n is 0, since an empty repeated field is not written.
func packedFieldLen(n int) int {
	if n == 0 {
		return 0
	}
	return 1 + sizeVarint(uint64(n)) + n
}

// appendPacked appends a packed repeated field whose values take n bytes
// (packedLen(vs)); nothing when there are none.
func appendPacked(b []byte, key byte, n int, vs []uint32) []byte {
	if n == 0 {
		return b
	}
	b = binary.AppendUvarint(append(b, key), uint64(n))
	for _, v := range vs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// ErrBadMVT is returned for a finished layer from a source that is not a
// well-formed protobuf message.
var ErrBadMVT = errors.New("tiles: malformed MVT")

// versionFirst returns tile, a Tile message, with the version field of each
// layer moved before the layer's other fields, which keep their order and
// bytes. Encoders that write fields in number order (ST_AsMVT does) put the
// version last. A tile whose layers have it first already is returned as is,
// without a copy.
func versionFirst(tile []byte) ([]byte, error) {
	var out []byte // nil until a layer needs moving
	for i := 0; i < len(tile); {
		num, wire, layer, next, err := readField(tile, i)
		if err != nil {
			return nil, err
		}
		at, end := -1, -1
		if num == keyTileLayer>>3 && wire == wireBytes {
			if at, end, err = versionField(layer); err != nil {
				return nil, err
			}
		}
		if at > 0 && out == nil {
			out = append(make([]byte, 0, len(tile)), tile[:i]...)
		}
		switch {
		case at > 0:
			// The layer's length is unchanged: only its fields move.
			out = append(out, tile[i:next-len(layer)]...)
			out = append(append(append(out, layer[at:end]...), layer[:at]...), layer[end:]...)
		case out != nil:
			out = append(out, tile[i:next]...)
		}
		i = next
	}
	if out == nil {
		return tile, nil
	}
	return out, nil
}

// versionField finds the first version field of a Layer message: its start
// and end in layer, or -1, -1 when there is none.
func versionField(layer []byte) (start, end int, err error) {
	for i := 0; i < len(layer); {
		num, wire, _, next, err := readField(layer, i)
		if err != nil {
			return -1, -1, err
		}
		if num == keyLayerVersion>>3 && wire == wireVarint {
			return i, next, nil
		}
		i = next
	}
	return -1, -1, nil
}

// readField reads the protobuf field starting at b[i]: its number, wire
// type, payload (length-delimited fields only) and where the next field
// starts.
func readField(b []byte, i int) (num uint64, wire int, payload []byte, next int, err error) {
	key, n := binary.Uvarint(b[i:])
	if n <= 0 {
		return 0, 0, nil, 0, fmt.Errorf("%w: bad field key at byte %d", ErrBadMVT, i)
	}
	j, wire := i+n, int(key&7)
	switch wire {
	case wireVarint:
		_, m := binary.Uvarint(b[j:])
		if m <= 0 {
			return 0, 0, nil, 0, fmt.Errorf("%w: bad varint at byte %d", ErrBadMVT, j)
		}
		next = j + m
	case wireFixed64:
		next = j + 8
	case wireFixed32:
		next = j + 4
	case wireBytes:
		size, m := binary.Uvarint(b[j:])
		if m <= 0 || size > uint64(len(b)-j-m) {
			return 0, 0, nil, 0, fmt.Errorf("%w: bad length at byte %d", ErrBadMVT, j)
		}
		next = j + m + int(size)
		payload = b[j+m : next]
	default:
		return 0, 0, nil, 0, fmt.Errorf("%w: wire type %d at byte %d", ErrBadMVT, wire, i)
	}
	if next > len(b) {
		return 0, 0, nil, 0, fmt.Errorf("%w: field at byte %d runs past the end", ErrBadMVT, i)
	}
	return key >> 3, wire, payload, next, nil
}
