package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// RosterSubject is a roster store under test.
type RosterSubject struct {
	Rosters tracing.Rosters
	// NonPrivate is as for Subject.
	NonPrivate func(t *testing.T) []string
}

// RosterOpener returns a new, empty roster store with opts.
type RosterOpener func(t *testing.T, opts tracing.Options) RosterSubject

// rosterEnv is one roster test's store, clock and keys.
type rosterEnv struct {
	RosterSubject
	t     *testing.T
	clock *Clock
	keys  tracing.Keys
}

// RunRosters runs the rosters' contract against the stores open returns:
// history kept across imports, unchanged re-imports, workers who leave,
// partial imports, bad rows refused whole, tenants kept apart, periods of
// a person by time, purge, and no raw value outside the private side.
func RunRosters(t *testing.T, open RosterOpener) {
	tests := []struct {
		name string
		run  func(*rosterEnv)
	}{
		{"history", testRosterHistory},
		{"unchanged re-import", testRosterUnchanged},
		{"left workers", testRosterLeft},
		{"partial", testRosterPartial},
		{"bad rows write nothing", testRosterBadRows},
		{"tenants", testRosterTenants},
		{"periods of a person", testRosterPeriodsOf},
		{"purge", testRosterPurge},
		{"no raw values outside the private side", testRosterPrivacy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &Clock{now: Start.AddDate(0, 0, 60)}
			keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
			if err != nil {
				t.Fatal(err)
			}
			tc.run(&rosterEnv{RosterSubject: open(t, tracing.Options{Clock: clock}), t: t, clock: clock, keys: keys})
		})
	}
}

// rosterHead is the header of the small rosters of these tests.
const rosterHead = "employee_id,name,phone,id_number,boarding_house,room,ward,lon,lat,site,line,shift,bus_route\n"

// base is a roster of three: NV1 by phone, NV2 by phone and ID number,
// NV3 by ID number.
var base = []string{
	"NV1,Nguyễn Văn An,0912000001,,Nhà trọ Hoa Mai,P01,25747,106.65,10.98,Xưởng A,Chuyền 1,Ca 1,Tuyến 01",
	"NV2,Trần Thị Bình,0912000002,074123456789,Nhà trọ Hoa Mai,P02,25747,106.65,10.98,Xưởng A,Chuyền 2,Ca 1,Tuyến 01",
	"NV3,Lê Văn Cường,,074123456780,Nhà trọ Bình An,P05,25741,106.66,10.99,Xưởng B,Chuyền 3,Ca 2,Tuyến 02",
}

// with returns lines with the line of employee id replaced (or added).
func with(lines []string, id, line string) []string {
	out := slices.Clone(lines)
	for i, l := range out {
		if strings.HasPrefix(l, id+",") {
			out[i] = line
			return out
		}
	}
	return append(out, line)
}

// without returns lines without employee id's.
func without(lines []string, id string) []string {
	return slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return strings.HasPrefix(l, id+",") })
}

// nv2Moved is NV2 in another room.
const nv2Moved = "NV2,Trần Thị Bình,0912000002,074123456789,Nhà trọ Hoa Mai,P07,25747,106.65,10.98,Xưởng A,Chuyền 2,Ca 1,Tuyến 01"

// day is the n-th day of the tests, as a roster day.
func day(n int) time.Time { return tracing.RosterDay(Start).AddDate(0, 0, n) }

// noon is noon in Vietnam on day n.
func noon(n int) time.Time { return day(n).Add(5 * time.Hour) }

// parse reads a roster of lines for enterprise.
func (e *rosterEnv) parse(enterprise string, lines []string) []tracing.RosterRow {
	e.t.Helper()
	rows, err := tracing.ParseRoster(strings.NewReader(rosterHead+strings.Join(lines, "\n")), e.keys,
		tracing.RosterOptions{Enterprise: enterprise})
	if err != nil {
		e.t.Fatalf("parse the roster: %v", err)
	}
	return rows
}

// imp imports lines as enterprise's roster as of day n, failing the test
// on error.
func (e *rosterEnv) imp(ctx context.Context, enterprise string, n int, partial bool, lines []string) tracing.RosterResult {
	e.t.Helper()
	res, err := e.Rosters.ImportRoster(ctx, tracing.RosterImport{Enterprise: enterprise, AsOf: day(n), Partial: partial,
		Rows: e.parse(enterprise, lines)})
	if err != nil {
		e.t.Fatalf("import as of day %d: %v", n, err)
	}
	return res
}

func (e *rosterEnv) wantResult(what string, got, want tracing.RosterResult) {
	e.t.Helper()
	if got != want {
		e.t.Errorf("%s: %+v, want %+v", what, got, want)
	}
}

