package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bandomap/bando/audit"
)

// The daily report is the bulletin as Bình Dương published it by late 2021:
// figures the health department counts itself (patients by place of
// treatment, discharges, mobile medical stations, vaccination) that no case
// record carries, imported from CSV, one row per area and day. New cases by
// place of detection may be imported too; where they are not, the bulletin
// computes them from the case registry.

// Levels of the area of a report row.
const (
	ReportProvince = "province"
	ReportDistrict = "district"
	ReportWard     = "ward"
)

// Figures are the counts of one area and day. A nil figure was not
// reported, which is not the same as 0.
type Figures struct {
	// New cases by place of detection.
	CasesHealthFacility *int64 `json:"cases_health_facility"`
	CasesQuarantineArea *int64 `json:"cases_quarantine_area"`
	CasesLockdownArea   *int64 `json:"cases_lockdown_area"`
	CasesCommunity      *int64 `json:"cases_community"`
	// Patients under treatment by place of treatment: treatment
	// facilities of tier 1, 2 and 3, and home care.
	TreatingTier1 *int64 `json:"treating_tier1"`
	TreatingTier2 *int64 `json:"treating_tier2"`
	TreatingTier3 *int64 `json:"treating_tier3"`
	TreatingHome  *int64 `json:"treating_home"`
	// Discharged and Deaths are those of the day.
	Discharged *int64 `json:"discharged"`
	Deaths     *int64 `json:"deaths"`
	// MobileStations is the number of mobile medical stations in operation.
	MobileStations *int64 `json:"mobile_stations"`
	// Vaccination, cumulative: doses allocated to the area, doses given by
	// dose number, and doses given to children aged 12 to 17.
	DosesAllocated *int64 `json:"doses_allocated"`
	Dose1          *int64 `json:"dose1"`
	Dose2          *int64 `json:"dose2"`
	Dose3          *int64 `json:"dose3"`
	Doses12To17    *int64 `json:"doses_12_17"`
	// Population, Adults and AdultsDose1 (adults with at least one dose)
	// give a ward's risk level its rate and its vaccination coverage.
	Population  *int64 `json:"population"`
	Adults      *int64 `json:"adults"`
	AdultsDose1 *int64 `json:"adults_dose1"`
}

// ReportFigureNames are the CSV columns and PostGIS columns of Figures, in
// the order of Figures.Fields.
var reportFigureNames = [...]string{
	"cases_health_facility", "cases_quarantine_area", "cases_lockdown_area", "cases_community",
	"treating_tier1", "treating_tier2", "treating_tier3", "treating_home",
	"discharged", "deaths", "mobile_stations",
	"doses_allocated", "dose1", "dose2", "dose3", "doses_12_17",
	"population", "adults", "adults_dose1",
}

// ReportFigureNames returns the names of the figures, in the order of
// Figures.Fields; the slice is the caller's own.
func ReportFigureNames() []string { return append([]string(nil), reportFigureNames[:]...) }

// Fields returns a pointer to each figure, in the order of
// ReportFigureNames, so that stores and the importer handle them as a list.
func (f *Figures) Fields() []**int64 {
	return []**int64{
		&f.CasesHealthFacility, &f.CasesQuarantineArea, &f.CasesLockdownArea, &f.CasesCommunity,
		&f.TreatingTier1, &f.TreatingTier2, &f.TreatingTier3, &f.TreatingHome,
		&f.Discharged, &f.Deaths, &f.MobileStations,
		&f.DosesAllocated, &f.Dose1, &f.Dose2, &f.Dose3, &f.Doses12To17,
		&f.Population, &f.Adults, &f.AdultsDose1,
	}
}

// Equal reports whether f and g hold the same figures.
func (f Figures) Equal(g Figures) bool {
	a, b := f.Fields(), g.Fields()
	for i := range a {
		x, y := *a[i], *b[i]
		if (x == nil) != (y == nil) || (x != nil && *x != *y) {
			return false
		}
	}
	return true
}

// DailyReport is one row of the daily report: an area's figures of a day.
type DailyReport struct {
	// Day is the report's day (midnight UTC, as every date of the model).
	Day time.Time `json:"-"`
	// Level is ReportProvince, ReportDistrict or ReportWard; Code the
	// district's or ward's code ("" for the province).
	Level string `json:"level"`
	Code  string `json:"code"`
	Figures
}

// Key identifies a row: its day, level and code.
func (r DailyReport) Key() string {
	return r.Day.Format(DateLayout) + "/" + r.Level + "/" + r.Code
}

// CheckDailyReport refuses a row no store should keep.
func CheckDailyReport(r DailyReport) error {
	switch {
	case r.Day.IsZero() || !r.Day.Equal(time.Date(r.Day.Year(), r.Day.Month(), r.Day.Day(), 0, 0, 0, 0, time.UTC)):
		return fmt.Errorf("%w: date: want a day", ErrInvalid)
	case r.Level != ReportProvince && r.Level != ReportDistrict && r.Level != ReportWard:
		return fmt.Errorf("%w: level: %q, want province, district or ward", ErrInvalid, r.Level)
	case r.Level == ReportProvince && r.Code != "":
		return fmt.Errorf("%w: code: the province's row has no code", ErrInvalid)
	case r.Level != ReportProvince && (r.Code == "" || len(r.Code) > MaxCodeLength || !CleanText(r.Code)):
		return fmt.Errorf("%w: code: a %s's code is required", ErrInvalid, r.Level)
	}
	for i, p := range r.Fields() {
		if *p != nil && **p < 0 {
			return fmt.Errorf("%w: %s: %d is negative", ErrInvalid, reportFigureNames[i], **p)
		}
	}
	return nil
}

