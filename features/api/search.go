package api

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"
)

// Bounds of the search parameters.
const (
	// MinQueryRunes is the shortest query, counted after folding.
	MinQueryRunes = 2
	// MaxQueryRunes is the longest query, counted in NFC.
	MaxQueryRunes = 100
	// DefaultSearchLimit is the number of results when limit is absent.
	DefaultSearchLimit = 10
	// MaxSearchLimit is the largest limit accepted.
	MaxSearchLimit = 50
)

// searchResponse is the body of /api/search.
type searchResponse struct {
	Query   string   `json:"query"`
	Results []result `json:"results"`
}

// result is one named place, ward or district, with what tells it apart
// from others of the same name: its address, ward and district (omitted
// when it has none).
type result struct {
	Collection string     `json:"collection"`
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Address    string     `json:"address,omitempty"`
	Ward       string     `json:"ward,omitempty"`
	District   string     `json:"district,omitempty"`
	Lon        float64    `json:"lon"`
	Lat        float64    `json:"lat"`
	BBox       [4]float64 `json:"bbox"`
}

// search answers GET /api/search?q=&limit= with the places, wards and
// districts whose name holds every word of q, accents aside.
func (h *Handler) search(c echo.Context) error {
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "q", "limit"); err != nil {
		return err
	}
	// NOTE: the same Vietnamese letter may come composed (ộ, one rune) or
	// decomposed (o and two combining marks, as some keyboards send it);
	// NFC makes the length limit count letters either way.
	text := norm.NFC.String(strings.TrimSpace(q.Get("q")))
	switch n := utf8.RuneCountInString(features.Fold(text)); {
	case !q.Has("q"):
		return httpx.BadRequest("q is required: the name to look for")
	case n < MinQueryRunes:
		return httpx.BadRequest("q: %q is too short; give at least %d letters or digits", text, MinQueryRunes)
	case utf8.RuneCountInString(text) > MaxQueryRunes:
		return httpx.BadRequest("q: longer than %d characters", MaxQueryRunes)
	}
	limit, err := httpx.Range{Name: "limit", Min: 1, Max: MaxSearchLimit}.Int(q, DefaultSearchLimit)
	if err != nil {
		return err
	}
	matches, err := h.reader.Search(c.Request().Context(), features.SearchQuery{
		Text: text, Collections: h.searchable(), Limit: limit,
	})
	if err != nil {
		return fmt.Errorf("api: search: %w", err)
	}
	names, err := h.areaNames(c.Request().Context())
	if err != nil {
		return err
	}
	resp := searchResponse{Query: text, Results: make([]result, 0, len(matches))}
	for _, m := range matches {
		if col, err := h.catalog.Get(m.Collection); err != nil || col.People {
			continue
		}
		resp.Results = append(resp.Results, result{
			Collection: m.Collection, ID: m.ID, Name: m.Name, Address: m.Address,
			Ward: names.wards[m.WardCode], District: names.districts[m.DistrictCode],
			Lon: round7(m.Point.Lon()), Lat: round7(m.Point.Lat()),
			BBox: [4]float64{round7(m.Bounds.Min.Lon()), round7(m.Bounds.Min.Lat()), round7(m.Bounds.Max.Lon()), round7(m.Bounds.Max.Lat())},
		})
	}
	return c.JSON(http.StatusOK, resp)
}

// searchable lists the collections searched: all but the people layers.
func (h *Handler) searchable() []features.Collection {
	var cols []features.Collection
	for _, col := range h.catalog.All() {
		if !col.People {
			cols = append(cols, col)
		}
	}
	return cols
}
