package ogc

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

//go:embed templates/page.html
var templateFS embed.FS

// pages renders the HTML encoding: one page layout, filled by a pageView.
type pages struct {
	page *template.Template
}

func newPages() *pages {
	return &pages{page: template.Must(template.ParseFS(templateFS, "templates/page.html"))}
}

// pageView is what one HTML page shows. Every field is optional.
type pageView struct {
	Service     string
	Root        string
	Trail       []link
	Title       string
	Description string
	Facts       []fact
	List        []string
	Collections []collectionRow
	Features    []featureView
	Links       []link
}

// fact is one row of a name/value table.
type fact struct {
	Name  string
	Value string
}

// collectionRow is one collection in the list of collections.
type collectionRow struct {
	ID, Title, Description string
	Href, ItemsHref        string
}

// featureView is one feature: its id, a short geometry text and properties.
type featureView struct {
	ID         string
	Href       string
	Geometry   string
	Properties []fact
}

// render writes v as an HTML page.
func (p *pages) render(c echo.Context, v pageView) error {
	var buf bytes.Buffer
	if err := p.page.Execute(&buf, v); err != nil {
		return fmt.Errorf("ogc: html page %q: %w", v.Title, err)
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// geometryText describes a geometry in a line: a point by its coordinates,
// anything else by its type and bounding box.
func geometryText(g orb.Geometry) string {
	switch g := g.(type) {
	case nil:
		return "none"
	case orb.Point:
		return fmt.Sprintf("Point (%.6f, %.6f)", g.Lon(), g.Lat())
	}
	b := g.Bound()
	return fmt.Sprintf("%s within (%.6f, %.6f) - (%.6f, %.6f)", g.GeoJSONType(), b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat())
}

// valueText writes a property value for a page.
func valueText(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
