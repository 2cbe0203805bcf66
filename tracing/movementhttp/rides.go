package movementhttp

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// busJSON is a bus as sent and received.
type busJSON struct {
	ID    string `json:"id"`
	Route string `json:"route"`
	Seats int    `json:"seats"`
}

// putBus answers POST /api/enterprises/{id}/buses: it stores (or
// replaces) one bus, {id, route, seats}.
func (h *Handler) putBus(c echo.Context) error {
	ent, err := enterprise(c)
	if err != nil {
		return err
	}
	limitBody(c, 1<<16)
	var in busJSON
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		if pe := problem(err); pe != err {
			return pe
		}
		return httpx.BadRequest("a bus is a JSON object {\"id\": plate or id, \"route\": text, \"seats\": number}: %v", err)
	}
	b, err := h.cfg.Store.PutBus(c.Request().Context(), tracing.Bus{Enterprise: ent, ID: in.ID, Route: in.Route, Seats: in.Seats})
	if err != nil {
		return problem(err)
	}
	return c.JSON(http.StatusOK, busJSON{ID: b.ID, Route: b.Route, Seats: b.Seats})
}

// buses answers GET /api/enterprises/{id}/buses.
func (h *Handler) buses(c echo.Context) error {
	ent, err := enterprise(c)
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	bs, err := h.cfg.Store.Buses(c.Request().Context(), ent)
	if err != nil {
		return problem(err)
	}
	out := make([]busJSON, len(bs))
	for i, b := range bs {
		out[i] = busJSON{ID: b.ID, Route: b.Route, Seats: b.Seats}
	}
	return c.JSON(http.StatusOK, map[string]any{"enterprise": ent, "buses": out})
}

// rideJSON is a ride as read.
type rideJSON struct {
	Date      string     `json:"date"`
	Trip      string     `json:"trip"`
	Departure *time.Time `json:"departure,omitempty"`
	Bus       string     `json:"bus"`
	Person    string     `json:"person"`
	Employee  string     `json:"employee_id,omitempty"`
	Seat      string     `json:"seat,omitempty"`
}

func toRideJSON(r tracing.Ride) rideJSON {
	out := rideJSON{Date: r.Date.Format(time.DateOnly), Trip: string(r.Trip), Bus: r.Bus, Person: r.Person.String(),
		Employee: r.Employee, Seat: r.Seat}
	if !r.Departure.IsZero() {
		d := r.Departure
		out.Departure = &d
	}
	return out
}

// recordRides answers POST /api/enterprises/{id}/rides: a CSV (text/csv)
// or JSON upload of rides, all recorded or, on any bad line, none.
func (h *Handler) recordRides(c echo.Context) error {
	ent, err := enterprise(c)
	if err != nil {
		return err
	}
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	limitBody(c, h.cfg.MaxRideBytes)
	up := tracing.RideUpload{Enterprise: ent, Keys: h.cfg.Keys, Now: h.cfg.Clock.Now()}
	var rows []tracing.RideRow
	switch mediaType(c) {
	case "text/csv":
		rows, err = tracing.ParseRidesCSV(c.Request().Body, up)
	case "application/json":
		rows, err = tracing.ParseRidesJSON(c.Request().Body, up)
	default:
		return httpx.Problem(http.StatusUnsupportedMediaType, "send rides as text/csv (date,trip,bus,employee_id,seat) or application/json")
	}
	if err != nil {
		return problem(err)
	}
	ctx := c.Request().Context()
	rides, err := tracing.ResolveRiders(ctx, rows, h.cfg.Resolve, 0)
	if err != nil {
		return problem(err)
	}
	n, err := h.cfg.Store.RecordRides(ctx, rides)
	if err != nil {
		return problem(rowProblem(err, rows))
	}
	return c.JSON(http.StatusOK, map[string]int{"received": len(rides), "recorded": n})
}

// rowProblem names the line of the row a store's RowError is about.
func rowProblem(err error, rows []tracing.RideRow) error {
	var re *tracing.RowError
	if !errors.As(err, &re) || re.Row < 0 || re.Row >= len(rows) || !errors.Is(err, tracing.ErrInvalid) {
		return err
	}
	row := rows[re.Row]
	p := tracing.UploadProblem{Line: row.Line, Pointer: row.Pointer, Reason: re.Err.Error()}
	var fe *tracing.FieldError
	if errors.As(err, &fe) {
		p.Field, p.Reason = fe.Field, fe.Reason
	}
	return &tracing.UploadError{Problems: []tracing.UploadProblem{p}}
}

// rides answers GET /api/enterprises/{id}/rides?date=YYYY-MM-DD&bus=:
// the rides of a day (default today in Vietnam), of one bus or all.
func (h *Handler) rides(c echo.Context) error {
	ent, err := enterprise(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	if err := httpx.CheckQuery(q, "date", "bus"); err != nil {
		return err
	}
	day := features.VietnamDay(h.cfg.Clock.Now())
	if s := q.Get("date"); s != "" {
		if day, err = httpx.ParseDay("date", s); err != nil {
			return err
		}
	}
	rs, err := h.cfg.Store.RidesOn(c.Request().Context(), ent, q.Get("bus"), day)
	if err != nil {
		return problem(err)
	}
	out := make([]rideJSON, len(rs))
	for i, r := range rs {
		out[i] = toRideJSON(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"enterprise": ent, "date": day.Format(time.DateOnly), "rides": out})
}
