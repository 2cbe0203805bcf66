package ogc

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/crs"
	"github.com/labstack/echo/v4"
)

// Reference systems of the extents: CRS84 (lon, lat on WGS84) and the
// Gregorian calendar.
const (
	crs84     = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	gregorian = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
)

// collectionsPage is the JSON of /collections.
type collectionsPage struct {
	Links       []link           `json:"links"`
	Collections []collectionInfo `json:"collections"`
}

// collectionInfo describes one collection.
type collectionInfo struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description,omitempty"`
	Links       []link      `json:"links"`
	Extent      *extentInfo `json:"extent,omitempty"`
	ItemType    string      `json:"itemType"`
	// CRS lists the CRSs items may be asked in (Part 2); StorageCRS is the
	// one the stores hold, in which no coordinate is transformed.
	CRS        []string `json:"crs"`
	StorageCRS string   `json:"storageCrs"`
}

// extentInfo is a collection's extent; a part is absent when unknown.
type extentInfo struct {
	Spatial  *spatialExtent  `json:"spatial,omitempty"`
	Temporal *temporalExtent `json:"temporal,omitempty"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

// temporalExtent holds one interval; a nil bound is open or unknown.
type temporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

// collections serves the list of collections, each with its extent.
func (h *Handler) collections(c echo.Context) error {
	f, err := h.begin(c, nil, true)
	if err != nil {
		return err
	}
	base := h.base(c, routeCollections)
	page := collectionsPage{Links: selfLinks(base+routeCollections, c.QueryParams(), f, mediaJSON)}
	for _, col := range h.catalog.All() {
		self := []link{{Href: collectionHref(base, col.ID), Rel: "self", Type: mediaJSON, Title: "This collection"}}
		info, err := h.describe(c.Request().Context(), base, col, self)
		if err != nil {
			return err
		}
		page.Collections = append(page.Collections, info)
	}
	setLinkHeader(c, page.Links)
	if f == formatHTML {
		return h.pages.render(c, collectionsView(h.title, base, page))
	}
	return writeJSON(c, mediaJSON, page)
}

// collection serves one collection's description.
func (h *Handler) collection(c echo.Context) error {
	col, err := h.collectionOf(c)
	if err != nil {
		return err
	}
	f, err := h.begin(c, nil, true)
	if err != nil {
		return err
	}
	base := h.base(c, routeCollection)
	self := selfLinks(collectionHref(base, col.ID), c.QueryParams(), f, mediaJSON)
	info, err := h.describe(c.Request().Context(), base, col, self)
	if err != nil {
		return err
	}
	setLinkHeader(c, info.Links)
	if f == formatHTML {
		return h.pages.render(c, collectionView(h.title, base, info))
	}
	return writeJSON(c, mediaJSON, info)
}

// describe builds a collection's description with its extent from the
// store; its links start with self.
func (h *Handler) describe(ctx context.Context, base string, col features.Collection, self []link) (collectionInfo, error) {
	ext, err := h.reader.Extent(ctx, col)
	if err != nil {
		return collectionInfo{}, storeError(err, fmt.Sprintf("extent of %s", col.ID))
	}
	href := collectionHref(base, col.ID)
	return collectionInfo{
		ID:          col.ID,
		Title:       col.Title,
		Description: col.Description,
		Links: append(self,
			link{Href: href + "/items", Rel: "items", Type: mediaGeoJSON, Title: col.Title + " as GeoJSON"},
			link{Href: href + "/items?f=html", Rel: "items", Type: mediaHTML, Title: col.Title + " as HTML"},
			link{Href: href + "/queryables", Rel: relQueryables, Type: mediaSchema, Title: "Properties to filter on"},
		),
		Extent:     extentOf(col, ext),
		ItemType:   "feature",
		CRS:        crs.SupportedURIs(),
		StorageCRS: crs.CRS84.URI(),
	}, nil
}

func collectionHref(base, id string) string {
	return base + routeCollections + "/" + url.PathEscape(id)
}

// extentOf writes a store's extent; the temporal part only for collections
// bound in time.
func extentOf(col features.Collection, ext features.Extent) *extentInfo {
	var out extentInfo
	if b := ext.Bounds; b != nil {
		out.Spatial = &spatialExtent{
			BBox: [][4]float64{{b.Min.Lon(), b.Min.Lat(), b.Max.Lon(), b.Max.Lat()}},
			CRS:  crs84,
		}
	}
	if col.Temporal != nil {
		out.Temporal = &temporalExtent{
			Interval: [][2]*string{{timeText(ext.Start), timeText(ext.End)}},
			TRS:      gregorian,
		}
	}
	if out.Spatial == nil && out.Temporal == nil {
		return nil
	}
	return &out
}

func timeText(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func collectionsView(service, base string, page collectionsPage) pageView {
	v := pageView{Service: service, Root: base, Title: "Collections", Links: page.Links}
	for _, col := range page.Collections {
		href := collectionHref(base, col.ID)
		v.Collections = append(v.Collections, collectionRow{
			ID: col.ID, Title: col.Title, Description: col.Description,
			Href: href + "?f=html", ItemsHref: href + "/items?f=html",
		})
	}
	return v
}

func collectionView(service, base string, info collectionInfo) pageView {
	v := pageView{
		Service: service, Root: base, Title: info.Title, Description: info.Description, Links: info.Links,
		Trail: []link{{Href: base + routeCollections + "?f=html", Title: "Collections"}},
		Facts: []fact{{Name: "id", Value: info.ID}, {Name: "item type", Value: info.ItemType}},
	}
	if e := info.Extent; e != nil && e.Spatial != nil {
		b := e.Spatial.BBox[0]
		v.Facts = append(v.Facts, fact{Name: "spatial extent", Value: fmt.Sprintf("%.6f, %.6f, %.6f, %.6f (lon, lat)", b[0], b[1], b[2], b[3])})
	}
	if e := info.Extent; e != nil && e.Temporal != nil {
		iv := e.Temporal.Interval[0]
		v.Facts = append(v.Facts, fact{Name: "temporal extent", Value: boundText(iv[0]) + " / " + boundText(iv[1])})
	}
	return v
}

func boundText(s *string) string {
	if s == nil {
		return ".."
	}
	return *s
}
