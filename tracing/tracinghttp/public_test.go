package tracinghttp_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// altered changes one bit of a token's byte i.
func altered(t *testing.T, tok string, i int) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	b[i] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestVenueOfToken(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "")
		renewed := e.venue("Siêu thị Lái Thiêu", "25750", "")
		oldTok := e.token(renewed)
		if _, err := e.store.RenewVenueTokens(e.admin(), renewed.ID); err != nil {
			t.Fatal(err)
		}
		revoked := e.venue("Karaoke Sao Mai", "25747", "")
		if _, err := e.store.RevokeVenue(e.admin(), revoked.ID); err != nil {
			t.Fatal(err)
		}
		unknown := tracing.Venue{ID: tracing.NewVenueID(), TokenGeneration: 1}
		for _, tc := range []struct {
			name, path string
			status     int
			detail     string
		}{
			{"genuine", "/api/c/" + e.token(v), http.StatusOK, ""},
			{"altered", "/api/c/" + altered(t, e.token(v), 7), http.StatusNotFound, "this QR code is not valid"},
			{"garbage", "/api/c/not-a-token", http.StatusNotFound, "this QR code is not valid"},
			{"signed, of no venue", "/api/c/" + e.token(unknown), http.StatusNotFound, "this QR code is not valid"},
			{"the staff token", "/api/c/" + e.staff(v), http.StatusNotFound, "this QR code is not valid"},
			{"renewed", "/api/c/" + oldTok, http.StatusGone, "this QR code was withdrawn by the venue"},
			{"revoked", "/api/c/" + e.token(revoked), http.StatusGone, "this QR code was withdrawn by the venue"},
		} {
			a := e.do(http.MethodGet, tc.path, "", nil)
			if a.status != tc.status {
				t.Errorf("%s: status %d, want %d: %s", tc.name, a.status, tc.status, a.body)
				continue
			}
			m := a.json(t)
			if tc.status != http.StatusOK {
				if m["detail"] != tc.detail || m["detail_vi"] == nil || a.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: %s", tc.name, a.body)
				}
				continue
			}
			venue, _ := m["venue"].(map[string]any)
			if venue["name"] != v.Name || venue["ward"] != "25747" || venue["category"] != "market" || m["default_stay_minutes"] != 45.0 {
				t.Errorf("%s: %s", tc.name, a.body)
			}
			if strings.Contains(string(a.body), "Bình\"") || strings.Contains(string(a.body), "3822") || strings.Contains(string(a.body), string(v.ID)) {
				t.Errorf("%s: the public answer holds the contact or the id: %s", tc.name, a.body)
			}
		}
	})
}

