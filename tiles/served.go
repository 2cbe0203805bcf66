package tiles

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
)

// Served is a tile ready to send: its bytes, their gzip and the strong
// ETags of both representations, computed once when the tile is rendered or
// comes from a shared cache level, and kept together in the in-process
// level, so that a hit neither hashes nor compresses. An empty tile has no
// data, gzip nor tags. Served values are shared: never modify them.
type Served struct {
	// Data is the tile (nil when empty).
	Data []byte
	// Gzip is Data gzipped.
	Gzip []byte
	// ETag is the strong tag of Data, quoted; GzipETag that of Gzip (the
	// same content, another encoding: RFC 9110 wants another tag).
	ETag, GzipETag string
}

// servedOverhead approximates what an in-process entry costs beyond its
// key and bytes (list element, map slot, the two tags).
const servedOverhead = 256

func (s *Served) cost(key string) int64 {
	return int64(len(key)+len(s.Data)+len(s.Gzip)) + servedOverhead
}

// gzipPool reuses gzip writers, whose state is large.
type gzipPool struct{ pool sync.Pool }

// newServed prepares data for sending.
func (p *gzipPool) newServed(data []byte) (*Served, error) {
	if len(data) == 0 {
		return &Served{}, nil
	}
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:16])
	gz, err := p.gzip(data)
	if err != nil {
		return nil, err
	}
	return &Served{Data: data, Gzip: gz, ETag: `"` + tag + `"`, GzipETag: `"` + tag + `-gz"`}, nil
}

func (p *gzipPool) gzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, ok := p.pool.Get().(*gzip.Writer)
	if !ok {
		zw = gzip.NewWriter(&buf)
	} else {
		zw.Reset(&buf)
	}
	defer p.pool.Put(zw)
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	return bytes.Clone(buf.Bytes()), nil
}
