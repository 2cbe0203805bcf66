package contactfeed_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/audit/audittest"
	auditbolt "github.com/bandomap/bando/audit/embedded"
	auditpg "github.com/bandomap/bando/audit/postgis"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/embedded"
	"github.com/bandomap/bando/features/ogc"
	"github.com/bandomap/bando/features/postgis"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/contactfeed"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
	"github.com/bandomap/bando/tracing/zoning"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// store is what the tests need of either store.
type store interface {
	features.Store
	features.Editor
}

// geomaskM is the stores' public cell in these tests.
const geomaskM = 150

// stores opens each store kind with an audit signer, and its log.
func stores(t *testing.T) map[string]func(t *testing.T) (store, audit.Log) {
	return map[string]func(t *testing.T) (store, audit.Log){
		"embedded": func(t *testing.T) (store, audit.Log) {
			s, err := embedded.Open(context.Background(), embedded.Options{Dir: t.TempDir(), AuditSigner: audittest.Signer(t), GeomaskCellM: geomaskM})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s, auditbolt.NewLog(s.DB())
		},
		"postgis": func(t *testing.T) (store, audit.Log) {
			s, _ := pgtest.NewStoreWith(t, postgis.Options{AuditSigner: audittest.Signer(t), GeomaskCellM: geomaskM})
			return s, auditpg.NewLog(s.Pool())
		},
	}
}

var (
	wardA = orb.MultiPolygon{{{{106.60, 10.90}, {106.65, 10.90}, {106.65, 11.00}, {106.60, 11.00}, {106.60, 10.90}}}}
	wardB = orb.MultiPolygon{{{{106.65, 10.90}, {106.70, 10.90}, {106.70, 11.00}, {106.65, 11.00}, {106.65, 10.90}}}}
	homeA = orb.Point{106.6412345, 10.9512345}
	homeB = orb.Point{106.6587654, 10.9487654}
	venue = orb.Point{106.6495, 10.9605}
)

// world is a store with two wards of district 718, an edit service, the
// publisher and the zone suggester over it.
type world struct {
	s      store
	svc    *edit.Service
	pub    *contactfeed.Publisher
	zoner  *zoning.Suggester
	public http.Handler
	cat    *features.Catalog
}

type venues map[tracing.VenueID]orb.Point

func (v venues) Venue(_ context.Context, id tracing.VenueID) (tracing.Venue, error) {
	p, ok := v[id]
	if !ok {
		return tracing.Venue{}, tracing.ErrNotFound
	}
	return tracing.Venue{ID: id, Location: p}, nil
}

var venueID = tracing.VenueID(strings.Repeat("ab", 16))