// history returns "from-to:room" of each period of an employee.
func (e *rosterEnv) history(ctx context.Context, enterprise, employee string) []string {
	e.t.Helper()
	h, err := e.Rosters.WorkerHistory(ctx, enterprise, employee)
	if errors.Is(err, tracing.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("history of %s: %v", employee, err)
	}
	out := make([]string, len(h))
	for i, p := range h {
		out[i] = span(p.Period) + ":" + p.Residence.Room
	}
	return out
}

// span writes a period's days as "dNN-dMM" ("dNN-" while open).
func span(p tracing.Period) string {
	s := fmt.Sprintf("d%02d-", int(p.ValidFrom.Sub(day(0))/(24*time.Hour)))
	if !p.Open() {
		s += fmt.Sprintf("d%02d", int(p.ValidTo.Sub(day(0))/(24*time.Hour)))
	}
	return s
}

// vnMidnight is midnight in Vietnam starting day n.
func vnMidnight(n int) time.Time { return day(n).Add(-7 * time.Hour) }

// at returns "employee:room" of the workers on the roster at t.
func (e *rosterEnv) at(ctx context.Context, enterprise string, t time.Time) []string {
	e.t.Helper()
	ws, err := e.Rosters.WorkersAt(ctx, enterprise, t)
	if err != nil {
		e.t.Fatalf("workers at %s: %v", t, err)
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Employee + ":" + w.Residence.Room
	}
	return out
}

func (e *rosterEnv) want(what string, got, want []string) {
	e.t.Helper()
	if !slices.Equal(got, want) {
		e.t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func testRosterHistory(e *rosterEnv) {
	t := e.t
	e.wantResult("first import", e.imp(entA, "ent-a", 1, false, base), tracing.RosterResult{Added: 3})
	e.wantResult("NV2 moved", e.imp(entA, "ent-a", 5, false, with(base, "NV2", nv2Moved)),
		tracing.RosterResult{Changed: 1, Unchanged: 2})
	e.want("NV2's history", e.history(entA, "ent-a", "NV2"), []string{"d01-d05:P02", "d05-:P07"})
	e.want("NV1's history", e.history(entA, "ent-a", "NV1"), []string{"d01-:P01"})
	e.want("the roster on day 3", e.at(entA, "ent-a", noon(3)), []string{"NV1:P01", "NV2:P02", "NV3:P05"})
	e.want("the roster on day 5", e.at(entA, "ent-a", noon(5)), []string{"NV1:P01", "NV2:P07", "NV3:P05"})
	e.want("the roster at the last minute of day 4 in Vietnam", e.at(entA, "ent-a", vnMidnight(5).Add(-time.Minute)),
		[]string{"NV1:P01", "NV2:P02", "NV3:P05"})
	e.want("the roster before the first import", e.at(entA, "ent-a", noon(0)), []string{})

	h, err := e.Rosters.WorkerHistory(tracer, "ent-a", "NV2")
	if err != nil || len(h) != 2 || h[1].Private != (tracing.WorkerPrivate{Name: "Trần Thị Bình", Phone: "0912000002", IDNumber: "074123456789"}) ||
		h[1].Residence.Ward != "25747" || h[1].Residence.Location[0] != 106.65 || h[1].Workplace.Line != "Chuyền 2" || h[1].BusRoute != "Tuyến 01" {
		t.Errorf("NV2's history as a tracer: %+v (%v)", h, err)
	}
	// A second file the same day corrects the day's period: no empty period.
	e.wantResult("same-day correction", e.imp(entA, "ent-a", 5, false, with(base, "NV2", strings.Replace(nv2Moved, "P07", "P08", 1))),
		tracing.RosterResult{Changed: 1, Unchanged: 2})
	e.want("NV2's history after the correction", e.history(entA, "ent-a", "NV2"), []string{"d01-d05:P02", "d05-:P08"})
	// History is not rewritten.
	_, err = e.Rosters.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(4), Rows: e.parse("ent-a", base)})
	if !errors.Is(err, tracing.ErrStaleRoster) {
		t.Errorf("an import as of a day before the latest: err = %v, want ErrStaleRoster", err)
	}
	e.want("NV2's history after the stale import", e.history(entA, "ent-a", "NV2"), []string{"d01-d05:P02", "d05-:P08"})
	if _, err := e.Rosters.WorkerHistory(entA, "ent-a", "NV9"); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("the history of an unknown employee: err = %v, want ErrNotFound", err)
	}
}

