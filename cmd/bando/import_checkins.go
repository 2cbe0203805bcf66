package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/progress"
	"github.com/bandomap/bando/tracing"
)

// checkinsFile is a CSV of check-ins read for bando import checkins.
type checkinsFile struct {
	rows    []tracing.CheckIn
	lines   []int // the file's line of each row
	persons []tracing.Person
}

// A line of a check-ins file is about checkinLineBytes long (a venue's 32
// digits, a phone's 10, a start's 20 to 25, 3 commas, a newline): room
// for the file's size over it is made ahead, which a file of shorter lines
// outgrows and longer lines leave partly unused; maxPresizedLines bounds
// it.
const (
	checkinLineBytes = 64
	maxPresizedLines = 20_000_000
	// maxPresizedPersons bounds the room made ahead for the persons'
	// memories (maps), which a file of few persons would leave unused;
	// linesPerPerson is the rows a person has in a usual file.
	maxPresizedPersons = 1_000_000
	linesPerPerson     = 4
)

// readCheckinsCSV reads venue,person,start,end rows (a header line naming
// them is skipped): person is a phone or ID number, kept hashed with its
// private record, or a person key (64 hex digits); start and end are RFC
// 3339 times, end may be empty. A start before keepSince (the retention)
// is refused: the purge would drop it at once. The first bad line is named.
// size is the file's size in bytes (0 when unknown): the rows' slices are
// made for the lines it holds at once, not grown by copying as they come.
func readCheckinsCSV(r io.Reader, keys tracing.Keys, now, keepSince time.Time, size int64) (*checkinsFile, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	lines := int(min(size/checkinLineBytes, maxPresizedLines))
	// persons too: in the worst case, every row names a new person.
	out := &checkinsFile{rows: make([]tracing.CheckIn, 0, lines), lines: make([]int, 0, lines), persons: make([]tracing.Person, 0, lines)}
	// The persons' memories get room for the lines over linesPerPerson,
	// a file's usual: room for every line would cost a file of few
	// persons more in clearing than growing saves.
	persons := min(lines/linesPerPerson, maxPresizedPersons)
	seen := make(map[tracing.PersonKey]bool, persons)
	hasher := keys.SizedPersonHasher(persons)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(out.rows) == 0 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "venue") {
			continue
		}
		c, p, err := checkinRow(rec, hasher, now)
		if err == nil && c.At.Before(keepSince) {
			err = &tracing.FieldError{Field: "start", Reason: fmt.Sprintf("%s is older than the retention (check-ins are kept since %s, BANDO_RETENTION_DAYS): it would be purged at once",
				c.At.Format(time.RFC3339), keepSince.UTC().Format(time.RFC3339))}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if p != nil && !seen[p.Key] {
			seen[p.Key] = true
			out.persons = append(out.persons, *p)
		}
		out.rows = append(out.rows, c)
		out.lines = append(out.lines, line)
	}
	if len(out.rows) == 0 {
		return nil, errors.New("no check-ins in the file (venue,person,start,end)")
	}
	return out, nil
}

