package postgis

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/jackc/pgx/v5"
)

// sqlCopyTestTable is shaped as the columns sqlCopyVisits copies.
const sqlCopyTestTable = `CREATE TEMP TABLE copied (venue_id text, person_key bytea, start_at timestamptz,
	end_at timestamptz, stay_minutes int4, closing text, source text)`

const sqlReadCopied = `SELECT venue_id, person_key, start_at, end_at, stay_minutes, closing, source FROM copied ORDER BY start_at`

// TestWireGolden: the bytes of a binary COPY stream of one visit, as
// PostgreSQL's binary format spells them (header, tuple, trailer).
func TestWireGolden(t *testing.T) {
	var k tracing.PersonKey
	for i := range k {
		k[i] = byte(i)
	}
	at := time.Date(2000, 1, 1, 0, 0, 1, 2500, time.UTC) // 1,000,002 µs after PostgreSQL's epoch
	c := tracing.CheckIn{Venue: "0123456789abcdef0123456789abcdef", Person: k, At: at, Source: tracing.Batch}
	got, err := io.ReadAll(visitCopy([]tracing.CheckIn{c}, map[tracing.VenueID]int32{c.Venue: 45}))
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	want = append(want, "PGCOPY\n\xff\r\n\x00"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 0) // flags, header extension
	want = append(want, 0, 7)                   // fields
	want = append(want, 0, 0, 0, 32)
	want = append(want, "0123456789abcdef0123456789abcdef"...)
	want = append(want, 0, 0, 0, 32)
	want = append(want, k[:]...)
	want = append(want, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x42) // 1,000,002
	want = append(want, 0xff, 0xff, 0xff, 0xff)                      // end_at NULL
	want = append(want, 0, 0, 0, 4, 0, 0, 0, 45)
	want = append(want, 0, 0, 0, 0) // closing ''
	want = append(want, 0, 0, 0, 5)
	want = append(want, "batch"...)
	want = append(want, 0xff, 0xff) // trailer
	if !bytes.Equal(got, want) {
		t.Errorf("stream\n got % x\nwant % x", got, want)
	}
}

// TestCopyRowsReads: the stream is the same whichever the size of the
// reads (pgconn reads 64 KiB at a time; a row never straddles a batch).
func TestCopyRowsReads(t *testing.T) {
	encode := func(w *wire, i int) {
		w.int16(1)
		w.text(fmt.Sprintf("row %d %s", i, bytes.Repeat([]byte("x"), i%300)))
	}
	tests := []struct {
		name string
		rows int
	}{
		{"none", 0},
		{"one", 1},
		{"several batches", 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want wire
			want.b = append(want.b, copySignature...)
			for i := range tt.rows {
				encode(&want, i)
			}
			want.int16(-1)
			whole, err := io.ReadAll(newCopyRows(tt.rows, encode))
			if err != nil || !bytes.Equal(whole, want.b) {
				t.Fatalf("ReadAll: %d bytes, %v; want %d bytes", len(whole), err, len(want.b))
			}
			bytewise, err := io.ReadAll(iotest.OneByteReader(newCopyRows(tt.rows, encode)))
			if err != nil || !bytes.Equal(bytewise, want.b) {
				t.Fatalf("a byte at a time: %d bytes, %v; want %d bytes", len(bytewise), err, len(want.b))
			}
		})
	}
}

