package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/demo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// The attack suite reads the public API as a determined reader who also
// holds the private side (names, phones, ID numbers, homes, case codes,
// dates, clusters) and tries to single people out: every zoom to 22 around
// homes, two dates and their difference, a tile against its four children,
// tiny bboxes, equality filters and CQL2 (text and JSON) on every property
// with the private values, one item by case code, nearby around homes and
// search for every personal value. Each answer reveals groups: a shown
// count, a feature without one (one person), or the difference of two
// counts of the same area. k is the smallest; it must be at least
// BANDO_MIN_PUBLIC_COUNT.

// private is what the attacker knows of the people of a seeded province.
type private struct {
	texts []string            // names, phones, ID numbers, addresses
	homes []orb.Point         // exact homes
	props map[string][]string // property → values seen on people records
	codes []string            // case codes
}

// privateSide reads the people of a demo province as a store holds them.
func privateSide(t *testing.T, opts demo.Options) private {
	t.Helper()
	batches, err := demo.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := private{props: map[string][]string{}}
	seen := map[string]bool{}
	for _, b := range batches {
		for r := range b.Records {
			if r.Person == nil {
				continue
			}
			for _, v := range []string{r.Person.Name, r.Person.Phone, r.Person.IDNumber, r.Person.Address} {
				if len(v) >= 6 {
					p.texts = append(p.texts, v)
				}
			}
			if pt, ok := r.Geometry.(orb.Point); ok {
				p.homes = append(p.homes, pt)
			}
			for name, v := range r.Properties {
				s, ok := v.(string)
				if key := b.Collection + "." + name + "=" + s; ok && s != "" && !seen[key] {
					seen[key] = true
					p.props[b.Collection+"."+name] = append(p.props[b.Collection+"."+name], s)
				}
			}
			if b.Collection == "cases" {
				p.codes = append(p.codes, r.ID)
			}
		}
	}
	return p
}

// attacker collects the groups the public answers reveal.
type attacker struct {
	t      *testing.T
	url    string
	k      int
	worst  string
	groups int
}

func (a *attacker) reveal(n int, where string) {
	a.groups++
	if n > 0 && n < a.k {
		a.k, a.worst = n, where
	}
}

func (a *attacker) get(path string) (int, []byte) {
	a.t.Helper()
	res, body := do(a.t, http.MethodGet, a.url+path)
	return res.StatusCode, []byte(body)
}

// cells decodes the people layers of a tile: layer → cell centre → count.
func (a *attacker) cells(tl maptile.Tile, date string) map[string]map[[2]int]int {
	a.t.Helper()
	path := fmt.Sprintf("/tiles/cases,contacts/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)
	if date != "" {
		path += "?date=" + date
	}
	code, body := a.get(path)
	out := map[string]map[[2]int]int{}
	if code != http.StatusOK {
		return out
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		a.t.Fatalf("%s: %v", path, err)
	}
	for _, l := range layers {
		out[l.Name] = map[[2]int]int{}
		for _, f := range l.Features {
			n := 1 // a feature without a count is one person
			if c, ok := f.Properties["count"].(float64); ok {
				n = int(c)
			}
			a.reveal(n, fmt.Sprintf("%s %s %v", path, l.Name, f.Properties))
			if p, ok := f.Geometry.(orb.Point); ok && p[0] >= 0 && p[0] <= 4096 && p[1] >= 0 && p[1] <= 4096 {
				out[l.Name][[2]int{int(p[0]), int(p[1])}] += n
			}
		}
	}
	return out
}

// tiles attacks the tiles around homes at every zoom, on two days and
// their difference, and each tile against its four children.
func (a *attacker) tiles(homes []orb.Point, d1, d2 string) {
	for _, h := range homes {
		for z := maptile.Zoom(8); z <= 22; z++ {
			tl := maptile.At(h, z)
			whole := a.cells(tl, "")
			c1, c2 := a.cells(tl, d1), a.cells(tl, d2)
			for layer, cs := range c2 {
				for at, n := range cs {
					a.reveal(int(math.Abs(float64(n-c1[layer][at]))), fmt.Sprintf("%v %s %v on %s less %s", tl, layer, at, d2, d1))
				}
			}
			for layer, cs := range c1 {
				for at, n := range cs {
					if _, ok := c2[layer][at]; !ok {
						a.reveal(n, fmt.Sprintf("%v %s %v gone from %s to %s", tl, layer, at, d1, d2))
					}
				}
			}
			if z < 22 {
				a.children(tl, whole)
			}
		}
	}
}

// children subtracts from each cell of a tile the cells of its children
// that lie in it.
func (a *attacker) children(tl maptile.Tile, parent map[string]map[[2]int]int) {
	sum := map[string]map[[2]int]int{}
	for i := range 2 {
		for j := range 2 {
			child := maptile.New(tl.X*2+uint32(i), tl.Y*2+uint32(j), tl.Z+1)
			for layer, cs := range a.cells(child, "") {
				if sum[layer] == nil {
					sum[layer] = map[[2]int]int{}
				}
				for at, n := range cs {
					px, py := (i*4096+at[0])/2, (j*4096+at[1])/2
					sum[layer][[2]int{px/128*128 + 64, py/128*128 + 64}] += n
				}
			}
		}
	}
	for layer, cs := range parent {
		for at, n := range cs {
			a.reveal(int(math.Abs(float64(n-sum[layer][at]))), fmt.Sprintf("%v %s %v less its children", tl, layer, at))
		}
	}
}

// items reads an OGC items answer; each feature reveals its count, or one
// person without one.
func (a *attacker) items(col, query string) map[string]int {
	code, body := a.get("/ogc/collections/" + col + "/items?limit=10000&" + query)
	out := map[string]int{}
	if code != http.StatusOK {
		return out
	}
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		a.t.Fatalf("%s items?%s: %v", col, query, err)
	}
	for _, f := range fc.Features {
		n := 1
		if c, ok := f.Properties["count"].(float64); ok {
			n = int(c)
		}
		a.reveal(n, fmt.Sprintf("%s items?%s: %v", col, query, f.Properties))
		out[fmt.Sprint(f.ID)] = n
	}
	return out
}

