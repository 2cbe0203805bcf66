package tracing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// TestPersonPassExpiry checks a pass at the exact ends of its validity: it
// is dated by its UTC issue day, accepted from that day's midnight and for
// PassValidity after it, not one nanosecond more or less.
func TestPersonPassExpiry(t *testing.T) {
	k := keys(t, "a test secret of thirty-two bytes!")
	id, err := tracing.ParseIdentity("0912 345 678")
	if err != nil {
		t.Fatal(err)
	}
	p := k.PersonKey(id)
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	pass, err := k.PersonPass(p, day.Add(23*time.Hour+59*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		err  error
	}{
		{"the issue day's midnight", day, nil},
		{"1 ns before the issue day", day.Add(-time.Nanosecond), tracing.ErrBadToken},
		{"1 ns before PassValidity ends", day.Add(tracing.PassValidity - time.Nanosecond), nil},
		{"PassValidity after the issue day", day.Add(tracing.PassValidity), tracing.ErrPassExpired},
		{"in Vietnam time, the same instant", day.Add(tracing.PassValidity).In(time.FixedZone("ICT", 7*3600)), tracing.ErrPassExpired},
	} {
		got, err := k.VerifyPersonPass(pass, tc.at)
		if !errors.Is(err, tc.err) || (tc.err == nil && got != p) {
			t.Errorf("%s: VerifyPersonPass = %x, %v; want %v", tc.name, got[:4], err, tc.err)
		}
	}
}
