package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/api"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// oneMarket is a store holding a single market, and no zones.
type oneMarket struct{ features.Reader }

func (oneMarket) Items(context.Context, features.ItemsQuery) (features.Page, error) {
	return features.Page{}, nil
}

func (oneMarket) Nearby(_ context.Context, q features.NearbyQuery) ([]features.Near, error) {
	f := features.Feature{Collection: "markets", ID: "mk-1", Geometry: orb.Point{106.654, 10.98},
		Properties: map[string]any{"name": "Chợ Thủ Dầu Một"}}
	return []features.Near{{Feature: f, DistanceM: 137.6}}, nil
}

func ExampleHandler_Register() {
	e := echo.New()
	api.NewHandler(api.Config{Reader: oneMarket{}, Catalog: features.NewCatalog()}).Register(e.Group("/api"))

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/nearby?lon=106.6528&lat=10.9804&layers=markets", nil))
	fmt.Print(rec.Body.String())
	// Output:
	// {"center":[106.6528,10.9804],"radius":2000,"places":[{"collection":"markets","id":"mk-1","name":"Chợ Thủ Dầu Một","distance_m":138,"lon":106.654,"lat":10.98,"properties":{"name":"Chợ Thủ Dầu Một"},"in_zone":null}]}
}
