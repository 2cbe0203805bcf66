package ogc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/ogc"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// emptyStore is a store with nothing in it, enough to serve the metadata.
type emptyStore struct{}

func (emptyStore) Items(context.Context, features.ItemsQuery) (features.Page, error) {
	return features.Page{}, nil
}
func (emptyStore) Item(context.Context, features.Collection, string) (features.Feature, error) {
	return features.Feature{}, features.ErrNotFound
}
func (emptyStore) Extent(context.Context, features.Collection) (features.Extent, error) {
	return features.Extent{}, nil
}
func (emptyStore) Nearby(context.Context, features.NearbyQuery) ([]features.Near, error) {
	return nil, nil
}
func (emptyStore) Search(context.Context, features.SearchQuery) ([]features.Match, error) {
	return nil, nil
}

func ExampleHandler_Register() {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(httpx.ErrorConfig{})
	h := ogc.NewHandler(ogc.Config{Reader: emptyStore{}, Catalog: features.NewCatalog(), BaseURL: "https://bando.example.org"})
	h.Register(e.Group("/ogc"))

	for _, target := range []string{"/ogc/conformance", "/ogc/collections/cases/items?sort=id"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Println(rec.Code, rec.Header().Get(echo.HeaderContentType))
	}
	// Output:
	// 200 application/json
	// 400 application/problem+json
}
