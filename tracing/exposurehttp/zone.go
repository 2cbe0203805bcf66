package exposurehttp

import (
	"context"
	"net/http"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

// EngineF0s are the engine's F0s of resolved inputs.
func EngineF0s(in []Input) []exposure.F0 {
	out := make([]exposure.F0, len(in))
	for i, f := range in {
		out[i] = f.F0
	}
	return out
}

// homes are the F0s' homes: a case's private location, else the roster
// residence on the isolation day.
func (h *Handler) homes(ctx context.Context, r *run) []Home {
	var out []Home
	for _, f := range r.F0s {
		if f.Home != nil {
			out = append(out, *f.Home)
			continue
		}
		if h.cfg.Directory == nil {
			continue
		}
		home, ok, err := h.cfg.Directory.Home(ctx, f.Person, features.VietnamDay(f.Isolation.Add(-1)))
		if err != nil {
			h.cfg.Logger.Warn("exposure run: an F0's home", "run", r.ID, "err", err)
			continue
		}
		if ok {
			out = append(out, home)
		}
	}
	return out
}

// suggestZone adds the zone suggestion to a new run; a failure leaves it
// out (the run stands without it).
func (h *Handler) suggestZone(c echo.Context, r *run) {
	if h.cfg.Zoner == nil {
		return
	}
	ctx := c.Request().Context()
	z, err := h.cfg.Zoner.Suggest(ctx, r.Result, h.homes(ctx, r))
	if err != nil {
		h.cfg.Logger.Warn("exposure run: no zone suggestion", "run", r.ID, "err", err, "request_id", requestID(c))
		return
	}
	if !z.IsEmpty() {
		r.Zone = &z
	}
}

// zoneFeature is a zone as a GeoJSON Feature.
func zoneFeature(runID string, z Zone) *geojson.Feature {
	f := geojson.NewFeature(z.Geometry)
	f.Properties = geojson.Properties{"run": runID, "wards": z.Wards, "note": z.Note}
	if !z.Start.IsZero() {
		f.Properties["start"] = z.Start.UTC()
	}
	if !z.End.IsZero() {
		f.Properties["end"] = z.End.UTC()
	}
	return f
}

// draftZone answers POST /api/tracing/runs/{id}/zone: the run's zone
// as a DRAFT quarantine zone for an editor to review (201).
func (h *Handler) draftZone(c echo.Context) error {
	r, err := h.stored(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if r.Zone == nil {
		return badRequest("#/zone", "the run suggests no zone: its F0s have no known home and no exposure venue")
	}
	p, _ := auth.PrincipalFrom(ctx)
	id, etag, err := h.cfg.Publisher.DraftZone(ctx, p, *r.Zone, r.ID)
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/editor/quarantine_zones/"+id)
	c.Response().Header().Set("ETag", etag)
	return c.JSON(http.StatusCreated, map[string]any{"id": id, "etag": etag, "zone": zoneFeature(r.ID, *r.Zone)})
}

// publishContacts answers POST /api/tracing/runs/{id}/contacts: the
// run's F1 and deeper go to the contacts collection.
func (h *Handler) publishContacts(c echo.Context) error {
	r, err := h.stored(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n := h.names(ctx, r)
	var cs []PublishedContact
	for _, k := range r.Result.Contacts {
		if k.Level < 1 {
			continue
		}
		pc, err := h.published(ctx, n, k)
		if err != nil {
			return err
		}
		cs = append(cs, pc)
	}
	p, _ := auth.PrincipalFrom(ctx)
	count, err := h.cfg.Publisher.PublishContacts(ctx, p, r.ID, cs)
	if err != nil {
		return problem(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"run": r.ID, "published": count})
}

// published is a contact as the contacts collection takes it.
func (h *Handler) published(ctx context.Context, n *names, k exposure.Contact) (PublishedContact, error) {
	p, err := n.private(k.Person)
	if err != nil {
		return PublishedContact{}, err
	}
	out := PublishedContact{Person: k.Person, Tier: k.Tier, Level: k.Level, FirstExposure: k.FirstExposure,
		QuarantineEnd: k.QuarantineEnd, MonitorEnd: k.MonitorEnd, Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber}
	if h.cfg.Directory != nil {
		home, ok, err := h.cfg.Directory.Home(ctx, k.Person, features.VietnamDay(k.FirstExposure))
		if err != nil {
			return PublishedContact{}, err
		}
		if ok {
			out.Ward, out.Residence = home.Ward, home.Point
		}
	}
	return out, nil
}
