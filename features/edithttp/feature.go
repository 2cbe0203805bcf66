package edithttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Media types of request and answer bodies.
const (
	mediaGeoJSON    = "application/geo+json"
	mediaJSON       = "application/json"
	mediaMergePatch = "application/merge-patch+json"
)

// crs84 is the only CRS a change may be sent in.
const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// featureIn is a GeoJSON Feature as officials send it: properties, a
// geometry and, for cases, the personal fields in the foreign member
// "person". A note for the audit log may come in the member "note".
type featureIn struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
	Person     map[string]any  `json:"person"`
	Note       string          `json:"note"`
}

// personOut is the personal fields as sent to those who may see them.
type personOut struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
	Address  string `json:"address"`
}

// featureOut is a stored record as editors read it.
type featureOut struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties map[string]any    `json:"properties"`
	Person     *personOut        `json:"person,omitempty"`
	Revision   int64             `json:"revision"`
	ETag       string            `json:"etag"`
	Updated    *time.Time        `json:"updated,omitempty"`
	UpdatedBy  string            `json:"updated_by,omitempty"`
}

// encode writes a stored record; the personal fields only when the
// service left them (it drops them for those who may not see them).
func encode(st features.Stored) featureOut {
	out := featureOut{Type: "Feature", ID: st.ID, Properties: map[string]any{}, Revision: st.Revision, ETag: ETag(st.Revision), UpdatedBy: st.UpdatedBy}
	for k, v := range st.Properties {
		if t, ok := v.(time.Time); ok {
			v = t.Format(features.DateLayout)
		}
		out.Properties[k] = v
	}
	if st.Geometry != nil {
		out.Geometry = geojson.NewGeometry(st.Geometry)
	}
	if !st.Updated.IsZero() {
		u := st.Updated.UTC()
		out.Updated = &u
	}
	if p := st.Person; p != nil {
		out.Person = &personOut{Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber, Address: p.Address}
	}
	return out
}

// body reads a JSON body of one of the allowed media types, capped in size.
func (h *Handler) body(c echo.Context, v any, media ...string) error {
	req := c.Request()
	ct, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || !contains(media, ct) {
		return httpx.Problem(http.StatusUnsupportedMediaType, fmt.Sprintf("send the body as %v", media))
	}
	if crs := req.Header.Get("Content-Crs"); crs != "" && crs != crs84 && crs != "<"+crs84+">" {
		return httpx.BadRequest("changes are accepted in CRS84 (longitude, latitude) only; Content-Crs names %s", crs)
	}
	raw, err := io.ReadAll(io.LimitReader(req.Body, h.cfg.MaxFeatureBytes+1))
	if err != nil {
		return fmt.Errorf("edithttp: read body: %w", err)
	}
	if int64(len(raw)) > h.cfg.MaxFeatureBytes {
		return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", h.cfg.MaxFeatureBytes))
	}
	if marked, ok := markNonFinite(raw); ok && json.Valid(marked) {
		raw = marked // NaN and Infinity are refused at their fields
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return httpx.Problem(http.StatusBadRequest, "the body is not valid JSON: "+err.Error(),
			httpx.WithMember("detail_vi", "nội dung gửi lên không phải JSON hợp lệ"))
	}
	if dec.More() {
		return httpx.BadRequest("the body holds more than one JSON value")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// geometry reads a GeoJSON geometry; absent or null gives nil.
func geometry(raw json.RawMessage) (orb.Geometry, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if p := positionProblem(raw); p != nil {
		return nil, invalid(*p)
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, invalid(features.FieldProblem{Field: "geometry",
			Reason:   "not a GeoJSON geometry: " + err.Error(),
			ReasonVI: "hình học không đúng định dạng GeoJSON"})
	}
	return g.Geometry(), nil
}

func invalid(problems ...features.FieldProblem) error {
	return &features.ValidationError{Problems: problems}
}

// record turns a received feature into a record.
func (fi featureIn) record() (features.Record, error) {
	if fi.Type != "" && fi.Type != "Feature" {
		return features.Record{}, invalid(features.FieldProblem{Field: "type",
			Reason: fmt.Sprintf("the body is a %q; send a GeoJSON Feature", fi.Type), ReasonVI: "hãy gửi một đối tượng GeoJSON Feature"})
	}
	g, err := geometry(fi.Geometry)
	if err != nil {
		return features.Record{}, err
	}
	if ps := markedProblems(fi.Properties, fi.Person); len(ps) > 0 {
		return features.Record{}, invalid(ps...)
	}
	rec := features.Record{Geometry: g, Properties: fi.Properties}
	if fi.Person != nil {
		p, err := person(fi.Person)
		if err != nil {
			return rec, err
		}
		rec.Person = p
	}
	return rec, nil
}

// person reads the personal fields of a received feature.
func person(m map[string]any) (*features.Person, error) {
	var p features.Person
	fields := map[string]*string{"name": &p.Name, "phone": &p.Phone, "id_number": &p.IDNumber, "address": &p.Address}
	for k, v := range m {
		dst, ok := fields[k]
		s, isText := v.(string)
		if !ok || (v != nil && !isText) {
			return nil, invalid(features.FieldProblem{Field: "person." + k,
				Reason:   "personal fields are name, phone, id_number and address, as text",
				ReasonVI: "trường cá nhân gồm name, phone, id_number, address (văn bản)"})
		}
		*dst = strings.TrimSpace(s)
	}
	return &p, nil
}

// answer writes a stored record with its ETag.
func answer(c echo.Context, status int, st features.Stored) error {
	c.Response().Header().Set("ETag", ETag(st.Revision))
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSONBlob(status, mustJSON(encode(st)))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("edithttp: encode answer: %v", err)) // only plain values and orb geometries are encoded
	}
	return b
}

