package edithttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/reportimport"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// ReportsConfig is what the daily report's editor routes need.
type ReportsConfig struct {
	// Reports keeps the rows and the overrides; required.
	Reports features.Reports
	// Reader reads the districts and wards the codes are checked
	// against; required.
	Reader features.Reader
	// Require guards the routes by role, as Config.Require.
	Require func(roles ...auth.Role) echo.MiddlewareFunc
	// MaxImportBytes caps an imported file; 0 means DefaultMaxImportBytes.
	MaxImportBytes int64
	// Now gives the current time (an override's default first day is
	// today in Vietnam); nil means time.Now.
	Now func() time.Time
}

// Reports serves the editors' routes of the daily report and the ward
// risk levels:
//
//	POST /api/editor/reports/import       a CSV file of the daily report (reportimport), all or nothing, audited
//	PUT  /api/editor/ward-risk/{ward}     {"level": 1-4, "reason": "…", "from"?: "YYYY-MM-DD", "until"?: "YYYY-MM-DD"}
//
// Imports are for editors of the whole province; a district's editor may
// override the wards of the district.
type Reports struct {
	cfg ReportsConfig
}

// NewReports returns the handler of cfg.
func NewReports(cfg ReportsConfig) *Reports {
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reports{cfg: cfg}
}

// Register adds the routes to g, the group mounted at /api.
func (h *Reports) Register(g *echo.Group) {
	var change []echo.MiddlewareFunc
	if h.cfg.Require != nil {
		change = []echo.MiddlewareFunc{h.cfg.Require(auth.Editor)}
	}
	g.POST("/editor/reports/import", h.importReport, change...)
	g.PUT("/editor/ward-risk/:ward", h.override, change...)
}

