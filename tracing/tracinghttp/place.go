package tracinghttp

import (
	"context"
	"net/http"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// wardSlack is how far outside its ward's bounding box a venue's point may
// lie (about 2 km), for a point on a boundary road or a ward map that is
// not exact.
const wardSlack = 0.02

// checkPlace checks a venue's ward and point against the features store's
// wards, when the handler has them: the ward must be one of the province's
// and the point in (or within about 2 km of) that ward's box, so that QR
// coverage counts every venue in a named ward. An editor limited to one
// district registers and changes venues of that district only.
func (h *Handler) checkPlace(ctx context.Context, v tracing.Venue) error {
	if h.cfg.Wards.Reader == nil {
		return nil
	}
	wards, err := h.cfg.Wards.wards(ctx)
	if err != nil {
		return err
	}
	if len(wards) == 0 {
		return nil // a store without boundaries cannot check
	}
	w, ok := wards[v.Ward]
	if !ok {
		return problem(&tracing.FieldError{Field: "ward", Reason: "no ward of the province has the code " + v.Ward})
	}
	if err := inDistrict(ctx, w); err != nil {
		return err
	}
	if w.feature != nil && w.feature.Geometry != nil {
		b := w.feature.Geometry.Bound()
		b = orb.Bound{Min: orb.Point{b.Min[0] - wardSlack, b.Min[1] - wardSlack}, Max: orb.Point{b.Max[0] + wardSlack, b.Max[1] + wardSlack}}
		if !b.Contains(v.Location) {
			return problem(&tracing.FieldError{Field: "location", Reason: "the point is not in ward " + v.Ward + " (" + w.name + ")"})
		}
	}
	return nil
}

// inDistrict refuses an editor limited to one district a ward of another.
func inDistrict(ctx context.Context, w ward) error {
	if p, ok := auth.PrincipalFrom(ctx); ok && p.Role == auth.Editor && p.District != "" && p.District != w.districtCode {
		return httpx.Problem(http.StatusForbidden, "this editor works in district "+p.District+"; ward "+w.code+" is in district "+w.districtCode,
			httpx.WithMember("detail_vi", "biên tập viên chỉ quản lý địa điểm trong quận/huyện/thành phố của mình"))
	}
	return nil
}

// mayChange refuses a district editor a stored venue of another district
// (an unknown ward counts as another district).
func (h *Handler) mayChange(ctx context.Context, v tracing.Venue) error {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Role != auth.Editor || p.District == "" || h.cfg.Wards.Reader == nil {
		return nil
	}
	wards, err := h.cfg.Wards.wards(ctx)
	if err != nil {
		return err
	}
	return inDistrict(ctx, wards[v.Ward])
}
