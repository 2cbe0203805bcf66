package edithttp_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

const markets = "/ogc/collections/markets/items"
const zones = "/ogc/collections/quarantine_zones/items"

func market(name string, at orb.Point) map[string]any {
	return feature(at, map[string]any{"name": name})
}

// TestStatuses walks the answers of the change routes: who may change,
// what is created, what is refused and why.
func TestStatuses(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		good := market("Chợ Thủ Dầu Một", orb.Point{106.65, 10.98})
		v.must(http.StatusUnauthorized, http.MethodPost, markets, nobody, good)
		for _, who := range []string{viewer, tracer, corporate} {
			v.must(http.StatusForbidden, http.MethodPost, markets, who, good)
		}
		a := v.must(http.StatusMethodNotAllowed, http.MethodPost, "/ogc/collections/districts/items", editor, good)
		if a.header.Get("Allow") != "GET, HEAD" || !strings.Contains(string(a.body), "read-only") {
			t.Errorf("405: Allow %q, body %s", a.header.Get("Allow"), a.body)
		}
		v.must(http.StatusNotFound, http.MethodPost, "/ogc/collections/nowhere/items", editor, good)
		v.must(http.StatusUnsupportedMediaType, http.MethodPost, markets, editor, good, "Content-Type", "text/plain")
		v.must(http.StatusBadRequest, http.MethodPost, markets, editor, `{"type":"Feature",`)

		a = v.must(http.StatusCreated, http.MethodPost, markets, editor, good)
		body := a.json(t)
		id := body["id"].(string)
		if a.header.Get("ETag") != `"r1"` || a.header.Get("Location") != "https://bando.example.org"+markets+"/"+id ||
			body["etag"] != `"r1"` || body["updated_by"] != "binh" || body["revision"] != 1.0 {
			t.Errorf("201: ETag %q, Location %q, body %s", a.header.Get("ETag"), a.header.Get("Location"), a.body)
		}
		if got := v.must(http.StatusOK, http.MethodGet, markets+"/"+id, nobody, nil).header.Get("ETag"); got != `"r1"` {
			t.Errorf("public item ETag %q, want \"r1\"", got)
		}
		item := markets + "/" + id
		v.must(http.StatusPreconditionRequired, http.MethodPut, item, editor, good)
		v.must(http.StatusPreconditionRequired, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"name": "x"}})
		v.must(http.StatusPreconditionRequired, http.MethodDelete, item, editor, nil)
		v.must(http.StatusForbidden, http.MethodPatch, item, viewer, map[string]any{}, "If-Match", `"r1"`)

		a = v.must(http.StatusOK, http.MethodPatch, item, editor, map[string]any{"properties": map[string]any{"address": "1 Đại lộ Bình Dương"}},
			"If-Match", `"r1"`, "Content-Type", "application/merge-patch+json")
		if p := a.json(t)["properties"].(map[string]any); a.header.Get("ETag") != `"r2"` || p["name"] != "Chợ Thủ Dầu Một" || p["address"] != "1 Đại lộ Bình Dương" {
			t.Errorf("PATCH: ETag %q, body %s", a.header.Get("ETag"), a.body)
		}
		a = v.must(http.StatusPreconditionFailed, http.MethodPut, item, editor, market("Chợ cũ", orb.Point{106.65, 10.98}), "If-Match", `"r1"`)
		if cur, _ := a.json(t)["current"].(map[string]any); a.header.Get("ETag") != `"r2"` || cur == nil || cur["etag"] != `"r2"` {
			t.Errorf("412: ETag %q, body %s", a.header.Get("ETag"), a.body)
		}
		v.must(http.StatusPreconditionFailed, http.MethodDelete, item, editor, nil, "If-Match", `"2"`)
		v.must(http.StatusPreconditionFailed, http.MethodDelete, item, editor, nil, "If-Match", `W/"r1"`)
		// A gzipped answer's tag is weak; it names the revision all the same.
		a = v.must(http.StatusOK, http.MethodPut, item, editor, market("Chợ mới", orb.Point{106.66, 10.99}), "If-Match", `W/"r2"`)
		if p := a.json(t)["properties"].(map[string]any); p["address"] != nil || p["name"] != "Chợ mới" {
			t.Errorf("PUT kept what it replaced: %s", a.body)
		}
		a = v.must(http.StatusUnprocessableEntity, http.MethodPut, item, editor, market("", orb.Point{105.8, 21.0}), "If-Match", `"r3"`)
		problem := a.json(t)
		if errs, _ := problem["errors"].([]any); len(errs) != 2 || problem["detail_vi"] == nil {
			t.Errorf("422: %s", a.body)
		}
		v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/markets/items/"+id, viewer, nil)
		v.must(http.StatusNoContent, http.MethodDelete, item, editor, nil, "If-Match", `"r3"`, "X-Bando-Note", "%C4%91%C3%B3ng%20c%E1%BB%ADa")
		v.must(http.StatusNotFound, http.MethodGet, item, nobody, nil)
		v.must(http.StatusNotFound, http.MethodDelete, item, editor, nil, "If-Match", `"r3"`)

		v.must(http.StatusForbidden, http.MethodGet, "/api/audit", editor, nil)
		v.must(http.StatusUnauthorized, http.MethodGet, "/api/audit/verify", nobody, nil)
		log := v.must(http.StatusOK, http.MethodGet, "/api/audit?collection=markets&subject="+id, admin, nil).json(t)
		var actions []string
		for _, e := range log["entries"].([]any) {
			actions = append(actions, e.(map[string]any)["action"].(string))
		}
		if strings.Join(actions, " ") != "create update replace delete" {
			t.Errorf("audit actions %v", actions)
		}
		if note := log["entries"].([]any)[3].(map[string]any)["note"]; note != "đóng cửa" {
			t.Errorf("the deletion's note %q, want the X-Bando-Note header's", note)
		}
		if ok := v.must(http.StatusOK, http.MethodGet, "/api/audit/verify", admin, nil).json(t); ok["ok"] != true || ok["entries"] != 4.0 {
			t.Errorf("verify: %v", ok)
		}
	})
}

