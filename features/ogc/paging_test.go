package ogc

import (
	"math"
	"net/url"
	"strconv"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// linkHrefs returns the href of each link of a decoded document by rel;
// a rel seen twice keeps its first link.
func linkHrefs(t *testing.T, doc map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	links, _ := doc["links"].([]any)
	for _, l := range links {
		m := l.(map[string]any)
		rel := m["rel"].(string)
		if _, seen := out[rel]; !seen {
			out[rel] = m["href"].(string)
		}
	}
	return out
}

func TestPagingLinks(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		returned   int
		matched    int
		next, prev string // expected query of the link, "" for no link
	}{
		{"first page", "limit=10", 10, 30, "limit=10&offset=10", ""},
		{"middle page", "limit=10&offset=10", 10, 30, "limit=10&offset=20", "limit=10&offset=0"},
		{"last full page", "limit=10&offset=20", 10, 30, "", "limit=10&offset=10"},
		{"last partial page", "limit=10&offset=25", 5, 30, "", "limit=10&offset=15"},
		{"prev clamps at zero", "limit=10&offset=4", 10, 30, "limit=10&offset=14", "limit=10&offset=0"},
		{"beyond the end", "offset=40", 0, 30, "", "limit=100&offset=0"},
		{"beyond the end, prev is the last page", "limit=10&offset=40", 0, 30, "", "limit=10&offset=20"},
		{"at the end", "limit=10&offset=30", 0, 30, "", "limit=10&offset=20"},
		{"at the maximum offset", "limit=10&offset=1000000000", 0, 30, "", "limit=10&offset=20"},
		{"default limit, one page", "", 30, 30, "", ""},
		{"limit clamped", "limit=50000", 30, 30, "", ""},
		{"exactly one page", "limit=30", 30, 30, "", ""},
		{"filters and format kept", "limit=3&status=died&bbox=106,10,107,12&f=json", 3, 10,
			"bbox=106%2C10%2C107%2C12&f=json&limit=3&offset=3&status=died", ""},
		{"datetime kept", "limit=2&offset=2&datetime=2021-07-01%2F2021-07-02", 2, 6,
			"datetime=2021-07-01%2F2021-07-02&limit=2&offset=4", "datetime=2021-07-01%2F2021-07-02&limit=2&offset=0"},
	}
	e := newServer(fixtureReader(), Config{})
	const items = "http://example.com/ogc/collections/cases/items"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/ogc/collections/cases/items"
			if tt.query != "" {
				target += "?" + tt.query
			}
			rec := testkit.GetOK(t, e, target)
			doc := decode(t, rec)
			if doc["numberReturned"] != float64(tt.returned) || doc["numberMatched"] != float64(tt.matched) {
				t.Errorf("returned %v of %v, want %d of %d", doc["numberReturned"], doc["numberMatched"], tt.returned, tt.matched)
			}
			links := linkHrefs(t, doc)
			for rel, want := range map[string]string{"next": tt.next, "prev": tt.prev} {
				got, ok := links[rel]
				switch {
				case want == "" && ok:
					t.Errorf("unexpected %s link %s", rel, got)
				case want != "" && got != items+"?"+want:
					t.Errorf("%s link %q, want %q", rel, got, items+"?"+want)
				}
			}
			if self := links["self"]; self != items+queryOf(tt.query) {
				t.Errorf("self link %q", self)
			}
		})
	}
}

// TestPagingLinksNoOverflow computes the links of pages at offsets the
// handler refuses, near the largest int: next and prev must stay within
// [0, numberMatched], never wrap around to a negative offset.
func TestPagingLinksNoOverflow(t *testing.T) {
	tests := []struct {
		name                   string
		offset, limit          int
		matched, returned      int
		wantNext, wantPrev     bool
		nextOffset, prevOffset int
	}{
		{"largest offset, few matches", math.MaxInt, MaxLimit, 30, 0, false, true, 0, 0},
		{"largest offset, largest limit", math.MaxInt, math.MaxInt, 30, 0, false, true, 0, 0},
		{"offset near the largest, as many matches", math.MaxInt - 5, 10, math.MaxInt, 5, false, true, 0, math.MaxInt - 15},
		{"a full page near the largest", math.MaxInt - 25, 10, math.MaxInt, 10, true, true, math.MaxInt - 15, math.MaxInt - 35},
		{"a store that returns less than the limit", 0, 10, 30, 4, true, false, 4, 0},
		{"a store that returns nothing before the end", 5, 10, 30, 0, false, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"offset": {strconv.Itoa(tt.offset)}}
			links := itemsLinks("http://example.com/c", q, formatJSON,
				features.ItemsQuery{Offset: tt.offset, Limit: tt.limit},
				features.Page{NumberMatched: tt.matched, Features: make([]features.Feature, tt.returned)})
			got := map[string]int{}
			for _, l := range links {
				if l.Rel != "next" && l.Rel != "prev" {
					continue
				}
				u, err := url.Parse(l.Href)
				if err != nil {
					t.Fatal(err)
				}
				n, err := strconv.Atoi(u.Query().Get("offset"))
				if err != nil || n < 0 || n > tt.matched {
					t.Errorf("%s offset %q is outside [0, %d]", l.Rel, u.Query().Get("offset"), tt.matched)
				}
				got[l.Rel] = n
			}
			for rel, want := range map[string]struct {
				ok bool
				at int
			}{"next": {tt.wantNext, tt.nextOffset}, "prev": {tt.wantPrev, tt.prevOffset}} {
				at, ok := got[rel]
				if ok != want.ok || (ok && at != want.at) {
					t.Errorf("%s link at %d (present %v), want at %d (present %v)", rel, at, ok, want.at, want.ok)
				}
			}
		})
	}
}

func queryOf(raw string) string {
	q, _ := url.ParseQuery(raw)
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// TestFollowNext walks the next links from the first page, as GDAL does,
// and must meet every feature exactly once, in id order.
func TestFollowNext(t *testing.T) {
	e := newServer(fixtureReader(), Config{})
	target := "/ogc/collections/cases/items?limit=7"
	var ids []string
	for pages := 0; target != ""; pages++ {
		if pages > 10 {
			t.Fatal("next links do not end")
		}
		rec := testkit.GetOK(t, e, target)
		doc := decode(t, rec)
		ids = append(ids, featureIDs(t, doc)...)
		target = ""
		if next, ok := linkHrefs(t, doc)["next"]; ok {
			u, err := url.Parse(next)
			if err != nil {
				t.Fatal(err)
			}
			target = u.RequestURI()
		}
	}
	if len(ids) != 30 {
		t.Fatalf("met %d features, want 30: %v", len(ids), ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Fatalf("ids out of order or repeated at %d: %v", i, ids)
		}
	}
}
