package features

import "slices"

// Values of the enumerated public properties. Stores, importers, the demo
// generator and the statistics all use these words, never free text.

// Case origins, as the daily bulletin counts them.
const (
	OriginCommunity        = "community"
	OriginReturningCitizen = "returning_citizen"
	OriginForeignExpert    = "foreign_expert"
	OriginIllegalEntry     = "illegal_entry"
)

// Where a case was detected.
const (
	DetectedQuarantineArea     = "quarantine_area"
	DetectedHealthFacility     = "health_facility"
	DetectedCommunityScreening = "community_screening"
)

// Case statuses.
const (
	StatusUnderTreatment = "under_treatment"
	StatusRecovered      = "recovered"
	StatusDied           = "died"
)

// Bulletin sessions of a day.
const (
	SessionMorning   = "morning"
	SessionAfternoon = "afternoon"
	SessionEvening   = "evening"
)

// Contact tiers.
const (
	TierF1 = "F1"
	TierF2 = "F2"
)

// Quarantine zone statuses. Draft zones are never public.
const (
	ZoneDraft     = "draft"
	ZonePublished = "published"
	ZoneLifted    = "lifted"
)

// Lockdown and zone levels.
const (
	LevelHamlet           = "hamlet"
	LevelNeighbourhood    = "neighbourhood"
	LevelResidentialGroup = "residential_group"
)

// Medical facility kinds. Field hospitals were tiered in 2021 by the care
// they gave (tier 1: cases without symptoms, tier 2: moderate, tier 3:
// severe); FacilityFieldHospital is one whose tier is not known.
const (
	FacilityHospital       = "hospital"
	FacilityFieldHospital  = "field_hospital"
	FacilityFieldHospital1 = "field_hospital_tier1"
	FacilityFieldHospital2 = "field_hospital_tier2"
	FacilityFieldHospital3 = "field_hospital_tier3"
	FacilityHealthStation  = "health_station"
	FacilityTestingSite    = "testing_site"
	FacilityVaccination    = "vaccination_site"
	FacilityMobileStation  = "mobile_medical_station"
)

// Operating statuses of the lookup places (markets, supermarkets, shops,
// petrol stations) under the 2021 restrictions.
const (
	PlaceOpen         = "open"
	PlaceClosed       = "closed"
	PlaceRestricted   = "open_restricted"
	PlaceDeliveryOnly = "delivery_only"
)

// MaxCodeLength is the most characters of a public case code: codes are
// short identifiers (BN1234), and a longer cell is a column mix-up.
const MaxCodeLength = 64

// Allowed lists the allowed values of an enumerated property of a
// collection, and whether the property is enumerated at all. It reads the
// catalog (Property.Vocabulary); the slice is the caller's own.
func Allowed(collection, property string) ([]string, bool) {
	for _, c := range collections() {
		if c.ID != collection {
			continue
		}
		if p, ok := c.Property(property); ok && len(p.Vocabulary) > 0 {
			return slices.Clone(p.Vocabulary), true
		}
	}
	return nil, false
}

// The vocabularies, built on each call so that no caller can change them.

func origins() []string {
	return []string{OriginCommunity, OriginReturningCitizen, OriginForeignExpert, OriginIllegalEntry}
}

func detections() []string {
	return []string{DetectedQuarantineArea, DetectedHealthFacility, DetectedCommunityScreening}
}

func caseStatuses() []string { return []string{StatusUnderTreatment, StatusRecovered, StatusDied} }

func sessions() []string { return []string{SessionMorning, SessionAfternoon, SessionEvening} }

func tiers() []string { return []string{TierF1, TierF2} }

func zoneStatuses() []string { return []string{ZoneDraft, ZonePublished, ZoneLifted} }

func levels() []string { return []string{LevelHamlet, LevelNeighbourhood, LevelResidentialGroup} }

func facilityKinds() []string {
	return []string{FacilityHospital, FacilityFieldHospital, FacilityHealthStation, FacilityTestingSite,
		FacilityFieldHospital1, FacilityFieldHospital2, FacilityFieldHospital3, FacilityVaccination, FacilityMobileStation}
}

func placeStatuses() []string {
	return []string{PlaceOpen, PlaceClosed, PlaceRestricted, PlaceDeliveryOnly}
}
