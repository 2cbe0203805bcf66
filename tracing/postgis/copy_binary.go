package postgis

import (
	"encoding/binary"
	"io"
	"time"
)

// The bulk import writes PostgreSQL's binary wire formats itself (COPY
// … FROM STDIN (FORMAT binary) rows and one-dimensional arrays) instead
// of handing pgx a []any a row: pgx's per-value encoding plans, boxing
// and growing buffers cost about 0.6 µs a visit and 1.2 µs a person, a
// quarter of the import's client CPU; appending the bytes costs a fifth
// of that (BenchmarkVisitCopy: 0.13 µs a visit).
// The formats are PostgreSQL's (src/backend/commands/copyfromparse.c,
// arrayfuncs.c array_recv, timestamp.c timestamptz_recv).

// copySignature opens a binary COPY stream: the signature, flags (no
// OIDs) and no header extension.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// pgEpochMicros is PostgreSQL's epoch (2000-01-01 UTC) in Unix
// microseconds: a timestamptz is sent as microseconds since it.
const pgEpochMicros = 946_684_800_000_000

// Type OIDs of the values the import sends, and of their arrays
// (pg_type.dat).
const (
	oidBytea            = 17
	oidText             = 25
	oidTimestamptz      = 1184
	oidByteaArray       = 1001
	oidTextArray        = 1009
	oidTimestamptzArray = 1185
)

// wire appends values in PostgreSQL's binary formats, each as a field:
// its length (int32, -1 for NULL) and its bytes.
type wire struct {
	b []byte
}

func (w *wire) int16(v int16) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(v)) }
func (w *wire) int32(v int32) { w.b = binary.BigEndian.AppendUint32(w.b, uint32(v)) }

// null appends a NULL field.
func (w *wire) null() { w.int32(-1) }

// text appends a text (or bytea: the same bytes) field. The server
// checks the text is valid in the client encoding (UTF-8).
func (w *wire) text(s string) {
	w.int32(int32(len(s)))
	w.b = append(w.b, s...)
}

// bytea appends a bytea field.
func (w *wire) bytea(p []byte) {
	w.int32(int32(len(p)))
	w.b = append(w.b, p...)
}

// int4 appends an integer field.
func (w *wire) int4(v int32) {
	w.int32(4)
	w.int32(v)
}

// timestamptz appends t, to the microsecond, as a timestamptz field (a
// zone is not sent: the instant is).
func (w *wire) timestamptz(t time.Time) {
	w.int32(8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(t.UnixMicro()-pgEpochMicros))
}

// arrayHeader appends the header of a one-dimensional array of n
// elements of type oid, none NULL, indexed from 1; its elements follow
// as fields.
func (w *wire) arrayHeader(oid uint32, n int) {
	w.int32(1) // dimensions
	w.int32(0) // no NULL element
	w.int32(int32(oid))
	w.int32(int32(n))
	w.int32(1) // lower bound
}

// copyRows is the io.Reader of a binary COPY stream whose rows encode
// appends: the signature, then the rows, a batch at a time as the
// reader asks (COPY sends what it reads while the next batch is
// encoded), then the trailer.
type copyRows struct {
	w       wire
	off     int
	rows    int
	next    int
	encode  func(w *wire, row int)
	started bool
	done    bool
}

// copyBatchBytes is about the size of the rows encoded at a time, the
// size of the chunk pgconn reads.
const copyBatchBytes = 64 << 10

func newCopyRows(rows int, encode func(w *wire, row int)) *copyRows {
	return &copyRows{rows: rows, encode: encode, w: wire{b: make([]byte, 0, copyBatchBytes+1024)}}
}

// Read implements io.Reader.
func (c *copyRows) Read(p []byte) (int, error) {
	if c.off == len(c.w.b) {
		if c.done {
			return 0, io.EOF
		}
		c.fill()
	}
	n := copy(p, c.w.b[c.off:])
	c.off += n
	return n, nil
}

// fill encodes the next batch of rows (after the signature, before the
// trailer).
func (c *copyRows) fill() {
	c.w.b, c.off = c.w.b[:0], 0
	if !c.started {
		c.w.b = append(c.w.b, copySignature...)
		c.started = true
	}
	for c.next < c.rows && len(c.w.b) < copyBatchBytes {
		c.encode(&c.w, c.next)
		c.next++
	}
	if c.next == c.rows {
		c.w.int16(-1)
		c.done = true
	}
}
