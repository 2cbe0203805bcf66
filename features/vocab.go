package features

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

// Medical facility kinds.
const (
	FacilityHospital      = "hospital"
	FacilityFieldHospital = "field_hospital"
	FacilityHealthStation = "health_station"
	FacilityTestingSite   = "testing_site"
)

// Allowed lists the allowed values of an enumerated property of a
// collection, and whether the property is enumerated at all. Importers and
// handlers validate against it. The slice is the caller's own.
func Allowed(collection, property string) ([]string, bool) {
	words, ok := vocabulary()[collection+"."+property]
	return words, ok
}

// vocabulary is built on each call so that no caller can change it.
func vocabulary() map[string][]string {
	return map[string][]string{
		"cases.origin":            {OriginCommunity, OriginReturningCitizen, OriginForeignExpert, OriginIllegalEntry},
		"cases.detected_in":       {DetectedQuarantineArea, DetectedHealthFacility, DetectedCommunityScreening},
		"cases.status":            {StatusUnderTreatment, StatusRecovered, StatusDied},
		"cases.report_session":    {SessionMorning, SessionAfternoon, SessionEvening},
		"contacts.tier":           {TierF1, TierF2},
		"quarantine_zones.status": {ZoneDraft, ZonePublished, ZoneLifted},
		"quarantine_zones.level":  {LevelHamlet, LevelNeighbourhood, LevelResidentialGroup},
		"lockdown_points.level":   {LevelHamlet, LevelNeighbourhood, LevelResidentialGroup},
		"medical_facilities.kind": {FacilityHospital, FacilityFieldHospital, FacilityHealthStation, FacilityTestingSite},
	}
}
