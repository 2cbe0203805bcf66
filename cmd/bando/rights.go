package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// personRights serves a person's rights under Law 91/2025/QH15 over the
// stores of one deployment: an export of everything held about them, and
// their erasure. Both are an admin's, with a reason; the export is logged
// as a read of personal data, the erasure is its own audit entry.
type personRights struct {
	store     tracing.Store
	rosters   tracing.Rosters
	movements tracing.Movements // nil: the store keeps none
	eraser    tracing.Eraser
	access    tracing.AccessLog
	people    features.People // nil: the features store keeps no people
	log       audit.Log       // nil: no access-log entries in the export
	keys      tracing.Keys
	signer    audit.Signer
	// erased is told after an erasure (the exposure engine reloads).
	erased func()
}

// newPersonRights returns the rights over tp and the features store b.
func newPersonRights(tp tracingParts, b backend) (*personRights, error) {
	var store interface {
		tracing.Store
		tracing.Rosters
		tracing.Eraser
		accessLogger
	}
	switch {
	case tp.pg != nil:
		store = tp.pg
	case tp.bolt != nil:
		store = tp.bolt
	default:
		return nil, fmt.Errorf("rights: no tracing store beside %T", b)
	}
	if !tp.signer.Usable() {
		return nil, errors.New("rights: no audit signing key")
	}
	r := &personRights{store: store, rosters: store, eraser: store, access: store.AccessLog(tp.signer), keys: tp.keys, signer: tp.signer,
		erased: func() {}}
	r.movements, _ = store.(tracing.Movements)
	r.people, _ = b.(features.People)
	if log, err := auditLogOf(b); err == nil {
		r.log = log
	}
	return r, nil
}

// personRequest names one person by one of their numbers or their case
// code, and says why.
type personRequest struct {
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	CaseCode string `json:"case_code,omitempty"`
	Reason   string `json:"reason"`
}

// errRightsInput is a request that names no person, or several ways, or
// gives no reason (HTTP 422).
var errRightsInput = errors.New("rights: invalid request")

// subject is the person a request names, as the stores know them.
type subject struct {
	// identifier is the request's kind and normalised value, digested
	// (never kept or logged raw).
	digest string
	keys   []tracing.PersonKey
	match  features.PersonMatch
	people []features.Stored
}

// identityDigits are the digit forms a number may be kept under in a
// case's private side (a phone with +84 or with 0).
func identityDigits(id tracing.Identity) []string {
	if id.Kind == tracing.Phone {
		return []string{id.Value, "84" + strings.TrimPrefix(id.Value, "0")}
	}
	return []string{id.Value}
}

