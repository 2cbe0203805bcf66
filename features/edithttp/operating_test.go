package edithttp_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOperatingStatusEdits checks that editors keep a shop's operating
// status, hours and delivery phone and a facility's free beds through the
// edit routes, and that the new rules refuse, with a 422 naming the field
// in both languages, a status not in the vocabulary, hours that cannot be
// read and more free beds than beds.
func TestOperatingStatusEdits(t *testing.T) {
	facilities := "/ogc/collections/medical_facilities/items"
	point := func(props string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,10.98]},"properties":{` + props + `}}`
	}
	refused := []struct {
		name, target, body string
		field, vi          string
	}{
		{"status outside the vocabulary", markets, point(`"name":"Chợ","status":"half_open"`), "status", "open, closed, open_restricted, delivery_only"},
		{"hours that cannot be read", markets, point(`"name":"Chợ","opening_hours":"5h-19h"`), "opening_hours", "giờ mở cửa"},
		{"more free beds than beds", facilities, point(`"name":"Bệnh viện dã chiến số 9","kind":"field_hospital_tier1","beds":100,"free_beds":120`), "free_beds", "nhiều hơn tổng số giường"},
	}
	forEachStore(t, func(t *testing.T, v *env) {
		for _, tt := range refused {
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
		t.Run("kept", func(t *testing.T) {
			a := v.must(http.StatusCreated, http.MethodPost, markets, editor,
				point(`"name":"Chợ Lái Thiêu","status":"delivery_only","opening_hours":"Mo-Fr 08:00-17:00; Sa 08:00-12:00","delivery_phone":"0909 123 456"`))
			props := a.json(t)["properties"].(map[string]any)
			if props["status"] != "delivery_only" || props["opening_hours"] != "Mo-Fr 08:00-17:00; Sa 08:00-12:00" || props["delivery_phone"] != "0909 123 456" {
				t.Errorf("properties %v", props)
			}
			b := v.must(http.StatusCreated, http.MethodPost, facilities, editor,
				point(`"name":"Bệnh viện dã chiến số 9","kind":"field_hospital_tier2","beds":100,"free_beds":12`))
			props = b.json(t)["properties"].(map[string]any)
			if props["kind"] != "field_hospital_tier2" || props["free_beds"] != float64(12) {
				t.Errorf("properties %v", props)
			}
		})
	})
}
