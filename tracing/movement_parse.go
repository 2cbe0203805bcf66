package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Columns of a rides CSV file (case-insensitive). A row gives its rider
// by employee_id (resolved through the enterprise's roster as of the
// date) or by person (phone or ID number), or both.
const (
	ColRideDate      = "date"
	ColRideTrip      = "trip"
	ColRideBus       = "bus"
	ColRideEmployee  = "employee_id"
	ColRidePerson    = "person"
	ColRideSeat      = "seat"
	ColRideDeparture = "departure"
)

// DefaultMaxRides caps the rides of one upload.
const DefaultMaxRides = 100000

// RideUpload is how ParseRidesCSV and ParseRidesJSON read an upload.
type RideUpload struct {
	// Enterprise every ride belongs to; required.
	Enterprise string
	// Keys hash riders given by phone or ID number.
	Keys Keys
	// Now bounds the dates.
	Now time.Time
	// MaxRides caps the rows (0: DefaultMaxRides); MaxProblems the
	// problems listed (0: DefaultMaxUploadProblems).
	MaxRides, MaxProblems int
}

// RideRow is a parsed ride and where it was in the upload; a ride whose
// Person is zero waits for ResolveRiders to name it by its Employee.
type RideRow struct {
	Line    int
	Pointer string
	Ride    Ride
}

func rideColumns() []string {
	return []string{ColRideDate, ColRideTrip, ColRideBus, ColRideEmployee, ColRidePerson, ColRideSeat, ColRideDeparture}
}

// ParseRidesCSV reads a rides CSV file (columns date, trip, bus,
// employee_id and/or person, seat?, departure? as HH:MM in Vietnam). Any
// problem yields an *UploadError naming every bad line and field, and no
// rows.
func ParseRidesCSV(r io.Reader, o RideUpload) ([]RideRow, error) {
	errs := newUploadProblems(o.MaxProblems)
	c, ok := openMovementCSV(r, errs, rideColumns(), []string{ColRideDate, ColRideTrip, ColRideBus})
	if ok && !c.has(ColRideEmployee) && !c.has(ColRidePerson) {
		errs.add(UploadProblem{Line: 1, Pointer: "line 1", Field: ColRideEmployee, Reason: "name riders by an employee_id or a person column"})
		ok = false
	}
	if !ok {
		return nil, c.result()
	}
	c.maxRows = cmpOr(o.MaxRides, DefaultMaxRides)
	ids := newIdentityKeys(o.Keys)
	var out []RideRow
	for c.next() {
		in := rideInput{Date: c.cell(ColRideDate), Trip: c.cell(ColRideTrip), Bus: c.cell(ColRideBus),
			Employee: c.cell(ColRideEmployee), Person: c.cell(ColRidePerson), Seat: c.cell(ColRideSeat),
			Departure: c.cell(ColRideDeparture)}
		ride, err := in.ride(o, ids)
		if err != nil {
			c.failErr(err)
			continue
		}
		if !c.rowBad {
			out = append(out, RideRow{Line: c.line, Pointer: c.pointer(), Ride: ride})
		}
	}
	if c.ioErr != nil {
		return nil, c.ioErr
	}
	return rowsOrProblems(out, errs, "the file has a header but no rides")
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func rowsOrProblems(out []RideRow, errs *uploadProblems, empty string) ([]RideRow, error) {
	if len(out) == 0 && !errs.failed() {
		errs.add(UploadProblem{Line: 0, Pointer: "upload", Reason: empty})
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return out, nil
}

// rideInput is a ride as uploaded (a CSV row or a JSON object).
type rideInput struct {
	Date      string `json:"date"`
	Trip      string `json:"trip"`
	Bus       string `json:"bus"`
	Employee  string `json:"employee_id"`
	Person    string `json:"person"`
	Seat      string `json:"seat"`
	Departure string `json:"departure"`
}

// ride checks the input and returns its ride (Person zero when only the
// employee names it).
func (in rideInput) ride(o RideUpload, ids *identityKeys) (Ride, error) {
	r := Ride{Enterprise: o.Enterprise, Trip: Trip(strings.ToLower(strings.TrimSpace(in.Trip))),
		Bus: strings.TrimSpace(in.Bus), Employee: strings.TrimSpace(in.Employee), Seat: strings.TrimSpace(in.Seat)}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.Date))
	if err != nil {
		return r, invalid(ColRideDate, "%q is not a date: write it as YYYY-MM-DD", in.Date)
	}
	r.Date = d
	if dep := strings.TrimSpace(in.Departure); dep != "" {
		hm, err := time.Parse("15:04", dep)
		if err != nil {
			return r, invalid(ColRideDeparture, "%q is not a time of day: write it as HH:MM (Vietnam time)", dep)
		}
		r.Departure = d.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute - vietnamOffset)
	}
	switch p := strings.TrimSpace(in.Person); {
	case p != "":
		if r.Person, err = ids.key(ColRidePerson, p); err != nil {
			return r, err
		}
	case r.Employee == "":
		return r, invalid(ColRideEmployee, "a ride names its rider by employee_id or person")
	}
	check := r
	if check.Person.IsZero() {
		check.Person = PersonKey{1} // named by the employee, resolved later
	}
	return r, check.Validate(o.Now)
}