func testRosterUnchanged(e *rosterEnv) {
	e.imp(entA, "ent-a", 1, false, base)
	e.wantResult("the same file again", e.imp(entA, "ent-a", 1, false, base), tracing.RosterResult{Unchanged: 3})
	e.wantResult("the same file the next day", e.imp(entA, "ent-a", 2, false, base), tracing.RosterResult{Unchanged: 3})
	e.want("NV2's history", e.history(entA, "ent-a", "NV2"), []string{"d01-:P02"})

	// A sample roster of a few hundred, as Excel writes it in Vietnam.
	sample := SampleWorkers(e.t, 300, 7)
	rows, err := tracing.ParseRoster(strings.NewReader(SampleCSVVietnamese(sample)), e.keys, tracing.RosterOptions{Enterprise: "ent-b"})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, step := range []struct {
		day  int
		want tracing.RosterResult
	}{{3, tracing.RosterResult{Added: 300}}, {4, tracing.RosterResult{Unchanged: 300}}} {
		res, err := e.Rosters.ImportRoster(entB, tracing.RosterImport{Enterprise: "ent-b", AsOf: day(step.day), Rows: rows})
		if err != nil {
			e.t.Fatal(err)
		}
		e.wantResult("the sample roster", res, step.want)
	}
	ws, err := e.Rosters.WorkersAt(entB, "ent-b", noon(4))
	if err != nil || len(ws) != 300 {
		e.t.Fatalf("the sample roster holds %d workers (%v), want 300", len(ws), err)
	}
	for i, w := range ws {
		if w.Worker != rows[i].Worker || w.Private != rows[i].Private || !w.ValidFrom.Equal(day(3)) || !w.Open() {
			e.t.Fatalf("worker %d reads back as %+v, want %+v from day 3", i, w, rows[i])
		}
	}
}

func testRosterLeft(e *rosterEnv) {
	e.imp(entA, "ent-a", 1, false, base)
	e.wantResult("NV3 leaves", e.imp(entA, "ent-a", 3, false, without(base, "NV3")), tracing.RosterResult{Unchanged: 2, Left: 1})
	e.want("the roster on day 3", e.at(entA, "ent-a", noon(3)), []string{"NV1:P01", "NV2:P02"})
	e.want("the roster on day 2", e.at(entA, "ent-a", noon(2)), []string{"NV1:P01", "NV2:P02", "NV3:P05"})
	e.want("NV3's history", e.history(entA, "ent-a", "NV3"), []string{"d01-d03:P05"})
	e.wantResult("NV3 comes back", e.imp(entA, "ent-a", 6, false, base), tracing.RosterResult{Added: 1, Unchanged: 2})
	e.want("NV3's history", e.history(entA, "ent-a", "NV3"), []string{"d01-d03:P05", "d06-:P05"})
	// A worker added and dropped the same day leaves no period.
	nv4 := "NV4,Phạm Thị Dung,0912000004,,Nhà trọ Cô Ba,P09,25750,,,Xưởng C,Chuyền 4,Ca 3,"
	e.imp(entA, "ent-a", 7, false, append(slices.Clone(base), nv4))
	e.wantResult("NV4 dropped the same day", e.imp(entA, "ent-a", 7, false, base), tracing.RosterResult{Unchanged: 3, Left: 1})
	e.want("NV4's history", e.history(entA, "ent-a", "NV4"), nil)
}

func testRosterPartial(e *rosterEnv) {
	e.imp(entA, "ent-a", 1, false, base)
	nv4 := "NV4,Phạm Thị Dung,0912000004,,Nhà trọ Cô Ba,P09,25750,,,Xưởng C,Chuyền 4,Ca 3,"
	e.wantResult("a partial file", e.imp(entA, "ent-a", 2, true, []string{nv2Moved, nv4}), tracing.RosterResult{Added: 1, Changed: 1})
	e.want("the roster after it", e.at(entA, "ent-a", noon(2)), []string{"NV1:P01", "NV2:P07", "NV3:P05", "NV4:P09"})
	e.wantResult("the partial file again", e.imp(entA, "ent-a", 2, true, []string{nv2Moved, nv4}), tracing.RosterResult{Unchanged: 2})
}