// ogc attacks items: everything, two days and their difference, tiny boxes
// around homes, filters and CQL2 on every property with private values, an
// item by its case code.
func (a *attacker) ogc(p private, homes []orb.Point, d1, d2 string) {
	for _, col := range []string{"cases", "contacts"} {
		a.items(col, "")
		i1, i2 := a.items(col, "datetime="+d1), a.items(col, "datetime="+d2)
		for id, n := range i2 {
			a.reveal(int(math.Abs(float64(n-i1[id]))), fmt.Sprintf("%s %s on %s less %s", col, id, d2, d1))
		}
		for _, h := range homes {
			a.items(col, fmt.Sprintf("bbox=%f,%f,%f,%f", h[0]-0.0007, h[1]-0.0007, h[0]+0.0007, h[1]+0.0007))
		}
		for key, values := range p.props {
			prefix := col + "."
			if len(key) <= len(prefix) || key[:len(prefix)] != prefix {
				continue
			}
			name := key[len(prefix):]
			for _, v := range values[:min(4, len(values))] {
				a.items(col, url.QueryEscape(name)+"="+url.QueryEscape(v))
				a.items(col, "filter="+url.QueryEscape(fmt.Sprintf("%s = '%s'", name, v)))
				a.items(col, "filter-lang=cql2-json&filter="+url.QueryEscape(fmt.Sprintf(`{"op":"=","args":[{"property":%q},%q]}`, name, v)))
			}
		}
		for _, h := range homes[:min(5, len(homes))] {
			a.items(col, "filter="+url.QueryEscape(fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f,%f,%f,%f))", h[0]-0.0007, h[1]-0.0007, h[0]+0.0007, h[1]+0.0007)))
		}
		a.queryables(col)
	}
	for _, c := range p.codes[:min(20, len(p.codes))] {
		if code, body := a.get("/ogc/collections/cases/items/" + url.PathEscape(c)); code == http.StatusOK {
			a.reveal(1, "cases item "+c+": "+string(body[:min(120, len(body))]))
		}
	}
}

// queryables: every queryable other than the geometry, the group's count
// and its area is a property of a person to filter on.
func (a *attacker) queryables(col string) {
	_, body := a.get("/ogc/collections/" + col + "/queryables")
	var q struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(body, &q); err != nil {
		a.t.Fatalf("%s queryables: %v", col, err)
	}
	for name := range q.Properties {
		if !slices.Contains([]string{"geometry", "count", "ward_code", "district_code"}, name) {
			a.reveal(1, col+" queryable "+name)
		}
	}
}