// ParseRidesJSON reads rides as JSON: an array of objects, or
// {"rides": [...]}, each {date, trip, bus, employee_id?, person?, seat?,
// departure?}. Problems name the item by a JSON Pointer (#/rides/3/trip).
func ParseRidesJSON(r io.Reader, o RideUpload) ([]RideRow, error) {
	errs := newUploadProblems(o.MaxProblems)
	items, prefix, err := rideItems(r)
	if isReadError(errors.Unwrap(err)) {
		return nil, err
	}
	if err != nil {
		errs.add(UploadProblem{Pointer: "#", Reason: err.Error()})
		return nil, errs.result()
	}
	if max := cmpOr(o.MaxRides, DefaultMaxRides); len(items) > max {
		errs.add(UploadProblem{Pointer: "#" + prefix, Reason: fmt.Sprintf("more than %d rides: split the upload", max)})
		return nil, errs.result()
	}
	ids := newIdentityKeys(o.Keys)
	var out []RideRow
	for i, raw := range items {
		ptr := fmt.Sprintf("#%s/%d", prefix, i)
		var in rideInput
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			errs.add(UploadProblem{Line: i, Pointer: ptr, Reason: "a ride is an object of date, trip, bus, employee_id, person, seat, departure (strings): " + jsonReason(err)})
			continue
		}
		ride, err := in.ride(o, ids)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				errs.add(UploadProblem{Line: i, Pointer: ptr + "/" + fe.Field, Field: fe.Field, Reason: fe.Reason})
			} else {
				errs.addErr(i, ptr, err)
			}
			continue
		}
		out = append(out, RideRow{Line: i, Pointer: ptr, Ride: ride})
	}
	return rowsOrProblems(out, errs, "the upload holds no rides")
}

// rideItems splits a JSON array, or the "rides" member of an object,
// into its items; prefix is the JSON Pointer of the array.
func rideItems(r io.Reader) ([]json.RawMessage, string, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("tracing: reading the upload: %w", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, "", fmt.Errorf("not valid JSON: %s", jsonReason(err))
		}
		return items, "", nil
	}
	var doc struct {
		Rides []json.RawMessage `json:"rides"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, "", fmt.Errorf("rides come as a JSON array or {\"rides\": [...]}: %s", jsonReason(err))
	}
	return doc.Rides, "/rides", nil
}

// jsonReason is the part of a JSON error a client may read.
func jsonReason(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// ResolveRiders names the rider of every row given by employee id
// through resolve (the roster as of the ride's date). Unknown employees
// yield an *UploadError naming each line, and no rides.
func ResolveRiders(ctx context.Context, rows []RideRow, resolve RiderResolver, maxProblems int) ([]Ride, error) {
	errs := newUploadProblems(maxProblems)
	out := make([]Ride, 0, len(rows))
	type memo struct {
		employee string
		day      time.Time
	}
	known := map[memo]PersonKey{}
	for _, row := range rows {
		r := row.Ride
		if r.Person.IsZero() {
			m := memo{r.Employee, r.Date}
			k, ok := known[m]
			if !ok {
				var err error
				if resolve == nil {
					err = ErrNotFound
				} else {
					k, err = resolve(ctx, r.Enterprise, r.Employee, r.Date)
				}
				switch {
				case errors.Is(err, ErrNotFound):
					errs.add(UploadProblem{Line: row.Line, Pointer: row.Pointer, Field: ColRideEmployee,
						Reason: fmt.Sprintf("employee %q is not on the enterprise's roster on %s", r.Employee, r.Date.Format(time.DateOnly))})
					continue
				case err != nil:
					return nil, fmt.Errorf("tracing: resolve employee on %s: %w", row.Pointer, err)
				}
				known[m] = k
			}
			r.Person = k
		}
		out = append(out, r)
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return out, nil
}
