package edithttp_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestZoneLifecycle follows a zone from draft to lifted: a draft is not
// public, a published zone is at once for the dates it is in force, a
// lifted one stays stored with its end set and drops from later dates.
func TestZoneLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		shape := square(106.65, 10.98, 106.66, 10.99)
		v.must(http.StatusConflict, http.MethodPost, zones, editor, feature(shape, map[string]any{"name": "Khu 1", "status": "published"}))
		id, tag := v.create(editor, "quarantine_zones", feature(shape, map[string]any{"name": "Khu phố 3", "start": "2021-07-01"}))
		item := zones + "/" + id
		on := func(day string) bool { return slices.Contains(v.publicIDs(zones+"?datetime="+day), id) }
		if on("2021-07-10") {
			t.Error("a draft zone is public")
		}
		st := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/quarantine_zones/items?status=draft", viewer, nil).json(t)
		if st["numberMatched"] != 1.0 {
			t.Errorf("editors see %v drafts, want 1", st["numberMatched"])
		}
		for q, want := range map[string]float64{"phố 3": 1, "Chợ": 0} {
			found := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/quarantine_zones/items?q="+url.QueryEscape(q), editor, nil).json(t)
			if found["numberMatched"] != want {
				t.Errorf("q=%s finds %v zones, want %v", q, found["numberMatched"], want)
			}
		}
		v.must(http.StatusConflict, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"status": "lifted"}}, "If-Match", tag)
		a := v.must(http.StatusOK, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"status": "published"}}, "If-Match", tag)
		if !on("2021-07-10") {
			t.Error("a published zone is not public at once")
		}
		v.must(http.StatusConflict, http.MethodDelete, item, editor, nil, "If-Match", a.header.Get("ETag"))
		v.must(http.StatusConflict, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"status": "draft"}}, "If-Match", a.header.Get("ETag"))
		a = v.must(http.StatusOK, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"status": "lifted"}, "note": "hết ca mới"},
			"If-Match", a.header.Get("ETag"))
		props := a.json(t)["properties"].(map[string]any)
		if props["status"] != "lifted" || props["end"] != "2021-07-20" {
			t.Errorf("lifted zone %v, want end 2021-07-20 (today in Vietnam)", props)
		}
		if !on("2021-07-15") || on("2021-07-25") {
			t.Errorf("lifted zone on 2021-07-15: %v (want true), on 2021-07-25: %v (want false)", on("2021-07-15"), on("2021-07-25"))
		}
		v.must(http.StatusConflict, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"status": "published"}}, "If-Match", a.header.Get("ETag"))
		v.must(http.StatusConflict, http.MethodDelete, item, admin, nil, "If-Match", a.header.Get("ETag"))
		// A lifted zone keeps an end no later than today: without one, or
		// with a later one, it would be back on the public map of later days.
		for _, end := range []any{nil, "2021-08-01"} {
			a := v.must(http.StatusUnprocessableEntity, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"end": end}}, "If-Match", `"r3"`)
			if errs, _ := a.json(t)["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "end" || errs[0].(map[string]any)["reason_vi"] == "" {
				t.Errorf("lifted zone's end set to %v: %s", end, a.body)
			}
		}
		v.must(http.StatusUnprocessableEntity, http.MethodPut, item, editor, feature(shape, map[string]any{"name": "Khu phố 3", "start": "2021-07-01"}), "If-Match", `"r3"`)
		if on("2021-07-25") || on("2022-01-01") {
			t.Error("a lifted zone is back on the public map after its end")
		}
		// An earlier end is a correction, and a lifted zone stays lifted.
		a = v.must(http.StatusOK, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"end": "2021-07-18"}}, "If-Match", `"r3"`)
		if props := a.json(t)["properties"].(map[string]any); props["end"] != "2021-07-18" || props["status"] != "lifted" || on("2021-07-19") {
			t.Errorf("lifted zone corrected to end 2021-07-18: %v", props)
		}
		revs := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/quarantine_zones/items/"+id+"/revisions", viewer, nil).json(t)["revisions"].([]any)
		var actions []string
		for _, r := range revs {
			actions = append(actions, r.(map[string]any)["action"].(string))
		}
		if strings.Join(actions, " ") != "update lift publish create" || revs[1].(map[string]any)["note"] != "hết ca mới" {
			t.Errorf("revisions %v (newest first), want update lift publish create, the lift with the note", actions)
		}
		// A draft is deleted.
		id2, tag2 := v.create(editor, "quarantine_zones", feature(shape, map[string]any{"name": "Khu nháp"}))
		v.must(http.StatusNoContent, http.MethodDelete, zones+"/"+id2, editor, nil, "If-Match", tag2)
	})
}

