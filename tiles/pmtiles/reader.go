package pmtiles

import (
	"errors"
	"fmt"
	"io"
	"sort"
)

// maxDirectory bounds a directory or the metadata once decompressed, so
// that a corrupt archive cannot make a reader allocate without limit.
const maxDirectory = 64 << 20

// Reader finds tiles in an archive.
type Reader struct {
	r    io.ReaderAt
	h    Header
	root []entry
}

// Open reads the header and root directory of the archive in r.
func Open(r io.ReaderAt) (*Reader, error) {
	b := make([]byte, HeaderLen)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("pmtiles: header: %w", err)
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.InternalCompression != Gzip && h.InternalCompression != NoCompression {
		return nil, fmt.Errorf("pmtiles: directories compressed with %d, not gzip", h.InternalCompression)
	}
	rd := &Reader{r: r, h: h}
	if rd.root, err = rd.directory(h.RootOffset, h.RootLength); err != nil {
		return nil, err
	}
	return rd, nil
}

// Header returns the archive's header.
func (rd *Reader) Header() Header { return rd.h }

// Metadata returns the archive's metadata, decompressed.
func (rd *Reader) Metadata() ([]byte, error) {
	return rd.section(rd.h.MetadataOffset, rd.h.MetadataLength)
}

// Tile returns the bytes of tile z/x/y as stored (compressed as the header
// says), and false when the archive has no such tile.
func (rd *Reader) Tile(z uint8, x, y uint32) ([]byte, bool, error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return nil, false, err
	}
	dir := rd.root
	for depth := 0; depth < 4; depth++ {
		i := sort.Search(len(dir), func(i int) bool { return dir[i].TileID > id }) - 1
		if i < 0 {
			return nil, false, nil
		}
		e := dir[i]
		if e.RunLength > 0 {
			if id >= e.TileID+uint64(e.RunLength) {
				return nil, false, nil
			}
			b := make([]byte, e.Length)
			if _, err := rd.r.ReadAt(b, int64(rd.h.DataOffset+e.Offset)); err != nil {
				return nil, false, fmt.Errorf("pmtiles: tile %d/%d/%d: %w", z, x, y, err)
			}
			return b, true, nil
		}
		if dir, err = rd.directory(rd.h.LeafOffset+e.Offset, uint64(e.Length)); err != nil {
			return nil, false, err
		}
	}
	return nil, false, errors.New("pmtiles: directories nested deeper than 3 leaves")
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
	if length > maxDirectory {
		return nil, fmt.Errorf("pmtiles: section of %d bytes is too large", length)
	}
	b := make([]byte, length)
	if _, err := rd.r.ReadAt(b, int64(offset)); err != nil {
		return nil, fmt.Errorf("pmtiles: section at %d: %w", offset, err)
	}
	if rd.h.InternalCompression == NoCompression {
		return b, nil
	}
	return gunzipped(b, maxDirectory)
}