// connectNew connects to a new test database, closed with the test.
func connectNew(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// TestVisitCopyRoundTrip copies visits through PostgreSQL and reads
// every column back: NULL and set ends, times in other zones and before
// PostgreSQL's epoch, nanoseconds cut to microseconds, and enough rows
// for several batches.
func TestVisitCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	conn := connectNew(t)
	hcm := time.FixedZone("ICT", 7*3600)
	venue := func(i int) tracing.VenueID { return tracing.VenueID(fmt.Sprintf("%032x", i)) }
	key := func(i int) tracing.PersonKey {
		var k tracing.PersonKey
		k[0], k[31] = byte(i), byte(i>>8)
		return k
	}
	base := time.Date(2026, 11, 24, 8, 30, 0, 123_456_789, hcm)
	cs := []tracing.CheckIn{
		{Venue: venue(1), Person: key(1), At: base, Source: tracing.Batch},
		{Venue: venue(2), Person: key(2), At: base.Add(time.Minute), End: base.Add(2 * time.Hour).In(time.UTC), Source: tracing.StaffScan},
		{Venue: venue(1), Person: key(3), At: time.Date(1999, 12, 31, 23, 59, 59, 999_999_000, time.UTC), Source: tracing.SelfScan},
	}
	for i := range 3000 {
		cs = append(cs, tracing.CheckIn{Venue: venue(i % 7), Person: key(i), At: base.Add(time.Duration(i+2) * time.Minute), Source: tracing.Batch})
	}
	stays := map[tracing.VenueID]int32{}
	for i := range 7 {
		stays[venue(i)] = int32(30 + i)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, sqlCopyTestTable); err != nil {
		t.Fatal(err)
	}
	n, err := copyVisits(ctx, tx, pgx.Identifier{"copied"}, cs, stays)
	if err != nil || n != int64(len(cs)) {
		t.Fatalf("copyVisits = %d, %v; want %d", n, err, len(cs))
	}
	rows, err := tx.Query(ctx, sqlReadCopied)
	if err != nil {
		t.Fatal(err)
	}
	type visitRow struct {
		Venue   string
		Person  []byte
		Start   time.Time
		End     *time.Time
		Stay    int32
		Closing string
		Source  string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[visitRow])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cs) {
		t.Fatalf("%d rows read back, want %d", len(got), len(cs))
	}
	// The rows read back by start: the one before the epoch first.
	want := append([]tracing.CheckIn{cs[2], cs[0], cs[1]}, cs[3:]...)
	for i, c := range want {
		g := got[i]
		endOK := (c.End.IsZero() && g.End == nil && g.Closing == "") ||
			(!c.End.IsZero() && g.End != nil && g.End.Equal(c.End.Truncate(time.Microsecond)) && g.Closing == string(tracing.CheckedOut))
		if g.Venue != string(c.Venue) || !bytes.Equal(g.Person, c.Person[:]) || !g.Start.Equal(c.At.Truncate(time.Microsecond)) ||
			!endOK || g.Stay != stays[c.Venue] || g.Source != string(c.Source) {
			t.Fatalf("row %d reads %+v (end %v), want %+v", i, g, g.End, c)
		}
	}
}

// TestPersonArraysRoundTrip sends personArrays's arrays to PostgreSQL as
// insertPersons does and reads every element back: names in Vietnamese,
// empty numbers, first sightings in other zones, in the chunk's order.
func TestPersonArraysRoundTrip(t *testing.T) {
	ctx := context.Background()
	conn := connectNew(t)
	hcm := time.FixedZone("ICT", 7*3600)
	persons := []tracing.Person{
		{Key: tracing.PersonKey{1}, Name: "Nguyễn Thị Ánh", Phone: "0912345678", FirstSeen: time.Date(2026, 11, 24, 8, 30, 0, 1_500, hcm)},
		{Key: tracing.PersonKey{2}, IDNumber: "001203004567", FirstSeen: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Key: tracing.PersonKey{3, 0xff}, Name: "Trần Văn Đức", Phone: "0987654321", FirstSeen: time.Date(1990, 5, 6, 7, 8, 9, 0, hcm)},
	}
	chunk := []int32{2, 0, 1}
	oids := []uint32{oidByteaArray, oidTextArray, oidTextArray, oidTextArray, oidTimestamptzArray}
	res := conn.PgConn().ExecParams(ctx, `SELECT k, n, p, i, s FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS u(k, n, p, i, s, o) ORDER BY o`,
		personArrays(persons, chunk), oids, []int16{1, 1, 1, 1, 1}, []int16{0, 0, 0, 0, 0}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Rows) != len(chunk) {
		t.Fatalf("%d rows read back, want %d", len(res.Rows), len(chunk))
	}
	for r, j := range chunk {
		p := persons[j]
		row := res.Rows[r]
		var seen time.Time
		if err := conn.QueryRow(ctx, `SELECT $1::text::timestamptz`, string(row[4])).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if string(row[0]) != fmt.Sprintf(`\x%x`, p.Key[:]) || string(row[1]) != p.Name || string(row[2]) != p.Phone ||
			string(row[3]) != p.IDNumber || !seen.Equal(p.FirstSeen.Truncate(time.Microsecond)) {
			t.Errorf("row %d reads %q, want %+v", r, row, p)
		}
	}
}

// BenchmarkVisitCopy encodes the binary COPY stream of 200,000 visits,
// as the import sends a large day.
func BenchmarkVisitCopy(b *testing.B) {
	cs := make([]tracing.CheckIn, 200_000)
	stays := map[tracing.VenueID]int32{}
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i := range cs {
		v := tracing.VenueID(fmt.Sprintf("%032x", i%200))
		stays[v] = 30
		cs[i] = tracing.CheckIn{Venue: v, Person: tracing.PersonKey{byte(i), byte(i >> 8), byte(i >> 16)}, At: at.Add(time.Duration(i) * time.Second), Source: tracing.Batch}
	}
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		r := visitCopy(cs, stays)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}
