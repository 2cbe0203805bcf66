package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/features/postgis/pgtest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// editingServer is the real server, its middleware included, on a fresh
// store opened as bando serve opens it (with the audit signer of the
// configured secret), with bearer tokens of an editor and a viewer, and a
// second instance of the server on the same data (for PostGIS, its own
// pool; for the embedded store, the same store) with its own memory, both
// caching tiles in one Redis.
type editingServer struct {
	url            string
	editor, viewer string
	admin          string
	// reader is the other instance's URL; store and readerStore their
	// stores, to wait until the reader has heard of a change.
	reader             string
	store, readerStore backend
}

func newEditingServer(t *testing.T, kind string) *editingServer {
	t.Helper()
	ctx := context.Background()
	cfg := testConfig(t)
	if kind == "postgis" {
		cfg.DatabaseURL = pgtest.NewDatabase(t)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := cfg.secret(); err != nil { // as serve does
		t.Fatal(err)
	}
	b, err := openBackend(ctx, cfg, true, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	districts := features.Record{ID: "718", Geometry: orb.MultiPolygon{{{{106.6, 10.95}, {106.7, 10.95}, {106.7, 11.05}, {106.6, 11.05}, {106.6, 10.95}}}},
		Properties: map[string]any{"code": "718", "name": "Thành phố Thủ Dầu Một"}}
	if _, err := b.Write(ctx, features.Batch{Collection: "districts", Mode: features.Replace, Records: slices.Values([]features.Record{districts})}); err != nil {
		t.Fatal(err)
	}
	authn, err := newAuthenticator(cfg, b, log)
	if err != nil {
		t.Fatal(err)
	}
	shared := sharedRedis(t)
	srv := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: b, cache: shared, log: log, metrics: newMetrics(), auth: authn}))
	t.Cleanup(srv.Close)
	rb := b
	if kind == "postgis" {
		if rb, err = openBackend(ctx, cfg, false, log); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(rb.Close)
	}
	reader := httptest.NewServer(newServer(serverDeps{cfg: cfg, store: rb, cache: shared, log: log, metrics: newMetrics(), auth: authn}))
	t.Cleanup(reader.Close)
	token := func(name string, role auth.Role) string {
		if _, err := auth.AddUser(ctx, authn.Store(), auth.NewUser{Name: name, Role: role}, auth.Actor{Name: "cli:test"}); err != nil {
			t.Fatal(err)
		}
		_, secret, err := auth.CreateToken(ctx, authn.Store(), auth.TokenRequest{User: name, TTL: time.Hour}, time.Now(), auth.Actor{Name: "cli:test"})
		if err != nil {
			t.Fatal(err)
		}
		return "Authorization: Bearer " + secret
	}
	return &editingServer{url: srv.URL, editor: token("binh", auth.Editor), viewer: token("dung", auth.Viewer), admin: token("anh", auth.Admin),
		reader: reader.URL, store: b, readerStore: rb}
}

