package ogc

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/cql2"
	"github.com/bandomap/bando/features/crs"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

// featureCollection is a page of items: a GeoJSON FeatureCollection with the
// members OGC API Features adds.
type featureCollection struct {
	Type           string             `json:"type"`
	TimeStamp      string             `json:"timeStamp"`
	NumberMatched  int                `json:"numberMatched"`
	NumberReturned int                `json:"numberReturned"`
	Links          []link             `json:"links"`
	Features       []*geojson.Feature `json:"features"`
}

// items serves /collections/{collectionId}/items: one page of features.
func (h *Handler) items(c echo.Context) error {
	col, err := h.collectionOf(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	if err := checkItemsParams(col, q); err != nil {
		return err
	}
	f, err := negotiate(c, true)
	if err != nil {
		return err
	}
	query, err := itemsQuery(col, q)
	if err != nil {
		return err
	}
	out, err := outputCRS(q, f)
	if err != nil {
		return err
	}
	page, err := h.reader.Items(c.Request().Context(), query)
	if err != nil {
		return storeError(err, "items of "+col.ID)
	}
	base := h.base(c, routeItems)
	links := itemsLinks(collectionHref(base, col.ID), q, f, query, page)
	setLinkHeader(c, links)
	setContentCRS(c, out)
	if f == formatHTML {
		return h.pages.render(c, itemsView(h.title, base, col, page, links))
	}
	if page.Features, err = inCRS(out, page.Features); err != nil {
		return err
	}
	fc := featureCollection{
		Type:           "FeatureCollection",
		TimeStamp:      h.now().UTC().Format(time.RFC3339),
		NumberMatched:  page.NumberMatched,
		NumberReturned: len(page.Features),
		Links:          links,
		Features:       make([]*geojson.Feature, 0, len(page.Features)),
	}
	for _, feat := range page.Features {
		fc.Features = append(fc.Features, toGeoJSON(col, feat))
	}
	return writeJSON(c, mediaGeoJSON, fc)
}

// item serves /collections/{collectionId}/items/{featureId}: one feature.
func (h *Handler) item(c echo.Context) error {
	col, err := h.collectionOf(c)
	if err != nil {
		return err
	}
	id, err := pathParam(c, "featureId")
	if err != nil {
		return err
	}
	f, err := h.begin(c, []string{paramCRS}, true)
	if err != nil {
		return err
	}
	out, err := outputCRS(c.QueryParams(), f)
	if err != nil {
		return err
	}
	feat, err := h.reader.Item(c.Request().Context(), col, id)
	if err != nil {
		return storeError(err, fmt.Sprintf("collection %s has no feature %q", col.ID, id))
	}
	if err := h.setRevisionTag(c, col, id); err != nil {
		return err
	}
	setContentCRS(c, out)
	if f != formatHTML {
		fs, err := inCRS(out, []features.Feature{feat})
		if err != nil {
			return err
		}
		feat = fs[0]
	}
	base := h.base(c, routeItem)
	href := collectionHref(base, col.ID)
	links := append(selfLinks(href+"/items/"+url.PathEscape(id), c.QueryParams(), f, mediaGeoJSON),
		link{Href: href, Rel: "collection", Type: mediaJSON, Title: col.Title})
	setLinkHeader(c, links)
	if f == formatHTML {
		return h.pages.render(c, itemView(h.title, base, col, feat, links))
	}
	gj := toGeoJSON(col, feat)
	gj.ExtraMembers = geojson.Properties{"links": links}
	return writeJSON(c, mediaGeoJSON, gj)
}

// setRevisionTag sends the ETag of an editable item's revision, the one an
// official's change names in If-Match (OGC API Features Part 4).
func (h *Handler) setRevisionTag(c echo.Context, col features.Collection, id string) error {
	if h.editable == nil || h.revisions == nil || !h.editable(col.ID) {
		return nil
	}
	st, err := h.revisions.Current(c.Request().Context(), col, id)
	if errors.Is(err, features.ErrNotFound) {
		return nil // deleted since it was read: no tag
	}
	if err != nil {
		return storeError(err, fmt.Sprintf("revision of %s %q", col.ID, id))
	}
	c.Response().Header().Set("ETag", `"r`+strconv.FormatInt(st.Revision, 10)+`"`)
	return nil
}

// checkItemsParams refuses unknown parameters, repeated or empty ones and
// values that are not clean text (httpx.CheckQuery), as OGC API Features
// requires (/req/core/query-param-unknown): a filter with a NUL byte or
// invalid UTF-8 is a 400 here, whatever the store. A property of the
// collection that may not be filtered on gets its own reason, listing those
// that may.
func checkItemsParams(col features.Collection, q url.Values) error {
	allowed := itemsParams(col)
	for _, name := range sortedKeys(q) {
		if p, ok := col.Property(name); ok && !p.Filterable && !col.IsTemporal(name) {
			return badRequest("property %q of %s cannot be filtered on; filterable: %s",
				name, col.ID, filterableNames(col))
		}
	}
	return httpx.CheckQuery(q, allowed...)
}

// itemsQuery reads the items parameters into a store query.
func itemsQuery(col features.Collection, q url.Values) (features.ItemsQuery, error) {
	query := features.ItemsQuery{Collection: col}
	var err error
	bboxCRS, err := crsParam(q, paramBBoxCRS)
	if err != nil {
		return query, err
	}
	if q.Has("bbox") {
		if query.BBox, err = parseBBoxIn(q.Get("bbox"), bboxCRS); err != nil {
			return query, err
		}
	}
	if query.Limit, err = parseLimit(q.Get("limit")); err != nil {
		return query, err
	}
	if query.Offset, err = parseOffset(q.Get("offset")); err != nil {
		return query, err
	}
	if q.Has("datetime") {
		iv, err := parseDatetime(q.Get("datetime"))
		if err != nil {
			return query, err
		}
		// NOTE: on a collection without a time dimension every feature
		// matches any datetime (Core, /req/core/fc-time-response), so that
		// a client may send one time filter to every layer.
		if col.Temporal != nil {
			query.Interval = &iv
		}
	}
	if query.Filters, err = parseFilters(col, q); err != nil {
		return query, err
	}
	filter, err := parseFilter(col, q)
	if err != nil {
		return query, err
	}
	params, err := queryableParams(col, q)
	query.Filter = and(append([]cql2.Expr{filter}, params...)...)
	return query, err
}

// outputCRS reads the crs parameter. HTML pages describe geometries in
// longitude and latitude whatever it says, so that they still read as
// places; their Content-Crs says so.
func outputCRS(q url.Values, f format) (crs.CRS, error) {
	c, err := crsParam(q, paramCRS)
	if f == formatHTML {
		return crs.CRS84, err
	}
	return c, err
}

// itemsLinks are the links of an items page: self and alternate, next when
// more matches remain, prev when the page is not the first, and the
// collection. Next and prev carry every parameter of the request.
func itemsLinks(href string, q url.Values, f format, query features.ItemsQuery, page features.Page) []link {
	items := href + "/items"
	links := selfLinks(items, q, f, mediaGeoJSON)
	pageType := mediaGeoJSON
	if f == formatHTML {
		pageType = mediaHTML
	}
	limit := strconv.Itoa(query.Limit)
	next, prev, hasNext := pageOffsets(query.Offset, query.Limit, page.NumberMatched, len(page.Features))
	if hasNext {
		nq := withParam(withParam(q, "offset", strconv.Itoa(next)), "limit", limit)
		links = append(links, link{Href: withQuery(items, nq), Rel: "next", Type: pageType, Title: "Next page"})
	}
	if query.Offset > 0 {
		pq := withParam(withParam(q, "offset", strconv.Itoa(prev)), "limit", limit)
		links = append(links, link{Href: withQuery(items, pq), Rel: "prev", Type: pageType, Title: "Previous page"})
	}
	return append(links, link{Href: href, Rel: "collection", Type: mediaJSON, Title: "The collection"})
}

// pageOffsets returns the offsets of the next and previous pages of a page
// of returned features at offset among matched. Next follows the features
// returned, and exists only while matches remain after them; prev is the
// page before, or the last page when offset is past the end. Both stay
// within [0, matched]: no sum is formed that could exceed matched, so
// neither overflows whatever offset and limit are.
func pageOffsets(offset, limit, matched, returned int) (next, prev int, hasNext bool) {
	if offset < matched && returned > 0 && returned < matched-offset {
		next, hasNext = offset+returned, true
	}
	return next, max(0, min(offset, matched)-limit), hasNext
}

// toGeoJSON writes what the public may see of a feature: its id, its
// geometry and the properties the catalog declares public for col.
func toGeoJSON(col features.Collection, f features.Feature) *geojson.Feature {
	gj := geojson.NewFeature(f.Geometry)
	gj.ID = f.ID
	for _, name := range col.PropertyNames() {
		if v, ok := f.Properties[name]; ok {
			gj.Properties[name] = v
		}
	}
	return gj
}

func filterableNames(col features.Collection) string {
	var names []string
	for _, p := range col.Properties {
		if p.Filterable {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func itemsView(service, base string, col features.Collection, page features.Page, links []link) pageView {
	v := pageView{
		Service: service, Root: base, Title: col.Title, Description: col.Description, Links: links,
		Trail: []link{
			{Href: base + routeCollections + "?f=html", Title: "Collections"},
			{Href: collectionHref(base, col.ID) + "?f=html", Title: col.ID},
		},
		Facts: []fact{
			{Name: "number matched", Value: strconv.Itoa(page.NumberMatched)},
			{Name: "number returned", Value: strconv.Itoa(len(page.Features))},
		},
	}
	for _, f := range page.Features {
		v.Features = append(v.Features, featureViewOf(base, col, f))
	}
	return v
}

func itemView(service, base string, col features.Collection, f features.Feature, links []link) pageView {
	fv := featureViewOf(base, col, f)
	return pageView{
		Service: service, Root: base, Title: col.Title + " " + f.ID, Links: links,
		Trail: []link{
			{Href: base + routeCollections + "?f=html", Title: "Collections"},
			{Href: collectionHref(base, col.ID) + "/items?f=html", Title: col.ID},
		},
		Features: []featureView{fv},
	}
}

// featureViewOf lists a feature's public properties in catalog order.
func featureViewOf(base string, col features.Collection, f features.Feature) featureView {
	fv := featureView{
		ID:       f.ID,
		Href:     collectionHref(base, col.ID) + "/items/" + url.PathEscape(f.ID) + "?f=html",
		Geometry: geometryText(f.Geometry),
	}
	for _, name := range col.PropertyNames() {
		if v, ok := f.Properties[name]; ok {
			fv.Properties = append(fv.Properties, fact{Name: name, Value: valueText(v)})
		}
	}
	return fv
}
