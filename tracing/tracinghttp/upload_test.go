package tracinghttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/tracinghttp"
)

func TestUploadCheckIns(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		a := e.venue("Chợ Thủ Dầu Một", "25747", "")
		b := e.venue("Căng tin Pou Chen", "25747", "e1")
		at := func(min int) string { return start.Add(time.Duration(min) * time.Minute).Format(time.RFC3339) }
		id, _ := tracing.ParseIdentity("0912345678")
		key := e.keys.PersonKey(id).String()
		row := func(v tracing.Venue, min int, kv ...any) map[string]any {
			return with(map[string]any{"venue": string(v.ID), "identity": "0912345678", "at": at(min)}, kv...)
		}
		many := make([]any, tracinghttp.MaxBatch+1)
		for i := range many {
			many[i] = row(a, -i%600)
		}
		total := 0
		for _, tc := range []struct {
			name     string
			who      string
			body     any
			status   int
			row      float64
			field    string
			recorded int
		}{
			{"nobody", "", row(a, -5), 401, -1, "", 0},
			{"a viewer", "viewer", row(a, -5), 403, -1, "", 0},
			{"a single check-in", "editor", row(a, -50, "name", "Nguyễn Văn An"), 201, -1, "", 1},
			{"a batch", "tracer", map[string]any{"checkins": []any{
				row(a, -40), row(a, -39), // a repeat within 10 minutes: one visit
				row(b, -30, "identity", nil, "person", key, "end", at(-5)),
				row(b, -20, "identity", "079201001234"),
			}}, 201, -1, "", 3},
			{"the enterprise, its venue", "enterprise/e1", map[string]any{"checkins": []any{row(b, -10, "identity", "0987654321")}}, 201, -1, "", 1},
			{"the enterprise, another's venue", "enterprise/e1", map[string]any{"checkins": []any{row(b, -9), row(a, -9)}}, 422, 1, "venue", 0},
			{"a row with no time", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, -7, "at", nil)}}, 422, 1, "at", 0},
			{"a row in the future", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, 60)}}, 422, 1, "at", 0},
			{"a row older than what is kept", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, -22*24*60)}}, 422, 1, "at", 0},
			{"a row of a bad type", "editor", map[string]any{"checkins": []any{row(a, -8, "venue", 5)}}, 422, 0, "venue", 0},
			{"a row with an unknown member", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, -7), row(a, -6, "seat", 3)}}, 422, 2, "seat", 0},
			{"a bad row before one that is not a check-in", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, 60), row(a, -6, "seat", 3)}}, 422, 1, "at", 0},
			{"a bad identity", "editor", map[string]any{"checkins": []any{row(a, -8), row(a, -7, "identity", "abc")}}, 422, 1, "identity", 0},
			{"identity and person", "editor", map[string]any{"checkins": []any{row(a, -8, "person", key)}}, 422, 0, "person", 0},
			{"a bad person key", "editor", map[string]any{"checkins": []any{row(a, -8, "identity", nil, "person", "abc")}}, 422, 0, "person", 0},
			{"an end before the start", "editor", map[string]any{"checkins": []any{row(a, -8, "end", at(-9))}}, 422, 0, "end", 0},
			{"an unknown venue", "editor", map[string]any{"checkins": []any{row(a, -8), row(tracing.Venue{ID: tracing.NewVenueID()}, -8)}}, 422, 1, "venue", 0},
			{"a malformed venue", "editor", map[string]any{"checkins": []any{row(a, -8, "venue", "x")}}, 422, 0, "venue", 0},
			{"an empty list", "editor", map[string]any{"checkins": []any{}}, 422, -1, "checkins", 0},
			{"too many", "editor", map[string]any{"checkins": many}, 422, -1, "checkins", 0},
			{"not an object", "editor", `[1, 2]`, 400, -1, "", 0},
			{"not JSON", "editor", `venue=x`, 400, -1, "", 0},
		} {
			ans := e.do(http.MethodPost, "/api/checkins", tc.who, tc.body)
			if ans.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, ans.status, tc.status, ans.body)
				continue
			}
			m := ans.json(t)
			if tc.row >= 0 && m["row"] != tc.row {
				t.Errorf("%s: row %v, want %v: %s", tc.name, m["row"], tc.row, ans.body)
			}
			if tc.field != "" && m["field"] != tc.field {
				t.Errorf("%s: field %v, want %s: %s", tc.name, m["field"], tc.field, ans.body)
			}
			if tc.status == 201 && m["recorded"] != float64(tc.recorded) {
				t.Errorf("%s: recorded %v, want %d", tc.name, m["recorded"], tc.recorded)
			}
			total += tc.recorded
			if n := len(e.visits(a)) + len(e.visits(b)); n != total {
				t.Errorf("%s: %d visits stored, want %d", tc.name, n, total)
			}
		}
		for _, v := range e.visits(b) {
			if v.Source != tracing.Batch {
				t.Errorf("visit %d: source %s", v.ID, v.Source)
			}
			if v.Person.String() == key && (v.End != start.Add(-5*time.Minute) || v.Closing != tracing.CheckedOut) {
				t.Errorf("the batch's end was not kept: %+v", v)
			}
		}
		for _, s := range []string{"0912345678", "079201001234", "0987654321"} {
			id, _ := tracing.ParseIdentity(s)
			if _, err := e.store.Person(e.admin(), e.keys.PersonKey(id)); err != nil {
				t.Errorf("%s was not kept: %v", s, err)
			}
		}
		id2, _ := tracing.ParseIdentity("0911111111")
		if _, err := e.store.Person(e.admin(), e.keys.PersonKey(id2)); err == nil {
			t.Error("a refused batch kept a person")
		}
	})
}

func TestUploadLargeBatch(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "")
		rows := make([]any, tracinghttp.MaxBatch)
		for i := range rows {
			rows[i] = map[string]any{"venue": string(v.ID), "person": strings.Repeat("0", 58) + hex6(i+1),
				"at": start.Add(-time.Duration(i%1000) * time.Second).Format(time.RFC3339)}
		}
		a := e.do(http.MethodPost, "/api/checkins", "editor", map[string]any{"checkins": rows})
		if a.status != http.StatusCreated || a.json(t)["recorded"] != float64(tracinghttp.MaxBatch) {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
}

func hex6(i int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 6)
	for j := 5; j >= 0; j-- {
		b[j] = digits[i&15]
		i >>= 4
	}
	return string(b)
}