// nearbyAndSearch: people nearby a home, or found by a personal value.
func (a *attacker) nearbyAndSearch(p private, homes []orb.Point) {
	for _, h := range homes {
		for _, layers := range []string{"", "&layers=cases", "&layers=contacts"} {
			code, body := a.get(fmt.Sprintf("/api/nearby?lon=%f&lat=%f&radius=300%s", h[0], h[1], layers))
			if code != http.StatusOK {
				continue
			}
			var r struct {
				Places []struct{ Collection string } `json:"places"`
			}
			json.Unmarshal(body, &r)
			for _, pl := range r.Places {
				if pl.Collection == "cases" || pl.Collection == "contacts" {
					a.reveal(1, "nearby "+pl.Collection)
				}
			}
		}
	}
	for _, q := range append(append([]string{}, p.texts[:min(120, len(p.texts))]...), p.codes[:min(30, len(p.codes))]...) {
		code, body := a.get("/api/search?q=" + url.QueryEscape(q))
		if code != http.StatusOK {
			continue
		}
		var r struct {
			Results []struct{ Collection string } `json:"results"`
		}
		json.Unmarshal(body, &r)
		for _, m := range r.Results {
			if m.Collection == "cases" || m.Collection == "contacts" {
				a.reveal(1, "search "+q+" found "+m.Collection)
			}
		}
	}
}

