package tracinghttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// Windows of check-in reads.
const (
	// DefaultReadWindow is read when from is not given.
	DefaultReadWindow = 24 * time.Hour
	// MaxReadWindow bounds one read (longer than retention).
	MaxReadWindow = 31 * 24 * time.Hour
)

// ReasonHeader carries the reason of an official's read, as ?reason= does,
// percent-encoded (httpx.Reason decodes it).
const ReasonHeader = httpx.ReasonHeader

// personJSON is a visitor as the reader may see them: raw for officials,
// masked for the venue's enterprise (which gets no key either).
type personJSON struct {
	Key      string `json:"key,omitempty"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
}

type declarationOut struct {
	ID        int64     `json:"id"`
	Time      time.Time `json:"time"`
	Symptoms  []string  `json:"symptoms"`
	ContactF0 bool      `json:"contact_f0"`
	Travel    string    `json:"travel,omitempty"`
}

type readVisitJSON struct {
	visitJSON
	Person      personJSON      `json:"person"`
	Declaration *declarationOut `json:"declaration,omitempty"`
}

// parseTime reads a query time: RFC 3339, or a day (YYYY-MM-DD, its
// midnight in Asia/Ho_Chi_Minh).
func parseTime(name, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Add(-7 * time.Hour), nil // Asia/Ho_Chi_Minh is UTC+7 all year
	}
	return time.Time{}, httpx.BadRequest("%s: %q is neither an RFC 3339 time nor a day YYYY-MM-DD", name, s)
}

// window reads from and to (default: the last DefaultReadWindow).
func (h *Handler) window(c echo.Context) (time.Time, time.Time, error) {
	q := c.QueryParams()
	to, from := h.cfg.Clock.Now(), time.Time{}
	var err error
	if s := q.Get("to"); s != "" {
		if to, err = parseTime("to", s); err != nil {
			return from, to, err
		}
	}
	from = to.Add(-DefaultReadWindow)
	if s := q.Get("from"); s != "" {
		if from, err = parseTime("from", s); err != nil {
			return from, to, err
		}
	}
	switch {
	case !from.Before(to):
		return from, to, httpx.BadRequest("from must be before to")
	case to.Sub(from) > MaxReadWindow:
		return from, to, httpx.BadRequest("read at most %d days at once", int(MaxReadWindow/(24*time.Hour)))
	}
	return from.UTC(), to.UTC(), nil
}

// venueCheckIns answers a venue's visits: masked to its enterprise and to
// map editors (who manage venues but trace no one), full to tracers and
// admins, who must say why; each full read is in the audit log before the
// answer leaves.
func (h *Handler) venueCheckIns(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams(), "from", "to", "reason"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := tracing.AccessFrom(ctx)
	if err != nil {
		return problem(err)
	}
	full := a.All && fullReader(ctx)
	reason, err := httpx.Reason(c, true)
	if err != nil {
		return err
	}
	if full && reason == "" {
		return httpx.Problem(http.StatusBadRequest, "say why you read these check-ins: ?reason= or the "+ReasonHeader+" header (a case number, an outbreak); the read is logged",
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "reason", Detail: "required"}),
			httpx.WithMember("detail_vi", "hãy nêu lý do truy cập (mã ca bệnh, ổ dịch); mọi lần truy cập đều được ghi lại"))
	}
	if err := tracing.CheckReason(reason); full && err != nil {
		return httpx.Problem(http.StatusBadRequest, err.Error(),
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "reason", Detail: err.Error()}))
	}
	if full && h.cfg.AccessLog == nil {
		return httpx.Problem(http.StatusServiceUnavailable, "reads of check-ins cannot be logged on this server, so they are refused")
	}
	from, to, err := h.window(c)
	if err != nil {
		return err
	}
	_, v, err := h.stored(c)
	if err != nil {
		return err
	}
	visits, err := h.cfg.Store.VisitsAt(ctx, v.ID, from, to)
	if err != nil {
		return problem(err)
	}
	persons := map[tracing.PersonKey]personJSON{}
	decls := map[int64]*declarationOut{}
	out := make([]readVisitJSON, len(visits))
	for i, vis := range visits {
		p, ok := persons[vis.Person]
		if !ok {
			if p, err = h.visitor(c, full, vis, from, to, decls); err != nil {
				return err
			}
			persons[vis.Person] = p
		}
		out[i] = readVisitJSON{visitJSON: visitOf(vis, ""), Person: p}
		if vis.Declaration != 0 && full {
			out[i].Declaration = decls[vis.Declaration]
		}
	}
	if full {
		_, err := h.cfg.AccessLog.LogRead(ctx, tracing.Read{Collection: "tracing.visits", Subject: string(v.ID), Reason: reason,
			From: from, To: to, Count: len(out), RequestID: requestID(c)})
		if err != nil {
			return problem(err)
		}
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"venue": map[string]string{"id": string(v.ID), "name": v.Name},
		"from": from, "to": to, "count": len(out), "masked": !full, "visits": out})
}

// visitor returns the person of a visit as the reader may see them (full
// or masked) and, for
// officials, fills decls with the person's declarations in the window.
func (h *Handler) visitor(c echo.Context, full bool, vis tracing.Visit, from, to time.Time, decls map[int64]*declarationOut) (personJSON, error) {
	ctx := c.Request().Context()
	p, err := h.cfg.Store.Person(ctx, vis.Person)
	switch {
	case errors.Is(err, tracing.ErrNotFound):
		p = tracing.Person{Key: vis.Person} // kept by key only (a batch of keys)
	case err != nil:
		return personJSON{}, problem(err)
	}
	if !full {
		p = p.Masked()
		return personJSON{Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber}, nil
	}
	ds, err := h.cfg.Store.DeclarationsOf(ctx, vis.Person, from, to.Add(tracing.MaxStay))
	if err != nil {
		return personJSON{}, problem(err)
	}
	for _, d := range ds {
		out := &declarationOut{ID: d.ID, Time: d.Time.UTC(), Symptoms: make([]string, len(d.Symptoms)), ContactF0: d.ContactF0, Travel: d.Travel}
		for i, s := range d.Symptoms {
			out.Symptoms[i] = string(s)
		}
		decls[d.ID] = out
	}
	return personJSON{Key: p.Key.String(), Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber}, nil
}

func requestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	return c.Request().Header.Get(echo.HeaderXRequestID)
}

// uploadRow is one check-in of POST /api/checkins.
type uploadRow struct {
	Venue    string `json:"venue"`
	Identity string `json:"identity"`
	Person   string `json:"person"`
	Name     string `json:"name"`
	At       string `json:"at"`
	End      string `json:"end"`
}

// uploadCheckIns records a venue system's check-ins: one object or
// {"checkins": [...]} of up to MaxBatch, all or nothing.
func (h *Handler) uploadCheckIns(c echo.Context) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBatchBody))
	if err != nil {
		return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; send at most %d check-ins at once", maxBatchBody, MaxBatch))
	}
	uploads, undecodable, err := uploadRows(body)
	if err != nil {
		return err
	}
	now := h.cfg.Clock.Now()
	rows := make([]tracing.CheckIn, len(uploads))
	var persons []tracing.Person
	for i, r := range uploads {
		in, p, err := h.uploadCheckIn(r, now)
		if err != nil {
			return problem(&tracing.RowError{Row: i, Err: err})
		}
		rows[i] = in
		if p != nil {
			persons = append(persons, *p)
		}
	}
	if undecodable != nil {
		return undecodable
	}
	ctx := c.Request().Context()
	if err := h.mayRecordAt(ctx, rows); err != nil {
		return err
	}
	n, err := h.cfg.Store.CheckInBatch(ctx, rows)
	var re *tracing.RowError
	if errors.As(err, &re) && errors.Is(re.Err, tracing.ErrNotFound) && re.Row >= 0 && re.Row < len(rows) {
		return problem(unknownVenueRow(re.Row, rows[re.Row].Venue))
	}
	if err != nil {
		return problem(err)
	}
	// Persons are kept once their visits are, so that a refused batch
	// leaves nothing behind.
	if err := h.rememberAll(ctx, persons); err != nil {
		return problem(err)
	}
	noStore(c)
	return c.JSON(http.StatusCreated, map[string]int{"recorded": n})
}

// uploadRows reads the rows of an upload's body: one check-in object or
// {"checkins": [...]} of 1 to MaxBatch. A good batch is decoded in one
// pass; any other body row by row, so that an error names its row as it
// always did: the rows before the first that is not a check-in's JSON
// come with that row's error (undecodable), to be checked first.
func uploadRows(body []byte) (rows []uploadRow, undecodable, err error) {
	var batch struct {
		CheckIns *[]uploadRow `json:"checkins"`
	}
	if err := strictJSON(body, &batch); err == nil && batch.CheckIns != nil && len(*batch.CheckIns) > 0 && len(*batch.CheckIns) <= MaxBatch {
		return *batch.CheckIns, nil, nil
	}
	raws, err := uploadRaws(body)
	if err != nil {
		return nil, nil, err
	}
	rows = make([]uploadRow, 0, len(raws))
	for i, raw := range raws {
		var r uploadRow
		if err := strictJSON(raw, &r); err != nil {
			return rows, problem(&tracing.RowError{Row: i, Err: jsonFieldError(err)}), nil
		}
		rows = append(rows, r)
	}
	return rows, nil, nil
}

// uploadRaws splits an upload's body into its rows' JSON, or refuses it.
func uploadRaws(body []byte) ([]json.RawMessage, error) {
	var raws []json.RawMessage
	var batch struct {
		CheckIns *[]json.RawMessage `json:"checkins"`
	}
	if err := strictJSON(body, &batch); err == nil && batch.CheckIns != nil {
		raws = *batch.CheckIns
	} else if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		raws = []json.RawMessage{body}
	} else {
		return nil, httpx.BadRequest("send one check-in object or {\"checkins\": [...]}")
	}
	switch {
	case len(raws) == 0:
		return nil, problem(&tracing.FieldError{Field: "checkins", Reason: "the list is empty"})
	case len(raws) > MaxBatch:
		return nil, problem(&tracing.FieldError{Field: "checkins", Reason: fmt.Sprintf("at most %d check-ins at once; got %d", MaxBatch, len(raws))})
	}
	return raws, nil
}

// personBatcher is a store that keeps many persons in one transaction
// (both stores are).
type personBatcher interface {
	RememberPersons(ctx context.Context, ps []tracing.Person) error
}

// rememberAll keeps persons' records, at once when the store can.
func (h *Handler) rememberAll(ctx context.Context, persons []tracing.Person) error {
	persons = dedupePersons(persons)
	if pb, ok := h.cfg.Store.(personBatcher); ok {
		return pb.RememberPersons(ctx, persons)
	}
	for _, p := range persons {
		if err := h.cfg.Store.RememberPerson(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// dedupePersons keeps the first record of each key.
func dedupePersons(ps []tracing.Person) []tracing.Person {
	seen := make(map[tracing.PersonKey]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p.Key] {
			seen[p.Key] = true
			out = append(out, p)
		}
	}
	return out
}

// uploadCheckIn reads one row into a check-in and, for an identity, the
// person to keep.
func (h *Handler) uploadCheckIn(r uploadRow, now time.Time) (tracing.CheckIn, *tracing.Person, error) {
	in := tracing.CheckIn{Venue: tracing.VenueID(strings.TrimSpace(r.Venue)), Source: tracing.Batch}
	if err := in.Venue.Validate(); err != nil {
		return in, nil, &tracing.FieldError{Field: "venue", Reason: "a venue id is 32 lowercase hex digits"}
	}
	at, err := time.Parse(time.RFC3339, r.At)
	if err != nil {
		return in, nil, &tracing.FieldError{Field: "at", Reason: "when the person checked in, RFC 3339 (2026-11-24T08:30:00+07:00)"}
	}
	in.At = at.UTC()
	if err := h.recent(in.At, now); err != nil {
		return in, nil, err
	}
	if r.End != "" {
		end, err := time.Parse(time.RFC3339, r.End)
		if err != nil {
			return in, nil, &tracing.FieldError{Field: "end", Reason: "when the person left, RFC 3339, or leave it out"}
		}
		in.End = end.UTC()
	}
	switch {
	case r.Identity != "" && r.Person != "":
		return in, nil, &tracing.FieldError{Field: "person", Reason: "give identity or person, not both"}
	case r.Person != "":
		k, err := tracing.ParsePersonKey(r.Person)
		if err != nil {
			return in, nil, err
		}
		in.Person = k
		return in, nil, in.Validate(now)
	case r.Identity == "":
		return in, nil, &tracing.FieldError{Field: "identity", Reason: "give the person's phone or ID number (identity) or key (person)"}
	}
	p, err := h.person(r.Identity, r.Name, now)
	if err != nil {
		return in, nil, err
	}
	in.Person = p.Key
	return in, &p, in.Validate(now)
}

// strictJSON decodes data into v refusing unknown members and trailing
// data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// jsonFieldError names the member a row's JSON got wrong.
func jsonFieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &tracing.FieldError{Field: te.Field, Reason: "expected " + te.Type.String()}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &tracing.FieldError{Field: strings.Trim(name, `"`), Reason: "unknown member; a row has venue, identity or person, name, at, end"}
	}
	return &tracing.FieldError{Field: "row", Reason: "not a JSON object of a check-in: " + msg}
}

