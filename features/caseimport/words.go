package caseimport

import (
	"strings"

	"github.com/bandomap/bando/features"
)

// enum is one enumerated column: the catalog's words and the synonyms an
// official's spreadsheet is likely to hold, keyed by their features.Fold form
// so that case and Vietnamese diacritics do not matter.
type enum struct {
	vocab    string // the cases property, as features.Allowed names it
	synonyms map[string]string
}

// cases lists the catalog words of an enumerated cases property.
func cases(property string) []string {
	words, _ := features.Allowed("cases", property)
	return words
}

// lookup returns the catalog word for a cell, or false.
func (e enum) lookup(cell string) (string, bool) {
	folded := features.Fold(cell)
	for _, w := range cases(e.vocab) {
		if folded == features.Fold(w) {
			return w, true
		}
	}
	w, ok := e.synonyms[folded]
	return w, ok
}

// allowed lists the catalog words for an error message.
func (e enum) allowed() string {
	words := cases(e.vocab)
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func originEnum() enum {
	return enum{vocab: "origin", synonyms: map[string]string{
		"cong dong":                 features.OriginCommunity,
		"lay nhiem cong dong":       features.OriginCommunity,
		"lay nhiem trong cong dong": features.OriginCommunity,
		"returning":                 features.OriginReturningCitizen,
		"nhap canh":                 features.OriginReturningCitizen,
		"cong dan nhap canh":        features.OriginReturningCitizen,
		"cong dan ve nuoc":          features.OriginReturningCitizen,
		"ve tu nuoc ngoai":          features.OriginReturningCitizen,
		"chuyen gia":                features.OriginForeignExpert,
		"chuyen gia nuoc ngoai":     features.OriginForeignExpert,
		"nhap canh trai phep":       features.OriginIllegalEntry,
		"nhap canh lau":             features.OriginIllegalEntry,
	}}
}

func detectedEnum() enum {
	return enum{vocab: "detected_in", synonyms: map[string]string{
		"quarantine":               features.DetectedQuarantineArea,
		"khu cach ly":              features.DetectedQuarantineArea,
		"trong khu cach ly":        features.DetectedQuarantineArea,
		"cach ly":                  features.DetectedQuarantineArea,
		"co so y te":               features.DetectedHealthFacility,
		"tai co so y te":           features.DetectedHealthFacility,
		"benh vien":                features.DetectedHealthFacility,
		"screening":                features.DetectedCommunityScreening,
		"sang loc":                 features.DetectedCommunityScreening,
		"sang loc cong dong":       features.DetectedCommunityScreening,
		"tam soat":                 features.DetectedCommunityScreening,
		"tam soat cong dong":       features.DetectedCommunityScreening,
		"xet nghiem sang loc":      features.DetectedCommunityScreening,
		"xet nghiem tam soat":      features.DetectedCommunityScreening,
		"sang loc trong cong dong": features.DetectedCommunityScreening,
	}}
}

func statusEnum() enum {
	return enum{vocab: "status", synonyms: map[string]string{
		"dang dieu tri": features.StatusUnderTreatment,
		"dieu tri":      features.StatusUnderTreatment,
		"khoi benh":     features.StatusRecovered,
		"da khoi":       features.StatusRecovered,
		"xuat vien":     features.StatusRecovered,
		"dead":          features.StatusDied,
		"tu vong":       features.StatusDied,
		"da tu vong":    features.StatusDied,
	}}
}

func sessionEnum() enum {
	return enum{vocab: "report_session", synonyms: map[string]string{
		"sang":       features.SessionMorning,
		"buoi sang":  features.SessionMorning,
		"chieu":      features.SessionAfternoon,
		"buoi chieu": features.SessionAfternoon,
		"toi":        features.SessionEvening,
		"buoi toi":   features.SessionEvening,
	}}
}