// checkinRow reads one record.
func checkinRow(rec []string, hasher *tracing.PersonHasher, now time.Time) (tracing.CheckIn, *tracing.Person, error) {
	c := tracing.CheckIn{Source: tracing.Batch}
	if len(rec) < 3 || len(rec) > 4 {
		return c, nil, fmt.Errorf("want 3 or 4 fields (venue,person,start,end), got %d", len(rec))
	}
	c.Venue = tracing.VenueID(strings.TrimSpace(rec[0]))
	if err := c.Venue.Validate(); err != nil {
		return c, nil, &tracing.FieldError{Field: "venue", Reason: "a venue id is 32 lowercase hex digits"}
	}
	var p *tracing.Person
	who := strings.TrimSpace(rec[1])
	// A person key is 64 hex digits: anything else (a phone or ID number,
	// most rows) skips its parse, whose error costs allocations a row.
	isKey := false
	if len(who) == 2*len(c.Person) {
		if k, err := tracing.ParsePersonKey(who); err == nil {
			c.Person, isKey = k, true
		}
	}
	if !isKey {
		np, seen, err := hasher.Read(who, now)
		if err != nil {
			return c, nil, &tracing.FieldError{Field: "person", Reason: "a phone number, an ID number or a person key (64 hex digits)"}
		}
		c.Person = np.Key
		if !seen {
			p = &np
		}
	}
	var err error
	if c.At, err = time.Parse(time.RFC3339, strings.TrimSpace(rec[2])); err != nil {
		return c, nil, &tracing.FieldError{Field: "start", Reason: "an RFC 3339 time, e.g. 2026-11-24T08:30:00+07:00"}
	}
	if len(rec) == 4 && strings.TrimSpace(rec[3]) != "" {
		if c.End, err = time.Parse(time.RFC3339, strings.TrimSpace(rec[3])); err != nil {
			return c, nil, &tracing.FieldError{Field: "end", Reason: "an RFC 3339 time or empty"}
		}
	}
	if err := c.Validate(now); err != nil {
		var fe *tracing.FieldError
		if errors.As(err, &fe) && fe.Field == "at" {
			fe = &tracing.FieldError{Field: "start", Reason: fe.Reason}
			return c, nil, fe
		}
		return c, nil, err
	}
	return c, p, nil
}

// runImportCheckins is bando import checkins FILE: a venue system's or an
// operator's file of check-ins, recorded as one batch in one transaction
// (COPY on PostGIS); a bad line is named and nothing is recorded.
func runImportCheckins(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import checkins", flag.ContinueOnError)
	cfg, file, err := oneFile(fs, args)
	if err != nil {
		return err
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("import checkins: %w", err)
	}
	// Persons are hashed with the server's key: a key made here would
	// match no one the server knows.
	if _, err := existingSigner(cfg); err != nil {
		return fmt.Errorf("import checkins: the server's key is needed to hash persons (set BANDO_SECRET as the server has it): %w", err)
	}
	b, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	return importCheckins(ctx, cfg, b, file, out)
}

// fileSize is f's size, or 0 when unknown.
func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	return st.Size()
}

// importCheckins imports file into the tracing store beside b.
func importCheckins(ctx context.Context, cfg *Config, b backend, file string, out io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("import checkins: %w", err)
	}
	defer f.Close()
	parts, err := openTracing(cfg, b)
	if err != nil {
		return err
	}
	bi, ok := parts.store.(tracing.BulkImporter)
	if !ok {
		return fmt.Errorf("import checkins: the %s store has no bulk import", storeName(cfg))
	}
	start := time.Now()
	reading := progress.New(progress.Options{Out: out, Label: "import checkins: read", Unit: "bytes", Total: fileSize(f)})
	data, err := readCheckinsCSV(progress.Reader(f, reading), parts.keys, start, start.Add(-cfg.retention()), fileSize(f))
	if err != nil {
		return fmt.Errorf("import checkins: %s: %w (nothing imported)", file, err)
	}
	reading.Done(fmt.Sprintf("%d rows; recording them in one transaction", len(data.rows)))
	read := time.Since(start)
	admin := auth.WithPrincipal(ctx, auth.Principal{User: cliActor("import checkins").Name, Role: auth.Admin, Via: "cli"})
	res, err := bi.ImportCheckIns(admin, tracing.CheckInImport{Rows: data.rows, Persons: data.persons, Source: filepath.Base(file)})
	var re *tracing.RowError
	if errors.As(err, &re) && re.Row >= 0 && re.Row < len(data.lines) {
		return fmt.Errorf("import checkins: %s: line %d: %w (nothing imported)", file, data.lines[re.Row], re.Err)
	}
	if err != nil {
		return fmt.Errorf("import checkins: %w (nothing imported)", err)
	}
	took := time.Since(start)
	fmt.Fprintf(out, "import checkins: %d rows, %d visits recorded (%d repeats merged, %d recorded already), %d persons, in %.2fs (read %.2fs): %.0f rows/s\n",
		res.Rows, res.Recorded, res.Merged, res.AlreadyRecorded, res.Persons, took.Seconds(), read.Seconds(), float64(res.Rows)/took.Seconds())
	return nil
}