func TestSelfCheckIn(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "")
		tok := e.token(v)
		path := "/api/c/" + tok + "/checkin"
		type step struct {
			name    string
			advance time.Duration
			path    string
			body    any
			status  int
			field   string
			visits  int
		}
		var firstID float64
		var receipt string
		for _, s := range []step{
			{"bad identity", 0, path, map[string]any{"identity": "12345"}, http.StatusUnprocessableEntity, "identity", 0},
			{"unknown member", 0, path, map[string]any{"identity": "0912345678", "phone": "x"}, http.StatusBadRequest, "", 0},
			{"not JSON", 0, path, "identity=0912345678", http.StatusBadRequest, "", 0},
			{"unknown symptom", 0, path, map[string]any{"identity": "0912345678", "declaration": map[string]any{"symptoms": []string{"zombie"}}}, http.StatusUnprocessableEntity, "symptoms", 0},
			{"forged token", 0, "/api/c/" + altered(t, tok, 30) + "/checkin", map[string]any{"identity": "0912345678"}, http.StatusNotFound, "", 0},
			{"first scan", 0, path, map[string]any{"identity": "+84 912 345 678", "name": "Nguyễn Văn An",
				"declaration": map[string]any{"symptoms": []string{"fever"}, "contact_f0": true, "travel": "TP.HCM"}}, http.StatusCreated, "", 1},
			{"repeat 3 minutes later", 3 * time.Minute, path, map[string]any{"identity": "0912345678"}, http.StatusOK, "", 1},
			{"repeat with its receipt", time.Minute, path, map[string]any{"identity": "0912345678"}, http.StatusOK, "", 1},
			{"repeat with another's receipt", 0, path, map[string]any{"identity": "0912345678", "receipt": "AAAA"}, http.StatusOK, "", 1},
			{"another person", 0, path, map[string]any{"identity": "079201001234"}, http.StatusCreated, "", 2},
			{"again 11 minutes on", 8 * time.Minute, path, map[string]any{"identity": "0912 345 678"}, http.StatusCreated, "", 3},
		} {
			e.clock.add(s.advance)
			if s.name == "repeat with its receipt" {
				s.body.(map[string]any)["receipt"] = receipt
			}
			a := e.do(http.MethodPost, s.path, "", s.body)
			if a.status != s.status {
				t.Fatalf("%s: status %d, want %d: %s", s.name, a.status, s.status, a.body)
			}
			m := a.json(t)
			if s.field != "" && m["field"] != s.field {
				t.Errorf("%s: field %v, want %s: %s", s.name, m["field"], s.field, a.body)
			}
			if n := len(e.visits(v)); n != s.visits {
				t.Errorf("%s: %d visits stored, want %d", s.name, n, s.visits)
			}
			if a.status >= 300 {
				continue
			}
			visit, _ := m["visit"].(map[string]any)
			switch s.name {
			case "first scan":
				firstID = visit["id"].(float64)
				receipt, _ = m["receipt"].(string)
				if receipt == "" || m["repeat"] != false || visit["start"] != start.Format(time.RFC3339) || visit["source"] != "self-scan" || visit["venue_name"] != v.Name {
					t.Errorf("%s: %s", s.name, a.body)
				}
			case "repeat 3 minutes later", "repeat with another's receipt":
				// Whoever knows the number but holds no receipt learns no
				// time and no id.
				if m["repeat"] != true || len(m) != 1 {
					t.Errorf("%s: %s, want a bare {\"repeat\": true}", s.name, a.body)
				}
			case "repeat with its receipt":
				if m["repeat"] != true || visit["id"] != firstID || m["receipt"] != receipt {
					t.Errorf("%s: %s, want the first visit (%v) again", s.name, a.body, firstID)
				}
			}
			if strings.Contains(string(a.body), "912345678") {
				t.Errorf("%s: the answer holds the phone number: %s", s.name, a.body)
			}
		}
		id, _ := tracing.ParseIdentity("0912345678")
		decls, err := e.store.DeclarationsOf(e.admin(), e.keys.PersonKey(id), start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil || len(decls) != 1 || !decls[0].ContactF0 || decls[0].Travel != "TP.HCM" || decls[0].Venue != v.ID {
			t.Fatalf("declarations = %+v, %v", decls, err)
		}
		if vs := e.visits(v); vs[0].Declaration != decls[0].ID {
			t.Errorf("the first visit's declaration is %d, want %d", vs[0].Declaration, decls[0].ID)
		}
		p, err := e.store.Person(e.admin(), e.keys.PersonKey(id))
		if err != nil || p.Phone != "0912345678" || p.Name != "Nguyễn Văn An" {
			t.Errorf("person = %+v (%s), %v", p.Phone, p.Name, err)
		}
	})
}

func TestWithdrawnTokenWritesNothing(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "")
		old := e.token(v)
		if _, err := e.store.RenewVenueTokens(e.admin(), v.ID); err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"identity": "0912345678"}
		for _, tc := range []struct {
			name, path string
			status     int
		}{
			{"renewed check-in", "/api/c/" + old + "/checkin", http.StatusGone},
			{"renewed pass", "/api/c/" + old + "/pass", http.StatusGone},
			{"renewed check-out (with no receipt)", "/api/c/" + old + "/checkout", http.StatusUnprocessableEntity},
			{"forged check-in", "/api/c/" + altered(t, old, 2) + "/checkin", http.StatusNotFound},
			{"QR token as staff", "/api/s/" + e.token(v) + "/checkins", http.StatusNotFound},
			{"forged staff", "/api/s/" + altered(t, e.staff(v), 9) + "/checkins", http.StatusNotFound},
		} {
			if a := e.do(http.MethodPost, tc.path, "", body); a.status != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
			}
		}
		if n := len(e.visits(v)); n != 0 {
			t.Errorf("%d visits recorded with withdrawn or forged tokens", n)
		}
		id, _ := tracing.ParseIdentity("0912345678")
		if _, err := e.store.Person(e.admin(), e.keys.PersonKey(id)); err == nil {
			t.Errorf("a withdrawn token kept a person")
		}
	})
}