// resolve reads the request: exactly one of phone, ID number and case
// code, and a reason; then finds the person's keys (the number's, the
// case's numbers', and a worker's other number from the roster) and the
// cases and contacts about them.
func (r *personRights) resolve(ctx context.Context, req personRequest) (subject, error) {
	given := 0
	for _, v := range []string{req.Phone, req.IDNumber, req.CaseCode} {
		if strings.TrimSpace(v) != "" {
			given++
		}
	}
	if given != 1 {
		return subject{}, fmt.Errorf("%w: name the person by exactly one of phone, id_number and case_code", errRightsInput)
	}
	if err := tracing.CheckReason(req.Reason); err != nil {
		return subject{}, fmt.Errorf("%w: reason: %w", errRightsInput, err)
	}
	var ids []tracing.Identity
	var s subject
	switch {
	case req.Phone != "":
		p, err := tracing.NormalisePhone(req.Phone)
		if err != nil {
			return subject{}, fmt.Errorf("%w: phone: not a Vietnamese phone number", errRightsInput)
		}
		ids = append(ids, tracing.Identity{Kind: tracing.Phone, Value: p})
	case req.IDNumber != "":
		n, err := tracing.NormaliseIDNumber(req.IDNumber)
		if err != nil {
			return subject{}, fmt.Errorf("%w: id_number: 9 (CMND) or 12 (CCCD) digits", errRightsInput)
		}
		ids = append(ids, tracing.Identity{Kind: tracing.IDNumber, Value: n})
	default:
		code := strings.TrimSpace(req.CaseCode)
		if len(code) > 64 {
			return subject{}, fmt.Errorf("%w: case_code: at most 64 characters", errRightsInput)
		}
		s.match.Code = code
	}
	if len(ids) > 0 {
		s.digest = r.signer.Digest([]byte(string(ids[0].Kind) + ":" + ids[0].Value))
	} else {
		s.digest = r.signer.Digest([]byte("case_code:" + s.match.Code))
	}
	if err := r.findPeople(ctx, &s, ids); err != nil {
		return subject{}, err
	}
	for _, st := range s.people { // the case's own numbers
		if st.Person == nil {
			continue
		}
		if p, err := tracing.NormalisePhone(st.Person.Phone); err == nil {
			ids = append(ids, tracing.Identity{Kind: tracing.Phone, Value: p})
		}
		if n, err := tracing.NormaliseIDNumber(st.Person.IDNumber); err == nil {
			ids = append(ids, tracing.Identity{Kind: tracing.IDNumber, Value: n})
		}
	}
	for _, id := range ids {
		s.keys = appendKey(s.keys, r.keys.PersonKey(id))
	}
	// A worker's roster joins their phone's key and their ID number's.
	for _, k := range slices.Clone(s.keys) {
		periods, err := r.rosters.PeriodsOf(ctx, k, time.Unix(0, 0), farFuture())
		if err != nil {
			return subject{}, err
		}
		for _, p := range periods {
			s.keys = appendKey(appendKey(s.keys, p.Person), p.AltPerson)
		}
	}
	return s, nil
}

// findPeople sets the match of ids and finds the cases and contacts.
func (r *personRights) findPeople(ctx context.Context, s *subject, ids []tracing.Identity) error {
	for _, id := range ids {
		s.match.Digits = append(s.match.Digits, identityDigits(id)...)
	}
	if r.people == nil {
		return nil
	}
	var err error
	s.people, err = r.people.People(ctx, s.match)
	return err
}

func appendKey(keys []tracing.PersonKey, k tracing.PersonKey) []tracing.PersonKey {
	if k.IsZero() || slices.Contains(keys, k) {
		return keys
	}
	return append(keys, k)
}

// farFuture bounds the reads of "everything": well past any record.
func farFuture() time.Time { return time.Now().AddDate(5, 0, 0) }

// heldAbout is everything the stores hold about one person.
type heldAbout struct {
	Subject      string         `json:"subject"`
	Generated    time.Time      `json:"generated"`
	Persons      []personOut    `json:"persons"`
	Visits       []visitOut     `json:"visits"`
	Declarations []declOut      `json:"declarations"`
	Roster       []rosterOut    `json:"roster"`
	Rides        []rideOut      `json:"rides"`
	Traces       []traceOut     `json:"traces"`
	People       []peopleOut    `json:"cases_and_contacts"`
	AccessLog    []accessLogOut `json:"access_log"`
}

type personOut struct {
	Key       string    `json:"key"`
	Name      string    `json:"name,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	IDNumber  string    `json:"id_number,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
}

type visitOut struct {
	Venue string `json:"venue"`
	// VenueName and VenueCategory say where the venue id is ("" for a
	// venue the store no longer knows).
	VenueName     string    `json:"venue_name,omitempty"`
	VenueCategory string    `json:"venue_category,omitempty"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end,omitzero"`
	// Closing is how the visit ended: checkout or default-stay; "" while
	// open.
	Closing string `json:"closing,omitempty"`
	Source  string `json:"source"`
}

type declOut struct {
	Venue         string    `json:"venue,omitempty"`
	VenueName     string    `json:"venue_name,omitempty"`
	VenueCategory string    `json:"venue_category,omitempty"`
	Time          time.Time `json:"time"`
	Symptoms      []string  `json:"symptoms"`
	ContactF0     bool      `json:"contact_f0"`
	Travel        string    `json:"travel,omitempty"`
}

