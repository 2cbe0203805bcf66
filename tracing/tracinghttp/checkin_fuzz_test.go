package tracinghttp

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// FuzzCheckInBody: the bodies of the public check-in and of the staff
// scanner, read as their handlers read them (the JSON, the identity and
// name, the health declaration, a personal pass), are a person to keep or
// a field error; never a panic.
func FuzzCheckInBody(f *testing.F) {
	for _, s := range []string{
		`{"identity":"0912345678","name":"Nguyễn Văn An"}`,
		`{"identity":"074123456789","declaration":{"symptoms":["fever","cough"],"contact_f0":true,"travel":"Hà Nội"}}`,
		`{"identity":"","declaration":{"symptoms":["` + strings.Repeat("x", 300) + `"]}}`,
		`{"identity":"0912345678","name":"` + strings.Repeat("é", 201) + `"}`,
		`{"pass":"AAAA","identity":"0912345678"}`,
		`{"checkins":[{"identity":"0912345678"},{"pass":"x"}]}`,
		`{"identity":"\u0000"}`, `[]`, `null`, `{"declaration":{}}`,
	} {
		f.Add([]byte(s))
	}
	keys, err := tracing.NewKeys([]byte("a fuzzing secret of thirty-two bytes"))
	if err != nil {
		f.Fatal(err)
	}
	h := &Handler{cfg: Config{Keys: keys}}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var body checkInBody
		if json.Unmarshal(data, &body) == nil {
			if p, err := h.person(body.Identity, body.Name, at); err == nil {
				checkKept(t, p)
				if d := body.Declaration; d != nil {
					symptoms := make([]tracing.Symptom, len(d.Symptoms))
					for i, s := range d.Symptoms {
						symptoms[i] = tracing.Symptom(s)
					}
					decl := tracing.Declaration{Person: p.Key, Time: at, Symptoms: symptoms, ContactF0: d.ContactF0, Travel: strings.TrimSpace(d.Travel)}
					_ = decl.Validate(at)
				}
			}
		}
		var staff staffBody
		if json.Unmarshal(data, &staff) == nil {
			for _, r := range append([]staffRow{staff.staffRow}, staff.CheckIns...) {
				if _, p, err := h.staffPerson(r, at); err == nil && p != nil {
					checkKept(t, *p)
				}
			}
		}
	})
}

// checkKept fails when a person to keep has no key: every check-in needs
// one.
func checkKept(t *testing.T, p tracing.Person) {
	t.Helper()
	if p.Key == (tracing.PersonKey{}) {
		t.Fatalf("a person without a key: %+v", p)
	}
}
