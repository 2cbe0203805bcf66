package httpx

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// reasonOf returns the status and detail of a problem, or 0 and "".
func reasonOf(err error) (int, string) {
	var p *ProblemError
	if errors.As(err, &p) {
		return p.Status, p.Detail
	}
	return 0, ""
}

func TestQueryCheck(t *testing.T) {
	spec := Query{Names: []string{"lon", "lat", "q"}, Flags: []string{"pretty"}}
	tests := []struct {
		name, query, reason string // reason "" means accepted
	}{
		{"all known", "lon=1&lat=2&q=chợ", ""},
		{"none", "", ""},
		{"flag without value", "lon=1&pretty", ""},
		{"flag with value", "pretty=1", ""},
		{"unknown lists the allowed", "colour=red", `unknown query parameter "colour"; allowed: lon, lat, q, pretty`},
		{"repeated", "lon=1&lon=2", `query parameter "lon" is given 2 times`},
		{"empty value", "lat=", `query parameter "lat" has no value`},
		{"blank value", "lat=%20%20", `query parameter "lat" has no value`},
		{"no value at all", "q", `query parameter "q" has no value`},
		{"NUL byte", "q=BN%00", `query parameter "q" is not valid UTF-8`},
		{"invalid UTF-8", "q=%ff%fe", `query parameter "q" is not valid UTF-8`},
		{"flag with NUL", "pretty=%00", `query parameter "pretty" is not valid UTF-8`},
		{"first in name order", "zz=1&aa=2", `"aa"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			err = spec.Check(q)
			status, reason := reasonOf(err)
			switch {
			case tt.reason == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.reason != "" && (status != 400 || !strings.Contains(reason, tt.reason)):
				t.Errorf("got %d %q, want 400 saying %q", status, reason, tt.reason)
			}
		})
	}
	if err := CheckQuery(url.Values{"x": {"1"}}); err == nil || !strings.Contains(err.Error(), "allowed: none") {
		t.Errorf("a route without parameters: %v", err)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  error
	}{
		{"106.65", 106.65, nil},
		{"-10.5", -10.5, nil},
		{"+3", 3, nil},
		{"0", 0, nil},
		{".5", 0.5, nil},
		{"5.", 5, nil},
		{"1e-05", 1e-05, nil},
		{"1.5E+02", 150, nil},
		{"0x1p3", 0, ErrNotNumber},
		{"0X10", 0, ErrNotNumber},
		{"1_0", 0, ErrNotNumber},
		{"Inf", 0, ErrNotNumber},
		{"-inf", 0, ErrNotNumber},
		{"Infinity", 0, ErrNotNumber},
		{"NaN", 0, ErrNotNumber},
		{"+-1", 0, ErrNotNumber},
		{"--1", 0, ErrNotNumber},
		{"", 0, ErrNotNumber},
		{" 1", 0, ErrNotNumber},
		{"1 ", 0, ErrNotNumber},
		{".", 0, ErrNotNumber},
		{"1e", 0, ErrNotNumber},
		{"2km", 0, ErrNotNumber},
		{"1e999", 0, strconv.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNumber(tt.in)
			if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
				t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestParseWhole(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  error
	}{
		{"10", 10, nil},
		{"-3", -3, nil},
		{"+7", 7, nil},
		{"007", 7, nil},
		{"1_000", 0, ErrNotNumber},
		{"0x10", 0, ErrNotNumber},
		{"2.5", 0, ErrNotNumber},
		{"1e3", 0, ErrNotNumber},
		{"", 0, ErrNotNumber},
		{"+-1", 0, ErrNotNumber},
		{"99999999999999999999", 0, strconv.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWhole(tt.in)
			if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
				t.Errorf("ParseWhole(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestRange(t *testing.T) {
	lon := Range{Name: "lon", Min: -180, Max: 180}
	limit := Range{Name: "limit", Min: 1, Max: 200}
	tests := []struct {
		name   string
		read   func(url.Values) (float64, error)
		query  string
		want   float64
		reason string
	}{
		{"float given", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=106.5", 106.5, ""},
		{"float default", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "", 7, ""},
		{"float at the bound", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=-180", -180, ""},
		{"float out of range", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=186.5", 0, "lon: 186.5 is out of range [-180, 180]"},
		{"float hex", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=0x1p3", 0, `lon: "0x1p3" is not a number`},
		{"float underscore", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=1_0", 0, `lon: "1_0" is not a number`},
		{"float NaN", func(q url.Values) (float64, error) { return lon.Float(q, 7) }, "lon=NaN", 0, `"NaN" is not a number`},
		{"required absent", lon.Required, "", 0, "lon is required"},
		{"required given", lon.Required, "lon=1e1", 10, ""},
		{"int given", intOf(limit, 20), "limit=50", 50, ""},
		{"int default", intOf(limit, 20), "", 20, ""},
		{"int fractional", intOf(limit, 20), "limit=2.5", 0, `limit: "2.5" is not a whole number`},
		{"int too large", intOf(limit, 20), "limit=201", 0, "limit: 201 is out of range [1, 200]"},
		{"int beyond int", intOf(limit, 20), "limit=99999999999999999999", 0, "out of range"},
		{"int underscore", intOf(limit, 20), "limit=1_0", 0, "not a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := tt.read(q)
			status, reason := reasonOf(err)
			switch {
			case tt.reason == "" && (err != nil || got != tt.want):
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			case tt.reason != "" && (status != 400 || !strings.Contains(reason, tt.reason)):
				t.Errorf("got %d %q, want 400 saying %q", status, reason, tt.reason)
			}
		})
	}
}

func intOf(r Range, def int) func(url.Values) (float64, error) {
	return func(q url.Values) (float64, error) {
		v, err := r.Int(q, def)
		return float64(v), err
	}
}

func TestParseDay(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2021-07-05", true},
		{"0001-01-01", true},
		{"2021-7-5", false},
		{"05/07/2021", false},
		{"2021-02-30", false},
		{"2021-13-01", false},
		{"2021-07-05T00:00:00Z", false},
		{" 2021-07-05", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDay("date", tt.in)
			if tt.ok {
				if err != nil || d.Format(DayLayout) != tt.in || d.Location().String() != "UTC" || d.Hour() != 0 {
					t.Errorf("ParseDay(%q) = %v, %v", tt.in, d, err)
				}
				return
			}
			status, reason := reasonOf(err)
			if status != 400 || !strings.Contains(reason, `date "`+tt.in+`" is not a date`) || !strings.Contains(reason, "YYYY-MM-DD") {
				t.Errorf("ParseDay(%q): %d %q", tt.in, status, reason)
			}
		})
	}
}