// bulletin attacks /api/stats: by_cluster of each day (a cluster is a
// small place) and its difference from the day before, and the cluster's
// own name, which may name a person. Province and district figures are
// the authorities' announcement and stay exact (see bulletin.Config).
func (a *attacker) bulletin(p private, days []string) {
	prev := map[string]int{}
	for _, d := range days {
		code, body := a.get("/api/stats?date=" + d)
		if code != http.StatusOK {
			a.t.Fatalf("stats of %s: %d", d, code)
		}
		for _, name := range p.props["cases.cluster"] {
			if strings.Contains(string(body), name) {
				a.reveal(1, "the bulletin names the cluster "+name)
			}
		}
		var st struct {
			ByCluster []struct {
				Cluster    string
				Total, New int
			} `json:"by_cluster"`
			NewCases struct {
				BySession map[string]struct {
					ByCluster []struct {
						Cluster string
						Total   int
					} `json:"by_cluster"`
				} `json:"by_session"`
			} `json:"new_cases"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			a.t.Fatal(err)
		}
		now := map[string]int{}
		for _, c := range st.ByCluster {
			a.reveal(c.Total, "by_cluster "+c.Cluster+" on "+d)
			a.reveal(c.New, "by_cluster new "+c.Cluster+" on "+d)
			a.reveal(int(math.Abs(float64(c.Total-prev[c.Cluster]))), "by_cluster "+c.Cluster+" on "+d+" less the day before")
			now[c.Cluster] = c.Total
		}
		for _, s := range st.NewCases.BySession {
			for _, c := range s.ByCluster {
				a.reveal(c.Total, "session by_cluster "+c.Cluster+" on "+d)
			}
		}
		prev = now
	}
}

// sample picks n homes spread over the list.
func sample(homes []orb.Point, n int) []orb.Point {
	var out []orb.Point
	for i := 0; i < len(homes) && len(out) < n; i += max(1, len(homes)/n) {
		out = append(out, homes[i])
	}
	return out
}

// attackedServer starts a server on a store seeded with opts.
func attackedServer(t *testing.T, kind string, opts demo.Options) *seededServer {
	t.Helper()
	cfg := testConfig(t)
	b := emptyStore(t, kind)
	if _, err := seed(context.Background(), b, opts); err != nil {
		t.Fatalf("seed %s: %v", kind, err)
	}
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: b, log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()}))
	t.Cleanup(srv.Close)
	return &seededServer{url: srv.URL, store: b, cellM: cfg.GeomaskMetres}
}

// province is the demo province on synthetic or real district boundaries.
func provinces(t *testing.T) map[string]demo.Options {
	bs, err := readBoundaryFile(sharedFile(t, "districts.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]demo.Options{
		"demo": {Scale: demo.ScaleDemo, Seed: 1},
		"real": {Scale: demo.ScaleDemo, Seed: 1, Districts: demoDistricts(bs)},
	}
}

// TestPublicAttack runs the attack suite on both stores and fails when
// any public answer, or the difference of two, reveals fewer than
// BANDO_MIN_PUBLIC_COUNT people.
func TestPublicAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("the attack suite sends thousands of requests")
	}
	want := testConfig(t).MinPublicCount
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			opts := provinces(t)["demo"]
			s := attackedServer(t, kind, opts)
			p := privateSide(t, opts)
			a := &attacker{t: t, url: s.url, k: math.MaxInt}
			homes := sample(p.homes, 12)
			a.tiles(homes[:6], "2021-07-04", "2021-07-05")
			a.ogc(p, homes, "2021-07-04", "2021-07-05")
			a.nearbyAndSearch(p, homes)
			var days []string
			for d := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 3) {
				days = append(days, d.Format(time.DateOnly))
			}
			a.bulletin(p, days)
			if a.groups < 1000 {
				t.Fatalf("only %d groups seen: the attack proves nothing", a.groups)
			}
			t.Logf("%s: k = %d over %d groups seen (BANDO_MIN_PUBLIC_COUNT %d)", kind, a.k, a.groups, want)
			if a.k < want {
				t.Errorf("k = %d < %d: %s", a.k, want, a.worst)
			}
		})
	}
}

// TestContactsCannotBePairedWithCases measures, on the public answers, how
// many contacts can be paired with their source case: a public contact
// record of fewer than k people sharing its cell with a public case record
// of fewer than k reported on the contact's quarantine-start day. Any such
// pair names who infected whom in a household; the threshold is zero.
func TestContactsCannotBePairedWithCases(t *testing.T) {
	for name, opts := range provinces(t) {
		for _, kind := range stores() {
			t.Run(name+"/"+kind, func(t *testing.T) {
				s := attackedServer(t, kind, opts)
				k := testConfig(t).MinPublicCount
				cases := publicRecords(t, s, "cases", "report_date", k)
				contacts := publicRecords(t, s, "contacts", "quarantine_start", k)
				if len(cases)+len(contacts) == 0 {
					if n := publicCount(t, s, "contacts"); n == 0 {
						t.Fatal("no public contacts at all: the measure proves nothing")
					}
				}
				pairs := 0
				for key, n := range contacts {
					if cases[key] > 0 {
						pairs += n
					}
				}
				t.Logf("%s %s: %d contacts paired with a case of their cell and day; the public map counts %d of %d cases and %d of %d contacts",
					name, kind, pairs, publicCount(t, s, "cases"), storedCount(t, s, "cases"), publicCount(t, s, "contacts"), storedCount(t, s, "contacts"))
				if pairs > 0 {
					t.Errorf("%d contacts can be paired with their source case", pairs)
				}
			})
		}
	}
}

// publicRecords counts, by cell and day, the public features of a people
// collection that stand for fewer than k people and carry a day.
func publicRecords(t *testing.T, s *seededServer, col, day string, k int) map[string]int {
	var fc struct {
		Features []struct {
			Geometry   struct{ Coordinates []float64 } `json:"geometry"`
			Properties map[string]any                  `json:"properties"`
		} `json:"features"`
	}
	if getJSON(t, s.url+"/ogc/collections/"+col+"/items?limit=10000", &fc) != http.StatusOK {
		t.Fatalf("%s items", col)
	}
	out := map[string]int{}
	for _, f := range fc.Features {
		n := 1
		if c, ok := f.Properties["count"].(float64); ok {
			n = int(c)
		}
		d, _ := f.Properties[day].(string)
		if n >= k || d == "" {
			continue
		}
		out[fmt.Sprint(f.Geometry.Coordinates, d)] += n
	}
	return out
}

// publicCount is how many people the public items of a collection count.
func publicCount(t *testing.T, s *seededServer, col string) int {
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, s.url+"/ogc/collections/"+col+"/items?limit=10000", &fc)
	total := 0
	for _, f := range fc.Features {
		n := 1
		if c, ok := f.Properties["count"].(float64); ok {
			n = int(c)
		}
		total += n
	}
	return total
}

// storedCount is how many people of a collection the store holds.
func storedCount(t *testing.T, s *seededServer, id string) int {
	col, _ := features.NewCatalog().Get(id)
	page, err := s.store.Items(context.Background(), features.ItemsQuery{Collection: col})
	if err != nil {
		t.Fatal(err)
	}
	return page.NumberMatched
}
