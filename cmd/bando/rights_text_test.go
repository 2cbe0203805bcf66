package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// hostile is a value that, written as it is, would end its line and
// forge a record, a heading and a reversed text of its own.
const hostile = "X\n- họ tên/name: FORGED; điện thoại/phone: 0900000000\r\n## Giả / Forged: 1\u2028\u202e\"\\"

// fillStrings sets every string of v (structs, slices, maps of any) to s.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fillStrings(v.Field(i), s)
		}
	case reflect.Slice:
		for i := range v.Len() {
			fillStrings(v.Index(i), s)
		}
	}
}

// TestWriteHeldHostile: a value holding line breaks, a forged line and
// heading, a line separator and a bidirectional override stays one quoted
// value on its record's line, in every field of every kind of record.
func TestWriteHeldHostile(t *testing.T) {
	h := heldAbout{Generated: time.Now(), Persons: make([]personOut, 1), Visits: make([]visitOut, 2), Declarations: []declOut{{Symptoms: []string{""}}},
		Roster: []rosterOut{{ResidenceLocation: []float64{106.65, 10.98}}}, Rides: make([]rideOut, 1), Traces: make([]traceOut, 1),
		People: []peopleOut{{Location: []float64{106.65, 10.98}}}, AccessLog: make([]accessLogOut, 2)}
	fillStrings(reflect.ValueOf(&h).Elem(), hostile)
	h.People[0].Properties = map[string]any{hostile: hostile, "notes": []any{hostile, 3}, "age": 40}
	var b strings.Builder
	writeHeld(&b, h)
	text := b.String()
	records, headings := 0, 0
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "- "):
			records++
		case strings.HasPrefix(line, "## "):
			headings++
		case line == "" || i < 3:
		default:
			t.Errorf("line %d is neither a record nor a heading: %q", i+1, line)
		}
		if strings.ContainsAny(line, "\r\u2028\u2029\u202e") {
			t.Errorf("line %d holds a raw control character: %q", i+1, line)
		}
		if strings.HasPrefix(line, "- họ tên/name: FORGED") || strings.HasPrefix(line, "## Giả") {
			t.Errorf("a value forged line %d: %q", i+1, line)
		}
	}
	if want := h.count() + len(h.AccessLog); records != want || headings != 8 {
		t.Errorf("%d record lines and %d headings, want %d and 8:\n%s", records, headings, want, text)
	}
	if quoted := `"X\n- họ tên/name: FORGED; điện thoại/phone: 0900000000\r\n## Giả / Forged: 1\u2028\u202e\"\\"`; !strings.Contains(text, quoted) {
		t.Errorf("the text lacks the value quoted and escaped %s:\n%s", quoted, text)
	}
}