// send makes one request with a JSON body and headers ("Name: value").
func send(t *testing.T, method, u, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// TestEditsThroughTheServer drives officials' editing through the real
// server on both stores: tokens, If-Match, a zone published reaching the
// public tiles, items, search and nearby for its dates at once, through the
// tile caches of this instance (memory, Redis) and of another instance
// whose memory and the shared Redis held the tile before; lifting it, and
// the audit log verifying.
func TestEditsThroughTheServer(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newEditingServer(t, kind)
			zone := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[106.650,10.980],[106.660,10.980],[106.660,10.990],[106.650,10.990],[106.650,10.980]]]},
				"properties":{"name":"Khu phố Tân Mỹ","start":"2021-07-01"}}`
			zones := s.url + "/ogc/collections/quarantine_zones/items"
			if res, _ := send(t, http.MethodPost, zones, zone); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("no token: %d", res.StatusCode)
			}
			if res, _ := send(t, http.MethodPost, zones, zone, s.viewer); res.StatusCode != http.StatusForbidden {
				t.Errorf("viewer: %d", res.StatusCode)
			}
			res, body := send(t, http.MethodPost, zones, zone, s.editor)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", res.StatusCode, body)
			}
			var created struct{ ID string }
			if err := json.Unmarshal([]byte(body), &created); err != nil {
				t.Fatal(err)
			}
			tile := maptile.At(orb.Point{106.655, 10.985}, 13)
			tilePath := fmt.Sprintf("/tiles/quarantine_zones/%d/%d/%d.mvt?date=", tile.Z, tile.X, tile.Y)
			tileOf := func(server, day string) bool {
				res, body := do(t, http.MethodGet, server+tilePath+day)
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
					t.Fatalf("tile: %d %s", res.StatusCode, body)
				}
				return strings.Contains(body, "Khu phố Tân Mỹ")
			}
			inTile := func(day string) bool { return tileOf(s.url, day) }
			inItems := func(day string) bool {
				_, body := do(t, http.MethodGet, zones+"?datetime="+day)
				return strings.Contains(body, created.ID)
			}
			found := func(server string) (search, nearby bool) {
				_, body := do(t, http.MethodGet, server+"/api/search?q=T%C3%A2n+M%E1%BB%B9")
				search = strings.Contains(body, created.ID)
				_, body = do(t, http.MethodGet, server+"/api/nearby?lon=106.655&lat=10.985&radius=200&layers=quarantine_zones")
				return search, strings.Contains(body, created.ID)
			}
			if inTile("2021-07-10") || inItems("2021-07-10") || tileOf(s.reader, "2021-07-10") {
				t.Fatal("a draft zone is public")
			}
			for _, server := range []string{s.url, s.reader} {
				if search, nearby := found(server); search || nearby {
					t.Fatalf("a draft zone is found by search (%v) or nearby (%v)", search, nearby)
				}
			}
			item := zones + "/" + created.ID
			if res, _ := send(t, http.MethodPatch, item, `{"properties":{"status":"published"}}`, s.editor); res.StatusCode != http.StatusPreconditionRequired {
				t.Errorf("PATCH without If-Match: %d", res.StatusCode)
			}
			res, body = send(t, http.MethodPatch, item, `{"properties":{"status":"published"}}`, s.editor, `If-Match: "r1"`)
			if res.StatusCode != http.StatusOK || strings.TrimPrefix(res.Header.Get("ETag"), "W/") != `"r2"` {
				t.Fatalf("publish: %d %s %s", res.StatusCode, res.Header.Get("ETag"), body)
			}
			if !inTile("2021-07-10") || !inItems("2021-07-10") {
				t.Error("a published zone is not in the public tile and items at once")
			}
			if search, nearby := found(s.url); !search || !nearby {
				t.Errorf("a published zone is not found at once by search (%v) or nearby (%v)", search, nearby)
			}
			waitForVersion(t, s.readerStore, s.store.Version())
			if !tileOf(s.reader, "2021-07-10") {
				t.Error("the other instance serves the tile it cached before the zone was published")
			}
			if search, nearby := found(s.reader); !search || !nearby {
				t.Errorf("the other instance does not find the published zone by search (%v) or nearby (%v)", search, nearby)
			}
			if res, _ := do(t, http.MethodGet, item); strings.TrimPrefix(res.Header.Get("ETag"), "W/") != `"r2"` {
				t.Errorf("public item ETag %q, want \"r2\"", res.Header.Get("ETag"))
			}
			if res, _ := send(t, http.MethodPatch, item, `{"properties":{"status":"draft"}}`, s.editor, `If-Match: "r1"`); res.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("stale PATCH: %d", res.StatusCode)
			}
			res, body = send(t, http.MethodPatch, item, `{"properties":{"status":"lifted","end":"2021-07-15"}}`, s.editor, `If-Match: "r2"`)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("lift: %d %s", res.StatusCode, body)
			}
			if !inTile("2021-07-12") || inTile("2021-07-20") || inItems("2021-07-20") {
				t.Error("a zone lifted on 2021-07-15: want it on the map of 2021-07-12 only")
			}
			if res, _ := send(t, http.MethodDelete, item, "", s.editor, `If-Match: "r3"`); res.StatusCode != http.StatusConflict {
				t.Errorf("delete a lifted zone: %d, want 409", res.StatusCode)
			}
			res, body = send(t, http.MethodGet, s.url+"/api/audit/verify", "", s.admin)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `"ok":true`) {
				t.Errorf("verify: %d %s", res.StatusCode, body)
			}
			if res, _ := send(t, http.MethodGet, s.url+"/api/audit", "", s.editor); res.StatusCode != http.StatusForbidden {
				t.Errorf("audit as an editor: %d", res.StatusCode)
			}
		})
	}
}

// TestEveryEditableCollection creates, replaces, patches and deletes a
// feature of each collection officials edit, through the real server: 201
// with Location and ETag, each change a new revision that the public item
// (drafts aside) shows at once, and the feature gone after DELETE.
func TestEveryEditableCollection(t *testing.T) {
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			s := newEditingServer(t, kind)
			for _, col := range edit.Editable() {
				t.Run(col, func(t *testing.T) {
					items := s.url + "/ogc/collections/" + col + "/items"
					res, body := send(t, http.MethodPost, items, featureAt(col, pointIn718), s.editor)
					var f struct{ ID string }
					if err := json.Unmarshal([]byte(body), &f); err != nil || res.StatusCode != http.StatusCreated ||
						res.Header.Get("Location") != items+"/"+f.ID || etag(res) != `"r1"` {
						t.Fatalf("create: %d, Location %q, ETag %q: %s", res.StatusCode, res.Header.Get("Location"), res.Header.Get("ETag"), body)
					}
					item := items + "/" + f.ID
					replacement := featureAt(col, "[106.656,10.986]")
					if col == "cases" {
						replacement = featureCase(f.ID, "[106.656,10.986]")
					}
					if res, body := send(t, http.MethodPut, item, replacement, s.editor, `If-Match: "r1"`); res.StatusCode != http.StatusOK || etag(res) != `"r2"` {
						t.Fatalf("replace: %d %s: %s", res.StatusCode, res.Header.Get("ETag"), body)
					}
					patch := `{"properties":{"district_code":"718"}}`
					if res, body := send(t, http.MethodPatch, item, patch, s.editor, `If-Match: "r2"`); res.StatusCode != http.StatusOK || etag(res) != `"r3"` {
						t.Fatalf("patch: %d %s: %s", res.StatusCode, res.Header.Get("ETag"), body)
					}
					switch col {
					case "quarantine_zones": // a draft is not public
					case "cases": // people are public only as counted groups
						if res, body := do(t, http.MethodGet, item); res.StatusCode != http.StatusNotFound {
							t.Errorf("public item of a case: %d, want 404: %.200s", res.StatusCode, body)
						}
						res, body := send(t, http.MethodGet, s.url+"/api/editor/collections/"+col+"/items/"+f.ID, "", s.editor)
						if res.StatusCode != http.StatusOK || !strings.Contains(body, `"718"`) {
							t.Errorf("editor's item after the patch: %d: %.200s", res.StatusCode, body)
						}
					default:
						res, body := do(t, http.MethodGet, item)
						if res.StatusCode != http.StatusOK || etag(res) != `"r3"` || !strings.Contains(body, `"718"`) {
							t.Errorf("public item after the patch: %d %s: %.200s", res.StatusCode, res.Header.Get("ETag"), body)
						}
					}
					if res, body := send(t, http.MethodDelete, item, "", s.editor, `If-Match: "r3"`); res.StatusCode != http.StatusNoContent {
						t.Fatalf("delete: %d: %s", res.StatusCode, body)
					}
					if res, _ := send(t, http.MethodGet, s.url+"/api/editor/collections/"+col+"/items/"+f.ID, "", s.editor); res.StatusCode != http.StatusNotFound {
						t.Errorf("after delete: %d, want 404", res.StatusCode)
					}
				})
			}
		})
	}
}

// etag is an answer's entity tag, strong or not: the server's gzip weakens
// the tags of the answers it compresses, which name the revision all the same.
func etag(res *http.Response) string { return strings.TrimPrefix(res.Header.Get("ETag"), "W/") }