func newWorld(t *testing.T, open func(t *testing.T) (store, audit.Log)) *world {
	t.Helper()
	s, log := open(t)
	cat := features.NewCatalog()
	wardsCol, _ := cat.Get("wards")
	recs := []features.Record{
		{ID: "25741", Geometry: wardA, Properties: map[string]any{"code": "25741", "name": "Phường A", "district_code": "718"}},
		{ID: "25744", Geometry: wardB, Properties: map[string]any{"code": "25744", "name": "Phường B", "district_code": "718"}},
	}
	if _, err := s.Write(context.Background(), features.Batch{Collection: wardsCol.ID, Mode: features.Replace, Records: slices.Values(recs)}); err != nil {
		t.Fatal(err)
	}
	svc := edit.New(edit.Config{Editor: s, Reader: s, Log: log, Catalog: cat, GeomaskCellM: geomaskM,
		Now: func() time.Time { return time.Date(2021, 8, 21, 3, 0, 0, 0, time.UTC) }})
	pub, err := contactfeed.New(contactfeed.Config{Edit: svc, Editor: s, Reader: s, Catalog: cat, IDKey: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	ogc.NewHandler(ogc.Config{Reader: s, Catalog: cat}).Register(e.Group("/ogc"))
	return &world{s: s, svc: svc, pub: pub, cat: cat, public: e,
		zoner: &zoning.Suggester{Reader: s, Catalog: cat, Venues: venues{venueID: venue}}}
}

var (
	tracer = auth.Principal{User: "thu", Role: auth.Tracer}
	editor = auth.Principal{User: "lan", Role: auth.Editor}
	viewer = auth.Principal{User: "vy", Role: auth.Viewer}
)

func key(b byte) tracing.PersonKey {
	var k tracing.PersonKey
	for i := range k {
		k[i] = b
	}
	return k
}

// run is an exposure result with two F0s, one cluster and its venue.
func run() exposure.Result {
	iso := time.Date(2021, 8, 20, 17, 0, 0, 0, time.UTC) // 21 August in Vietnam
	return exposure.Result{
		F0s:      []exposure.F0{{Person: key(1), Label: "BD-101", Isolation: iso}, {Person: key(2), Label: "BD-102", Isolation: iso.Add(-time.Hour)}},
		Clusters: []exposure.Cluster{{ID: 1, F0s: []tracing.PersonKey{key(1), key(2)}, Venues: []tracing.VenueID{venueID, tracing.VenueID(strings.Repeat("cd", 16))}}},
	}
}

// TestDraftZone checks the zone's way on both stores: suggested from a
// run, created as a draft by a tracer (found again, not duplicated, for
// the same run), hidden from the public, refused to be published by the
// tracer, published by an editor.
func TestDraftZone(t *testing.T) {
	for kind, open := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, open)
			homes := []exposurehttp.Home{{Person: key(1), Point: homeA}, {Person: key(2), Point: homeB}}
			z, err := w.zoner.Suggest(ctx, run(), homes)
			if err != nil {
				t.Fatal(err)
			}
			if z.IsEmpty() || !slices.Equal(z.Wards, []string{"25741", "25744"}) ||
				z.Start != time.Date(2021, 8, 21, 0, 0, 0, 0, time.UTC) || z.End != time.Date(2021, 9, 4, 0, 0, 0, 0, time.UTC) {
				t.Fatalf("zone wards %v, %v – %v; want both wards, 21 August to 4 September", z.Wards, z.Start, z.End)
			}
			if !strings.HasPrefix(z.Note, "F0 BD-101, BD-102; 2 residences, 1 venue; ") {
				t.Errorf("note %q", z.Note)
			}

			if _, _, err := w.pub.DraftZone(ctx, viewer, z, "run-1"); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("a viewer's draft = %v, want forbidden", err)
			}
			if _, _, err := w.pub.DraftZone(ctx, tracer, exposurehttp.Zone{}, "run-1"); !errors.Is(err, contactfeed.ErrEmptyZone) {
				t.Errorf("an empty zone's draft = %v, want ErrEmptyZone", err)
			}
			id, etag, err := w.pub.DraftZone(ctx, tracer, z, "run-1")
			if err != nil || etag != `"r1"` {
				t.Fatalf("DraftZone = %q %q %v", id, etag, err)
			}
			again, etag2, err := w.pub.DraftZone(ctx, tracer, z, "run-1")
			if err != nil || again != id || etag2 != etag {
				t.Errorf("DraftZone again = %q %q %v; want the same draft %q", again, etag2, err, id)
			}
			zones, _ := w.cat.Get("quarantine_zones")
			st, err := w.s.Current(ctx, zones, id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Properties["status"] != features.ZoneDraft || st.Properties["name"] != contactfeed.ZoneName("run-1") ||
				st.Properties["district_code"] != "718" || st.Properties["ward_code"] != nil || st.UpdatedBy != "thu" {
				t.Errorf("stored zone %v by %q", st.Properties, st.UpdatedBy)
			}
			if n := publicCount(t, w, "quarantine_zones"); n != 0 {
				t.Errorf("the public sees %d zones before the editor publishes, want 0", n)
			}

			publish := edit.Patch{Properties: map[string]any{"status": features.ZonePublished}}
			if _, err := w.svc.Patch(ctx, edit.Request{Principal: tracer}, zones.ID, id, st.Revision, publish); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("a tracer's publish = %v, want forbidden", err)
			}
			if _, err := w.svc.Patch(ctx, edit.Request{Principal: editor}, zones.ID, id, st.Revision, publish); err != nil {
				t.Fatalf("an editor's publish: %v", err)
			}
			if n := publicCount(t, w, "quarantine_zones"); n != 1 {
				t.Errorf("the public sees %d zones after the editor publishes, want 1", n)
			}
		})
	}
}

