package tiles

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Served is a tile ready to send: its gzip, the strong ETags of both
// representations and, when it was rendered here, its bytes, computed once
// when the tile is rendered and kept together in the in-process level and,
// encoded (appendServed), in the shared one, so that a hit neither hashes
// nor compresses. An empty tile has no data, gzip nor tags. Served values
// are shared: never modify them.
type Served struct {
	// Data is the tile, nil when it is empty or came from the shared level
	// (Raw gives it then).
	Data []byte
	// Gzip is the tile gzipped.
	Gzip []byte
	// ETag is the strong tag of the tile, quoted; GzipETag that of Gzip
	// (the same content, another encoding: RFC 9110 wants another tag).
	ETag, GzipETag string
	// Size is the length of the tile, 0 when it is empty.
	Size int
}

// Empty reports whether the tile holds nothing (served as 204).
func (s *Served) Empty() bool { return s.Size == 0 }

// Raw returns the tile's bytes: Data, or Gzip decompressed when the tile
// came from the shared level (only clients that refuse gzip need it).
func (s *Served) Raw() ([]byte, error) {
	if s.Data != nil || s.Size == 0 {
		return s.Data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(s.Gzip))
	if err != nil {
		return nil, fmt.Errorf("tiles: gunzip: %w", err)
	}
	data := make([]byte, 0, s.Size)
	buf := bytes.NewBuffer(data)
	if _, err := io.Copy(buf, zr); err != nil {
		return nil, fmt.Errorf("tiles: gunzip: %w", err)
	}
	if buf.Len() != s.Size {
		return nil, fmt.Errorf("tiles: gunzip: %d bytes, want %d", buf.Len(), s.Size)
	}
	return buf.Bytes(), nil
}

// servedOverhead approximates what an in-process entry costs beyond its
// key and bytes (list element, map slot, the two tags).
const servedOverhead = 256

func (s *Served) cost(key string) int64 {
	return int64(len(key)+len(s.Data)+len(s.Gzip)) + servedOverhead
}

// servedMagic opens an encoded Served (appendServed); its last byte is the
// version of the encoding.
const servedMagic = "BT\x01"

// errServed says a cached value is not an encoded Served.
var errServed = errors.New("tiles: cached value is not a served tile")

// appendServed appends s encoded for a shared cache level to buf: a header
// (servedMagic, then as uvarints the tile's size and the lengths of both
// ETags, then the ETags) and the gzip. The bytes of the tile are left out:
// a shared hit sends the gzip as it is (parseServed).
func appendServed(buf []byte, s *Served) []byte {
	buf = append(buf, servedMagic...)
	buf = binary.AppendUvarint(buf, uint64(s.Size))
	buf = binary.AppendUvarint(buf, uint64(len(s.ETag)))
	buf = binary.AppendUvarint(buf, uint64(len(s.GzipETag)))
	buf = append(buf, s.ETag...)
	buf = append(buf, s.GzipETag...)
	return append(buf, s.Gzip...)
}

// parseServed reads a Served encoded by appendServed, without Data (see
// Served.Raw). It checks the header, and that the gzip's trailer holds the
// size, so that a foreign or truncated value is an error, not a tile. The
// result shares val's bytes.
func parseServed(val []byte) (*Served, error) {
	rest, ok := bytes.CutPrefix(val, []byte(servedMagic))
	if !ok {
		return nil, errServed
	}
	var n [3]uint64
	for i := range n {
		v, w := binary.Uvarint(rest)
		if w <= 0 {
			return nil, errServed
		}
		n[i], rest = v, rest[w:]
	}
	size, tagLen, gzTagLen := n[0], n[1], n[2]
	if tagLen > uint64(len(rest)) || gzTagLen > uint64(len(rest))-tagLen {
		return nil, errServed
	}
	s := &Served{
		ETag:     string(rest[:tagLen]),
		GzipETag: string(rest[tagLen : tagLen+gzTagLen]),
		Gzip:     rest[tagLen+gzTagLen:],
	}
	if size == 0 {
		if len(s.Gzip) != 0 || s.ETag != "" || s.GzipETag != "" {
			return nil, errServed
		}
		return &Served{}, nil
	}
	// NOTE: a gzip member is at least 18 bytes (10 of header, 8 of
	// trailer) and ends with the size of its input modulo 2^32.
	g := s.Gzip
	if size > uint64(maxInt) || len(g) < 18 || g[0] != 0x1f || g[1] != 0x8b ||
		uint64(binary.LittleEndian.Uint32(g[len(g)-4:])) != size&0xffffffff || s.ETag == "" || s.GzipETag == "" {
		return nil, errServed
	}
	s.Size = int(size)
	return s, nil
}

const maxInt = int(^uint(0) >> 1)

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
	return &Served{Data: data, Gzip: gz, ETag: `"` + tag + `"`, GzipETag: `"` + tag + `-gz"`, Size: len(data)}, nil
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
