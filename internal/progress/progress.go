// Package progress shows how far long work has gone: a bar redrawn in
// place on a terminal, a plain line every few seconds otherwise (a log
// file, a pipe, CI), and a summary at the end saying what was written and
// how long it took.
//
//	bar := progress.New(progress.Options{Out: os.Stdout, Label: "seed", Unit: "records"})
//	for … { bar.Add(1) }
//	bar.Done("12 collections")
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure a Bar.
type Options struct {
	// Out receives the progress; nil discards it.
	Out io.Writer
	// Label starts every line ("seed", "import cases").
	Label string
	// Unit names what is counted ("records", "rows", "bytes").
	Unit string
	// Total is the count at the end; 0 when unknown (no percentage).
	Total int64
	// Every is the interval of plain lines (default 5s); a terminal is
	// redrawn at most ten times a second.
	Every time.Duration
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
	// Terminal forces the bar (true) or the plain lines (false); nil
	// detects whether Out is a terminal (IsTerminal).
	Terminal *bool
}

// Bar counts work done and shows it. Its methods are safe for concurrent
// use.
type Bar struct {
	opts     Options
	terminal bool
	start    time.Time

	mu       sync.Mutex
	n        int64
	lastShow time.Time
	lastN    int64
	done     bool
}

// redraw is the least time between two draws of a terminal bar.
const redraw = 100 * time.Millisecond

// New starts a bar at zero.
func New(o Options) *Bar {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	terminal := IsTerminal(o.Out)
	if o.Terminal != nil {
		terminal = *o.Terminal
	}
	start := o.Now()
	return &Bar{opts: o, terminal: terminal, start: start, lastShow: start}
}

// IsTerminal tells whether w is a character device (a terminal), where a
// bar may be redrawn in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add counts n more done.
func (b *Bar) Add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += n
	b.maybeShow()
}

// Set sets the count done (for work counted elsewhere).
func (b *Bar) Set(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n = n
	b.maybeShow()
}

// SetTotal changes the count at the end, once it is known.
func (b *Bar) SetTotal(total int64) {
	b.mu.Lock()
	b.opts.Total = total
	b.mu.Unlock()
}

// maybeShow draws when it is time; b.mu is held.
func (b *Bar) maybeShow() {
	if b.done {
		return
	}
	now := b.opts.Now()
	every := b.opts.Every
	if b.terminal {
		every = redraw
	}
	if now.Sub(b.lastShow) < every {
		return
	}
	if b.terminal {
		fmt.Fprintf(b.opts.Out, "\r%s\x1b[K", b.barLine(now))
	} else {
		fmt.Fprintln(b.opts.Out, b.plainLine(now))
	}
	b.lastShow, b.lastN = now, b.n
}

// Done ends the bar with its summary: the count, the time, the rate, and
// what (when not empty) says in the caller's words what was written.
func (b *Bar) Done(what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	took := b.opts.Now().Sub(b.start)
	if b.terminal && b.lastShow != b.start {
		fmt.Fprint(b.opts.Out, "\r\x1b[K")
	}
	line := fmt.Sprintf("%s: done in %s: %s %s", b.opts.Label, round(took), Thousands(b.n), b.opts.Unit)
	if took > 0 {
		line += fmt.Sprintf(" (%s/s)", Thousands(int64(float64(b.n)/took.Seconds())))
	}
	if what != "" {
		line += "; " + what
	}
	fmt.Fprintln(b.opts.Out, line)
}

// plainLine is a line for a log: "seed: 1,200/5,000 records (24%), 12s, 100/s".
func (b *Bar) plainLine(now time.Time) string {
	rate := float64(b.n-b.lastN) / now.Sub(b.lastShow).Seconds()
	return fmt.Sprintf("%s: %s, %s, %s/s", b.opts.Label, b.count(), round(now.Sub(b.start)), Thousands(int64(rate)))
}

// barLine is the terminal's line: "seed [=====>      ] 1,200/5,000 records (24%) 12s".
func (b *Bar) barLine(now time.Time) string {
	const width = 30
	bar := ""
	if b.opts.Total > 0 {
		filled := int(min(b.n, b.opts.Total) * width / b.opts.Total)
		bar = "[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] "
	}
	return fmt.Sprintf("%s %s%s %s", b.opts.Label, bar, b.count(), round(now.Sub(b.start)))
}

// count is "1,200/5,000 records (24%)", or "1,200 records" with no total.
func (b *Bar) count() string {
	if b.opts.Total <= 0 {
		return Thousands(b.n) + " " + b.opts.Unit
	}
	return fmt.Sprintf("%s/%s %s (%d%%)", Thousands(b.n), Thousands(b.opts.Total), b.opts.Unit, b.n*100/b.opts.Total)
}

// round rounds a duration for people: to the millisecond under a second,
// to the tenth of a second under a minute, to the second above.
func round(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// Thousands writes n with commas between thousands: 1234567 → 1,234,567.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Reader counts the bytes read through r on bar (whose unit is bytes and
// total the file's size).
func Reader(r io.Reader, bar *Bar) io.Reader { return &reader{r: r, bar: bar} }

type reader struct {
	r   io.Reader
	bar *Bar
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.bar.Add(int64(n))
	return n, err
}
