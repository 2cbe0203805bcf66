package ogc

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/paulmach/orb"
)

// Markers a store must never let out; the fake plants them in properties the
// catalog does not declare, and the privacy test looks for them everywhere.
const (
	privateName  = "PRIVATE-NAME-Nguyen-Van-Mau"
	privatePhone = "PRIVATE-PHONE-0909000111"
)

// fakeReader is an in-memory features.Reader over a fixed set of features.
// It filters the way the contract says stores do, records the last items
// query, and can be told to fail.
type fakeReader struct {
	features []features.Feature
	catalog  *features.Catalog

	mu        sync.Mutex
	lastItems features.ItemsQuery
	fail      error
}

var _ features.Reader = (*fakeReader)(nil)

func (r *fakeReader) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fail
}

func (r *fakeReader) Items(_ context.Context, q features.ItemsQuery) (features.Page, error) {
	r.mu.Lock()
	r.lastItems = q
	r.mu.Unlock()
	if err := r.failure(); err != nil {
		return features.Page{}, err
	}
	var match []features.Feature
	for _, f := range r.features {
		if f.Collection == q.Collection.ID && r.keeps(q, f) {
			match = append(match, f)
		}
	}
	slices.SortFunc(match, func(a, b features.Feature) int { return strings.Compare(a.ID, b.ID) })
	page := features.Page{NumberMatched: len(match)}
	if q.Offset < len(match) {
		match = match[q.Offset:]
		if q.Limit >= 0 && q.Limit < len(match) {
			match = match[:q.Limit]
		}
		page.Features = match
	}
	return page, nil
}

func (r *fakeReader) keeps(q features.ItemsQuery, f features.Feature) bool {
	if q.BBox != nil && !slices.ContainsFunc(features.BBoxParts(*q.BBox), f.Geometry.Bound().Intersects) {
		return false
	}
	for k, v := range q.Filters {
		if fmt.Sprint(f.Properties[k]) != v {
			return false
		}
	}
	if q.Interval == nil {
		return true
	}
	start, end := period(q.Collection, f)
	return (q.Interval.End.IsZero() || !start.After(q.Interval.End)) &&
		(q.Interval.Start.IsZero() || end.IsZero() || !end.Before(q.Interval.Start))
}

// period returns a feature's [start, end]; an instant has end == start and
// an open period a zero end.
func period(col features.Collection, f features.Feature) (time.Time, time.Time) {
	start := date(f.Properties[col.Temporal.Start])
	if col.Temporal.End == "" {
		return start, start
	}
	return start, date(f.Properties[col.Temporal.End])
}

func date(v any) time.Time {
	s, _ := v.(string)
	t, _ := time.Parse(features.DateLayout, s)
	return t
}

func (r *fakeReader) Item(_ context.Context, col features.Collection, id string) (features.Feature, error) {
	if err := r.failure(); err != nil {
		return features.Feature{}, err
	}
	for _, f := range r.features {
		if f.Collection == col.ID && f.ID == id {
			return f, nil
		}
	}
	return features.Feature{}, fmt.Errorf("fake: %s/%s: %w", col.ID, id, features.ErrNotFound)
}

func (r *fakeReader) Extent(_ context.Context, col features.Collection) (features.Extent, error) {
	if err := r.failure(); err != nil {
		return features.Extent{}, err
	}
	var ext features.Extent
	open := false
	for _, f := range r.features {
		if f.Collection != col.ID {
			continue
		}
		b := f.Geometry.Bound()
		if ext.Bounds == nil {
			ext.Bounds = &b
		} else {
			*ext.Bounds = ext.Bounds.Union(b)
		}
		if col.Temporal == nil {
			continue
		}
		start, end := period(col, f)
		if ext.Start.IsZero() || start.Before(ext.Start) {
			ext.Start = start
		}
		open = open || end.IsZero()
		for _, t := range []time.Time{start, end} {
			if t.After(ext.End) {
				ext.End = t // a period may start after every other has ended
			}
		}
	}
	if open {
		ext.End = time.Time{}
	}
	return ext, nil
}

func (r *fakeReader) Nearby(context.Context, features.NearbyQuery) ([]features.Near, error) {
	return nil, fmt.Errorf("fake: nearby is not served by the ogc handler: %w", features.ErrInvalid)
}

