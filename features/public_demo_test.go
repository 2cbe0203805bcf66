package features_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/internal/testkit"
)

// demoPublic is the demo province as the public reads it: a PublicReader
// over the stores' public view of every record, and the ward and district
// shapes by code.
type demoPublic struct {
	reader *features.PublicReader
	areas  map[string]orb.MultiPolygon // wards and districts by code
	cat    *features.Catalog
}

func newDemoPublic(tb testing.TB) demoPublic {
	tb.Helper()
	batches, err := demo.Generate(demo.Options{Scale: demo.ScaleDemo, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	cat := features.NewCatalog()
	mem := testkit.NewMemReader()
	areas := map[string]orb.MultiPolygon{}
	for _, b := range batches {
		col, err := cat.Get(b.Collection)
		if err != nil {
			tb.Fatal(err)
		}
		for r := range b.Records {
			mem.AddRecords(col, r)
			if b.Collection == "wards" || b.Collection == "districts" {
				areas[r.ID] = testkit.Public(col, r).Geometry.(orb.MultiPolygon)
			}
		}
	}
	version := func() string { return "demo" }
	return demoPublic{reader: features.NewPublicReader(mem, features.PublicOptions{Version: version}), areas: areas, cat: cat}
}

// demoDays are days of the demo's wave, its bulletin day among them, and
// for each the range the map of that day asks.
var demoDays = []string{"2021-06-15", "2021-06-25", "2021-07-01", "2021-07-05"}

// groupsOf returns the public groups of col as of day ("" for all days).
func (d demoPublic) groupsOf(tb testing.TB, col, day string) []features.Feature {
	tb.Helper()
	c, err := d.cat.Get(col)
	if err != nil {
		tb.Fatal(err)
	}
	r := features.DayRange{First: features.NoDay, Last: features.NoDay}
	if day != "" {
		r = c.Temporal.AsOf(features.DayOf(testkit.Day(day)))
	}
	groups, err := d.reader.Groups(context.Background(), c, r)
	if err != nil {
		tb.Fatal(err)
	}
	return groups
}

// misplaced counts the groups outside their own ward (those with a
// ward_code), outside their own district (those without), and outside the
// province (every district's shape).
func (d demoPublic) misplaced(groups []features.Feature) (outWard, outProvince int, bad []string) {
	for _, g := range groups {
		at := g.Geometry.(orb.Point)
		own, _ := g.Properties["ward_code"].(string)
		if own == "" {
			own, _ = g.Properties["district_code"].(string)
		}
		if !planar.MultiPolygonContains(d.areas[own], at) {
			outWard++
			bad = append(bad, g.ID)
		}
		inside := false
		for code, mp := range d.areas {
			if len(code) == 3 && planar.MultiPolygonContains(mp, at) {
				inside = true
				break
			}
		}
		if !inside {
			outProvince++
		}
	}
	return outWard, outProvince, bad
}

// TestDemoGroupsLieInTheirWards: on the demo province, every public group of
// cases and contacts lies inside its own ward (or, for a group of a whole
// district, its district), and so inside the province. A 20 km cell's
// centre can lie kilometres outside both.
func TestDemoGroupsLieInTheirWards(t *testing.T) {
	d := newDemoPublic(t)
	for _, col := range []string{"cases", "contacts"} {
		for _, day := range append(demoDays, "") {
			t.Run(col+" "+day, func(t *testing.T) {
				groups := d.groupsOf(t, col, day)
				if len(groups) < 10 {
					t.Fatalf("only %d groups: the test proves little", len(groups))
				}
				outWard, outProvince, bad := d.misplaced(groups)
				t.Logf("%d groups, %d outside their own area, %d outside the province", len(groups), outWard, outProvince)
				if outWard > 0 || outProvince > 0 {
					t.Errorf("of %d groups %d lie outside their own area, %d outside the province: %v", len(groups), outWard, outProvince, bad)
				}
			})
		}
	}
}

// TestDemoGroupsDoNotStack: no two public groups of one collection and day
// share a position, so that each can be clicked (nested cells of one ward,
// or two wards of one cell, once did).
func TestDemoGroupsDoNotStack(t *testing.T) {
	d := newDemoPublic(t)
	for _, col := range []string{"cases", "contacts"} {
		for _, day := range append(demoDays, "") {
			t.Run(col+" "+day, func(t *testing.T) {
				at := map[orb.Point]string{}
				groups := d.groupsOf(t, col, day)
				for _, g := range groups {
					p := g.Geometry.(orb.Point)
					if other, ok := at[p]; ok {
						t.Errorf("groups %s and %s are both at %v", other, g.ID, p)
					}
					at[p] = g.ID
				}
				t.Logf("%d groups at %d positions", len(groups), len(at))
			})
		}
	}
}

// BenchmarkDemoGroupsOfADay times the public groups of cases and contacts of
// the bulletin day on the demo province, the people and areas already read.
func BenchmarkDemoGroupsOfADay(b *testing.B) {
	d := newDemoPublic(b)
	d.groupsOf(b, "cases", "2021-07-05")
	d.groupsOf(b, "contacts", "2021-07-05")
	b.ReportAllocs()
	for b.Loop() {
		d.reader.ForgetGroups()
		d.groupsOf(b, "cases", "2021-07-05")
		d.groupsOf(b, "contacts", "2021-07-05")
	}
}