// TestValidationProblems checks that a refused shape says where, in both
// languages.
func TestValidationProblems(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		bowtie := orb.Polygon{{{106.62, 10.98}, {106.64, 11.00}, {106.64, 10.98}, {106.62, 11.00}, {106.62, 10.98}}}
		a := v.must(http.StatusUnprocessableEntity, http.MethodPost, zones, editor, feature(bowtie, map[string]any{"name": "Khu 1", "status": "open"}))
		p := a.json(t)
		errs := p["errors"].([]any)
		if len(errs) != 2 {
			t.Fatalf("errors %s", a.body)
		}
		geom := errs[0].(map[string]any)
		at, _ := geom["at"].([]any)
		if geom["field"] != "geometry" || len(at) != 2 || at[0] != 106.63 || at[1] != 10.99 || !strings.Contains(geom["reason_vi"].(string), "tự cắt") {
			t.Errorf("geometry problem %v", geom)
		}
		if status := errs[1].(map[string]any); status["field"] != "status" || !strings.Contains(status["reason"].(string), "draft, published, lifted") {
			t.Errorf("status problem %v", status)
		}
		if !strings.Contains(p["detail_vi"].(string), "tự cắt") || !strings.Contains(p["detail"].(string), "crosses itself") {
			t.Errorf("detail %q / %q", p["detail"], p["detail_vi"])
		}
	})
}

// TestConcurrentPatches sends 100 changes made against the same revision
// at once: exactly one wins, the others get 412 and nothing is lost.
func TestConcurrentPatches(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		id, tag := v.create(editor, "markets", market("Chợ", orb.Point{106.65, 10.98}))
		var wg sync.WaitGroup
		statuses := make([]int, 100)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				patch := map[string]any{"properties": map[string]any{"name": fmt.Sprintf("Chợ %d", i)}}
				statuses[i] = v.do(http.MethodPatch, markets+"/"+id, editor, patch, "If-Match", tag).status
			}()
		}
		wg.Wait()
		count := map[int]int{}
		winner := -1
		for i, s := range statuses {
			count[s]++
			if s == http.StatusOK {
				winner = i
			}
		}
		if count[http.StatusOK] != 1 || count[http.StatusPreconditionFailed] != 99 {
			t.Fatalf("statuses %v, want one 200 and 99 412", count)
		}
		got := v.must(http.StatusOK, http.MethodGet, "/api/editor/collections/markets/items/"+id, editor, nil)
		if name := got.json(t)["properties"].(map[string]any)["name"]; got.header.Get("ETag") != `"r2"` || name != fmt.Sprintf("Chợ %d", winner) {
			t.Errorf("stored %s (%s), want the winner's name at r2", name, got.header.Get("ETag"))
		}
	})
}