func (r *fakeReader) Search(context.Context, features.SearchQuery) ([]features.Match, error) {
	return nil, fmt.Errorf("fake: search is not served by the ogc handler: %w", features.ErrInvalid)
}

// newFakeReader returns the fixture: 5 medical facilities, 30 cases, 3
// zones, 7 markets, an emergency station and 2 districts around Thủ Dầu Một.
func newFakeReader() *fakeReader {
	r := &fakeReader{catalog: features.NewCatalog()}
	add := func(col, id string, g orb.Geometry, props map[string]any) {
		r.features = append(r.features, features.Feature{Collection: col, ID: id, Geometry: g, Properties: props})
	}
	kinds := []string{features.FacilityHospital, features.FacilityFieldHospital, features.FacilityHealthStation, features.FacilityTestingSite}
	for i := range 5 {
		add("medical_facilities", fmt.Sprintf("mf-%02d", i+1), orb.Point{106.65 + 0.01*float64(i), 10.98 + 0.005*float64(i)}, map[string]any{
			"name": fmt.Sprintf("Bệnh viện số %d", i+1), "kind": kinds[i%len(kinds)], "beds": int64(100 * (i + 1)),
			"address": fmt.Sprintf("%d Đại lộ Bình Dương", 10*(i+1)), "phone": "0274 3822 000", "opening_hours": "24/7",
			"district_code": "718", "ward_code": "25747",
		})
	}
	statuses := []string{features.StatusUnderTreatment, features.StatusRecovered, features.StatusDied}
	for i := range 30 {
		exact := orb.Point{106.60 + 0.003*float64(i), 10.95 + 0.002*float64(i)}
		add("cases", fmt.Sprintf("BN%04d", 800+i), features.Geomask(exact, 150), map[string]any{
			"code": fmt.Sprintf("BN%04d", 800+i), "report_date": fmt.Sprintf("2021-07-%02d", 1+i%10),
			"report_session": features.SessionMorning, "origin": features.OriginCommunity,
			"detected_in": features.DetectedCommunityScreening, "cluster": "Công ty Pouyuen",
			"status": statuses[i%3], "status_date": nil, "district_code": "718", "ward_code": "25747",
			// What a broken store might leak; the handler must drop them.
			"person_name": privateName, "phone": privatePhone,
		})
	}
	zone := func(lon, lat float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon, lat + 0.01}, {lon, lat}}}}
	}
	add("quarantine_zones", "qz-1", zone(106.60, 10.95), map[string]any{"name": "Khu phố 1", "status": features.ZoneLifted,
		"level": features.LevelNeighbourhood, "revision": int64(2), "start": "2021-06-20", "end": "2021-07-04", "district_code": "718", "ward_code": "25747"})
	add("quarantine_zones", "qz-2", zone(106.65, 10.97), map[string]any{"name": "Ấp 3", "status": features.ZonePublished,
		"level": features.LevelHamlet, "revision": int64(1), "start": "2021-07-03", "end": nil, "district_code": "718", "ward_code": "25747"})
	add("quarantine_zones", "qz-3", zone(106.70, 11.00), map[string]any{"name": "Tổ 5", "status": features.ZonePublished,
		"level": features.LevelResidentialGroup, "revision": int64(1), "start": "2021-07-08", "end": nil, "district_code": "718", "ward_code": "25747"})
	for i := range 6 {
		add("markets", fmt.Sprintf("mk-%02d", i+1), orb.Point{106.66 + 0.004*float64(i), 10.99 - 0.003*float64(i)}, map[string]any{
			"name": fmt.Sprintf("Chợ Thủ Dầu Một %d", i+1), "address": "Đường Bạch Đằng", "phone": nil,
			"opening_hours": "05:00-18:00", "district_code": "718", "ward_code": "25747",
		})
	}
	// A name that must reach HTML pages escaped.
	add("markets", "mk-07", orb.Point{106.70, 10.96}, map[string]any{"name": "<script>alert(1)</script> & Chợ"})
	// An id that needs escaping in a path.
	add("emergency_stations", "trạm 1/A", orb.Point{106.67, 10.97}, map[string]any{"name": "Trạm cấp cứu lưu động 1A"})
	add("districts", "718", zone(106.60, 10.94), map[string]any{"code": "718", "name": "Thủ Dầu Một", "level": "city"})
	add("districts", "719", zone(106.55, 11.10), map[string]any{"code": "719", "name": "Bàu Bàng", "level": "district"})
	return r
}
