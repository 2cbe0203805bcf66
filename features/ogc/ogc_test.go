package ogc

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// fixedNow is the clock of every test page.
func fixedNow() time.Time { return time.Date(2021, 7, 5, 8, 0, 0, 0, time.UTC) }

// newServer mounts a handler over r at /ogc, with the server's error
// handler and its rules for the store's errors.
func newServer(r features.Reader, cfg Config) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Rules: []httpx.Rule{
			{Err: features.ErrNotFound, Status: http.StatusNotFound},
			{Err: features.ErrInvalid, Status: http.StatusBadRequest},
		},
	})
	cfg.Reader, cfg.Catalog = r, features.NewCatalog()
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	NewHandler(cfg).Register(e.Group("/ogc"))
	return e
}

// decode reads a JSON body into a generic value.
func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, rec.Body.String())
	}
	return v
}

func TestGolden(t *testing.T) {
	e := newServer(fixtureReader(), Config{Title: "Bando Bình Dương"})
	tests := []struct {
		name, target, golden, contentType string
	}{
		{"landing", "/ogc", "landing.json", mediaJSON},
		{"conformance", "/ogc/conformance", "conformance.json", mediaJSON},
		{"openapi", "/ogc/api", "openapi.json", mediaOpenAPI},
		{"collections", "/ogc/collections", "collections.json", mediaJSON},
		{"collection", "/ogc/collections/cases", "collection_cases.json", mediaJSON},
		{"queryables", "/ogc/collections/cases/queryables", "queryables_cases.json", mediaSchema},
		{"items", "/ogc/collections/cases/items?limit=3&offset=3&status=recovered", "items_cases.json", mediaGeoJSON},
		{"item", "/ogc/collections/medical_facilities/items/mf-02", "item_medical_facility.json", mediaGeoJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := testkit.GetOK(t, e, tt.target)
			if got := rec.Header().Get(echo.HeaderContentType); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			// NOTE: the golden files end with an empty line.
			testkit.Golden(t, filepath.Join("testdata", tt.golden), append(testkit.IndentJSON(t, rec.Body.Bytes()), '\n'))
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		target string
		fail   error // what the store returns, if anything
		code   int
		reason string // a word the reason must hold
	}{
		{"unknown parameter on landing", "/ogc?foo=1", nil, 400, `"foo"`},
		{"unknown parameter on collections", "/ogc/collections?limit=5", nil, 400, `"limit"`},
		{"unknown parameter on items", "/ogc/collections/cases/items?sort=id", nil, 400, `"sort"`},
		{"unknown parameter on item", "/ogc/collections/cases/items/BN0800?limit=1", nil, 400, `"limit"`},
		{"bbox-crs not supported", "/ogc/collections/cases/items?bbox=1,2,3,4&bbox-crs=x", nil, 400, "bbox-crs: crs: \"x\": crs: unsupported CRS; supported: http://www.opengis.net/def/crs/OGC/1.3/CRS84, "},
		{"parameter repeated", "/ogc/collections/cases/items?limit=1&limit=2", nil, 400, "given 2 times"},
		{"filter with a NUL byte", "/ogc/collections/cases/items?code=BN%00", nil, 400, `"code" is not valid UTF-8`},
		{"filter not UTF-8", "/ogc/collections/cases/items?code=BN%ff", nil, 400, `"code" is not valid UTF-8`},
		{"bbox hex float", "/ogc/collections/cases/items?bbox=0x1p3,2,3,4", nil, 400, `"0x1p3"`},
		{"bbox with underscores", "/ogc/collections/cases/items?bbox=1_0,2,30,4", nil, 400, `"1_0"`},
		{"bbox infinite", "/ogc/collections/cases/items?bbox=-Inf,2,3,4", nil, 400, `"-Inf"`},
		{"limit with underscores", "/ogc/collections/cases/items?limit=1_0", nil, 400, `"1_0"`},
		{"limit hex", "/ogc/collections/cases/items?limit=0x10", nil, 400, `"0x10"`},
		{"parameter empty", "/ogc/collections/cases/items?limit=", nil, 400, "no value"},
		{"unknown format", "/ogc/collections?f=xml", nil, 400, "xml"},
		{"no html for the queryables", "/ogc/collections/cases/queryables?f=html", nil, 400, "f=json"},
		{"unknown collection", "/ogc/collections/people", nil, 404, "people"},
		{"unknown collection items", "/ogc/collections/people/items", nil, 404, "people"},
		{"unknown collection queryables", "/ogc/collections/people/queryables", nil, 404, "people"},
		{"unknown feature", "/ogc/collections/cases/items/BN9999", nil, 404, `collection cases has no feature "BN9999"`},
		{"feature of another collection", "/ogc/collections/markets/items/BN0800", nil, 404, "BN0800"},
		{"bbox with 3 numbers", "/ogc/collections/cases/items?bbox=1,2,3", nil, 400, "4 comma-separated"},
		{"bbox with 5 numbers", "/ogc/collections/cases/items?bbox=1,2,0,3,4", nil, 400, "got 5"},
		{"bbox with 8 numbers", "/ogc/collections/cases/items?bbox=1,2,0,3,4,10,5,6", nil, 400, "got 8"},
		{"bbox in 3D, bottom above top", "/ogc/collections/cases/items?bbox=1,2,10,3,4,0", nil, 400, "bottom"},
		{"projected bbox in 3D, bottom above top", "/ogc/collections/cases/items?bbox=690000,1230000,10,700000,1240000,0&bbox-crs=EPSG:3405", nil, 400, "bottom"},
		{"projected bbox with 5 numbers", "/ogc/collections/cases/items?bbox=690000,1230000,0,700000,1240000&bbox-crs=EPSG:3405", nil, 400, "minX,minY,maxX,maxY in "},
		{"bbox in 3D, height not numeric", "/ogc/collections/cases/items?bbox=1,2,x,3,4,10", nil, 400, `"x"`},
		{"bbox across the antimeridian out of range", "/ogc/collections/cases/items?bbox=190,10,-170,11", nil, 400, "longitudes"},
		{"bbox not numeric", "/ogc/collections/cases/items?bbox=a,2,3,4", nil, 400, `"a"`},
		{"bbox NaN", "/ogc/collections/cases/items?bbox=NaN,2,3,4", nil, 400, "NaN"},
		{"bbox longitude out of range", "/ogc/collections/cases/items?bbox=100,10,181,11", nil, 400, "longitudes"},
		{"bbox latitude out of range", "/ogc/collections/cases/items?bbox=100,-91,101,11", nil, 400, "latitudes"},
		{"bbox south above north", "/ogc/collections/cases/items?bbox=106,11,107,10", nil, 400, "south latitude"},
		{"limit zero", "/ogc/collections/cases/items?limit=0", nil, 400, "limit"},
		{"limit negative", "/ogc/collections/cases/items?limit=-5", nil, 400, "limit"},
		{"limit not a number", "/ogc/collections/cases/items?limit=ten", nil, 400, `"ten"`},
		{"limit fractional", "/ogc/collections/cases/items?limit=1.5", nil, 400, `"1.5"`},
		{"offset negative", "/ogc/collections/cases/items?offset=-1", nil, 400, "offset"},
		{"offset not a number", "/ogc/collections/cases/items?offset=x", nil, 400, "offset"},
		{"offset above the maximum", "/ogc/collections/cases/items?offset=1000000001", nil, 400, "maximum of 1000000000"},
		{"offset the largest int", "/ogc/collections/cases/items?offset=9223372036854775807", nil, 400, "maximum of 1000000000"},
		{"offset too large for an int", "/ogc/collections/cases/items?offset=99999999999999999999", nil, 400, "maximum of 1000000000"},
		{"datetime open at both ends", "/ogc/collections/cases/items?datetime=../..", nil, 400, "open at both ends"},
		{"datetime only a slash", "/ogc/collections/cases/items?datetime=/", nil, 400, "open at both ends"},
		{"datetime unreadable on a timeless collection", "/ogc/collections/markets/items?datetime=yesterday", nil, 400, "yesterday"},
		{"datetime reversed on a timeless collection", "/ogc/collections/markets/items?datetime=2021-07-05/2021-07-01", nil, 400, "ends before"},
		{"datetime unreadable", "/ogc/collections/cases/items?datetime=yesterday", nil, 400, "yesterday"},
		{"datetime reversed", "/ogc/collections/cases/items?datetime=2021-07-05/2021-07-01", nil, 400, "ends before"},
		{"filter outside the vocabulary", "/ogc/collections/cases/items?status=cured", nil, 400, "recovered"},
		{"filter on a date that is not one", "/ogc/collections/cases/items?report_date=5/7/2021", nil, 400, "report_date"},
		{"filter on a property that is not filterable", "/ogc/collections/markets/items?address=x", nil, 400, "cannot be filtered"},
		{"store refuses the query", "/ogc/collections/cases/items", features.ErrInvalid, 400, "invalid"},
		{"store fails", "/ogc/collections/cases/items", errors.New("pq: relation secret_table does not exist"), 500, "failed to answer"},
		{"store fails on extent", "/ogc/collections", errors.New("pq: relation secret_table does not exist"), 500, "failed to answer"},
		{"store loses the feature", "/ogc/collections/cases/items/BN0800", features.ErrNotFound, 404, "BN0800"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			r.Fail(tt.fail)
			rec := testkit.Get(newServer(r, Config{}), tt.target)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			body := decode(t, rec)
			reason, _ := body["detail"].(string)
			if body["status"] != float64(tt.code) || !strings.Contains(reason, tt.reason) {
				t.Errorf("body %s, want code %d and a reason with %q", rec.Body, tt.code, tt.reason)
			}
			if strings.Contains(rec.Body.String(), "secret_table") {
				t.Errorf("internal error text reached the client: %s", rec.Body)
			}
		})
	}
}

