package bulletin

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

// reportHistoryStart is where the rows giving a ward's population and
// coverage are looked for: before it there was no COVID-19.
func reportHistoryStart() time.Time { return time.Date(2019, time.December, 1, 0, 0, 0, 0, time.UTC) }

// ReportConfig holds what the daily report's routes need.
type ReportConfig struct {
	// Reader is the store's side the cases, districts and wards come from
	// (as HandlerConfig.Reader).
	Reader features.Reader
	// Reports keeps the imported report and the overrides; nil serves the
	// registry's figures only.
	Reports features.Reports
	// Catalog resolves the collections; nil means features.NewCatalog().
	Catalog *features.Catalog
	// Thresholds of the ward risk levels; zero means
	// DefaultRiskThresholds().
	Thresholds RiskThresholds
	// MaxSeriesDays caps a series; 0 means DefaultMaxSeriesDays.
	MaxSeriesDays int
	// Now gives the current time; nil means time.Now.
	Now func() time.Time
	// Version, when set, returns the data version (features.Versioned):
	// answers are then computed once per version, as HandlerConfig's.
	Version func() string
}

// ReportHandler serves the daily report and the ward risk levels.
type ReportHandler struct {
	cfg  ReportConfig
	src  source
	memo *memo
}

// NewReportHandler returns the handler of cfg.
func NewReportHandler(cfg ReportConfig) *ReportHandler {
	if cfg.Catalog == nil {
		cfg.Catalog = features.NewCatalog()
	}
	if cfg.Thresholds == (RiskThresholds{}) {
		cfg.Thresholds = DefaultRiskThresholds()
	}
	if cfg.MaxSeriesDays <= 0 {
		cfg.MaxSeriesDays = DefaultMaxSeriesDays
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &ReportHandler{cfg: cfg, src: source{r: cfg.Reader, cat: cfg.Catalog}, memo: &memo{version: cfg.Version}}
}

// Register adds the public routes to the /api group:
//
//	GET /bulletin/daily?date=YYYY-MM-DD                    the day's report with the changes from the day before
//	GET /bulletin/series?from=&to=[&district=CODE]         per-day figures with the 7-day average of new cases
//	GET /bulletin/ward-risk?date=YYYY-MM-DD[&f=geojson]    every ward's risk level (GeoJSON: with its boundary)
func (h *ReportHandler) Register(g *echo.Group) {
	get := []string{http.MethodGet, http.MethodHead}
	g.Match(get, "/bulletin/daily", h.daily)
	g.Match(get, "/bulletin/series", h.series)
	g.Match(get, "/bulletin/ward-risk", h.wardRisk)
}

// load reads the cases, the report rows of from..to and the district
// names.
func (h *ReportHandler) load(ctx context.Context, from, to time.Time) (*dailyInput, []caseRow, error) {
	cs, err := h.memo.casesOf(ctx, h.src)
	if err != nil {
		return nil, nil, err
	}
	rows, err := h.reports(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	names, err := h.src.districtNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	return newDailyInput(cs, rows, names), cs, nil
}

func (h *ReportHandler) reports(ctx context.Context, from, to time.Time) ([]features.DailyReport, error) {
	if h.cfg.Reports == nil {
		return nil, nil
	}
	rows, err := h.cfg.Reports.DailyReports(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("bulletin: daily reports: %w", err)
	}
	return rows, nil
}

// dateOr reads the date parameter, else the latest day of a report row or
// a case up to today.
func (h *ReportHandler) dateOr(ctx context.Context, q map[string]string) (time.Time, error) {
	d, ok, err := optDate(q, "date")
	if err != nil || ok {
		return d, err
	}
	today := features.VietnamDay(h.cfg.Now())
	cs, err := h.memo.casesOf(ctx, h.src)
	if err != nil {
		return time.Time{}, err
	}
	rows, err := h.reports(ctx, reportHistoryStart(), today)
	if err != nil {
		return time.Time{}, err
	}
	return latestReportDay(cs, rows, today), nil
}

// answer serves what compute returns as JSON (contentType: its media
// type), from memory while the data version stays.
func (h *ReportHandler) answer(c echo.Context, contentType string, compute func(ctx context.Context) (any, error)) error {
	var buf [256]byte
	kb := requestKey(buf[:0], c, features.VietnamDay(h.cfg.Now()))
	if a := h.memo.lookup(kb); a != nil {
		return a.write(c, time.Time{})
	}
	return h.memo.serve(c, string(kb), func(ctx context.Context) (answer, error) {
		v, err := compute(ctx)
		if err != nil {
			return answer{}, err
		}
		a, err := output{}.encode("", v, nil, nil)
		a.contentType = contentType
		return a, err
	})
}

func (h *ReportHandler) daily(c echo.Context) error {
	q, err := params(c, "date")
	if err != nil {
		return err
	}
	return h.answer(c, echo.MIMEApplicationJSON, func(ctx context.Context) (any, error) {
		d, err := h.dateOr(ctx, q)
		if err != nil {
			return nil, err
		}
		in, _, err := h.load(ctx, d.AddDate(0, 0, -1), d)
		if err != nil {
			return nil, err
		}
		return in.daily(d), nil
	})
}

func (h *ReportHandler) series(c echo.Context) error {
	q, err := params(c, "from", "to", "district")
	if err != nil {
		return err
	}
	to, hasTo, err := optDate(q, "to")
	if err != nil {
		return err
	}
	from, hasFrom, err := optDate(q, "from")
	if err != nil {
		return err
	}
	return h.answer(c, echo.MIMEApplicationJSON, func(ctx context.Context) (any, error) {
		to, from := to, from
		if !hasTo {
			if to, err = h.dateOr(ctx, map[string]string{}); err != nil {
				return nil, err
			}
			if hasFrom && from.After(to) {
				to = from
			}
		}
		if !hasFrom {
			from = to.AddDate(0, 0, 1-min(defaultSeriesDays, h.cfg.MaxSeriesDays))
		}
		if reason := checkRange(from, to, h.cfg.MaxSeriesDays); reason != "" {
			return nil, httpx.BadRequest("%s", reason)
		}
		in, _, err := h.load(ctx, from.AddDate(0, 0, -6), to)
		if err != nil {
			return nil, err
		}
		district := q["district"]
		if district != "" && in.names[district] == "" {
			if _, known := in.cases[district]; !known {
				return nil, httpx.Problem(http.StatusNotFound, fmt.Sprintf("district: no district has the code %q", district))
			}
		}
		return in.series(from, to, district), nil
	})
}

func (h *ReportHandler) wardRisk(c echo.Context) error {
	q, err := params(c, "date", "f")
	if err != nil {
		return err
	}
	if f := q["f"]; f != "" && f != "json" && f != "geojson" {
		return httpx.BadRequest("f %q is not known; use json or geojson", f)
	}
	geo := q["f"] == "geojson"
	contentType := echo.MIMEApplicationJSON
	if geo {
		contentType = "application/geo+json"
	}
	return h.answer(c, contentType, func(ctx context.Context) (any, error) {
		d, err := h.dateOr(ctx, q)
		if err != nil {
			return nil, err
		}
		levels, wards, err := h.WardRisk(ctx, d)
		if err != nil {
			return nil, err
		}
		if !geo {
			return map[string]any{"date": d.Format(features.DateLayout), "wards": levels}, nil
		}
		fc := geojson.NewFeatureCollection()
		for i, w := range wards {
			if w.Geometry == nil {
				continue
			}
			f := geojson.NewFeature(w.Geometry)
			f.ID = levels[i].Ward
			f.Properties = wardRiskProperties(levels[i])
			fc.Append(f)
		}
		return fc, nil
	})
}

func wardRiskProperties(w WardRisk) geojson.Properties {
	p := geojson.Properties{"ward": w.Ward, "name": w.Name, "district": w.District, "date": w.Date,
		"level": w.Level, "computed": w.Computed, "overridden": w.Overridden}
	if w.CoverageMet != nil {
		p["coverage_met"] = *w.CoverageMet
	}
	if w.Overridden {
		p["reason"] = w.Reason
		if w.Until != "" {
			p["until"] = w.Until
		}
	}
	return p
}

// WardRisk computes every ward's level on d, in ward code order, with the
// wards' features in the same order.
func (h *ReportHandler) WardRisk(ctx context.Context, d time.Time) ([]WardRisk, []features.Feature, error) {
	fs, err := h.src.all(ctx, "wards")
	if err != nil {
		return nil, nil, err
	}
	infos := make([]wardInfo, 0, len(fs))
	byCode := make(map[string]features.Feature, len(fs))
	for _, f := range fs {
		code := text(f.Properties, "code")
		if code == "" {
			code = f.ID
		}
		infos = append(infos, wardInfo{code: code, name: text(f.Properties, "name"), district: text(f.Properties, "district_code")})
		byCode[code] = f
	}
	in := wardRiskInput{wards: sortedWards(infos), t: h.cfg.Thresholds}
	if in.cases, err = h.memo.casesOf(ctx, h.src); err != nil {
		return nil, nil, err
	}
	if in.reports, err = h.reports(ctx, reportHistoryStart(), d); err != nil {
		return nil, nil, err
	}
	if h.cfg.Reports != nil {
		if in.overrides, err = h.cfg.Reports.WardRiskOverrides(ctx); err != nil {
			return nil, nil, fmt.Errorf("bulletin: ward risk overrides: %w", err)
		}
	}
	levels := in.levels(d)
	ordered := make([]features.Feature, len(levels))
	for i, l := range levels {
		ordered[i] = byCode[l.Ward]
	}
	return levels, ordered, nil
}
