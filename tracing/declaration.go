package tracing

import (
	"slices"
	"strings"
	"time"
)

// Symptom is one symptom a declaration may list.
type Symptom string

// The symptoms of the 2021 health declaration form.
const (
	Fever        Symptom = "fever"
	Cough        Symptom = "cough"
	ShortBreath  Symptom = "short_breath"
	SoreThroat   Symptom = "sore_throat"
	LossOfSmell  Symptom = "loss_of_smell"
	Fatigue      Symptom = "fatigue"
	OtherSymptom Symptom = "other"
)

// Symptoms lists every symptom.
func Symptoms() []Symptom {
	return []Symptom{Fever, Cough, ShortBreath, SoreThroat, LossOfSmell, Fatigue, OtherSymptom}
}

// Declaration is a person's health declaration.
type Declaration struct {
	ID     int64
	Person PersonKey
	// Venue is where it was made, if at a venue.
	Venue    VenueID
	Time     time.Time
	Symptoms []Symptom
	// ContactF0: the person says they were in contact with a confirmed case.
	ContactF0 bool
	// Travel is where the person travelled in the last 14 days, as typed.
	Travel string
}

// Validate checks the declaration against now.
func (d Declaration) Validate(now time.Time) error {
	switch {
	case d.Person.IsZero():
		return invalid("person", "a declaration names its person")
	case d.Venue != "" && d.Venue.Validate() != nil:
		return invalid("venue", "a declaration's venue is a venue id")
	case d.Time.IsZero() || d.Time.After(now.Add(FutureSkew)):
		return invalid("time", "a declaration's time is set and not in the future")
	case len(strings.TrimSpace(d.Travel)) > 500:
		return invalid("travel", "at most 500 characters")
	}
	for _, s := range d.Symptoms {
		if !slices.Contains(Symptoms(), s) {
			return invalid("symptoms", "unknown symptom %q; use one of %v", s, Symptoms())
		}
	}
	return nil
}
