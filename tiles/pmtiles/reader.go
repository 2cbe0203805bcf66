package pmtiles

import (
	"fmt"
	"io"
	"sync"
)

// maxSection bounds one read (a tile, a directory, the metadata) and a
// directory or the metadata once decompressed, so that a corrupt archive
// cannot make a reader allocate without limit.
const maxSection = 64 << 20

// maxDepth is how many directories deep a tile may lie: the root and up to
// three levels of leaves, as the specification allows.
const maxDepth = 4

// maxLeaves bounds the leaf directories a Reader keeps decoded.
const maxLeaves = 256

// Reader finds tiles in an archive. It is safe for concurrent use.
type Reader struct {
	r    io.ReaderAt
	h    Header
	root []entry

	mu     sync.Mutex
	leaves map[uint64][]entry // by offset within the leaf directories
}

// Open reads the header and root directory of the archive in r. An archive
// whose directories are compressed otherwise than plain or gzip is refused
// with ErrCompression.
func Open(r io.ReaderAt) (*Reader, error) {
	b := make([]byte, HeaderLen)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrNotPMTiles, err)
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.InternalCompression != Gzip && h.InternalCompression != NoCompression {
		return nil, fmt.Errorf("%w: directories in compression %d (only none and gzip are read)", ErrCompression, h.InternalCompression)
	}
	rd := &Reader{r: r, h: h, leaves: map[uint64][]entry{}}
	if rd.root, err = rd.directory(h.RootOffset, h.RootLength); err != nil {
		return nil, fmt.Errorf("pmtiles: root directory: %w", err)
	}
	return rd, nil
}

// Header returns the archive's header.
func (rd *Reader) Header() Header { return rd.h }

// Metadata returns the archive's metadata, decompressed.
func (rd *Reader) Metadata() ([]byte, error) {
	b, err := rd.section(rd.h.MetadataOffset, rd.h.MetadataLength)
	if err != nil {
		return nil, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	return b, nil
}

// Tile returns the bytes of tile z/x/y as stored (compressed as the header
// says), and false when the archive has no such tile.
func (rd *Reader) Tile(z uint8, x, y uint32) ([]byte, bool, error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return nil, false, err
	}
	dir := rd.root
	for range maxDepth {
		e, ok := find(dir, id)
		if !ok {
			return nil, false, nil
		}
		if e.RunLength > 0 {
			b, err := rd.read(rd.h.DataOffset+e.Offset, uint64(e.Length))
			if err != nil {
				return nil, false, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
			}
			return b, true, nil
		}
		if dir, err = rd.leaf(e); err != nil {
			return nil, false, fmt.Errorf("pmtiles: leaf directory of %d/%d/%d: %w", z, x, y, err)
		}
	}
	return nil, false, fmt.Errorf("pmtiles: tile %d/%d/%d: directories nested deeper than %d", z, x, y, maxDepth)
}

// leaf returns the leaf directory e points at, decoded once and kept.
func (rd *Reader) leaf(e entry) ([]entry, error) {
	rd.mu.Lock()
	dir, ok := rd.leaves[e.Offset]
	rd.mu.Unlock()
	if ok {
		return dir, nil
	}
	dir, err := rd.directory(rd.h.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, err
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	// NOTE: a full cache starts again empty: leaves are cheap to decode
	// and a map's visitors stay in a few of them.
	if len(rd.leaves) >= maxLeaves {
		clear(rd.leaves)
	}
	rd.leaves[e.Offset] = dir
	return dir, nil
}

func (rd *Reader) directory(offset, length uint64) ([]entry, error) {
	b, err := rd.section(offset, length)
	if err != nil {
		return nil, err
	}
	return parseDirectory(b)
}

// section reads length bytes at offset and decompresses them as the
// header's internal compression says.
func (rd *Reader) section(offset, length uint64) ([]byte, error) {
	b, err := rd.read(offset, length)
	if err != nil || rd.h.InternalCompression == NoCompression || length == 0 {
		return b, err
	}
	return gunzipped(b, maxSection)
}

// read reads length bytes at offset.
func (rd *Reader) read(offset, length uint64) ([]byte, error) {
	if length > maxSection {
		return nil, fmt.Errorf("%d bytes at %d: larger than %d", length, offset, maxSection)
	}
	b := make([]byte, length)
	if _, err := rd.r.ReadAt(b, int64(offset)); err != nil {
		return nil, fmt.Errorf("%d bytes at %d: %w", length, offset, err)
	}
	return b, nil
}
