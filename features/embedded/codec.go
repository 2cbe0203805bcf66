package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Encoding versions of the records inside the buckets; bumped with
// formatVersion when they change.
const (
	publicEncoding  = 1
	privateEncoding = 1
)

// Kinds of property values on disk. The catalog has no decimal properties;
// kind 3 is not used.
const (
	kindNil    byte = 0
	kindString byte = 1
	kindInt    byte = 2
	kindDate   byte = 4
)

// value is one public property value, typed by the catalog. A string is in
// s, or, when decoded from disk, in raw: bytes bbolt lends for the length of
// a transaction, turned into a string only if the interner has none alike.
type value struct {
	kind byte
	s    string
	raw  []byte
	i    int64 // integer, or a features.Day for dates
}

// text returns a string value as a string.
func (v value) text() string {
	if v.raw != nil {
		return string(v.raw)
	}
	return v.s
}

// appendForm appends the value as items hold it: strings as they are,
// integers in decimal, dates as YYYY-MM-DD; nothing for no value.
func (v value) appendForm(buf []byte) []byte {
	switch v.kind {
	case kindString:
		if v.raw != nil {
			return append(buf, v.raw...)
		}
		return append(buf, v.s...)
	case kindInt:
		return strconv.AppendInt(buf, v.i, 10)
	case kindDate:
		return features.Day(v.i).Time().AppendFormat(buf, features.DateLayout)
	}
	return buf
}

// is reports whether v is the string s, without allocating.
func (v value) is(s string) bool {
	return v.kind == kindString && (v.s == s || (v.raw != nil && string(v.raw) == s))
}

// errBadRecord marks a record on disk that cannot be decoded.
var errBadRecord = errors.New("embedded: bad record encoding")

// fields is the public side of one record: its public geometry, its folded
// name (for search) and its property values in layout order.
type fields struct {
	geom   orb.Geometry
	folded string
	vals   []value
}

// privateRecord is the decoded private side of one people record.
type privateRecord struct {
	exact  orb.Geometry
	person *features.Person
}

// encodePublic encodes the public side of a record. Properties are stored
// with their names, so that data outlives changes to the catalog's order.
func encodePublic(l *layout, f fields) ([]byte, error) {
	g, err := wkb.Marshal(f.geom, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("embedded: encode geometry: %w", err)
	}
	buf := make([]byte, 0, 16+len(g)+len(f.folded)+24*len(f.vals))
	buf = append(buf, publicEncoding)
	buf = appendBytes(buf, g)
	buf = appendBytes(buf, []byte(f.folded))
	n := 0
	for _, v := range f.vals {
		if v.kind != kindNil {
			n++
		}
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	for i, v := range f.vals {
		if v.kind == kindNil {
			continue
		}
		buf = appendBytes(buf, []byte(l.names[i]))
		buf = append(buf, v.kind)
		switch v.kind {
		case kindString:
			buf = appendBytes(buf, []byte(v.text()))
		case kindInt, kindDate:
			buf = binary.AppendVarint(buf, v.i)
		}
	}
	return buf, nil
}

// decodePublic decodes what encodePublic wrote into layout order; names the
// catalog no longer has are skipped. String values stay in raw, pointing
// into b.
func decodePublic(l *layout, b []byte) (fields, error) {
	return decodePublicInto(l, b, make([]value, len(l.names)))
}

// decodePublicInto is decodePublic reusing vals (of the layout's length)
// for the values, which a loader decoding a million records appreciates.
func decodePublicInto(l *layout, b []byte, vals []value) (fields, error) {
	clear(vals)
	d := decoder{b: b}
	if d.byte() != publicEncoding {
		return fields{}, fmt.Errorf("%w: unknown public encoding", errBadRecord)
	}
	g := d.bytes()
	var f fields
	if folded := d.bytes(); len(folded) > 0 {
		f.folded = string(folded)
	}
	n := d.uvarint()
	f.vals = vals
	for ; n > 0 && d.err == nil; n-- {
		name := d.bytes()
		v := d.value()
		if i, ok := l.index[string(name)]; ok {
			f.vals[i] = v
		}
	}
	if d.err != nil {
		return fields{}, d.err
	}
	var err error
	if f.geom, err = decodeGeometry(g); err != nil {
		return fields{}, err
	}
	return f, nil
}

// decodeGeometry reads WKB, with a fast path for little-endian points, the
// bulk of the data.
func decodeGeometry(g []byte) (orb.Geometry, error) {
	if len(g) == 21 && g[0] == 1 && binary.LittleEndian.Uint32(g[1:]) == 1 {
		return orb.Point{
			math.Float64frombits(binary.LittleEndian.Uint64(g[5:])),
			math.Float64frombits(binary.LittleEndian.Uint64(g[13:])),
		}, nil
	}
	geom, err := wkb.Unmarshal(g)
	if err != nil {
		return nil, fmt.Errorf("%w: geometry: %w", errBadRecord, err)
	}
	return geom, nil
}

// encodePrivate encodes the exact geometry and the person of a people record.
func encodePrivate(exact orb.Geometry, p *features.Person) ([]byte, error) {
	g, err := wkb.Marshal(exact, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("embedded: encode geometry: %w", err)
	}
	buf := append(make([]byte, 0, 64+len(g)), privateEncoding)
	buf = appendBytes(buf, g)
	if p == nil {
		return append(buf, 0), nil
	}
	buf = append(buf, 1)
	for _, s := range []string{p.Name, p.Phone, p.IDNumber, p.Address} {
		buf = appendBytes(buf, []byte(s))
	}
	return buf, nil
}

// decodePrivate decodes what encodePrivate wrote.
func decodePrivate(b []byte) (privateRecord, error) {
	d := decoder{b: b}
	if d.byte() != privateEncoding {
		return privateRecord{}, fmt.Errorf("%w: unknown private encoding", errBadRecord)
	}
	g := d.bytes()
	var rec privateRecord
	if d.byte() == 1 {
		rec.person = &features.Person{
			Name: string(d.bytes()), Phone: string(d.bytes()),
			IDNumber: string(d.bytes()), Address: string(d.bytes()),
		}
	}
	if d.err != nil {
		return privateRecord{}, d.err
	}
	exact, err := wkb.Unmarshal(g)
	if err != nil {
		return privateRecord{}, fmt.Errorf("%w: geometry: %w", errBadRecord, err)
	}
	rec.exact = exact
	return rec, nil
}

func appendBytes(buf, b []byte) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(b))), b...)
}

// decoder reads a record, remembering the first error so that callers check
// once at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated %s", errBadRecord, what)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail("byte")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint, "length") }

func (d *decoder) varint() int64 { return readVarint(d, binary.Varint, "integer") }

// readVarint reads one varint with read (binary.Uvarint or binary.Varint);
// what names it in the error.
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int), what string) T {
	v, n := read(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("bytes")
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) value() value {
	v := value{kind: d.byte()}
	switch v.kind {
	case kindNil:
	case kindString:
		v.raw = d.bytes()
		if v.raw == nil {
			v.raw = []byte{}
		}
	case kindInt, kindDate:
		v.i = d.varint()
	default:
		if d.err == nil {
			d.err = fmt.Errorf("%w: unknown value kind %d", errBadRecord, v.kind)
		}
	}
	return v
}