// fullReader reports whether the principal of ctx reads persons in full:
// tracers and admins. Editors keep the map and its venues; like a venue's
// owner they see its visitors masked.
func fullReader(ctx context.Context) bool {
	p, ok := auth.PrincipalFrom(ctx)
	return ok && p.Is(auth.Tracer)
}

// mayRecordAt refuses an upload naming a venue its sender may not record
// visits at: an enterprise only at its own venues (another's is unknown to
// it, as on every venue route), a district editor only in its district.
// Tracers and admins record anywhere. The first refused row is named.
func (h *Handler) mayRecordAt(ctx context.Context, rows []tracing.CheckIn) error {
	// Only an editor of one district is bounded by the venues' wards; for
	// everyone else the store checks each venue in the batch's own
	// transaction. (One lookup per venue here cost a batch of 1,000 rows
	// at 200 venues ~0.8 s.)
	if p, ok := auth.PrincipalFrom(ctx); !ok || p.Role != auth.Editor || p.District == "" {
		return nil
	}
	checked := make(map[tracing.VenueID]bool)
	for i, in := range rows {
		if checked[in.Venue] {
			continue
		}
		checked[in.Venue] = true
		v, err := h.cfg.Store.Venue(ctx, in.Venue)
		if errors.Is(err, tracing.ErrNotFound) {
			return problem(unknownVenueRow(i, in.Venue))
		}
		if err != nil {
			return problem(err)
		}
		if err := h.mayChange(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// unknownVenueRow is the problem of a batch's row at a venue the account
// may not record check-ins at (unknown, or another tenant's).
func unknownVenueRow(row int, venue tracing.VenueID) error {
	return &tracing.RowError{Row: row, Err: &tracing.FieldError{Field: "venue", Reason: "no venue " + string(venue) + " that this account may record check-ins at"}}
}
