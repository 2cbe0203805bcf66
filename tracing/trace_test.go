package tracing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/bandomap/bando/tracing"
)

func TestTracesGeoJSON(t *testing.T) {
	keys := movementKeys(t)
	// "type" after "features", members GeoJSON allows, a third coordinate.
	body := `{"features": [
		{"type": "Feature", "id": 1, "bbox": [106, 10, 107, 11], "geometry": {"type": "Point", "coordinates": [106.65, 10.98, 12.0]},
		 "properties": {"person": "079123456789", "time": "2026-11-20T14:00:00+07:00", "accuracy": 5, "activity": "walking"}}
	], "name": "export", "type": "FeatureCollection"}`
	got, err := tracing.ParseTracesGeoJSON(strings.NewReader(body), tracing.TraceUpload{Keys: keys, Now: movementNow})
	want := tracing.TracePoint{Person: keys.PersonKey(tracing.Identity{Kind: tracing.IDNumber, Value: "079123456789"}),
		Time: time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC), Lon: 106.65, Lat: 10.98, Accuracy: 5}
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("ParseTracesGeoJSON = %+v, %v; want %+v", got, err, want)
	}
	for name, body := range map[string]string{
		"a feature":         `{"type": "Feature", "geometry": null, "properties": {}}`,
		"an array":          `[]`,
		"no type":           `{"features": []}`,
		"cut short":         `{"type": "FeatureCollection", "features": [{"type": "Feature"`,
		"features a string": `{"type": "FeatureCollection", "features": "none"}`,
		"empty":             `{"type": "FeatureCollection", "features": []}`,
	} {
		if _, err := tracing.ParseTracesGeoJSON(strings.NewReader(body), tracing.TraceUpload{Keys: keys, Now: movementNow}); !errors.Is(err, tracing.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestTracesLimits(t *testing.T) {
	keys := movementKeys(t)
	var b strings.Builder
	b.WriteString("person,time,lon,lat,accuracy\n")
	for i := range 150 {
		fmt.Fprintf(&b, "0912345678,2026-11-20T07:%02d:00+07:00,%d,10.9,5\n", i%60, 106+i%2*100)
	}
	// 75 rows are bad (lon 206): 100 are listed, none past them counted
	// twice; 150 rows pass a cap of 200 points but not of 100.
	_, err := tracing.ParseTracesCSV(strings.NewReader(b.String()), tracing.TraceUpload{Keys: keys, Now: movementNow, MaxPoints: 200, MaxProblems: 10})
	var ue *tracing.UploadError
	if !errors.As(err, &ue) || len(ue.Problems) != 10 || ue.Omitted != 65 || ue.Problems[0].Line != 3 || ue.Problems[0].Field != "lon" {
		t.Errorf("problems: %v", err)
	}
	_, err = tracing.ParseTracesCSV(strings.NewReader(b.String()), tracing.TraceUpload{Keys: keys, Now: movementNow, MaxPoints: 100})
	if !errors.As(err, &ue) || !strings.Contains(ue.Problems[len(ue.Problems)-1].Reason, "more than 100 rows") {
		t.Errorf("a cap of 100 points: %v", err)
	}
}

// TestTracesCSVProblems checks the problems of a bad traces file against
// the golden list.
func TestTracesCSVProblems(t *testing.T) {
	csv := "Person,Time,Lon,Lat,Accuracy,Speed\n"
	_, err := tracing.ParseTracesCSV(strings.NewReader(csv), tracing.TraceUpload{Keys: movementKeys(t), Now: movementNow})
	header := err
	csv = "person,time,lon,lat,accuracy\n" +
		"0912345678,2026-11-20T07:00:00+07:00,106.65,10.98,10\n" +
		"0912345678,2026-11-20 07:00,106.65,10.98,10\n" +
		"0912345678,2026-11-20T07:00:00Z,NaN,10.98,10\n" +
		"0912345678,2026-11-20T07:00:00Z,106.65,10.98,20000\n" +
		"0912345678,2019-11-01T07:00:00Z,106.65,10.98,1\n" +
		",2026-11-20T07:00:00Z,106.65,10.98,1\n" +
		"0912345678,2026-11-20T07:00:00Z,106.65,10.98\n" +
		"0912345678,2026-11-20T07:00:00Z,106.65,\"10.98\n"
	_, err = tracing.ParseTracesCSV(strings.NewReader(csv), tracing.TraceUpload{Keys: movementKeys(t), Now: movementNow})
	testkit.Golden(t, "testdata/traces_problems.txt", []byte(header.Error()+"\n\n"+err.Error()+"\n"))
}

func TestSortTraces(t *testing.T) {
	p, q := tracing.PersonKey{1}, tracing.PersonKey{2}
	at := func(m int) time.Time { return movementNow.Add(time.Duration(m) * time.Minute) }
	in := []tracing.TracePoint{{Person: q, Time: at(1)}, {Person: p, Time: at(2), Lon: 1}, {Person: p, Time: at(0)}, {Person: p, Time: at(2), Lon: 2}}
	got := tracing.SortTraces(in)
	if len(got) != 3 || got[0].Time != at(0) || got[1].Lon != 1 || got[2].Person != q || in[0].Person != q {
		t.Errorf("SortTraces = %+v (input %+v)", got, in)
	}
}

// BenchmarkParseTraces measures reading uploads of 200,000 points, as CSV
// and as GeoJSON, reporting points per second.
func BenchmarkParseTraces(b *testing.B) {
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		b.Fatal(err)
	}
	const n = 200_000
	var csv, geo strings.Builder
	csv.WriteString("person,time,lon,lat,accuracy\n")
	geo.WriteString(`{"type": "FeatureCollection", "features": [`)
	for i := range n {
		phone := fmt.Sprintf("09%08d", i%2000)
		at := movementNow.Add(-time.Duration(i) * time.Second).Format(time.RFC3339)
		fmt.Fprintf(&csv, "%s,%s,106.%04d,10.98,12\n", phone, at, i%10000)
		if i > 0 {
			geo.WriteString(",")
		}
		fmt.Fprintf(&geo, `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.%04d,10.98]},"properties":{"person":%q,"time":%q,"accuracy":12}}`,
			i%10000, phone, at)
	}
	geo.WriteString("]}")
	up := tracing.TraceUpload{Keys: keys, Now: movementNow}
	for _, tc := range []struct {
		name  string
		body  string
		parse func(r *strings.Reader) ([]tracing.TracePoint, error)
	}{
		{"csv", csv.String(), func(r *strings.Reader) ([]tracing.TracePoint, error) { return tracing.ParseTracesCSV(r, up) }},
		{"geojson", geo.String(), func(r *strings.Reader) ([]tracing.TracePoint, error) { return tracing.ParseTracesGeoJSON(r, up) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for i := 0; i < b.N; i++ {
				if ps, err := tc.parse(strings.NewReader(tc.body)); err != nil || len(ps) != n {
					b.Fatalf("%d points, %v", len(ps), err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
