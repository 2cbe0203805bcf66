package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// clock is a clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC)} }
func plain() *bool                       { f := false; return &f }
func term() *bool                        { t := true; return &t }
func lines(b *bytes.Buffer) []string     { return strings.Split(strings.TrimRight(b.String(), "\n"), "\n") }
func steps(bar *Bar, c *clock, d time.Duration, n int, add int64) {
	for range n {
		c.advance(d)
		bar.Add(add)
	}
}

// TestPlainLines: off a terminal, a line every Every (not one per Add),
// with the count, the total's percentage, the time and the rate since
// the last line, then the summary.
func TestPlainLines(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		want  []string
	}{
		{"known total", 10_000, []string{
			"seed: 2,500/10,000 records (25%), 5s, 500/s",
			"seed: 5,000/10,000 records (50%), 10s, 500/s",
			"seed: 7,500/10,000 records (75%), 15s, 500/s",
			"seed: 10,000/10,000 records (100%), 20s, 500/s",
			"seed: done in 20s: 10,000 records (500/s); 12 collections",
		}},
		{"unknown total", 0, []string{
			"seed: 2,500 records, 5s, 500/s",
			"seed: 5,000 records, 10s, 500/s",
			"seed: 7,500 records, 15s, 500/s",
			"seed: 10,000 records, 20s, 500/s",
			"seed: done in 20s: 10,000 records (500/s); 12 collections",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := newClock()
			bar := New(Options{Out: &out, Label: "seed", Unit: "records", Total: tt.total, Now: c.now, Terminal: plain()})
			steps(bar, c, time.Second, 20, 500) // a line at 5s, 10s, 15s, 20s
			bar.Done("12 collections")
			bar.Done("twice")
			got := lines(&out)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestTerminalBar: on a terminal the bar is redrawn in place (carriage
// return, no newline) at most ten times a second, and the summary line
// replaces it.
func TestTerminalBar(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	bar := New(Options{Out: &out, Label: "import", Unit: "bytes", Total: 1000, Now: c.now, Terminal: term()})
	steps(bar, c, 10*time.Millisecond, 50, 10) // 500 ms: five draws
	bar.Done("")
	s := out.String()
	if n := strings.Count(s, "\r"); n != 6 {
		t.Errorf("%d carriage returns, want 5 draws and the summary's:\n%q", n, s)
	}
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "import: done in 500ms: 500 bytes (1,000/s)\n") {
		t.Errorf("output %q", s)
	}
	if !strings.Contains(s, "import [===============               ] 500/1,000 bytes (50%) 500ms") {
		t.Errorf("no half-full bar in %q", s)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) || IsTerminal(io.Discard) {
		t.Error("a file or a buffer is taken for a terminal")
	}
}

func TestReaderCounts(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	bar := New(Options{Out: &out, Label: "read", Unit: "bytes", Now: c.now, Terminal: plain()})
	if _, err := io.Copy(io.Discard, Reader(strings.NewReader(strings.Repeat("x", 12345)), bar)); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Second)
	bar.Done("")
	if got := out.String(); got != "read: done in 1s: 12,345 bytes (12,345/s)\n" {
		t.Errorf("%q", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
