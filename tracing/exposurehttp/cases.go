package exposurehttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// ErrUnknownCase: no case has the code.
var ErrUnknownCase = errors.New("exposurehttp: no such case")

// Case is a confirmed case as tracing needs it: its public code, ward and
// report day, and from the private side its numbers and location.
type Case struct {
	Code       string
	Ward       string
	District   string
	ReportDate time.Time // midnight UTC of the report's date
	// Private side: for officials only, never in a list.
	Phone, IDNumber string
	Location        *orb.Point
}

// Cases finds cases (FeatureCases reads them from the features store).
type Cases interface {
	// CaseByCode returns the case of a code; ErrUnknownCase when none.
	CaseByCode(ctx context.Context, code string) (Case, error)
	// CasesOn returns the cases reported on a day (midnight UTC of its
	// date), ordered by code.
	CasesOn(ctx context.Context, day time.Time) ([]Case, error)
}

// FeatureCases reads cases from the features store's editor side, where
// a case's personal fields are.
type FeatureCases struct {
	Editor  features.Editor
	Catalog *features.Catalog
}

var _ Cases = FeatureCases{}

// CaseByCode implements Cases.
func (fc FeatureCases) CaseByCode(ctx context.Context, code string) (Case, error) {
	cs, err := fc.list(ctx, map[string]string{"code": code}, 2)
	switch {
	case err != nil:
		return Case{}, err
	case len(cs) == 0:
		return Case{}, fmt.Errorf("%w: %q", ErrUnknownCase, code)
	}
	return cs[0], nil
}

// CasesOn implements Cases.
func (fc FeatureCases) CasesOn(ctx context.Context, day time.Time) ([]Case, error) {
	return fc.list(ctx, map[string]string{"report_date": day.Format(features.DateLayout)}, -1)
}

func (fc FeatureCases) list(ctx context.Context, filters map[string]string, limit int) ([]Case, error) {
	col, err := fc.Catalog.Get("cases")
	if err != nil {
		return nil, fmt.Errorf("exposurehttp: read cases: %w", err)
	}
	stored, _, err := fc.Editor.List(ctx, features.EditorQuery{ItemsQuery: features.ItemsQuery{Collection: col, Filters: filters, Limit: limit}})
	if err != nil {
		return nil, fmt.Errorf("exposurehttp: read cases: %w", err)
	}
	out := make([]Case, 0, len(stored))
	for _, s := range stored {
		out = append(out, caseOf(s))
	}
	return out, nil
}

func caseOf(s features.Stored) Case {
	str := func(name string) string { v, _ := s.Properties[name].(string); return v }
	c := Case{Code: str("code"), Ward: str("ward_code"), District: str("district_code")}
	c.ReportDate, _ = time.Parse(features.DateLayout, str("report_date"))
	if s.Person != nil {
		c.Phone, c.IDNumber = s.Person.Phone, s.Person.IDNumber
	}
	if p, ok := s.Geometry.(orb.Point); ok {
		c.Location = &p
	}
	return c
}

// caseJSON is a case in the day's list: public fields only.
type caseJSON struct {
	Code       string `json:"code"`
	Ward       string `json:"ward"`
	District   string `json:"district"`
	ReportDate string `json:"report_date"`
}

// cases answers GET /api/tracing/cases?date=YYYY-MM-DD (default: today in
// Vietnam): the cases reported that day, to pick F0s from.
func (h *Handler) cases(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams(), "date"); err != nil {
		return err
	}
	day := features.VietnamDay(h.cfg.Clock.Now())
	if s := c.QueryParam("date"); s != "" {
		d, err := httpx.ParseDay("date", s)
		if err != nil {
			return err
		}
		day = d
	}
	var list []Case
	if h.cfg.Cases != nil {
		var err error
		if list, err = h.cfg.Cases.CasesOn(c.Request().Context(), day); err != nil {
			return err
		}
	}
	out := make([]caseJSON, len(list))
	for i, k := range list {
		out[i] = caseJSON{Code: k.Code, Ward: k.Ward, District: k.District, ReportDate: k.ReportDate.Format(features.DateLayout)}
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"date": day.Format(features.DateLayout), "cases": out})
}