// create serves POST items.
func (h *Handler) create(c echo.Context) error {
	col, err := h.editable(c)
	if err != nil {
		return err
	}
	r, err := changer(c)
	if err != nil {
		return err
	}
	rec, err := h.wholeFeature(c, &r)
	if err != nil {
		return err
	}
	st, err := h.cfg.Service.Create(c.Request().Context(), r, col.ID, rec)
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, h.base(c)+"/ogc/collections/"+pathEscape(col.ID)+"/items/"+pathEscape(st.ID))
	return answer(c, http.StatusCreated, st)
}

// wholeFeature reads the body of a create or replace: a GeoJSON feature,
// whose note, if any, becomes the request's.
func (h *Handler) wholeFeature(c echo.Context, r *edit.Request) (features.Record, error) {
	var fi featureIn
	if err := h.body(c, &fi, mediaGeoJSON, mediaJSON); err != nil {
		return features.Record{}, err
	}
	if err := setNote(r, fi.Note); err != nil {
		return features.Record{}, err
	}
	rec, err := fi.record()
	if err != nil {
		return features.Record{}, problem(err)
	}
	return rec, nil
}

// target reads what a change of one record needs: the collection, the
// id, who asks and the revision from If-Match.
func (h *Handler) target(c echo.Context) (features.Collection, string, edit.Request, int64, error) {
	col, err := h.editable(c)
	if err != nil {
		return col, "", edit.Request{}, 0, err
	}
	r, err := changer(c)
	if err != nil {
		return col, "", r, 0, err
	}
	id, err := param(c, "featureId")
	if err != nil {
		return col, "", r, 0, err
	}
	rev, anyRev, err := ifMatch(c)
	if err != nil {
		return col, id, r, 0, err
	}
	if anyRev {
		st, err := h.cfg.Service.Get(c.Request().Context(), r, col.ID, id)
		if err != nil {
			return col, id, r, 0, problem(err)
		}
		rev = st.Revision
	}
	return col, id, r, rev, nil
}

// replace serves PUT items/{id}.
func (h *Handler) replace(c echo.Context) error {
	col, id, r, rev, err := h.target(c)
	if err != nil {
		return err
	}
	rec, err := h.wholeFeature(c, &r)
	if err != nil {
		return err
	}
	st, err := h.cfg.Service.Replace(c.Request().Context(), r, col.ID, id, rev, rec)
	if err != nil {
		return problem(err)
	}
	return answer(c, http.StatusOK, st)
}

// patch serves PATCH items/{id}: an RFC 7396 merge patch of the feature.
func (h *Handler) patch(c echo.Context) error {
	col, id, r, rev, err := h.target(c)
	if err != nil {
		return err
	}
	var fi featureIn
	if err := h.body(c, &fi, mediaMergePatch, mediaJSON, mediaGeoJSON); err != nil {
		return err
	}
	if err := setNote(&r, fi.Note); err != nil {
		return err
	}
	g, err := geometry(fi.Geometry)
	if err != nil {
		return problem(err)
	}
	if ps := markedProblems(fi.Properties, fi.Person); len(ps) > 0 {
		return problem(invalid(ps...))
	}
	st, err := h.cfg.Service.Patch(c.Request().Context(), r, col.ID, id, rev, edit.Patch{Properties: fi.Properties, Geometry: g, Person: fi.Person})
	if err != nil {
		return problem(err)
	}
	return answer(c, http.StatusOK, st)
}

// delete serves DELETE items/{id}; a note may come as ?note=.
func (h *Handler) delete(c echo.Context) error {
	col, id, r, rev, err := h.target(c)
	if err != nil {
		return err
	}
	if err := setNote(&r, c.QueryParam("note")); err != nil {
		return err
	}
	if _, err := h.cfg.Service.Delete(c.Request().Context(), r, col.ID, id, rev); err != nil {
		return problem(err)
	}
	return c.NoContent(http.StatusNoContent)
}