func testRosterBadRows(e *rosterEnv) {
	t := e.t
	bad := rosterHead + strings.Join(base, "\n") + "\nNV4,Phạm Thị Dung,12345,,,,,,,,,,\nNV1,Nguyễn Văn An,0912000009,,,,,,,,,,\n"
	_, err := tracing.ParseRoster(strings.NewReader(bad), e.keys, tracing.RosterOptions{})
	var fe *tracing.RosterFileError
	if !errors.As(err, &fe) || len(fe.Lines) != 2 || fe.Lines[0].Line != 5 || fe.Lines[0].Field != "phone" ||
		fe.Lines[0].Reason != `"12345" is not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)` ||
		fe.Lines[1].Line != 6 || fe.Lines[1].Field != "employee_id" {
		t.Errorf("a file with bad lines: %v", err)
	}
	e.imp(entA, "ent-a", 1, false, base)
	rows := e.parse("ent-a", with(base, "NV2", nv2Moved))
	for name, broken := range map[string]func([]tracing.RosterRow){
		"a row without a person":  func(rs []tracing.RosterRow) { rs[2].Worker.Person = tracing.PersonKey{} },
		"an employee twice":       func(rs []tracing.RosterRow) { rs[2].Worker.Employee = "NV1" },
		"a row of another tenant": func(rs []tracing.RosterRow) { rs[2].Worker.Enterprise = "ent-b" },
		"an employee id with a space": func(rs []tracing.RosterRow) {
			rs[2].Worker.Employee = "NV 3"
		},
	} {
		rs := slices.Clone(rows)
		broken(rs)
		_, err := e.Rosters.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(2), Rows: rs})
		var re *tracing.RowError
		if !errors.As(err, &re) || re.Row != 2 || !errors.Is(err, tracing.ErrInvalid) {
			t.Errorf("%s: err = %v, want a RowError of row 2", name, err)
		}
	}
	for name, imp := range map[string]tracing.RosterImport{
		"enterprise *":          {Enterprise: "*", AsOf: day(2)},
		"a day after tomorrow":  {Enterprise: "ent-a", AsOf: e.clock.Now().AddDate(0, 0, 3)},
		"an enterprise's space": {Enterprise: "ent a", AsOf: day(2)},
	} {
		if _, err := e.Rosters.ImportRoster(admin, imp); !errors.Is(err, tracing.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	e.want("NV2's history after the refused imports", e.history(entA, "ent-a", "NV2"), []string{"d01-:P02"})
	// The refused day-2 files left no mark: a day-2 import still works.
	e.wantResult("a good file after", e.imp(entA, "ent-a", 2, false, base), tracing.RosterResult{Unchanged: 3})
	seen, err := e.Rosters.EnterprisesSeen(admin)
	if err != nil || len(seen) != 1 || seen[0].ID != "ent-a" || seen[0].Workers != 3 || !seen[0].LastAsOf.Equal(day(2)) {
		t.Errorf("enterprises seen: %+v (%v)", seen, err)
	}
}

func testRosterTenants(e *rosterEnv) {
	t := e.t
	e.imp(entA, "ent-a", 1, false, base)
	// NV1 of A also works a night shift at B.
	e.imp(entB, "ent-b", 1, false, []string{"B7,Nguyễn Văn An,0912000001,,Nhà trọ Hoa Mai,P01,25747,106.65,10.98,Kho B,Tổ 2,Ca 3,"})
	nv1 := e.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912000001"})
	token := auth.WithPrincipal(context.Background(), tracing.VenueClaim{Venue: tracing.NewVenueID(), Generation: 1}.Principal())
	for name, err := range map[string]error{
		"B imports A's roster": func() error {
			_, err := e.Rosters.ImportRoster(entB, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(2), Rows: e.parse("ent-a", base[:1])})
			return err
		}(),
		"B reads A's roster":     func() error { _, err := e.Rosters.WorkersAt(entB, "ent-a", noon(1)); return err }(),
		"B reads A's worker":     func() error { _, err := e.Rosters.WorkerHistory(entB, "ent-a", "NV1"); return err }(),
		"B lists enterprises":    func() error { _, err := e.Rosters.EnterprisesSeen(entB); return err }(),
		"a token reads A":        func() error { _, err := e.Rosters.WorkersAt(token, "ent-a", noon(1)); return err }(),
		"a token reads a person": func() error { _, err := e.Rosters.PeriodsOf(token, nv1, noon(0), noon(9)); return err }(),
		"B purges":               func() error { _, err := e.Rosters.PurgeRosters(entB, noon(9)); return err }(),
	} {
		if !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s: err = %v, want ErrForbidden", name, err)
		}
	}
	if _, err := e.Rosters.WorkersAt(context.Background(), "ent-a", noon(1)); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("no principal: err = %v, want ErrUnauthenticated", err)
	}
	e.want("A's roster after B's attempts", e.at(entA, "ent-a", noon(1)), []string{"NV1:P01", "NV2:P02", "NV3:P05"})
	for who, want := range map[string][]string{"ent-a": {"ent-a/NV1"}, "ent-b": {"ent-b/B7"}, "tracer": {"ent-a/NV1", "ent-b/B7"}} {
		ctx := map[string]context.Context{"ent-a": entA, "ent-b": entB, "tracer": tracer}[who]
		ps, err := e.Rosters.PeriodsOf(ctx, nv1, noon(0), noon(9))
		got := make([]string, len(ps))
		for i, p := range ps {
			got[i] = p.Enterprise + "/" + p.Employee
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s reads the person's periods %q (%v), want %q", who, got, err, want)
		}
	}
}