func TestCheckOut(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Chợ Thủ Dầu Một", "25747", "")
		other := e.venue("Chợ Lái Thiêu", "25747", "")
		path := "/api/c/" + e.token(v)
		me := map[string]any{"identity": "0912345678"}
		a := e.do(http.MethodPost, path+"/checkin", "", me)
		if a.status != http.StatusCreated {
			t.Fatalf("check-in: %d %s", a.status, a.body)
		}
		receipt, _ := a.json(t)["receipt"].(string)
		a = e.do(http.MethodPost, "/api/c/"+e.token(other)+"/checkin", "", map[string]any{"identity": "079201001234"})
		strangers, _ := a.json(t)["receipt"].(string)
		e.clock.add(20 * time.Minute)
		// Knowing the number is not enough: no receipt, another person's
		// or another venue's receipt, or an altered one is refused and
		// the visit stays open.
		for _, tc := range []struct{ name, receipt string }{
			{"no receipt", ""},
			{"another person's receipt", strangers},
			{"an altered receipt", altered(t, receipt, 20)},
		} {
			a := e.do(http.MethodPost, path+"/checkout", "", map[string]any{"identity": "0912345678", "receipt": tc.receipt})
			if a.status != http.StatusUnprocessableEntity || a.json(t)["field"] != "receipt" || a.json(t)["detail_vi"] == nil {
				t.Errorf("check-out with %s: %d %s", tc.name, a.status, a.body)
			}
		}
		if vs := e.visits(v); len(vs) != 1 || !vs[0].End.IsZero() {
			t.Fatalf("refused check-outs changed the visit: %+v", vs)
		}
		// The venue prints new codes while the person is inside: the page
		// opened with the old code still checks out, with its receipt.
		// (Renewed through this server: one renewed elsewhere is seen
		// within the venue cache's TTL, TestVenueCache.)
		if a := e.do(http.MethodPost, "/api/venues/"+string(v.ID)+"/renew", "admin", nil); a.status != http.StatusOK {
			t.Fatalf("renew: %d %s", a.status, a.body)
		}
		a = e.do(http.MethodPost, path+"/checkout", "", map[string]any{"identity": "+84912345678", "receipt": receipt})
		if a.status != http.StatusOK {
			t.Fatalf("check-out: %d %s", a.status, a.body)
		}
		visit := a.json(t)["visit"].(map[string]any)
		if visit["end"] != start.Add(20*time.Minute).Format(time.RFC3339) || visit["closing"] != "checkout" {
			t.Errorf("check-out answer %s", a.body)
		}
		if a := e.do(http.MethodPost, path+"/checkout", "", map[string]any{"identity": "0912345678", "receipt": receipt}); a.status != http.StatusConflict || a.json(t)["detail_vi"] == nil {
			t.Errorf("second check-out: %d %s", a.status, a.body)
		}
		if a := e.do(http.MethodPost, path+"/checkout", "", map[string]any{"identity": "hello"}); a.status != http.StatusUnprocessableEntity {
			t.Errorf("bad identity: %d %s", a.status, a.body)
		}
		if a := e.do(http.MethodPost, path+"/checkin", "", me); a.status != http.StatusGone {
			t.Errorf("check-in with the renewed code: %d %s", a.status, a.body)
		}
		if _, err := e.store.RevokeVenue(e.admin(), v.ID); err != nil {
			t.Fatal(err)
		}
		if a := e.do(http.MethodPost, path+"/checkout", "", map[string]any{"identity": "0912345678", "receipt": receipt}); a.status != http.StatusGone {
			t.Errorf("check-out at a withdrawn venue: %d %s", a.status, a.body)
		}
	})
}

