package tracing

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Columns of a traces CSV file (case-insensitive), all required.
const (
	ColTracePerson   = "person"
	ColTraceTime     = "time"
	ColTraceLon      = "lon"
	ColTraceLat      = "lat"
	ColTraceAccuracy = "accuracy"
)

// DefaultMaxTracePoints caps the points of one upload.
const DefaultMaxTracePoints = 500000

// TraceUpload is how ParseTracesCSV and ParseTracesGeoJSON read an upload.
type TraceUpload struct {
	// Keys hash the persons' phone or ID numbers.
	Keys Keys
	// Now bounds the times.
	Now time.Time
	// MaxPoints caps the points (0: DefaultMaxTracePoints); MaxProblems
	// the problems listed (0: DefaultMaxUploadProblems).
	MaxPoints, MaxProblems int
}

func traceColumns() []string {
	return []string{ColTracePerson, ColTraceTime, ColTraceLon, ColTraceLat, ColTraceAccuracy}
}

// ParseTracesCSV reads a traces CSV file: person (phone or ID number),
// time (RFC 3339), lon, lat (WGS 84 degrees), accuracy (metres). Any
// problem yields an *UploadError naming every bad line and field, and no
// points.
func ParseTracesCSV(r io.Reader, o TraceUpload) ([]TracePoint, error) {
	errs := newUploadProblems(o.MaxProblems)
	c, ok := openMovementCSV(r, errs, traceColumns(), traceColumns())
	if !ok {
		return nil, c.result()
	}
	c.maxRows = cmpOr(o.MaxPoints, DefaultMaxTracePoints)
	ids := newIdentityKeys(o.Keys)
	var out []TracePoint
	for c.next() {
		p, err := traceInput{
			person: c.cell(ColTracePerson), time: c.cell(ColTraceTime),
			lon: c.cell(ColTraceLon), lat: c.cell(ColTraceLat), accuracy: c.cell(ColTraceAccuracy),
		}.point(o, ids)
		if err != nil {
			c.failErr(err)
			continue
		}
		if !c.rowBad {
			out = append(out, p)
		}
	}
	if c.ioErr != nil {
		return nil, c.ioErr
	}
	return pointsOrProblems(out, errs, "the file has a header but no points")
}

func pointsOrProblems(out []TracePoint, errs *uploadProblems, empty string) ([]TracePoint, error) {
	if len(out) == 0 && !errs.failed() {
		errs.add(UploadProblem{Pointer: "upload", Reason: empty})
	}
	if err := errs.result(); err != nil {
		return nil, err
	}
	return out, nil
}

// traceInput is a CSV row's cells.
type traceInput struct{ person, time, lon, lat, accuracy string }

func (in traceInput) point(o TraceUpload, ids *identityKeys) (TracePoint, error) {
	var p TracePoint
	var err error
	if in.person == "" {
		return p, invalid(ColTracePerson, "required: the person's phone or ID number")
	}
	if p.Person, err = ids.key(ColTracePerson, in.person); err != nil {
		return p, err
	}
	if p.Time, err = parseUploadTime(ColTraceTime, in.time); err != nil {
		return p, err
	}
	for _, f := range []struct {
		name, text string
		v          *float64
	}{{ColTraceLon, in.lon, &p.Lon}, {ColTraceLat, in.lat, &p.Lat}, {ColTraceAccuracy, in.accuracy, &p.Accuracy}} {
		if *f.v, err = strconv.ParseFloat(f.text, 64); err != nil {
			return p, invalid(f.name, "%q is not a decimal number", f.text)
		}
	}
	return p, p.Validate(o.Now)
}

// geoFeature is one feature of a traces GeoJSON upload.
type geoFeature struct {
	Type       string    `json:"type"`
	Geometry   *geoPoint `json:"geometry"`
	Properties struct {
		Person   *string  `json:"person"`
		Time     *string  `json:"time"`
		Accuracy *float64 `json:"accuracy"`
	} `json:"properties"`
}

// geoPoint is a feature's geometry, a Point.
type geoPoint struct {
	Type        string    `json:"type"`
	Coordinates []float64 `json:"coordinates"`
}

func (g *geoPoint) coordinates() []float64 {
	if g == nil {
		return nil
	}
	return g.Coordinates
}

// ParseTracesGeoJSON reads a GeoJSON FeatureCollection of Points whose
// properties are person (phone or ID number), time (RFC 3339) and
// accuracy (metres). The features are read one by one, so that a large
// upload is never held twice. Problems name the feature by a JSON Pointer
// (#/features/3/properties/time).
func ParseTracesGeoJSON(r io.Reader, o TraceUpload) ([]TracePoint, error) {
	errs := newUploadProblems(o.MaxProblems)
	g := geoReader{dec: json.NewDecoder(r), o: o, errs: errs, ids: newIdentityKeys(o.Keys), max: cmpOr(o.MaxPoints, DefaultMaxTracePoints)}
	if err := g.collection(); err != nil {
		if g.readErr != nil {
			return nil, fmt.Errorf("tracing: reading the upload: %w", g.readErr)
		}
		errs.add(UploadProblem{Pointer: "#", Reason: err.Error()})
		return nil, errs.result()
	}
	return pointsOrProblems(g.out, errs, "the collection holds no features")
}

