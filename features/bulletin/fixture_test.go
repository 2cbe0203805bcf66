package bulletin_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// collection returns a collection of the catalog.
func collection(id string) features.Collection {
	col, err := features.NewCatalog().Get(id)
	if err != nil {
		panic(err)
	}
	return col
}

// readerOf returns a reader holding records of one collection, as a store
// shows them.
func readerOf(col string, recs ...features.Record) *testkit.MemReader {
	r := testkit.NewMemReader()
	r.AddRecords(collection(col), recs...)
	return r
}

// failingReader fails every read, with a message that must not reach
// clients.
func failingReader() *testkit.MemReader {
	r := testkit.NewMemReader()
	r.Fail(errors.New("pq: relation secret_cases does not exist"))
	return r
}

// districtRecords reads the real districts of Bình Dương.
func districtRecords(t testing.TB) []features.Record {
	t.Helper()
	fc := testkit.SharedGeoJSON(t, "data/binhduong/districts.geojson")
	var out []features.Record
	for _, f := range fc.Features {
		code := f.Properties.MustString("code")
		out = append(out, features.Record{ID: code, Geometry: f.Geometry, Properties: map[string]any{
			"code": code, "name": f.Properties.MustString("name"), "level": f.Properties.MustString("level"),
		}})
	}
	return out
}

// july5Cases reads the fixture's cases, checked against the real districts.
func july5Cases(t testing.TB, districts []features.Record) []features.Record {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "july5.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes := map[string]bool{}
	for _, d := range districts {
		codes[d.ID] = true
	}
	cases, err := caseimport.Parse(f, caseimport.Options{Districts: codes})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// july5Reader holds the fixture's cases and the real districts.
func july5Reader(t testing.TB) *testkit.MemReader {
	t.Helper()
	districts := districtRecords(t)
	r := readerOf("districts", districts...)
	r.AddRecords(collection("cases"), july5Cases(t, districts)...)
	return r
}

// date is a date written in a test.
func date(s string) time.Time { return testkit.Day(s) }

// caseRecord is a community case found in a quarantine area of district
// 718, reported on a day, with a status from statusDate ("" for none).
func caseRecord(id, report, status, statusDate string) features.Record {
	p := map[string]any{
		"code": id, "report_date": date(report), "origin": features.OriginCommunity,
		"detected_in": features.DetectedQuarantineArea, "status": status, "district_code": "718",
	}
	if statusDate != "" {
		p["status_date"] = date(statusDate)
	}
	return features.Record{ID: id, Geometry: orb.Point{106.65, 11}, Properties: p}
}