func (h *Reports) importReport(c echo.Context) error {
	r, err := changer(c)
	if err != nil {
		return err
	}
	if r.Principal.District != "" {
		return httpx.Problem(http.StatusForbidden, "the daily report covers the province: only editors of the whole province import it",
			httpx.WithMember("detail_vi", "báo cáo hằng ngày là của toàn tỉnh: chỉ biên tập viên toàn tỉnh được nhập"), httpx.WithCause(auth.ErrForbidden))
	}
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct != "text/csv" && ct != "text/plain" && ct != "application/csv" {
		return httpx.Problem(http.StatusUnsupportedMediaType, "send the file as text/csv")
	}
	ctx := c.Request().Context()
	opts, err := ReportCodes(ctx, h.cfg.Reader)
	if err != nil {
		return err
	}
	rows, err := reportimport.Parse(&capped{r: c.Request().Body, left: h.cfg.MaxImportBytes}, opts)
	var bad *reportimport.Error
	switch {
	case errors.Is(err, errTooLarge):
		return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d bytes; nothing was imported", h.cfg.MaxImportBytes))
	case errors.As(err, &bad):
		return badReport(bad)
	case err != nil:
		return err
	}
	res, err := h.cfg.Reports.ImportDailyReports(ctx, rows, audit.Entry{
		Actor: r.Principal.User, Role: string(r.Principal.Role), RequestID: r.RequestID, Note: r.Note,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, res)
}

func badReport(f *reportimport.Error) error {
	errs := make([]lineError, len(f.Rows))
	for i, r := range f.Rows {
		errs[i] = lineError{Line: r.Line, Field: r.Column, Reason: r.Reason}
	}
	total := len(f.Rows) + f.Omitted
	return httpx.Problem(http.StatusUnprocessableEntity,
		fmt.Sprintf("the file has %d problem(s); nothing was imported. Fix the lines listed in errors and upload it again", total),
		httpx.WithMember("detail_vi", fmt.Sprintf("tệp có %d lỗi; chưa nhập dữ liệu nào. Hãy sửa các dòng được liệt kê rồi tải lên lại", total)),
		httpx.WithMember("errors", errs), httpx.WithMember("omitted", f.Omitted), httpx.WithCause(f))
}

// ReportCodes reads the districts' and wards' codes an imported report is
// checked against.
func ReportCodes(ctx context.Context, r features.Reader) (reportimport.Options, error) {
	cat := features.NewCatalog()
	var opts reportimport.Options
	for _, col := range []string{"districts", "wards"} {
		c, err := cat.Get(col)
		if err != nil {
			return opts, err
		}
		page, err := r.Items(ctx, features.ItemsQuery{Collection: c, Limit: -1})
		if err != nil {
			return opts, fmt.Errorf("edithttp: read %s: %w", col, err)
		}
		codes := make(map[string]bool, len(page.Features))
		for _, f := range page.Features {
			codes[f.ID] = true
			if code, _ := f.Properties["code"].(string); code != "" {
				codes[code] = true
			}
		}
		if col == "districts" {
			opts.Districts = codes
		} else {
			opts.Wards = codes
		}
	}
	return opts, nil
}

// maxOverrideBody caps the body of an override.
const maxOverrideBody = 8 << 10

func (h *Reports) override(c echo.Context) error {
	r, err := changer(c)
	if err != nil {
		return err
	}
	ward, err := param(c, "ward")
	if err != nil {
		return err
	}
	var body struct {
		Level  int    `json:"level"`
		Reason string `json:"reason"`
		From   string `json:"from"`
		Until  string `json:"until"`
	}
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxOverrideBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return httpx.BadRequest("body: want {\"level\": 1-4, \"reason\": \"…\", \"from\": \"YYYY-MM-DD\", \"until\": \"YYYY-MM-DD\"} (from and until optional) of at most %d bytes", maxOverrideBody)
	}
	o := features.WardRiskOverride{Ward: ward, Level: body.Level, Reason: strings.TrimSpace(body.Reason), From: features.VietnamDay(h.cfg.Now())}
	if body.From != "" {
		if o.From, err = httpx.ParseDay("from", body.From); err != nil {
			return err
		}
	}
	if body.Until != "" {
		u, err := httpx.ParseDay("until", body.Until)
		if err != nil {
			return err
		}
		o.Until = &u
	}
	if err := features.CheckWardRiskOverride(o); err != nil {
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), features.ErrInvalid.Error()+": "),
			httpx.WithMember("detail_vi", "cần mức 1–4 và lý do điều chỉnh"), httpx.WithCause(err))
	}
	district, err := wardDistrict(c.Request().Context(), h.cfg.Reader, ward)
	if err != nil {
		return err
	}
	if d := r.Principal.District; d != "" && d != district {
		return httpx.Problem(http.StatusForbidden, "this ward lies outside your district", httpx.WithCause(auth.ErrForbidden))
	}
	stored, err := h.cfg.Reports.OverrideWardRisk(c.Request().Context(), o, audit.Entry{
		Actor: r.Principal.User, Role: string(r.Principal.Role), RequestID: r.RequestID, Note: r.Note,
	})
	if err != nil {
		return err
	}
	out := map[string]any{"ward": stored.Ward, "level": stored.Level, "reason": stored.Reason,
		"from": stored.From.Format(features.DateLayout), "set_by": stored.SetBy, "set": stored.Set}
	if stored.Until != nil {
		out["until"] = stored.Until.Format(features.DateLayout)
	}
	return c.JSON(http.StatusOK, out)
}

// wardDistrict returns the district of a ward of the wards collection, a
// 404 when there is no such ward.
func wardDistrict(ctx context.Context, r features.Reader, ward string) (string, error) {
	col, err := features.NewCatalog().Get("wards")
	if err != nil {
		return "", err
	}
	page, err := r.Items(ctx, features.ItemsQuery{Collection: col, Filters: map[string]string{"code": ward}, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("edithttp: read ward: %w", err)
	}
	if len(page.Features) == 0 {
		return "", httpx.Problem(http.StatusNotFound, fmt.Sprintf("no ward has the code %q", ward),
			httpx.WithMember("detail_vi", "không có phường, xã nào mang mã này"))
	}
	d, _ := page.Features[0].Properties["district_code"].(string)
	return d, nil
}