type rosterOut struct {
	Enterprise    string `json:"enterprise"`
	Employee      string `json:"employee_id"`
	Name          string `json:"name,omitempty"`
	Phone         string `json:"phone,omitempty"`
	IDNumber      string `json:"id_number,omitempty"`
	Address       string `json:"address,omitempty"`
	BoardingHouse string `json:"boarding_house,omitempty"`
	Room          string `json:"room,omitempty"`
	Ward          string `json:"ward,omitempty"`
	// ResidenceLocation is the residence's point (lon, lat) the roster
	// gave: the worker's home.
	ResidenceLocation []float64 `json:"residence_location,omitempty"`
	Site              string    `json:"site,omitempty"`
	Line              string    `json:"line,omitempty"`
	Shift             string    `json:"shift,omitempty"`
	BusRoute          string    `json:"bus_route,omitempty"`
	ValidFrom         time.Time `json:"valid_from"`
	ValidTo           time.Time `json:"valid_to,omitzero"`
}

type rideOut struct {
	Enterprise string    `json:"enterprise"`
	Date       time.Time `json:"date"`
	Trip       string    `json:"trip"`
	Departure  time.Time `json:"departure,omitzero"`
	Bus        string    `json:"bus"`
	Seat       string    `json:"seat,omitempty"`
	Employee   string    `json:"employee_id,omitempty"`
}

type traceOut struct {
	Time     time.Time `json:"time"`
	Lon      float64   `json:"lon"`
	Lat      float64   `json:"lat"`
	Accuracy float64   `json:"accuracy_m"`
}

