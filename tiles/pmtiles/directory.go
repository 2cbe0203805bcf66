package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// entry is one directory entry: a run of RunLength tiles from TileID on,
// all with the content at Offset (from the start of the tile data) and
// Length; or, with RunLength 0, a leaf directory at Offset from the start
// of the leaf directories.
type entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// appendDirectory appends entries (ascending TileID) serialized as the
// specification says, column by column as varints: the count, the deltas of
// the tile ids, the run lengths, the lengths, and the offsets (0 when an
// entry follows the one before it directly, else offset+1).
func appendDirectory(buf []byte, entries []entry) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, uint64(e.RunLength))
	}
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			buf = binary.AppendUvarint(buf, 0)
		} else {
			buf = binary.AppendUvarint(buf, e.Offset+1)
		}
	}
	return buf
}

var errDirectory = errors.New("pmtiles: directory corrupt")

// parseDirectory reads a directory written by appendDirectory.
func parseDirectory(b []byte) ([]entry, error) {
	r := bytes.NewReader(b)
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(len(b)) {
		return nil, errDirectory
	}
	entries := make([]entry, n)
	var id uint64
	for i := range entries {
		d, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, errDirectory
		}
		id += d
		entries[i].TileID = id
	}
	for _, set := range []func(e *entry, v uint64){
		func(e *entry, v uint64) { e.RunLength = uint32(v) },
		func(e *entry, v uint64) { e.Length = uint32(v) },
	} {
		for i := range entries {
			v, err := binary.ReadUvarint(r)
			if err != nil || v > 1<<32-1 {
				return nil, errDirectory
			}
			set(&entries[i], v)
		}
	}
	for i := range entries {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, errDirectory
		}
		switch {
		case v > 0:
			entries[i].Offset = v - 1
		case i > 0:
			entries[i].Offset = entries[i-1].Offset + uint64(entries[i-1].Length)
		default:
			return nil, errDirectory
		}
	}
	return entries, nil
}

// gzipped compresses b.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // NOTE: a valid level never fails
	_, _ = zw.Write(b)                                       // NOTE: a bytes.Buffer never fails
	_ = zw.Close()
	return buf.Bytes()
}

// gunzipped decompresses b, refusing more than limit bytes.
func gunzipped(b []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("pmtiles: gunzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("pmtiles: gunzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("pmtiles: gunzip: more than %d bytes", limit)
	}
	return out, nil
}

// find returns the entry of dir that holds id: the last one whose TileID
// is not above it, if its run reaches id or it points at a leaf directory.
func find(dir []entry, id uint64) (entry, bool) {
	i := sort.Search(len(dir), func(i int) bool { return dir[i].TileID > id }) - 1
	if i < 0 {
		return entry{}, false
	}
	e := dir[i]
	if e.RunLength == 0 || id-e.TileID < uint64(e.RunLength) {
		return e, true
	}
	return entry{}, false
}

// directories lays entries out as a root directory that fits RootLimit with
// the header, and leaf directories when all of them do not or when there
// are more than leafSize (above 0) of them: the entries are cut into leaves
// of leafSize (4096 when 0), grown until the root of the leaves fits. Both
// are returned as compress leaves them; leaves concatenated.
func directories(entries []entry, leafSize int, compress func([]byte) []byte) (root, leaves []byte) {
	root = compress(appendDirectory(nil, entries))
	if len(root) <= RootLimit-HeaderLen && (leafSize <= 0 || len(entries) <= leafSize) {
		return root, nil
	}
	if leafSize <= 0 {
		leafSize = 4096
	}
	for ; ; leafSize += max(1, leafSize/5) {
		var rootEntries []entry
		leaves = leaves[:0]
		for start := 0; start < len(entries); start += leafSize {
			leaf := compress(appendDirectory(nil, entries[start:min(start+leafSize, len(entries))]))
			rootEntries = append(rootEntries, entry{TileID: entries[start].TileID, Offset: uint64(len(leaves)), Length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		root = compress(appendDirectory(nil, rootEntries))
		if len(root) <= RootLimit-HeaderLen {
			return root, leaves
		}
	}
}
