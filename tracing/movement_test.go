package tracing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
)

// movementNow is the clock of the movement tests: 20 November 2026,
// 15:00 in Vietnam.
var movementNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func movementKeys(t *testing.T) tracing.Keys {
	t.Helper()
	k, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRidesCSVProblems checks that every bad line of a rides file is named,
// with its column, in the golden list, and that nothing is returned.
func TestRidesCSVProblems(t *testing.T) {
	csv := "\uFEFFdate,trip,bus,employee_id,person,seat,departure\n" +
		"2026-11-20,am,61A-123.45,NV-001,,12,06:30\n" + // good
		"2026-11-20,noon,61A-123.45,NV-002,,,\n" +
		"2026-02-30,am,61A-123.45,NV-002,,,\n" +
		"2026-11-25,am,61A-123.45,NV-002,,,\n" +
		"2026-11-20,am,,NV-002,,,\n" +
		"2026-11-20,am,61A-123.45,,,,\n" +
		"2026-11-20,am,61A-123.45,,0912 34,,\n" +
		"2026-11-20,am,61A-123.45,NV-003,,seat number 12,\n" +
		"2026-11-20,pm,61A-123.45,NV-003,,,6h30\n" +
		"2026-11-20,pm,61A-123.45\n"
	rows, err := tracing.ParseRidesCSV(strings.NewReader(csv), tracing.RideUpload{Enterprise: "ent-a", Keys: movementKeys(t), Now: movementNow})
	var ue *tracing.UploadError
	if !errors.As(err, &ue) || !errors.Is(err, tracing.ErrInvalid) || rows != nil {
		t.Fatalf("ParseRidesCSV = %d rows, %v; want an UploadError and no rows", len(rows), err)
	}
	if strings.Contains(err.Error(), "0912") {
		t.Errorf("the problems echo a phone number: %v", err)
	}
	testkit.Golden(t, "testdata/rides_problems.txt", []byte(err.Error()+"\n"))
}

func TestRidesCSV(t *testing.T) {
	keys := movementKeys(t)
	csv := "date,trip,bus,employee_id,person,seat,departure\n" +
		"2026-11-20,AM,61A-123.45,NV-001,,12,06:30\n" +
		"2026-11-19,pm,61A-123.45,,+84 912 345 678,,\n"
	rows, err := tracing.ParseRidesCSV(strings.NewReader(csv), tracing.RideUpload{Enterprise: "ent-a", Keys: keys, Now: movementNow})
	if err != nil || len(rows) != 2 {
		t.Fatalf("ParseRidesCSV = %d rows, %v", len(rows), err)
	}
	first := rows[0].Ride
	if rows[0].Line != 2 || first.Trip != tracing.Morning || first.Seat != "12" || !first.Person.IsZero() ||
		!first.Departure.Equal(time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC)) || !first.Date.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the first row: line %d, %+v", rows[0].Line, first)
	}
	phone := keys.PersonKey(tracing.Identity{Kind: tracing.Phone, Value: "0912345678"})
	if rows[1].Ride.Person != phone || rows[1].Ride.Employee != "" {
		t.Errorf("a rider given by phone: %+v", rows[1].Ride)
	}
	resolved := 0
	rides, err := tracing.ResolveRiders(context.Background(), rows, func(_ context.Context, ent, emp string, day time.Time) (tracing.PersonKey, error) {
		resolved++
		if ent != "ent-a" || emp != "NV-001" || !day.Equal(first.Date) {
			return tracing.PersonKey{}, tracing.ErrNotFound
		}
		return tracing.PersonKey{9}, nil
	}, 0)
	if err != nil || len(rides) != 2 || rides[0].Person != (tracing.PersonKey{9}) || rides[1].Person != phone || resolved != 1 {
		t.Errorf("ResolveRiders = %+v, %v (%d look-ups)", rides, err, resolved)
	}
	down := errors.New("roster store down")
	if _, err := tracing.ResolveRiders(context.Background(), rows, func(context.Context, string, string, time.Time) (tracing.PersonKey, error) {
		return tracing.PersonKey{}, down
	}, 0); !errors.Is(err, down) || errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("a failing resolver: %v, want its error, not a bad upload", err)
	}
}

func TestRideDays(t *testing.T) {
	for _, tc := range []struct {
		before, first string
	}{
		// 17:00 UTC is midnight in Vietnam: the day has ended, its rides go.
		{"2026-11-20T17:00:00Z", "2026-11-21"},
		{"2026-11-20T16:59:59Z", "2026-11-20"},
		{"2026-11-20T00:00:00Z", "2026-11-20"},
		{"2026-11-21T16:00:00+07:00", "2026-11-21"},
	} {
		before, _ := time.Parse(time.RFC3339, tc.before)
		got := tracing.RidesBefore(before)
		if got.Format(time.DateOnly) != tc.first {
			t.Errorf("RidesBefore(%s) = %s, want %s", tc.before, got.Format(time.DateOnly), tc.first)
		}
		last := got.AddDate(0, 0, -1)
		if ends := tracing.RideDayEnds(last); ends.After(before) || !tracing.RideDayEnds(got).After(before) {
			t.Errorf("RidesBefore(%s) = %s: day %s ends %v, day %s ends %v", tc.before, tc.first, last.Format(time.DateOnly), ends,
				got.Format(time.DateOnly), tracing.RideDayEnds(got))
		}
	}
}