// TestDistrictEditor checks that an editor of district 718 changes only
// what lies in it, before and after the change.
func TestDistrictEditor(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		inside, outside := orb.Point{106.65, 10.98}, orb.Point{106.75, 10.98}
		a := v.must(http.StatusForbidden, http.MethodPost, markets, district, market("Chợ Thuận An", outside))
		if !strings.Contains(string(a.body), "718") || !strings.Contains(string(a.body), "Thủ Dầu Một") {
			t.Errorf("403 does not name the district: %s", a.body)
		}
		id, tag := v.create(district, "markets", market("Chợ Thủ Dầu Một", inside))
		v.must(http.StatusForbidden, http.MethodPatch, markets+"/"+id, district, map[string]any{"geometry": geometryJSON(outside)}, "If-Match", tag)
		other, otherTag := v.create(admin, "markets", market("Chợ Thuận An", outside))
		v.must(http.StatusForbidden, http.MethodPatch, markets+"/"+other, district, map[string]any{"geometry": geometryJSON(inside)}, "If-Match", otherTag)
		v.must(http.StatusForbidden, http.MethodDelete, markets+"/"+other, district, nil, "If-Match", otherTag)
		// Zones may reach 200 m beyond the boundary (106.70), not 1 km.
		near := square(106.69, 10.98, 106.7015, 10.99)
		far := square(106.69, 10.98, 106.71, 10.99)
		v.create(district, "quarantine_zones", feature(near, map[string]any{"name": "Khu giáp ranh"}))
		v.must(http.StatusForbidden, http.MethodPost, zones, district, feature(far, map[string]any{"name": "Khu lấn ranh"}))
		v.create(editor, "quarantine_zones", feature(far, map[string]any{"name": "Khu lấn ranh"}))
	})
}

// TestRevert checks that going back to a revision writes a new one.
func TestRevert(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		id, tag := v.create(editor, "markets", market("Chợ A", orb.Point{106.65, 10.98}))
		item := markets + "/" + id
		revert := "/api/editor/collections/markets/items/" + id + "/revert"
		a := v.must(http.StatusOK, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"name": "Chợ B"}}, "If-Match", tag)
		v.must(http.StatusPreconditionRequired, http.MethodPost, revert, editor, map[string]any{"revision": 1}, "Content-Type", "application/json")
		v.must(http.StatusForbidden, http.MethodPost, revert, viewer, map[string]any{"revision": 1}, "Content-Type", "application/json", "If-Match", `"r2"`)
		v.must(http.StatusNotFound, http.MethodPost, revert, editor, map[string]any{"revision": 9}, "Content-Type", "application/json", "If-Match", `"r2"`)
		v.must(http.StatusPreconditionFailed, http.MethodPost, revert, editor, map[string]any{"revision": 1}, "Content-Type", "application/json", "If-Match", tag)
		a = v.must(http.StatusOK, http.MethodPost, revert, editor, map[string]any{"revision": 1, "note": "nhầm tên"}, "Content-Type", "application/json", "If-Match", a.header.Get("ETag"))
		if name := a.json(t)["properties"].(map[string]any)["name"]; a.header.Get("ETag") != `"r3"` || name != "Chợ A" {
			t.Errorf("revert: ETag %q, name %v; want \"r3\", Chợ A", a.header.Get("ETag"), name)
		}
		revs := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/markets/items/"+id+"/revisions", editor, nil).json(t)["revisions"].([]any)
		if first := revs[0].(map[string]any); len(revs) != 3 || first["action"] != "revert" || first["revision"] != 3.0 || first["note"] != "nhầm tên" {
			t.Errorf("revisions %v", revs)
		}
	})
}