// ReportImport says what an import of report rows did.
type ReportImport struct {
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Ward risk levels (Resolution 128/NQ-CP): see features/bulletin for how
// they are computed.
const (
	RiskLow      = 1
	RiskMedium   = 2
	RiskHigh     = 3
	RiskVeryHigh = 4
)

// MaxRiskReasonRunes caps the reason of an override.
const MaxRiskReasonRunes = 500

// WardRiskOverride is an editor's decision of a ward's risk level over the
// computed one, from a day to an optional last day.
type WardRiskOverride struct {
	Ward   string `json:"ward"`
	Level  int    `json:"level"`
	Reason string `json:"reason"`
	// From is the first day it applies; Until, when set, the last.
	From  time.Time  `json:"-"`
	Until *time.Time `json:"-"`
	// SetBy and Set say who decided it and when; of two overrides of a
	// ward applying to a day, the later set wins.
	SetBy string    `json:"set_by"`
	Set   time.Time `json:"set"`
}

// AppliesOn tells whether o applies on day d.
func (o WardRiskOverride) AppliesOn(d time.Time) bool {
	return !d.Before(o.From) && (o.Until == nil || !d.After(*o.Until))
}

// CheckWardRiskOverride refuses an override no store should keep: no ward,
// a level outside 1–4, an empty or unclean reason, or an end before its
// start.
func CheckWardRiskOverride(o WardRiskOverride) error {
	reason := strings.TrimSpace(o.Reason)
	switch n := utf8.RuneCountInString(reason); {
	case strings.TrimSpace(o.Ward) == "" || !CleanText(o.Ward):
		return fmt.Errorf("%w: ward: a ward's code is required", ErrInvalid)
	case o.Level < RiskLow || o.Level > RiskVeryHigh:
		return fmt.Errorf("%w: level: %d, want 1 (low) to 4 (very high)", ErrInvalid, o.Level)
	case n == 0:
		return fmt.Errorf("%w: reason: an override needs its reason", ErrInvalid)
	case n > MaxRiskReasonRunes || !CleanText(reason):
		return fmt.Errorf("%w: reason: want clean text of at most %d characters", ErrInvalid, MaxRiskReasonRunes)
	case o.From.IsZero():
		return fmt.Errorf("%w: from: want a day", ErrInvalid)
	case o.Until != nil && o.Until.Before(o.From):
		return fmt.Errorf("%w: until: before the override's first day", ErrInvalid)
	}
	return nil
}

// Reports keeps the daily report and the ward risk overrides, on both
// stores.
type Reports interface {
	// DailyReports returns the rows of the days from..to (inclusive),
	// ordered by day, level and code.
	DailyReports(ctx context.Context, from, to time.Time) ([]DailyReport, error)
	// ImportDailyReports stores rows (replacing those of the same key)
	// and appends one audit entry for the import (entry: Actor, Role,
	// RequestID, Note; the store fills the rest), in one transaction: all
	// or nothing. Rows equal to the stored ones change nothing; when none
	// differs no entry is appended and the data version stays.
	ImportDailyReports(ctx context.Context, rows []DailyReport, entry audit.Entry) (ReportImport, error)
	// WardRiskOverrides returns every override, oldest set first.
	WardRiskOverrides(ctx context.Context) ([]WardRiskOverride, error)
	// OverrideWardRisk stores an override with its audit entry in one
	// transaction and returns it as stored (SetBy, Set filled).
	OverrideWardRisk(ctx context.Context, o WardRiskOverride, entry audit.Entry) (WardRiskOverride, error)
}

// ReportImportAudit is the audit document of an import.
func ReportImportAudit(rows []DailyReport, res ReportImport) json.RawMessage {
	var first, last time.Time
	for _, r := range rows {
		if first.IsZero() || r.Day.Before(first) {
			first = r.Day
		}
		if r.Day.After(last) {
			last = r.Day
		}
	}
	doc, _ := json.Marshal(map[string]any{"rows": len(rows), "new": res.New, "updated": res.Updated,
		"unchanged": res.Unchanged, "from": first.Format(DateLayout), "to": last.Format(DateLayout)}) // NOTE: always encodes
	return doc
}

// WardRiskAudit is the audit document of an override.
func WardRiskAudit(o WardRiskOverride) json.RawMessage {
	doc := map[string]any{"ward": o.Ward, "level": o.Level, "reason": o.Reason, "from": o.From.Format(DateLayout)}
	if o.Until != nil {
		doc["until"] = o.Until.Format(DateLayout)
	}
	b, _ := json.Marshal(doc) // NOTE: always encodes
	return b
}

// SplitReportImport counts which of rows are new, changed or unchanged
// against the stored rows of the same keys.
func SplitReportImport(rows []DailyReport, stored map[string]DailyReport) (res ReportImport, changed []DailyReport) {
	for _, r := range rows {
		old, ok := stored[r.Key()]
		switch {
		case !ok:
			res.New++
		case !old.Figures.Equal(r.Figures):
			res.Updated++
		default:
			res.Unchanged++
			continue
		}
		changed = append(changed, r)
	}
	return res, changed
}
