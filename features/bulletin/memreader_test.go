package bulletin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// memReader is an in-memory features.Reader for these tests. It follows the
// shared semantics of Items (public properties, dates as strings, geomasked
// people, intervals, equality filters, limits, id order); the contract suite
// runs the same fixture through the real stores.
type memReader struct {
	recs    map[string][]features.Record
	queries []features.ItemsQuery
}

var _ features.Reader = (*memReader)(nil)

func newMemReader() *memReader { return &memReader{recs: map[string][]features.Record{}} }

func (m *memReader) add(col string, recs ...features.Record) {
	m.recs[col] = append(m.recs[col], recs...)
}

func (m *memReader) Items(_ context.Context, q features.ItemsQuery) (features.Page, error) {
	m.queries = append(m.queries, q)
	var page features.Page
	recs := append([]features.Record(nil), m.recs[q.Collection.ID]...)
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	for _, r := range recs {
		f := public(q.Collection, r)
		if !keep(q, f) {
			continue
		}
		page.NumberMatched++
		if q.Limit < 0 || (page.NumberMatched > q.Offset && len(page.Features) < q.Limit) {
			page.Features = append(page.Features, f)
		}
	}
	return page, nil
}

func public(col features.Collection, r features.Record) features.Feature {
	f := features.Feature{Collection: col.ID, ID: r.ID, Geometry: r.Geometry, Properties: map[string]any{}}
	if col.People {
		f.Geometry = features.Geomask(r.Geometry.(orb.Point), 150)
	}
	for _, name := range col.PropertyNames() {
		switch v := r.Properties[name].(type) {
		case time.Time:
			f.Properties[name] = v.Format(features.DateLayout)
		case int:
			f.Properties[name] = int64(v)
		default:
			f.Properties[name] = v
		}
	}
	return f
}

func keep(q features.ItemsQuery, f features.Feature) bool {
	for k, v := range q.Filters {
		if s, _ := f.Properties[k].(string); s != v {
			return false
		}
	}
	if q.Interval == nil || q.Collection.Temporal == nil {
		return true
	}
	start := propDate(f, q.Collection.Temporal.Start)
	if q.Collection.Temporal.End == "" {
		return q.Interval.Contains(start)
	}
	end := propDate(f, q.Collection.Temporal.End)
	return (q.Interval.End.IsZero() || !start.After(q.Interval.End)) &&
		(end.IsZero() || q.Interval.Start.IsZero() || !end.Before(q.Interval.Start))
}

func propDate(f features.Feature, key string) time.Time {
	s, _ := f.Properties[key].(string)
	t, _ := time.Parse(features.DateLayout, s)
	return t
}

func (m *memReader) Item(context.Context, features.Collection, string) (features.Feature, error) {
	return features.Feature{}, errors.New("memReader: Item is not used by the bulletin")
}

func (m *memReader) Extent(context.Context, features.Collection) (features.Extent, error) {
	return features.Extent{}, errors.New("memReader: Extent is not used by the bulletin")
}

func (m *memReader) Nearby(context.Context, features.NearbyQuery) ([]features.Near, error) {
	return nil, errors.New("memReader: Nearby is not used by the bulletin")
}

func (m *memReader) Search(context.Context, features.SearchQuery) ([]features.Match, error) {
	return nil, errors.New("memReader: Search is not used by the bulletin")
}

// failReader fails every read, with a message that must not reach clients.
type failReader struct{ memReader }

func (failReader) Items(context.Context, features.ItemsQuery) (features.Page, error) {
	return features.Page{}, errors.New("pq: relation secret_cases does not exist")
}

// sharedDir finds ../shared/data/binhduong beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data", "binhduong")
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = filepath.Dir(dir)
	}
}

// districtRecords reads the real districts of Bình Dương.
func districtRecords(t testing.TB) []features.Record {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []features.Record
	for _, f := range fc.Features {
		code := f.Properties.MustString("code")
		out = append(out, features.Record{ID: code, Geometry: f.Geometry, Properties: map[string]any{
			"code": code, "name": f.Properties.MustString("name"), "level": f.Properties.MustString("level"),
		}})
	}
	return out
}

// july5Reader holds the fixture's cases and the real districts.
func july5Reader(t testing.TB) *memReader {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "july5.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := newMemReader()
	m.add("districts", districtRecords(t)...)
	codes := map[string]bool{}
	for _, d := range m.recs["districts"] {
		codes[d.ID] = true
	}
	cases, err := caseimport.Parse(f, caseimport.Options{Districts: codes})
	if err != nil {
		t.Fatal(err)
	}
	m.add("cases", cases...)
	return m
}

func date(s string) time.Time {
	t, err := time.Parse(features.DateLayout, s)
	if err != nil {
		panic(fmt.Sprintf("bad test date %q", s))
	}
	return t
}
