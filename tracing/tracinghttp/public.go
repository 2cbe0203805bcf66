package tracinghttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// visitJSON is a visit as the public and officials' routes send it.
type visitJSON struct {
	ID        int64      `json:"id"`
	Venue     string     `json:"venue"`
	VenueName string     `json:"venue_name,omitempty"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end,omitempty"`
	Closing   string     `json:"closing,omitempty"`
	Source    string     `json:"source"`
}

func visitOf(v tracing.Visit, venueName string) visitJSON {
	out := visitJSON{ID: v.ID, Venue: string(v.Venue), VenueName: venueName, Start: v.Start.UTC(),
		Closing: string(v.Closing), Source: string(v.Source)}
	if !v.End.IsZero() {
		end := v.End.UTC()
		out.End = &end
	}
	return out
}

// publicVenueJSON is what a token shows: no contact, no owner.
type publicVenueJSON struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Address  string `json:"address"`
	Ward     string `json:"ward"`
}

// now is the time of a scan, to the millisecond: both stores keep it
// exactly, so that a repeat scan is told by its visit's earlier start.
func (h *Handler) now() time.Time { return h.cfg.Clock.Now().UTC().Truncate(time.Millisecond) }

// tokenVenue verifies the path's token (a venue's QR token, or with staff
// its staff token) and returns a context acting as that venue and the
// venue: ErrBadToken (404) for a token not signed here or of no venue,
// ErrTokenRevoked (410) for one withdrawn.
func (h *Handler) tokenVenue(c echo.Context, staff bool) (context.Context, tracing.Venue, error) {
	return h.tokenVenueOf(c, staff, false)
}

// tokenVenueOf is tokenVenue; with renewed, a code of an earlier generation
// of an active venue is accepted too (a check-out from a page opened before
// the venue printed new codes: its visit receipt is what proves it).
func (h *Handler) tokenVenueOf(c echo.Context, staff, renewed bool) (context.Context, tracing.Venue, error) {
	verify := h.cfg.Keys.VerifyVenueToken
	if staff {
		verify = h.cfg.Keys.VerifyStaffToken
	}
	claim, err := verify(c.Param("token"))
	if err != nil {
		return nil, tracing.Venue{}, problem(err)
	}
	ctx := auth.WithPrincipal(c.Request().Context(), claim.Principal())
	v, err := h.venues.venue(ctx, claim.Venue, h.cfg.Store.Venue)
	if errors.Is(err, tracing.ErrNotFound) {
		return nil, v, problem(tracing.ErrBadToken)
	}
	if err != nil {
		return nil, v, problem(err)
	}
	if err := claim.Check(v); err != nil && !(renewed && v.Active() && claim.Generation < v.TokenGeneration) {
		return nil, v, problem(err)
	}
	return ctx, v, nil
}

// record keeps p (when set) and records in: in one transaction when the
// store can (tracing.PersonCheckIns), else the person first.
func (h *Handler) record(ctx context.Context, in tracing.CheckIn, p *tracing.Person) (tracing.Visit, error) {
	if p == nil {
		return h.cfg.Store.CheckIn(ctx, in)
	}
	if pc, ok := h.cfg.Store.(tracing.PersonCheckIns); ok {
		return pc.CheckInPerson(ctx, *p, in)
	}
	if err := h.cfg.Store.RememberPerson(ctx, *p); err != nil {
		return tracing.Visit{}, err
	}
	return h.cfg.Store.CheckIn(ctx, in)
}

// noStore marks an answer that holds a person's data, or a token's.
func noStore(c echo.Context) { c.Response().Header().Set(echo.HeaderCacheControl, "no-store") }

func (h *Handler) venueOfToken(c echo.Context) error {
	_, v, err := h.tokenVenue(c, false)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{
		"venue":                publicVenueJSON{Name: v.Name, Category: string(v.Category), Address: v.Address, Ward: v.Ward},
		"default_stay_minutes": int(v.DefaultStay / time.Minute),
	})
}

// declarationJSON is the optional health declaration of a check-in.
type declarationJSON struct {
	Symptoms  []string `json:"symptoms"`
	ContactF0 bool     `json:"contact_f0"`
	Travel    string   `json:"travel"`
}

type identityBody struct {
	Identity string `json:"identity"`
	// Receipt is the visit receipt the check-in gave this phone; a
	// check-out needs it, so that knowing a person's number is not enough
	// to check them out.
	Receipt string `json:"receipt"`
}

type checkInBody struct {
	Identity    string           `json:"identity"`
	Name        string           `json:"name"`
	Declaration *declarationJSON `json:"declaration"`
	// Receipt, when this phone checked in here before, shows a repeat
	// scan its visit (see selfCheckIn).
	Receipt string `json:"receipt"`
}

// person reads an identity and a name into the person's private record
// (not yet kept).
func (h *Handler) person(identity, name string, at time.Time) (tracing.Person, error) {
	id, err := tracing.ParseIdentity(identity)
	if err != nil {
		return tracing.Person{}, err
	}
	if utf8.RuneCountInString(name) > 200 {
		return tracing.Person{}, &tracing.FieldError{Field: "name", Reason: "a name has at most 200 characters"}
	}
	return h.cfg.Keys.NewPerson(id, name, at), nil
}

