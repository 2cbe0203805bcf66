package basemap

import (
	"fmt"
	"io"
	"os"

	"github.com/bandomap/bando/tiles/pmtiles"
)

// Archive is an open street base map: a PMTiles archive (its Header and
// Tile come from the embedded pmtiles.Reader) with its metadata read once,
// for TileJSON. It is safe for concurrent use.
type Archive struct {
	*pmtiles.Reader
	metadata []byte
	closer   io.Closer
}

// Open opens the archive at path.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	a, err := New(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	a.closer = f
	return a, nil
}

// New reads the header, root directory and metadata of the archive r
// holds. An archive that is not PMTiles v3 is refused with the errors of
// pmtiles.Open (pmtiles.ErrNotPMTiles, ErrVersion, ErrCompression).
func New(r io.ReaderAt) (*Archive, error) {
	rd, err := pmtiles.Open(r)
	if err != nil {
		return nil, err
	}
	meta, err := rd.Metadata()
	if err != nil {
		return nil, err
	}
	return &Archive{Reader: rd, metadata: meta}, nil
}

// Close closes the file Open opened.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// Metadata is the archive's JSON metadata (vector_layers, attribution, …),
// uncompressed.
func (a *Archive) Metadata() []byte { return a.metadata }