func TestItemsQuery(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(features.DateLayout, s); return t }
	tests := []struct {
		name    string
		target  string
		check   func(q features.ItemsQuery) bool
		matched int
	}{
		{"defaults", "/ogc/collections/cases/items",
			func(q features.ItemsQuery) bool {
				return q.Limit == DefaultLimit && q.Offset == 0 && q.BBox == nil && q.Interval == nil && q.Filters == nil
			}, 30},
		{"limit above the maximum is clamped", "/ogc/collections/cases/items?limit=20000",
			func(q features.ItemsQuery) bool { return q.Limit == MaxLimit }, 30},
		{"limit too large for an int is clamped", "/ogc/collections/cases/items?limit=99999999999999999999999",
			func(q features.ItemsQuery) bool { return q.Limit == MaxLimit }, 30},
		{"bbox", "/ogc/collections/cases/items?bbox=106.6,10.95,106.63,10.97",
			func(q features.ItemsQuery) bool {
				return q.BBox != nil && q.BBox.Min.Lon() == 106.6 && q.BBox.Max.Lat() == 10.97
			}, 10},
		{"bbox with heights, which are ignored", "/ogc/collections/cases/items?bbox=106.6,10.95,-50,106.63,10.97,8848",
			func(q features.ItemsQuery) bool {
				return q.BBox != nil && *q.BBox == orb.Bound{Min: orb.Point{106.6, 10.95}, Max: orb.Point{106.63, 10.97}}
			}, 10},
		{"bbox across the antimeridian", "/ogc/collections/cases/items?bbox=170,-10,-170,10",
			func(q features.ItemsQuery) bool {
				return q.BBox != nil && *q.BBox == orb.Bound{Min: orb.Point{170, -10}, Max: orb.Point{-170, 10}}
			}, 0},
		{"bbox across the antimeridian reaching Vietnam", "/ogc/collections/cases/items?bbox=106.615,10.95,106.6,10.97",
			// 10 cases in the latitude band, 6 of them between 106.6 and 106.615.
			func(q features.ItemsQuery) bool { return q.BBox.Min.Lon() == 106.615 }, 4},
		{"datetime on a timeless collection: every feature matches", "/ogc/collections/markets/items?datetime=2021-07-01",
			func(q features.ItemsQuery) bool { return q.Interval == nil }, 7},
		{"datetime interval on a timeless collection", "/ogc/collections/districts/items?datetime=2021-07-01T00:00:00Z/..",
			func(q features.ItemsQuery) bool { return q.Interval == nil }, 2},
		{"datetime interval", "/ogc/collections/cases/items?datetime=2021-07-03/2021-07-04",
			func(q features.ItemsQuery) bool {
				return q.Interval != nil && q.Interval.Start.Equal(d("2021-07-03")) && q.Interval.End.Equal(d("2021-07-04"))
			}, 6},
		{"datetime instant on periods", "/ogc/collections/quarantine_zones/items?datetime=2021-07-04T12:00:00Z",
			func(q features.ItemsQuery) bool { return q.Interval.Start.Equal(d("2021-07-04")) }, 2},
		{"datetime open start", "/ogc/collections/quarantine_zones/items?datetime=../2021-07-01",
			func(q features.ItemsQuery) bool { return q.Interval.Start.IsZero() }, 1},
		{"filter", "/ogc/collections/cases/items?status=recovered",
			func(q features.ItemsQuery) bool { return len(q.Filters) == 1 && q.Filters["status"] == "recovered" }, 10},
		{"two filters", "/ogc/collections/cases/items?status=died&report_date=2021-07-03",
			func(q features.ItemsQuery) bool {
				return len(q.Filters) == 2 && q.Filters["report_date"] == "2021-07-03"
			}, 1},
		{"filter on a boundary", "/ogc/collections/districts/items?name=B%C3%A0u%20B%C3%A0ng",
			func(q features.ItemsQuery) bool { return q.Filters["name"] == "Bàu Bàng" }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixtureReader()
			rec := testkit.Get(newServer(r, Config{}), tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if !tt.check(r.LastItems()) {
				t.Errorf("store got %+v", r.LastItems())
			}
			if got := decode(t, rec)["numberMatched"]; got != float64(tt.matched) {
				t.Errorf("numberMatched %v, want %d", got, tt.matched)
			}
		})
	}
}