func (h *Handler) selfCheckIn(c echo.Context) error {
	ctx, v, err := h.tokenVenue(c, false)
	if err != nil {
		return err
	}
	var body checkInBody
	if err := decode(c, maxBody, &body); err != nil {
		return err
	}
	at := h.now()
	person, err := h.person(body.Identity, body.Name, at)
	if err != nil {
		return problem(err)
	}
	var decl *tracing.Declaration
	if d := body.Declaration; d != nil {
		symptoms := make([]tracing.Symptom, len(d.Symptoms))
		for i, s := range d.Symptoms {
			symptoms[i] = tracing.Symptom(s)
		}
		decl = &tracing.Declaration{Person: person.Key, Venue: v.ID, Time: at,
			Symptoms: symptoms, ContactF0: d.ContactF0, Travel: strings.TrimSpace(d.Travel)}
		if err := decl.Validate(at); err != nil {
			return problem(err) // before anything is kept
		}
	}
	in := tracing.CheckIn{Venue: v.ID, Person: person.Key, At: at, Source: tracing.SelfScan}
	if decl != nil {
		made, err := h.cfg.Store.Declare(ctx, *decl)
		if err != nil {
			return problem(err)
		}
		in.Declaration = made.ID
	}
	return h.selfVisit(c, ctx, v, in, &person, body.Receipt)
}

// selfVisit records a scan of the public QR code. The token is printed on
// a poster, so whoever sends it may not be the person: a new visit answers
// 201 with the visit and its receipt; a repeat shows the visit (its time,
// its id) and the receipt again only to the phone holding that receipt —
// anyone else who types the number gets a bare {"repeat": true}, and learns
// no time, no id and cannot check the person out. The person's record p is
// kept with the scan (record).
func (h *Handler) selfVisit(c echo.Context, ctx context.Context, v tracing.Venue, in tracing.CheckIn, p *tracing.Person, receipt string) error {
	visit, err := h.record(ctx, in, p)
	if err != nil {
		return problem(err)
	}
	noStore(c)
	repeat := visit.Start.Before(in.At)
	if repeat {
		start, err := h.cfg.Keys.VerifyVisitReceipt(receipt, v.ID, in.Person)
		if receipt == "" || err != nil || !start.Equal(visit.Start.UTC().Truncate(time.Millisecond)) {
			return c.JSON(http.StatusOK, map[string]any{"repeat": true})
		}
	}
	r, err := h.cfg.Keys.VisitReceipt(tracing.Visit{Venue: v.ID, Person: in.Person, Start: visit.Start.UTC().Truncate(time.Millisecond)})
	if err != nil {
		return problem(err)
	}
	status := http.StatusCreated
	if repeat {
		status = http.StatusOK
	}
	return c.JSON(status, map[string]any{"visit": visitOf(visit, v.Name), "repeat": repeat, "receipt": r})
}

// checkIn records one scan, keeping p (when set) with it: 201 with a new
// visit, 200 with repeat true when the scan repeats a visit begun before
// it.
func (h *Handler) checkIn(c echo.Context, ctx context.Context, v tracing.Venue, in tracing.CheckIn, p *tracing.Person) error {
	visit, err := h.record(ctx, in, p)
	if err != nil {
		return problem(err)
	}
	repeat := visit.Start.Before(in.At)
	status := http.StatusCreated
	if repeat {
		status = http.StatusOK
	}
	noStore(c)
	return c.JSON(status, map[string]any{"visit": visitOf(visit, v.Name), "repeat": repeat})
}

func (h *Handler) selfCheckOut(c echo.Context) error {
	ctx, v, err := h.tokenVenueOf(c, false, true)
	if err != nil {
		return err
	}
	var body identityBody
	if err := decode(c, maxBody, &body); err != nil {
		return err
	}
	id, err := tracing.ParseIdentity(body.Identity)
	if err != nil {
		return problem(err)
	}
	key := h.cfg.Keys.PersonKey(id)
	if _, err := h.cfg.Keys.VerifyVisitReceipt(body.Receipt, v.ID, key); err != nil {
		return httpx.Problem(http.StatusUnprocessableEntity,
			"receipt: check-out needs the receipt this phone got when it checked in; without it the visit closes by itself after the venue's usual stay",
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/receipt", Detail: "missing, altered or another visit's"}),
			httpx.WithMember("field", "receipt"),
			httpx.WithMember("detail_vi", "cần biên nhận mà điện thoại này nhận được khi khai báo đến; nếu không có, lượt ghé sẽ tự đóng sau thời gian lưu lại thông thường của địa điểm"))
	}
	visit, err := h.cfg.Store.CheckOut(ctx, v.ID, key, h.now())
	if err != nil {
		return problem(err)
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"visit": visitOf(visit, v.Name)})
}