// TestNumbersThatAreNot sends coordinates and properties that are not
// finite numbers as clients write them: NaN and Infinity (Python's json
// module writes them, though JSON has none), a number too large for a
// float, null (JavaScript writes NaN so) and a position without its
// latitude. Each is a 422 naming the field, in both languages, never a 400
// for the whole body nor a coordinate read as 0.
func TestNumbersThatAreNot(t *testing.T) {
	point := func(coords string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":` + coords + `},"properties":{"name":"Chợ"}}`
	}
	tests := []struct {
		name, target, body string
		field, vi          string
	}{
		{"NaN", markets, point(`[NaN, 10.98]`), "geometry", "hữu hạn"},
		{"Infinity", markets, point(`[106.65,Infinity]`), "geometry", "hữu hạn"},
		{"-Infinity", markets, point(`[-Infinity ,10.98]`), "geometry", "hữu hạn"},
		{"too large for a float", markets, point(`[1e400,10.98]`), "geometry", "hữu hạn"},
		{"null", markets, point(`[null,10.98]`), "geometry", "không phải là số"},
		{"text", markets, point(`["106.65",10.98]`), "geometry", "không phải là số"},
		{"no latitude", markets, point(`[106.65]`), "geometry", "kinh độ và vĩ độ"},
		{"NaN in a ring", zones, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[106.65,10.98],[106.66,10.98],[106.66,NaN],[106.65,10.98]]]},"properties":{"name":"Khu 1"}}`, "geometry", "hữu hạn"},
		{"NaN in a property", "/ogc/collections/medical_facilities/items", `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{"name":"Trạm","beds":NaN}}`, "beds", "hữu hạn"},
	}
	forEachStore(t, func(t *testing.T, v *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := v.do(http.MethodPost, tt.target, editor, tt.body)
				if a.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %s", a.status, a.body)
				}
				errs, _ := a.json(t)["errors"].([]any)
				if len(errs) == 0 {
					t.Fatalf("no errors: %s", a.body)
				}
				e := errs[0].(map[string]any)
				if e["field"] != tt.field || !strings.Contains(e["reason_vi"].(string), tt.vi) || e["reason"] == "" {
					t.Errorf("first error %v, want field %s saying %q", e, tt.field, tt.vi)
				}
			})
		}
		// The words NaN and Infinity inside text are text.
		a := v.must(http.StatusCreated, http.MethodPost, markets, editor, `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{"name":"Chợ \"NaN\", Infinity"}}`)
		if name := a.json(t)["properties"].(map[string]any)["name"]; name != `Chợ "NaN", Infinity` {
			t.Errorf("name %q", name)
		}
		id, tag := a.json(t)["id"].(string), a.header.Get("ETag")
		v.must(http.StatusUnprocessableEntity, http.MethodPatch, markets+"/"+id, editor, `{"geometry":{"type":"Point","coordinates":[NaN,NaN]}}`, "If-Match", tag)
	})
}

// TestTextWithNUL sends notes, a property and a personal field holding
// NUL, which PostgreSQL cannot store in text, and a note over the limit: a
// clear 4xx on both stores, never a 500 nor a NUL kept in the audit log.
func TestTextWithNUL(t *testing.T) {
	forEachStore(t, func(t *testing.T, v *env) {
		for name, body := range map[string]string{
			"note":     `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{"name":"Chợ"},"note":"a\u0000b"}`,
			"property": `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{"name":"Chợ\u0000"}}`,
		} {
			if a := v.do(http.MethodPost, markets, editor, body); a.status != http.StatusBadRequest && a.status != http.StatusUnprocessableEntity {
				t.Errorf("%s with NUL: %d, want 400 or 422: %s", name, a.status, a.body)
			}
		}
		id, tag := v.create(editor, "markets", market("Chợ", orb.Point{106.65, 10.98}))
		v.must(http.StatusBadRequest, http.MethodDelete, markets+"/"+id+"?note=a%00b", editor, nil, "If-Match", tag)
		v.must(http.StatusBadRequest, http.MethodPatch, markets+"/"+id, editor, map[string]any{"note": strings.Repeat("ý", 2001)}, "If-Match", tag)
		v.must(http.StatusOK, http.MethodPatch, markets+"/"+id, editor, map[string]any{"note": strings.Repeat("ý", 2000)}, "If-Match", tag)
		c := `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{"code":"BD-NUL","report_date":"2021-07-05","origin":"community","status":"under_treatment"},"person":{"name":"A\u0000"}}`
		if a := v.do(http.MethodPost, "/ogc/collections/cases/items", editor, c); a.status != http.StatusUnprocessableEntity {
			t.Errorf("personal field with NUL: %d, want 422: %s", a.status, a.body)
		}
	})
}
