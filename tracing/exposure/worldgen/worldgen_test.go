package worldgen

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/paulmach/orb/planar"
)

// tally counts and fingerprints a stream.
type tally struct {
	venues, periods, visits, rides, traces int
	open, altVisits                        int
	persons                                map[tracing.PersonKey]bool
	visitIDs                               map[int64]bool
	hash                                   [32]byte
	h                                      []byte
}

func (t *tally) add(b Batch) error {
	t.venues += len(b.Venues)
	t.periods += len(b.Periods)
	t.visits += len(b.Visits)
	t.rides += len(b.Rides)
	t.traces += len(b.Traces)
	var buf [8]byte
	for _, v := range b.Venues {
		t.h = append(t.h, v.ID...)
		binary.BigEndian.PutUint64(buf[:], math.Float64bits(v.Location[0]))
		t.h = append(t.h, buf[:]...)
	}
	for _, p := range b.Periods {
		t.h = append(t.h, p.Person[:4]...)
		t.h = append(t.h, p.Residence.Room+p.Workplace.Line...)
	}
	for _, v := range b.Visits {
		if v.End.IsZero() {
			t.open++
		}
		t.persons[v.Person] = true
		t.visitIDs[v.ID] = true
		binary.BigEndian.PutUint64(buf[:], uint64(v.Start.UnixNano()^v.End.UnixNano()^v.ID))
		t.h = append(t.h, buf[:]...)
		t.h = append(t.h, v.Venue[:4]...)
	}
	for _, r := range b.Rides {
		binary.BigEndian.PutUint64(buf[:], uint64(r.Departure.UnixNano()))
		t.h = append(t.h, buf[:]...)
		t.h = append(t.h, r.Seat...)
	}
	for _, p := range b.Traces {
		binary.BigEndian.PutUint64(buf[:], math.Float64bits(p.Lon)^math.Float64bits(p.Lat))
		t.h = append(t.h, buf[:]...)
	}
	if len(t.h) > 1<<20 {
		t.fold()
	}
	return nil
}

func (t *tally) fold() {
	t.hash = sha256.Sum256(append(t.hash[:], t.h...))
	t.h = t.h[:0]
}

func stream(t *testing.T, opts Options) (*World, *tally) {
	t.Helper()
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	tl := &tally{persons: map[tracing.PersonKey]bool{}, visitIDs: map[int64]bool{}}
	if err := w.Stream(context.Background(), tl.add); err != nil {
		t.Fatal(err)
	}
	tl.fold()
	return w, tl
}

func TestWorldDeterministicAndCounted(t *testing.T) {
	opts := Options{Fraction: 0.002, Seed: 7, BatchSize: 997}
	w, a := stream(t, opts)
	_, b := stream(t, opts)
	if a.hash != b.hash {
		t.Fatal("two streams of one seed differ")
	}
	_, other := stream(t, Options{Fraction: 0.002, Seed: 8})
	if other.hash == a.hash {
		t.Fatal("two seeds give the same world")
	}
	c := w.Counts()
	near := func(name string, got, want int, tol float64) {
		t.Helper()
		if math.Abs(float64(got)-float64(want)) > tol*float64(want) {
			t.Errorf("%s = %d, want %d ± %.0f%%", name, got, want, tol*100)
		}
	}
	// The stream emits exactly what the plan counts.
	for _, x := range []struct {
		name      string
		got, want int
	}{
		{"venues", a.venues, c.Venues}, {"periods", a.periods, c.Periods}, {"visits", a.visits, c.Visits},
		{"rides", a.rides, c.Rides}, {"traces", a.traces, c.Traces}, {"visit ids", len(a.visitIDs), c.Visits},
	} {
		if x.got != x.want {
			t.Errorf("%s: streamed %d, counted %d", x.name, x.got, x.want)
		}
	}
	// The plan hits the province's counts scaled.
	f := opts.Fraction
	near("residents", c.Residents, int(Residents*f), 0.01)
	near("users", c.Users, int(Users*f), 0.01)
	near("venues", c.Venues, int(VenueCount*f), 0.01)
	near("workers", c.Workers, int(Workers*f), 0.01)
	near("tracers", c.Tracers, int(Tracers*f), 0.01)
	near("visits", c.Visits, int(Users*f*Days*2), 0.05)
	near("buses", c.Buses, int(Buses*f), 0.01)
	near("rides", c.Rides, c.Buses*busSeats*2*Days*attendance/100, 0.15)
	near("traces", c.Traces, int(Tracers*f)*TraceDays*144, 0.01)
	near("open visits", a.open, int(missingOut*float64(c.Visits)), 0.15)
	if c.Enterprises != 1 {
		t.Errorf("enterprises = %d, want 1 at this fraction", c.Enterprises)
	}
	if c.Periods <= c.Workers {
		t.Errorf("periods = %d for %d workers: nobody moved", c.Periods, c.Workers)
	}
	// F0s: the curve scaled, distinct persons, valid windows, the peak last.
	all := w.AllF0s()
	seen := map[tracing.PersonKey]bool{}
	for _, f0 := range all {
		if seen[f0.Person] {
			t.Fatalf("F0 %s twice", f0.Label)
		}
		seen[f0.Person] = true
		if !f0.Isolation.After(f0.Onset) {
			t.Fatalf("F0 %s isolated before its onset", f0.Label)
		}
	}
	if got := len(w.F0s(LastDay)); got != int(math.Round(PeakCases*f)) {
		t.Errorf("peak day F0s = %d, want %d", got, int(math.Round(PeakCases*f)))
	}
	if len(all) != c.F0s {
		t.Errorf("F0s = %d, counted %d", len(all), c.F0s)
	}
}

