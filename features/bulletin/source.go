package bulletin

import (
	"context"
	"fmt"
	"time"

	"github.com/bandomap/bando/features"
)

// source reads what the bulletin needs from a store's public side.
type source struct {
	r   features.Reader
	cat *features.Catalog
}

// caseRow is the part of a public case feature the bulletin counts.
type caseRow struct {
	report time.Time
	// changed is the day the status takes effect: the status date, or the
	// report date when there is none or it is earlier.
	changed                                                    time.Time
	status, origin, detected, session, cluster, district, ward string
}

// statusOn returns the case's status at the end of day d, for a case
// reported by then: its final status once changed, under treatment before.
func (c caseRow) statusOn(d time.Time) string {
	if c.final() && !d.Before(c.changed) {
		return c.status
	}
	return features.StatusUnderTreatment
}

// final reports whether the case's status ends its treatment (died or
// recovered), from the day changed on.
func (c caseRow) final() bool {
	return c.status == features.StatusDied || c.status == features.StatusRecovered
}

func (s source) collection(id string) (features.Collection, error) {
	cat := s.cat
	if cat == nil {
		cat = features.NewCatalog()
	}
	col, err := cat.Get(id)
	if err != nil {
		return features.Collection{}, fmt.Errorf("bulletin: %w", err)
	}
	return col, nil
}

// all reads every public feature of a collection.
func (s source) all(ctx context.Context, id string) ([]features.Feature, error) {
	col, err := s.collection(id)
	if err != nil {
		return nil, err
	}
	page, err := s.r.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("bulletin: reading %s: %w", id, err)
	}
	return page.Features, nil
}

// cases reads every public case once.
func (s source) cases(ctx context.Context) ([]caseRow, error) {
	fs, err := s.all(ctx, "cases")
	if err != nil {
		return nil, err
	}
	out := make([]caseRow, 0, len(fs))
	for _, f := range fs {
		c, err := rowOf(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func rowOf(f features.Feature) (caseRow, error) {
	p := f.Properties
	report, err := dateProp(p, "report_date")
	if err != nil || report.IsZero() {
		return caseRow{}, fmt.Errorf("bulletin: case %q has no valid report_date: %v", f.ID, p["report_date"])
	}
	changed, err := dateProp(p, "status_date")
	if err != nil {
		return caseRow{}, fmt.Errorf("bulletin: case %q: %w", f.ID, err)
	}
	return caseRow{
		report: report, changed: latest(report, changed),
		status: text(p, "status"), origin: text(p, "origin"), detected: text(p, "detected_in"),
		session: text(p, "report_session"), cluster: text(p, "cluster"), district: text(p, "district_code"), ward: text(p, "ward_code"),
	}, nil
}

// dateProp reads a public date property (a YYYY-MM-DD string); nil or
// absent is the zero time.
func dateProp(p map[string]any, key string) (time.Time, error) {
	switch v := p[key].(type) {
	case nil:
		return time.Time{}, nil
	case string:
		t, err := time.Parse(features.DateLayout, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not a date", key, v)
		}
		return t, nil
	default:
		return time.Time{}, fmt.Errorf("%s has type %T, want a YYYY-MM-DD string", key, v)
	}
}

func text(p map[string]any, key string) string {
	s, _ := p[key].(string)
	return s
}

// districtNames maps district codes to names.
func (s source) districtNames(ctx context.Context) (map[string]string, error) {
	fs, err := s.all(ctx, "districts")
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(fs))
	for _, f := range fs {
		if code := text(f.Properties, "code"); code != "" {
			names[code] = text(f.Properties, "name")
		}
	}
	return names, nil
}

// contacts counts the F1 and F2 contacts whose quarantine covers date.
func (s source) contacts(ctx context.Context, date time.Time) (Contacts, error) {
	col, err := s.collection("contacts")
	if err != nil {
		return Contacts{}, err
	}
	count := func(tier string) (int, error) {
		page, err := s.r.Items(ctx, features.ItemsQuery{
			Collection: col, Interval: &features.Interval{Start: date, End: date},
			Filters: map[string]string{"tier": tier}, Limit: 0,
		})
		if err != nil {
			return 0, fmt.Errorf("bulletin: counting %s contacts: %w", tier, err)
		}
		return page.NumberMatched, nil
	}
	var out Contacts
	if out.F1, err = count(features.TierF1); err != nil {
		return Contacts{}, err
	}
	if out.F2, err = count(features.TierF2); err != nil {
		return Contacts{}, err
	}
	return out, nil
}