// pass makes a person's QR pass, for a venue's staff to scan.
func (h *Handler) pass(c echo.Context) error {
	ctx, _, err := h.tokenVenue(c, false)
	if err != nil {
		return err
	}
	var body identityBody
	if err := decode(c, maxBody, &body); err != nil {
		return err
	}
	at := h.now()
	person, err := h.person(body.Identity, "", at)
	if err != nil {
		return problem(err)
	}
	if err := h.cfg.Store.RememberPerson(ctx, person); err != nil {
		return problem(err)
	}
	pass, err := h.cfg.Keys.PersonPass(person.Key, at)
	if err != nil {
		return problem(err)
	}
	svg, err := qrSVG(pass, "Mã QR cá nhân / personal QR pass")
	if err != nil {
		return err
	}
	issued := at.Truncate(24 * time.Hour)
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"pass": pass, "svg": svg, "expires": issued.Add(tracing.PassValidity)})
}

// staffRow is one scan the staff page sends: a person's pass or typed
// identity, and when (default now).
type staffRow struct {
	Pass     string     `json:"pass"`
	Identity string     `json:"identity"`
	Name     string     `json:"name"`
	At       *time.Time `json:"at"`
}

type staffBody struct {
	staffRow
	CheckIns []staffRow `json:"checkins"`
}

// staffPerson returns the person of a staff scan and, for a typed
// identity, the private record to keep (nil for a pass, whose person was
// kept when the pass was made).
func (h *Handler) staffPerson(r staffRow, now time.Time) (tracing.PersonKey, *tracing.Person, error) {
	switch {
	case r.Pass != "" && r.Identity != "":
		return tracing.PersonKey{}, nil, &tracing.FieldError{Field: "pass", Reason: "send a pass or an identity, not both"}
	case r.Pass != "":
		p, err := h.cfg.Keys.VerifyPersonPass(r.Pass, now)
		switch {
		case errors.Is(err, tracing.ErrPassExpired):
			return p, nil, &tracing.FieldError{Field: "pass", Reason: "this personal QR pass has expired; the person makes a new one"}
		case err != nil:
			return p, nil, &tracing.FieldError{Field: "pass", Reason: "this is not a personal QR pass of this server"}
		}
		return p, nil, nil
	}
	p, err := h.person(r.Identity, r.Name, now)
	if err != nil {
		return tracing.PersonKey{}, nil, err
	}
	return p.Key, &p, nil
}

func (h *Handler) staffCheckIn(c echo.Context) error {
	ctx, v, err := h.tokenVenue(c, true)
	if err != nil {
		return err
	}
	var body staffBody
	if err := decode(c, maxBatchBody, &body); err != nil {
		return err
	}
	now := h.now()
	if body.CheckIns == nil {
		in := tracing.CheckIn{Venue: v.ID, At: now, Source: tracing.StaffScan}
		var p *tracing.Person
		if in.Person, p, err = h.staffPerson(body.staffRow, now); err != nil {
			return problem(err)
		}
		if body.At != nil {
			in.At = body.At.UTC().Truncate(time.Millisecond)
			if err := h.recent(in.At, now); err != nil {
				return problem(err)
			}
		}
		return h.checkIn(c, ctx, v, in, p)
	}
	if body.Pass != "" || body.Identity != "" || len(body.CheckIns) > MaxBatch {
		return httpx.Problem(http.StatusUnprocessableEntity, "send one scan, or a list of at most 10,000 in \"checkins\"",
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/checkins", Detail: "one scan or a list of at most 10,000"}))
	}
	rows := make([]tracing.CheckIn, len(body.CheckIns))
	var persons []tracing.Person
	for i, r := range body.CheckIns {
		rows[i] = tracing.CheckIn{Venue: v.ID, At: now, Source: tracing.StaffScan}
		if r.At != nil {
			rows[i].At = r.At.UTC()
			if err := h.recent(rows[i].At, now); err != nil {
				return problem(&tracing.RowError{Row: i, Err: err})
			}
		}
		var p *tracing.Person
		if rows[i].Person, p, err = h.staffPerson(r, now); err != nil {
			return problem(&tracing.RowError{Row: i, Err: err})
		}
		if p != nil {
			persons = append(persons, *p)
		}
	}
	n, err := h.cfg.Store.CheckInBatch(ctx, rows)
	if err != nil {
		return problem(err)
	}
	// The persons are kept once the visits are: a refused batch leaves
	// nothing behind.
	if err := h.rememberAll(ctx, persons); err != nil {
		return problem(err)
	}
	noStore(c)
	return c.JSON(http.StatusCreated, map[string]int{"recorded": n})
}

// recent refuses a scan older than the data kept (Config.Keep): it would
// be purged at once, and a venue's staff link should not write the past.
func (h *Handler) recent(at, now time.Time) error {
	if at.Before(now.Add(-h.cfg.Keep)) {
		return &tracing.FieldError{Field: "at", Reason: fmt.Sprintf("a check-in older than %d days is not kept", int(h.cfg.Keep.Hours()/24))}
	}
	return nil
}