// geoReader streams a FeatureCollection.
type geoReader struct {
	dec  *json.Decoder
	o    TraceUpload
	errs *uploadProblems
	ids  *identityKeys
	max  int
	out  []TracePoint
	typ  string
	// readErr is a failure of the reader, not of the JSON.
	readErr error
}

// token reads the next token, noting a read failure.
func (g *geoReader) token() (json.Token, error) {
	t, err := g.dec.Token()
	g.noteRead(err)
	return t, err
}

// decode decodes the next value, noting a read failure.
func (g *geoReader) decode(v any) error {
	err := g.dec.Decode(v)
	g.noteRead(err)
	return err
}

func (g *geoReader) noteRead(err error) {
	if isReadError(err) && g.readErr == nil {
		g.readErr = err
	}
}

var errNotCollection = errors.New(`a traces upload is a GeoJSON {"type": "FeatureCollection", "features": [...]}`)

// collection reads the top-level object, streaming its features.
func (g *geoReader) collection() error {
	if t, err := g.token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%w: %s", errNotCollection, tokenReason(err))
	}
	for g.dec.More() {
		t, err := g.token()
		if err != nil {
			return fmt.Errorf("not valid JSON: %s", jsonReason(err))
		}
		switch t {
		case "type":
			if err := g.decode(&g.typ); err != nil || g.typ != "FeatureCollection" {
				return errNotCollection
			}
		case "features":
			if err := g.features(); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := g.decode(&skip); err != nil {
				return fmt.Errorf("not valid JSON: %s", jsonReason(err))
			}
		}
	}
	if _, err := g.token(); err != nil {
		return fmt.Errorf("not valid JSON: %s", jsonReason(err))
	}
	if g.typ != "FeatureCollection" {
		return errNotCollection
	}
	return nil
}

func tokenReason(err error) string {
	if err == nil {
		return "the body is not a JSON object"
	}
	return jsonReason(err)
}

func (g *geoReader) features() error {
	if t, err := g.token(); err != nil || t != json.Delim('[') {
		return fmt.Errorf("%w: features is not an array", errNotCollection)
	}
	for i := 0; g.dec.More(); i++ {
		if i >= g.max {
			return fmt.Errorf("more than %d features: split the upload", g.max)
		}
		var f geoFeature
		if err := g.decode(&f); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return fmt.Errorf("not valid JSON at feature %d: %s", i, jsonReason(err))
			}
			reason := "expected " + jsonKind(te.Type.Kind().String())
			if strings.HasPrefix(te.Field, "geometry") {
				reason = "a trace feature's geometry is a Point [lon, lat] in degrees"
			}
			g.errs.add(UploadProblem{Line: i, Pointer: fmt.Sprintf("#/features/%d/%s", i, pointerOf(te.Field)), Reason: reason})
			continue
		}
		g.feature(i, f)
	}
	_, err := g.token()
	return err
}

// pointerOf turns encoding/json's dotted field path into a JSON Pointer tail.
func pointerOf(field string) string {
	out := []byte(field)
	for i, c := range out {
		if c == '.' {
			out[i] = '/'
		}
	}
	return string(out)
}

// feature checks one feature and keeps its point.
func (g *geoReader) feature(i int, f geoFeature) {
	fail := func(member, field, format string, args ...any) {
		g.errs.add(UploadProblem{Line: i, Pointer: fmt.Sprintf("#/features/%d%s", i, member), Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	pr := f.Properties
	coords := f.Geometry.coordinates()
	switch {
	case f.Type != "Feature":
		fail("/type", "type", `a member of features is a "Feature"`)
	case f.Geometry == nil || f.Geometry.Type != "Point":
		fail("/geometry", "geometry", "a trace feature's geometry is a Point [lon, lat]")
	case len(coords) < 2 || len(coords) > 3:
		fail("/geometry/coordinates", "geometry", "a Point's coordinates are [lon, lat] in degrees")
	case pr.Person == nil || *pr.Person == "":
		fail("/properties/person", ColTracePerson, "required: the person's phone or ID number")
	case pr.Time == nil:
		fail("/properties/time", ColTraceTime, "required: an RFC 3339 time with its offset")
	case pr.Accuracy == nil:
		fail("/properties/accuracy", ColTraceAccuracy, "required: the accuracy in metres")
	default:
		p, err := g.point(f, coords)
		var fe *FieldError
		switch {
		case errors.As(err, &fe):
			member := "/properties/" + fe.Field
			if fe.Field == ColTraceLon || fe.Field == ColTraceLat {
				member = "/geometry/coordinates"
			}
			fail(member, fe.Field, "%s", fe.Reason)
		case err != nil:
			fail("", "", "%v", err)
		default:
			g.out = append(g.out, p)
		}
	}
}

func (g *geoReader) point(f geoFeature, coords []float64) (TracePoint, error) {
	var p TracePoint
	var err error
	if p.Person, err = g.ids.key(ColTracePerson, *f.Properties.Person); err != nil {
		return p, err
	}
	if p.Time, err = parseUploadTime(ColTraceTime, *f.Properties.Time); err != nil {
		return p, err
	}
	p.Lon, p.Lat, p.Accuracy = coords[0], coords[1], *f.Properties.Accuracy
	return p, p.Validate(g.o.Now)
}

// jsonKind names a Go kind as JSON does.
func jsonKind(kind string) string {
	switch kind {
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "ptr", "struct":
		return "an object"
	}
	return "another type"
}
