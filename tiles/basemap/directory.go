package basemap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// entry is one row of a directory: RunLength tiles from TileID on share the
// bytes at Offset (relative to the tile data); a RunLength of 0 points at a
// leaf directory instead (relative to the leaf directories).
type entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// errDirectory tells a directory that does not decode.
var errDirectory = errors.New("basemap: malformed directory")

// parseDirectory decodes an uncompressed directory: the entry count, then
// each column in turn (tile id deltas, run lengths, lengths, offsets; an
// offset of 0 after the first entry means "right after the previous one",
// any other is the offset plus one).
func parseDirectory(b []byte) ([]entry, error) {
	r := varintReader{b: b}
	n := r.next()
	if r.err != nil || n > uint64(len(b)) {
		return nil, fmt.Errorf("%w: entry count", errDirectory)
	}
	es := make([]entry, n)
	var id uint64
	for i := range es {
		id += r.next()
		es[i].TileID = id
	}
	for i := range es {
		es[i].RunLength = uint32(r.next())
	}
	for i := range es {
		es[i].Length = uint32(r.next())
	}
	for i := range es {
		v := r.next()
		if v == 0 && i > 0 {
			es[i].Offset = es[i-1].Offset + uint64(es[i-1].Length)
		} else {
			es[i].Offset = v - 1
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return es, nil
}

// varintReader reads unsigned varints until the first error, which it keeps.
type varintReader struct {
	b   []byte
	err error
}

func (r *varintReader) next() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: truncated varint", errDirectory)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// find returns the entry holding id: the last one whose TileID is not above
// it, if its run reaches id or it points at a leaf.
func find(es []entry, id uint64) (entry, bool) {
	i := sort.Search(len(es), func(i int) bool { return es[i].TileID > id }) - 1
	if i < 0 {
		return entry{}, false
	}
	e := es[i]
	if e.RunLength == 0 || id-e.TileID < uint64(e.RunLength) {
		return e, true
	}
	return entry{}, false
}
