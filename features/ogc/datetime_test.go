package ogc

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
)

func TestParseDatetime(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(features.DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var open time.Time
	tests := []struct {
		in         string
		start, end time.Time
		bad        bool
	}{
		{in: "2021-07-05", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-05T10:00:00Z", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-05T16:59:59Z", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-05T17:00:00Z", start: d("2021-07-06"), end: d("2021-07-06")}, // midnight in Vietnam
		{in: "2021-07-05T00:30:00+07:00", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-04T23:30:00-01:00", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-05T10:00:00.123456Z", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-05t10:00:00z", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "2021-07-01/2021-07-05", start: d("2021-07-01"), end: d("2021-07-05")},
		{in: "2021-07-01T00:00:00Z/2021-07-05T23:00:00Z", start: d("2021-07-01"), end: d("2021-07-06")},
		{in: "2021-07-05/2021-07-05", start: d("2021-07-05"), end: d("2021-07-05")},
		{in: "../2021-07-05", start: open, end: d("2021-07-05")},
		{in: "2021-07-01/..", start: d("2021-07-01"), end: open},
		{in: "/2021-07-05", start: open, end: d("2021-07-05")},
		{in: "2021-07-01/", start: d("2021-07-01"), end: open},
		{in: "2021-07-01T/..", start: d("2021-07-01"), end: open}, // GDAL 3.6's form
		{in: "2021-07-03T", start: d("2021-07-03"), end: d("2021-07-03")},
		{in: "2021-07-03TT", bad: true},
		{in: "2021-07-03T10", bad: true},
		{in: "../..", bad: true},
		{in: "/", bad: true},
		{in: "../", bad: true},
		{in: "/..", bad: true},
		{in: "2021-07-05/2021-07-01", bad: true},
		{in: "2021-07-05T10:00:00", bad: true}, // no offset
		{in: "2021-13-01", bad: true},
		{in: "2021-02-30", bad: true},
		{in: "05/07/2021", bad: true},
		{in: "yesterday", bad: true},
		{in: "2021-07-01/2021-07-02/2021-07-03", bad: true},
		{in: "2021-07-01/tomorrow", bad: true},
		{in: "now/..", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			iv, err := parseDatetime(tt.in)
			if tt.bad {
				var p *httpx.ProblemError
				if !errors.As(err, &p) || p.Status != http.StatusBadRequest {
					t.Fatalf("got %+v, %v; want a 400", iv, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !iv.Start.Equal(tt.start) || !iv.End.Equal(tt.end) {
				t.Errorf("got %v / %v, want %v / %v", iv.Start, iv.End, tt.start, tt.end)
			}
		})
	}
}

// TestDatetimeItems checks what each kind of temporal collection returns:
// instants (cases' report dates) and periods with open ends (zones).
func TestDatetimeItems(t *testing.T) {
	tests := []struct {
		target string
		ids    []string
	}{
		{"/ogc/collections/cases/items?datetime=2021-07-03", []string{"BN0802", "BN0812", "BN0822"}},
		{"/ogc/collections/cases/items?datetime=2021-07-09/..&status=died", []string{"BN0808", "BN0829"}},
		{"/ogc/collections/quarantine_zones/items?datetime=2021-06-01/2021-06-19", nil},
		{"/ogc/collections/quarantine_zones/items?datetime=2021-07-04", []string{"qz-1", "qz-2"}},
		{"/ogc/collections/quarantine_zones/items?datetime=2021-07-05", []string{"qz-2"}},
		{"/ogc/collections/quarantine_zones/items?datetime=2022-01-01/..", []string{"qz-2", "qz-3"}},
	}
	e := newServer(fixtureReader(), Config{})
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := testkit.GetOK(t, e, tt.target)
			if got := featureIDs(t, decode(t, rec)); !slices.Equal(got, tt.ids) {
				t.Errorf("ids %v, want %v", got, tt.ids)
			}
		})
	}
}

// featureIDs lists the ids of a decoded FeatureCollection.
func featureIDs(t *testing.T, fc map[string]any) []string {
	t.Helper()
	list, ok := fc["features"].([]any)
	if !ok {
		t.Fatalf("no features array in %v", fc)
	}
	var ids []string
	for _, f := range list {
		ids = append(ids, f.(map[string]any)["id"].(string))
	}
	return ids
}