func TestPassAndStaffScan(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		v := e.venue("Nhà máy Pou Chen", "25747", "")
		a := e.do(http.MethodPost, "/api/c/"+e.token(v)+"/pass", "", map[string]any{"identity": "0912345678"})
		if a.status != http.StatusOK {
			t.Fatalf("pass: %d %s", a.status, a.body)
		}
		m := a.json(t)
		pass, _ := m["pass"].(string)
		id, _ := tracing.ParseIdentity("0912345678")
		if got, err := e.keys.VerifyPersonPass(pass, start); err != nil || got != e.keys.PersonKey(id) {
			t.Fatalf("the pass %q is not the person's: %v", pass, err)
		}
		if svg, _ := m["svg"].(string); !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "M") < 100 {
			t.Errorf("svg %.80q", svg)
		}
		if strings.Contains(string(a.body), "912345678") || m["expires"] != start.Truncate(24*time.Hour).Add(30*24*time.Hour).Format(time.RFC3339) {
			t.Errorf("pass answer %s", a.body)
		}
		staff := "/api/s/" + e.staff(v) + "/checkins"
		forged := altered(t, pass, 12)
		for _, tc := range []struct {
			name    string
			advance time.Duration
			body    any
			status  int
			field   string
			row     float64
			visits  int
		}{
			{"pass", 0, map[string]any{"pass": pass}, http.StatusCreated, "", -1, 1},
			{"forged pass", 0, map[string]any{"pass": forged}, http.StatusUnprocessableEntity, "pass", -1, 1},
			{"pass and identity", 0, map[string]any{"pass": pass, "identity": "0912345678"}, http.StatusUnprocessableEntity, "pass", -1, 1},
			{"typed identity", 0, map[string]any{"identity": "079201001234"}, http.StatusCreated, "", -1, 2},
			{"batch with a bad row", time.Hour, map[string]any{"checkins": []any{
				map[string]any{"identity": "0987654321"}, map[string]any{"pass": pass}, map[string]any{"identity": "nope"}}},
				http.StatusUnprocessableEntity, "identity", 2, 2},
			{"batch with a row in the future", 0, map[string]any{"checkins": []any{
				map[string]any{"identity": "0987654321"}, map[string]any{"pass": pass, "at": start.Add(5 * time.Hour)}}},
				http.StatusUnprocessableEntity, "at", 1, 2},
			{"a scan from before what is kept", 0, map[string]any{"identity": "0987654321", "at": start.Add(-30 * 24 * time.Hour)},
				http.StatusUnprocessableEntity, "at", -1, 2},
			{"batch with a row from before what is kept", 0, map[string]any{"checkins": []any{
				map[string]any{"identity": "0987654321"}, map[string]any{"pass": pass, "at": start.Add(-30 * 24 * time.Hour)}}},
				http.StatusUnprocessableEntity, "at", 1, 2},
			{"batch", 0, map[string]any{"checkins": []any{
				map[string]any{"identity": "0987654321"}, map[string]any{"pass": pass}}}, http.StatusCreated, "", -1, 4},
			{"pass 31 days on", 31 * 24 * time.Hour, map[string]any{"pass": pass}, http.StatusUnprocessableEntity, "pass", -1, 4},
		} {
			e.clock.add(tc.advance)
			a := e.do(http.MethodPost, staff, "", tc.body)
			if a.status != tc.status {
				t.Fatalf("%s: %d, want %d: %s", tc.name, a.status, tc.status, a.body)
			}
			m := a.json(t)
			if tc.field != "" && m["field"] != tc.field {
				t.Errorf("%s: field %v, want %s", tc.name, m["field"], tc.field)
			}
			if tc.row >= 0 && m["row"] != tc.row {
				t.Errorf("%s: row %v, want %v", tc.name, m["row"], tc.row)
			}
			if n := len(e.visits(v)); n != tc.visits {
				t.Errorf("%s: %d visits, want %d", tc.name, n, tc.visits)
			}
		}
		for _, vis := range e.visits(v) {
			if vis.Source != tracing.StaffScan {
				t.Errorf("visit %d: source %s", vis.ID, vis.Source)
			}
		}
		other, _ := tracing.ParseIdentity("0987654321")
		if _, err := e.store.Person(e.admin(), e.keys.PersonKey(other)); err != nil {
			t.Errorf("the batch's typed person was not kept: %v", err)
		}
	})
}