// item is a feature of an OGC items page.
type item struct {
	ID         string          `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

// publicItems reads a collection's items through the OGC API, as the
// public does: the body and its features.
func publicItems(t *testing.T, w *world, col string) ([]byte, []item) {
	t.Helper()
	rec := httptest.NewRecorder()
	w.public.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ogc/collections/"+col+"/items?limit=100", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s items: %d %s", col, rec.Code, rec.Body)
	}
	var fc struct{ Features []item }
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	return rec.Body.Bytes(), fc.Features
}

func publicCount(t *testing.T, w *world, col string) int {
	_, fs := publicItems(t, w, col)
	return len(fs)
}

// contacts is a run's contacts as the runs API hands them over.
func contacts() []exposurehttp.PublishedContact {
	first := time.Date(2021, 8, 18, 18, 30, 0, 0, time.UTC) // 19 August in Vietnam
	return []exposurehttp.PublishedContact{
		{Person: key(11), Tier: exposure.F1, Level: 1, FirstExposure: first, QuarantineEnd: first.AddDate(0, 0, 14),
			Ward: "25741", Residence: homeA, Name: "Nguyễn Văn Tư", Phone: "0912345678", IDNumber: "074201001234"},
		{Person: key(12), Tier: exposure.F2, Level: 2, FirstExposure: first.Add(24 * time.Hour), QuarantineEnd: first.AddDate(0, 0, 15),
			Residence: homeB, Name: "Trần Thị Năm", Phone: "0987654321"}, // ward found from the residence
		{Person: key(13), Tier: exposure.Epi, FirstExposure: first, Ward: "25741", Residence: homeA, Name: "Lê Sáu"},
		{Person: key(14), Tier: exposure.F1, Level: 1, FirstExposure: first, QuarantineEnd: first.AddDate(0, 0, 14), Name: "Không Nhà"},
	}
}

// TestPublishContacts checks, on both stores, a run's contacts in the
// contacts collection: F1 and F2 only, the public sees tier, dates, wards
// and a geomasked position (no name, phone or ID number), the private side
// keeps the person, ids reveal no key, publishing again duplicates nothing
// and changes only what changed, and only tracers and admins publish.
func TestPublishContacts(t *testing.T) {
	for kind, open := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, open)
			if _, err := w.pub.PublishContacts(ctx, editor, "run-1", contacts()); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("an editor's publish = %v, want forbidden", err)
			}
			n, err := w.pub.PublishContacts(ctx, tracer, "run-1", contacts())
			if err != nil || n != 2 {
				t.Fatalf("PublishContacts = %d, %v; want 2", n, err)
			}
			body, items := publicItems(t, w, "contacts")
			if len(items) != 2 {
				t.Fatalf("the public sees %d contacts, want 2", len(items))
			}
			for _, secret := range []string{"Nguyễn", "Trần", "0912345678", "0987654321", "074201001234", key(11).String()[:16]} {
				if strings.Contains(string(body), secret) {
					t.Errorf("the public contacts show %q", secret)
				}
			}
			byTier := map[string]map[string]any{}
			for _, it := range items {
				byTier[it.Properties["tier"].(string)] = it.Properties
				var g struct{ Coordinates orb.Point }
				if err := json.Unmarshal(it.Geometry, &g); err != nil {
					t.Fatal(err)
				}
				exact := homeA
				if it.Properties["tier"] == "F2" {
					exact = homeB
				}
				masked := features.Geomask(exact, geomaskM)
				if g.Coordinates == exact || math.Abs(g.Coordinates[0]-masked[0]) > 1e-6 || math.Abs(g.Coordinates[1]-masked[1]) > 1e-6 {
					t.Errorf("public position %v; want the geomasked %v, not the residence %v", g.Coordinates, masked, exact)
				}
			}
			f1, f2 := byTier["F1"], byTier["F2"]
			if f1["quarantine_start"] != "2021-08-19" || f1["quarantine_end"] != "2021-09-02" || f1["ward_code"] != "25741" || f1["district_code"] != "718" {
				t.Errorf("F1 properties %v", f1)
			}
			if f2["quarantine_start"] != "2021-08-20" || f2["quarantine_end"] != "2021-09-03" || f2["ward_code"] != "25744" || f2["district_code"] != "718" {
				t.Errorf("F2 properties %v", f2)
			}

			col, _ := w.cat.Get("contacts")
			id := contactfeed.ContactID([]byte(strings.Repeat("k", 32)), key(11))
			st, err := w.s.Current(ctx, col, id)
			if err != nil || st.Person == nil || st.Person.Name != "Nguyễn Văn Tư" || st.Person.Phone != "0912345678" || st.Revision != 1 {
				t.Fatalf("private side of %s: %+v, %v", id, st, err)
			}

			if n, err := w.pub.PublishContacts(ctx, tracer, "run-1", contacts()); err != nil || n != 2 {
				t.Fatalf("PublishContacts again = %d, %v", n, err)
			}
			if c := publicCount(t, w, "contacts"); c != 2 {
				t.Errorf("after publishing again the public sees %d contacts, want 2", c)
			}
			if st, _ := w.s.Current(ctx, col, id); st.Revision != 1 {
				t.Errorf("an unchanged contact got revision %d, want 1", st.Revision)
			}
			changed := contacts()
			changed[0].QuarantineEnd = changed[0].QuarantineEnd.AddDate(0, 0, 2)
			if n, err := w.pub.PublishContacts(ctx, tracer, "run-1", changed); err != nil || n != 2 {
				t.Fatalf("PublishContacts changed = %d, %v", n, err)
			}
			if st, _ := w.s.Current(ctx, col, id); st.Revision != 2 || day(st.Properties["quarantine_end"]) != "2021-09-04" {
				t.Errorf("the changed contact: revision %d, end %v; want 2, 2021-09-04", st.Revision, st.Properties["quarantine_end"])
			}
			// Another run finds the same person again, as an F2, a day
			// later: one record, the same episode, still F1, the later end.
			again := contacts()[:1]
			again[0].Tier = exposure.F2
			again[0].FirstExposure = again[0].FirstExposure.AddDate(0, 0, 1)
			again[0].QuarantineEnd = again[0].QuarantineEnd.AddDate(0, 0, 5)
			if n, err := w.pub.PublishContacts(ctx, tracer, "run-2", again); err != nil || n != 1 {
				t.Fatalf("another run = %d, %v", n, err)
			}
			if c := publicCount(t, w, "contacts"); c != 2 {
				t.Errorf("after another run the public sees %d contacts, want 2 (one per person)", c)
			}
			if st, _ := w.s.Current(ctx, col, id); st.Properties["tier"] != "F1" || day(st.Properties["quarantine_start"]) != "2021-08-19" ||
				day(st.Properties["quarantine_end"]) != "2021-09-07" {
				t.Errorf("one episode merged: %v; want F1 from 2021-08-19 to 2021-09-07", st.Properties)
			}
			// Weeks after that quarantine ended: a new episode replaces it.
			later := contacts()[:1]
			later[0].Tier = exposure.F2
			later[0].FirstExposure = later[0].FirstExposure.AddDate(0, 1, 0)
			later[0].QuarantineEnd = later[0].QuarantineEnd.AddDate(0, 1, 0)
			if n, err := w.pub.PublishContacts(ctx, tracer, "run-3", later); err != nil || n != 1 {
				t.Fatalf("a later run = %d, %v", n, err)
			}
			if st, _ := w.s.Current(ctx, col, id); st.Properties["tier"] != "F2" || day(st.Properties["quarantine_start"]) != "2021-09-19" {
				t.Errorf("a new episode: %v; want F2 from 2021-09-19", st.Properties)
			}
			if c := publicCount(t, w, "contacts"); c != 2 {
				t.Errorf("after a later run the public sees %d contacts, want 2", c)
			}
		})
	}
}

// TestPublishAllOrNothing checks that a batch with one bad contact writes
// none.
func TestPublishAllOrNothing(t *testing.T) {
	for kind, open := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t, open)
			bad := contacts()
			bad[1].Name = "bad\x00name"
			if _, err := w.pub.PublishContacts(context.Background(), tracer, "run-1", bad); !errors.Is(err, features.ErrInvalid) {
				t.Fatalf("PublishContacts with a bad name = %v, want ErrInvalid", err)
			}
			if c := publicCount(t, w, "contacts"); c != 0 {
				t.Errorf("the public sees %d contacts, want none", c)
			}
		})
	}
}

func day(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format(features.DateLayout)
	}
	s, _ := v.(string)
	return s
}