func TestCurve(t *testing.T) {
	if got := Curve(Days - 1); got != PeakCases {
		t.Errorf("Curve(last) = %d, want %d", got, PeakCases)
	}
	for i := 1; i < Days; i++ {
		if Curve(i) <= Curve(i-1) {
			t.Errorf("Curve(%d) = %d not above Curve(%d) = %d", i, Curve(i), i-1, Curve(i-1))
		}
	}
	if !LastDay.Equal(time.Date(2021, 8, 29, 0, 0, 0, 0, time.UTC)) || !FirstDay.Equal(time.Date(2021, 8, 9, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("days %v … %v", FirstDay, LastDay)
	}
}

// recorder is a Sink counting what Emit sends.
type recorder struct{ venues, visits, periods, rides, traces int }

func (r *recorder) Venues(vs ...exposure.VenueInfo) { r.venues += len(vs) }
func (r *recorder) Visits(vs ...tracing.Visit)      { r.visits += len(vs) }
func (r *recorder) Periods(ps ...tracing.Period)    { r.periods += len(ps) }
func (r *recorder) Rides(rs ...tracing.Ride)        { r.rides += len(rs) }
func (r *recorder) Traces(ps ...tracing.TracePoint) { r.traces += len(ps) }
func (r *recorder) Forget(time.Time)                {}

func TestEmitIntoSink(t *testing.T) {
	w, err := New(Options{Fraction: 0.001, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	if err := w.Emit(context.Background(), &rec); err != nil {
		t.Fatal(err)
	}
	c := w.Counts()
	if rec.venues != c.Venues || rec.visits != c.Visits || rec.periods != c.Periods || rec.rides != c.Rides || rec.traces != c.Traces {
		t.Errorf("emitted %+v, counted %+v", rec, c)
	}
}

func TestValidRows(t *testing.T) {
	w, err := New(Options{Fraction: 0.001, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	now := LastDay.AddDate(0, 0, 2)
	for _, v := range w.Venues() {
		if err := v.Validate(); err != nil {
			t.Fatalf("venue %s: %v", v.ID, err)
		}
	}
	err = w.Stream(context.Background(), func(b Batch) error {
		for _, r := range b.Rides {
			if err := r.Validate(now); err != nil {
				t.Fatalf("ride %+v: %v", r, err)
			}
		}
		for _, p := range b.Traces {
			if err := p.Validate(now); err != nil {
				t.Fatalf("trace %+v: %v", p, err)
			}
		}
		for _, v := range b.Visits {
			if !v.End.IsZero() && (v.End.Sub(v.Start) < minStay*time.Minute || v.End.Sub(v.Start) > (maxStay+1)*time.Minute) {
				t.Fatalf("visit %d stays %v", v.ID, v.End.Sub(v.Start))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRealWards(t *testing.T) {
	wards, err := ReadWards(filepath.Join(testkit.SharedDir(t), "data", "binhduong"))
	if err != nil {
		t.Fatal(err)
	}
	if len(wards) != 91 {
		t.Fatalf("%d wards, want 91", len(wards))
	}
	w, err := New(Options{Fraction: 0.01, Seed: 1, Wards: wards})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]Ward{}
	for _, wd := range wards {
		codes[wd.Code] = wd
	}
	for _, v := range w.Venues() {
		wd, ok := codes[v.Ward]
		if !ok || !planar.MultiPolygonContains(wd.Shape, v.Location) {
			t.Fatalf("venue %s at %v is not inside its ward %s's district", v.ID, v.Location, v.Ward)
		}
	}
}