type peopleOut struct {
	Collection string         `json:"collection"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	Name       string         `json:"name,omitempty"`
	Phone      string         `json:"phone,omitempty"`
	IDNumber   string         `json:"id_number,omitempty"`
	Address    string         `json:"address,omitempty"`
	// Location is the exact location (lon, lat), the home.
	Location []float64 `json:"location,omitempty"`
}

type accessLogOut struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Role       string    `json:"role,omitempty"`
	Action     string    `json:"action"`
	Collection string    `json:"collection"`
	Reason     string    `json:"reason,omitempty"`
}

// count is how many records h holds (its access log aside).
func (h heldAbout) count() int {
	return len(h.Persons) + len(h.Visits) + len(h.Declarations) + len(h.Roster) + len(h.Rides) + len(h.Traces) + len(h.People)
}

// export gathers what is held about the person req names and logs the
// read (who, why, how much) before it is returned. ErrNothingHeld when
// nothing is.
func (r *personRights) export(ctx context.Context, req personRequest, requestID string) (heldAbout, error) {
	if p, ok := auth.PrincipalFrom(ctx); !ok || p.Role != auth.Admin {
		return heldAbout{}, fmt.Errorf("rights: export a person: %w: admins only", auth.ErrForbidden)
	}
	s, err := r.resolve(ctx, req)
	if err != nil {
		return heldAbout{}, err
	}
	h := heldAbout{Subject: s.digest, Generated: time.Now().UTC()}
	if err := r.gather(ctx, s, &h); err != nil {
		return heldAbout{}, err
	}
	if h.count() == 0 {
		return heldAbout{}, tracing.ErrNothingHeld
	}
	_, err = r.access.LogRead(ctx, tracing.Read{Collection: "persons.export", Subject: s.digest, Reason: req.Reason,
		From: time.Unix(0, 0).UTC(), To: h.Generated, Count: h.count(), RequestID: requestID})
	if err != nil {
		return heldAbout{}, fmt.Errorf("rights: log the export: %w", err)
	}
	return h, nil
}

// gather reads every kind of record of s into h.
func (r *personRights) gather(ctx context.Context, s subject, h *heldAbout) error {
	from, to := time.Unix(0, 0), farFuture()
	workers := map[[2]string]bool{}
	venues := venueNames{}
	for _, k := range s.keys {
		if p, err := r.store.Person(ctx, k); err == nil {
			h.Persons = append(h.Persons, personOut{Key: k.String(), Name: p.Name, Phone: p.Phone, IDNumber: p.IDNumber, FirstSeen: p.FirstSeen.UTC()})
		} else if !errors.Is(err, tracing.ErrNotFound) {
			return err
		}
		vs, err := r.store.VisitsOf(ctx, k, from, to)
		if err != nil {
			return err
		}
		for _, v := range vs {
			name, category, err := venues.of(ctx, r.store, v.Venue)
			if err != nil {
				return err
			}
			h.Visits = append(h.Visits, visitOut{Venue: string(v.Venue), VenueName: name, VenueCategory: category,
				Start: v.Start.UTC(), End: v.End.UTC(), Closing: string(v.Closing), Source: string(v.Source)})
		}
		ds, err := r.store.DeclarationsOf(ctx, k, from, to)
		if err != nil {
			return err
		}
		for _, d := range ds {
			o := declOut{Venue: string(d.Venue), Time: d.Time.UTC(), ContactF0: d.ContactF0, Travel: d.Travel, Symptoms: []string{}}
			if d.Venue != "" {
				if o.VenueName, o.VenueCategory, err = venues.of(ctx, r.store, d.Venue); err != nil {
					return err
				}
			}
			for _, sy := range d.Symptoms {
				o.Symptoms = append(o.Symptoms, string(sy))
			}
			h.Declarations = append(h.Declarations, o)
		}
		periods, err := r.rosters.PeriodsOf(ctx, k, from, to)
		if err != nil {
			return err
		}
		for _, p := range periods {
			workers[[2]string{p.Enterprise, p.Employee}] = true
		}
		if err := r.gatherMovements(ctx, k, h); err != nil {
			return err
		}
	}
	if err := r.gatherRoster(ctx, workers, h); err != nil {
		return err
	}
	for _, st := range s.people {
		if st.Person != nil { // a public record whose private side is gone is not personal data
			h.People = append(h.People, peopleOf(st))
		}
	}
	return r.gatherAccessLog(ctx, s, h)
}

// venueNames are the names and categories of the venues an export names,
// each read once.
type venueNames map[tracing.VenueID][2]string

// of returns the name and category of venue id; blank for a venue the
// store no longer knows.
func (n venueNames) of(ctx context.Context, store tracing.Store, id tracing.VenueID) (name, category string, err error) {
	if v, ok := n[id]; ok {
		return v[0], v[1], nil
	}
	v, err := store.Venue(ctx, id)
	if err != nil && !errors.Is(err, tracing.ErrNotFound) {
		return "", "", fmt.Errorf("rights: read venue %s: %w", id, err)
	}
	n[id] = [2]string{v.Name, string(v.Category)}
	return v.Name, string(v.Category), nil
}

// gatherMovements reads the person's rides and trace points.
func (r *personRights) gatherMovements(ctx context.Context, k tracing.PersonKey, h *heldAbout) error {
	if r.movements == nil {
		return nil
	}
	from, to := time.Unix(0, 0), farFuture()
	rides, err := r.movements.RidesOf(ctx, k, from, to)
	if err != nil {
		return err
	}
	for _, rd := range rides {
		h.Rides = append(h.Rides, rideOut{Enterprise: rd.Enterprise, Date: rd.Date.UTC(), Trip: string(rd.Trip), Departure: rd.Departure.UTC(),
			Bus: rd.Bus, Seat: rd.Seat, Employee: rd.Employee})
	}
	pts, err := r.movements.TracesOf(ctx, k, from, to)
	if err != nil {
		return err
	}
	for _, p := range pts {
		h.Traces = append(h.Traces, traceOut{Time: p.Time.UTC(), Lon: p.Lon, Lat: p.Lat, Accuracy: p.Accuracy})
	}
	return nil
}

// gatherRoster reads the whole history of each worker, with the private
// details the enterprise gave.
func (r *personRights) gatherRoster(ctx context.Context, workers map[[2]string]bool, h *heldAbout) error {
	for _, w := range slices.SortedFunc(func(yield func([2]string) bool) {
		for w := range workers {
			if !yield(w) {
				return
			}
		}
	}, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) }) {
		history, err := r.rosters.WorkerHistory(ctx, w[0], w[1])
		if err != nil {
			return err
		}
		for _, e := range history {
			o := rosterOut{Enterprise: e.Enterprise, Employee: e.Employee, Name: e.Private.Name,
				Phone: e.Private.Phone, IDNumber: e.Private.IDNumber, Address: e.Residence.Address,
				BoardingHouse: e.Residence.BoardingHouse, Room: e.Residence.Room, Ward: e.Residence.Ward,
				Site: e.Workplace.Site, Line: e.Workplace.Line, Shift: e.Workplace.Shift, BusRoute: e.BusRoute,
				ValidFrom: e.ValidFrom.UTC(), ValidTo: e.ValidTo.UTC()}
			if pt := e.Residence.Location; pt != (orb.Point{}) {
				o.ResidenceLocation = []float64{pt.Lon(), pt.Lat()}
			}
			h.Roster = append(h.Roster, o)
		}
	}
	return nil
}

// peopleOf is a case's or contact's record, its private side included.
func peopleOf(st features.Stored) peopleOut {
	o := peopleOut{Collection: st.Collection, ID: st.ID, Properties: st.Properties}
	if p := st.Person; p != nil {
		o.Name, o.Phone, o.IDNumber, o.Address = p.Name, p.Phone, p.IDNumber, p.Address
		if pt, ok := st.Geometry.(orb.Point); ok {
			o.Location = []float64{pt[0], pt[1]}
		}
	}
	return o
}

// gatherAccessLog reads the audit log's entries about the person: reads
// of their records by key, and changes and reads of their cases.
func (r *personRights) gatherAccessLog(ctx context.Context, s subject, h *heldAbout) error {
	if r.log == nil {
		return nil
	}
	subjects := []string{s.digest}
	for _, k := range s.keys {
		subjects = append(subjects, k.String())
	}
	for _, st := range s.people {
		subjects = append(subjects, st.ID)
	}
	for _, sub := range subjects {
		es, err := r.log.Entries(ctx, audit.Query{Subject: sub, Limit: 10000})
		if err != nil {
			return fmt.Errorf("rights: read the audit log: %w", err)
		}
		for _, e := range es {
			h.AccessLog = append(h.AccessLog, accessLogOut{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Role: e.Role,
				Action: e.Action, Collection: e.Collection, Reason: e.Note})
		}
	}
	slices.SortFunc(h.AccessLog, func(a, b accessLogOut) int { return int(a.Seq - b.Seq) })
	h.AccessLog = slices.CompactFunc(h.AccessLog, func(a, b accessLogOut) bool { return a.Seq == b.Seq })
	return nil
}

// erase erases the person req names: every tracing record of their keys
// and the private side of their cases and contacts, in one transaction
// with the audit entry person.erase; then the exposure engine is told.
func (r *personRights) erase(ctx context.Context, req personRequest, requestID string) (tracing.Erased, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Role != auth.Admin {
		return tracing.Erased{}, fmt.Errorf("rights: erase a person: %w: admins only", auth.ErrForbidden)
	}
	s, err := r.resolve(ctx, req)
	if err != nil {
		return tracing.Erased{}, err
	}
	e := tracing.Erasure{Keys: s.keys, People: r.people, Audit: audit.Entry{Actor: p.User, Role: string(p.Role),
		Subject: s.digest, RequestID: requestID, Note: strings.TrimSpace(req.Reason)}}
	for _, st := range s.people {
		e.Refs = append(e.Refs, features.PersonRef{Collection: st.Collection, ID: st.ID})
	}
	out, err := r.eraser.ErasePerson(ctx, e)
	if err != nil {
		return tracing.Erased{}, err
	}
	r.erased()
	return out, nil
}