func testRosterPeriodsOf(e *rosterEnv) {
	t := e.t
	e.imp(entA, "ent-a", 1, false, base)
	e.imp(entA, "ent-a", 5, false, with(base, "NV2", nv2Moved))
	phone := e.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912000002"})
	id := e.keys.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: "074123456789"})
	for _, tc := range []struct {
		name     string
		person   tracing.PersonKey
		from, to time.Time
		want     []string
	}{
		{"day 2 by phone", phone, noon(2), noon(3), []string{"d01-d05:P02"}},
		{"day 2 by ID number", id, noon(2), noon(3), []string{"d01-d05:P02"}},
		{"days 4 to 6", phone, noon(4), noon(6), []string{"d01-d05:P02", "d05-:P07"}},
		{"the last instant of day 4", id, vnMidnight(5).Add(-time.Second), vnMidnight(5), []string{"d01-d05:P02"}},
		{"from the first instant of day 5", phone, vnMidnight(5), noon(9), []string{"d05-:P07"}},
		{"before the roster", phone, noon(-5), noon(0), nil},
		{"an unknown person", e.keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912999999"}), noon(0), noon(9), nil},
	} {
		ps, err := e.Rosters.PeriodsOf(tracer, tc.person, tc.from, tc.to)
		var got []string
		for _, p := range ps {
			got = append(got, span(p)+":"+p.Residence.Room)
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}

func testRosterPurge(e *rosterEnv) {
	t := e.t
	e.imp(entA, "ent-a", 1, false, base)
	e.imp(entA, "ent-a", 3, false, without(base, "NV3"))
	e.imp(entA, "ent-a", 5, false, without(with(base, "NV2", nv2Moved), "NV3"))
	for _, ctx := range []context.Context{entA, tracer, editor} {
		if _, err := e.Rosters.PurgeRosters(ctx, noon(9)); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a purge by a non-admin: err = %v, want ErrForbidden", err)
		}
	}
	n, err := e.Rosters.PurgeRosters(admin, noon(2))
	if err != nil || n != 0 {
		t.Errorf("a purge before NV3 left: %d periods (%v), want 0", n, err)
	}
	e.want("NV3's history, kept", e.history(entA, "ent-a", "NV3"), []string{"d01-d03:P05"})
	n, err = e.Rosters.PurgeRosters(admin, noon(3))
	if err != nil || n != 1 {
		t.Errorf("a purge after NV3 left: %d periods (%v), want 1", n, err)
	}
	e.want("NV3's history, purged", e.history(entA, "ent-a", "NV3"), nil)
	e.want("NV2's history, kept while employed", e.history(entA, "ent-a", "NV2"), []string{"d01-d05:P02", "d05-:P07"})
	nv3 := e.keys.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: "074123456780"})
	if ps, err := e.Rosters.PeriodsOf(tracer, nv3, noon(0), noon(9)); err != nil || len(ps) != 0 {
		t.Errorf("NV3's periods after the purge: %+v (%v)", ps, err)
	}
	if n, err := e.Rosters.PurgeRosters(admin, noon(30)); err != nil || n != 0 {
		t.Errorf("a second purge: %d (%v), want 0", n, err)
	}
}

func testRosterPrivacy(e *rosterEnv) {
	if e.NonPrivate == nil {
		e.t.Skip("the store cannot list its non-private values")
	}
	sample := SampleWorkers(e.t, 40, 3)
	rows, err := tracing.ParseRoster(strings.NewReader(SampleCSV(sample)), e.keys, tracing.RosterOptions{Enterprise: "ent-a"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.Rosters.ImportRoster(entA, tracing.RosterImport{Enterprise: "ent-a", AsOf: day(1), Rows: rows}); err != nil {
		e.t.Fatal(err)
	}
	all := strings.Join(e.NonPrivate(e.t), "\n")
	for _, w := range sample {
		for _, raw := range []string{w.Name, w.Phone, w.IDNumber} {
			if raw != "" && strings.Contains(all, raw) {
				e.t.Errorf("%q of worker %s is stored outside the private side", raw, w.Employee)
			}
		}
	}
}
