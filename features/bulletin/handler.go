package bulletin

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
)

// defaultSeriesDays is the length of a series when from is not given.
const defaultSeriesDays = 30

// HandlerConfig holds what the bulletin's HTTP handlers need.
type HandlerConfig struct {
	// Reader is the public side of the store the figures come from.
	Reader features.Reader
	// Catalog resolves the collections; nil means features.NewCatalog().
	Catalog *features.Catalog
	// Config holds the bulletin's settings.
	Config Config
	// Now gives the current time, which caps the default date; nil means
	// time.Now. Its day is taken in Vietnam's time.
	Now func() time.Time
	// Version, when set, returns the data version held in memory
	// (features.Versioned): answers are then computed once per version
	// and served from memory, and the last one is served, marked stale,
	// while the store cannot be read. Without it every request computes.
	Version func() string
}

// Handler serves the bulletin under /api/stats.
type Handler struct {
	src  source
	cfg  Config
	now  func() time.Time
	memo *memo
}

// NewHandler returns the bulletin's handlers.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Catalog == nil {
		cfg.Catalog = features.NewCatalog()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{src: source{r: cfg.Reader, cat: cfg.Catalog}, cfg: cfg.Config.withDefaults(), now: cfg.Now,
		memo: &memo{version: cfg.Version}}
}

// Register adds the routes to the /api group; each answers GET and HEAD
// (the same status and headers, no body):
//
//	GET /stats?date=YYYY-MM-DD[&format=csv|json]
//	GET /stats.csv?date=YYYY-MM-DD
//	GET /stats/series?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv|json]
//	GET /stats/series.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
func (h *Handler) Register(g *echo.Group) {
	methods := []string{http.MethodGet, http.MethodHead}
	g.Match(methods, "/stats", func(c echo.Context) error { return h.stats(c, false) })
	g.Match(methods, "/stats.csv", func(c echo.Context) error { return h.stats(c, true) })
	g.Match(methods, "/stats/series", func(c echo.Context) error { return h.series(c, false) })
	g.Match(methods, "/stats/series.csv", func(c echo.Context) error { return h.series(c, true) })
}

// stats serves the bulletin of one day, by default the latest day on which
// anything changed (see latestDay).
func (h *Handler) stats(c echo.Context, csvPath bool) error {
	today := features.VietnamDay(h.now())
	var buf [256]byte
	kb := requestKey(buf[:0], c, today)
	if a := h.memo.lookup(kb); a != nil {
		return a.write(c, time.Time{})
	}
	key := string(kb)
	q, err := params(c, "date", "format", "pretty")
	if err != nil {
		return err
	}
	out, err := exportFormat(q["format"], csvPath)
	if err != nil {
		return err
	}
	date, hasDate, err := optDate(q, "date")
	if err != nil {
		return err
	}
	return h.memo.serve(c, key, func(ctx context.Context) (answer, error) {
		cs, err := h.memo.casesOf(ctx, h.src)
		if err != nil {
			return answer{}, err
		}
		if !hasDate {
			date = latestDay(cs, today)
		}
		st, err := h.src.stats(ctx, cs, date, h.cfg)
		if err != nil {
			return answer{}, err
		}
		return out.encode("bando-stats-"+st.Date, st, q, func() [][]string { return statsRecords(st) })
	})
}

// series serves a daily series, by default the 30 days up to the latest day
// on which anything changed (see latestDay).
func (h *Handler) series(c echo.Context, csvPath bool) error {
	today := features.VietnamDay(h.now())
	var buf [256]byte
	kb := requestKey(buf[:0], c, today)
	if a := h.memo.lookup(kb); a != nil {
		return a.write(c, time.Time{})
	}
	key := string(kb)
	q, err := params(c, "from", "to", "format", "pretty")
	if err != nil {
		return err
	}
	out, err := exportFormat(q["format"], csvPath)
	if err != nil {
		return err
	}
	from, hasFrom, err := optDate(q, "from")
	if err != nil {
		return err
	}
	to, hasTo, err := optDate(q, "to")
	if err != nil {
		return err
	}
	if hasFrom && hasTo {
		if reason := checkRange(from, to, h.cfg.MaxSeriesDays); reason != "" {
			return httpx.BadRequest("%s", reason)
		}
	}
	return h.memo.serve(c, key, func(ctx context.Context) (answer, error) {
		cs, err := h.memo.casesOf(ctx, h.src)
		if err != nil {
			return answer{}, err
		}
		from, to := h.defaultRange(cs, today, dateParam{from, hasFrom}, dateParam{to, hasTo})
		if reason := checkRange(from, to, h.cfg.MaxSeriesDays); reason != "" {
			return answer{}, httpx.BadRequest("%s; give both from and to", reason)
		}
		s := series(cs, from, to)
		return out.encode("bando-series-"+s.From+"-to-"+s.To, s, q, func() [][]string { return seriesRecords(s) })
	})
}

// dateParam is an optional date parameter. Whether it was given is kept
// apart from its value: 0001-01-01, the zero time, is a date like any other.
type dateParam struct {
	t     time.Time
	given bool
}

// defaultRange fills a missing end with the latest day (or from, if later)
// and a missing start with the days before the end.
func (h *Handler) defaultRange(cs []caseRow, today time.Time, from, to dateParam) (time.Time, time.Time) {
	if !to.given {
		to.t = latestDay(cs, today)
		if from.given && from.t.After(to.t) {
			to.t = from.t
		}
	}
	if !from.given {
		from.t = to.t.AddDate(0, 0, 1-min(defaultSeriesDays, h.cfg.MaxSeriesDays))
	}
	return from.t, to.t
}

// latestDay is the latest day on which anything changed, a case reported or
// a status taking effect, but no later than today in Vietnam: a date after
// today is a typing error, and the bulletin of a day to come is not served
// by default. With no case yet it is today.
func latestDay(cs []caseRow, today time.Time) time.Time {
	var last time.Time
	for _, c := range cs {
		last = latest(last, c.changed) // changed is never before report
	}
	if last.IsZero() || last.After(today) {
		return today
	}
	return last
}

// params returns the query parameters, refusing unknown, repeated or empty
// ones (httpx.Query.Check); pretty, Echo's switch for indented JSON, may
// come without a value.
func params(c echo.Context, allowed ...string) (map[string]string, error) {
	qs := c.QueryParams()
	if err := (httpx.Query{Names: allowed, Flags: []string{"pretty"}}).Check(qs); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(qs))
	for k, v := range qs {
		out[k] = strings.TrimSpace(v[0])
	}
	return out, nil
}

// optDate parses an optional date parameter.
func optDate(q map[string]string, key string) (time.Time, bool, error) {
	v := q[key]
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := httpx.ParseDay(key, v)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

// output is how a response is sent: JSON or CSV, inline or as a download.
type output struct {
	csv, attach bool
}

// exportFormat resolves the format parameter; the .csv paths force CSV.
func exportFormat(v string, csvPath bool) (output, error) {
	switch {
	case csvPath && v != "" && v != "csv":
		return output{}, httpx.BadRequest("format %q contradicts the .csv path; drop format or use the path without .csv", v)
	case csvPath || v == "csv":
		return output{csv: true, attach: true}, nil
	case v == "json":
		return output{attach: true}, nil
	case v == "":
		return output{}, nil
	}
	return output{}, httpx.BadRequest("format %q is not known; use csv or json", v)
}

// encode writes v as JSON (indented when q has pretty, as Echo's c.JSON
// does) or rows as CSV; a download gets a file name.
func (o output) encode(name string, v any, q map[string]string, rows func() [][]string) (answer, error) {
	var a answer
	ext := ".json"
	if o.csv {
		ext = ".csv"
	}
	if o.attach {
		a.disposition = fmt.Sprintf("attachment; filename=%q", name+ext)
	}
	var buf bytes.Buffer
	if o.csv {
		a.contentType = "text/csv; charset=utf-8"
		if err := csv.NewWriter(&buf).WriteAll(rows()); err != nil {
			return answer{}, fmt.Errorf("bulletin: writing csv: %w", err)
		}
	} else {
		a.contentType = echo.MIMEApplicationJSON
		enc := json.NewEncoder(&buf)
		if _, pretty := q["pretty"]; pretty {
			enc.SetIndent("", "  ")
		}
		if err := enc.Encode(v); err != nil {
			return answer{}, fmt.Errorf("bulletin: writing json: %w", err)
		}
	}
	a.body = buf.Bytes()
	// NOTE: compressed once here, not per request: an answer is served
	// from memory many times per data version (the portal's banner).
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(a.body); err != nil {
		return answer{}, fmt.Errorf("bulletin: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return answer{}, fmt.Errorf("bulletin: gzip: %w", err)
	}
	a.gzipped = gz.Bytes()
	return a, nil
}

// statsRecords flattens the bulletin into metric,key,value rows.
func statsRecords(s Stats) [][]string {
	rows := [][]string{{"metric", "key", "value"}, {"date", "", s.Date}}
	add := func(metric, key string, v int) { rows = append(rows, []string{metric, key, strconv.Itoa(v)}) }
	split := func(prefix string, d ByDetected, l ByLink) {
		add(prefix+".by_detected", features.DetectedQuarantineArea, d.QuarantineArea)
		add(prefix+".by_detected", features.DetectedHealthFacility, d.HealthFacility)
		add(prefix+".by_detected", features.DetectedCommunityScreening, d.CommunityScreening)
		add(prefix+".by_link", "cluster", l.Cluster)
		add(prefix+".by_link", "community", l.Community)
	}
	n := s.NewCases
	add("new_cases", "total", n.Total)
	split("new_cases", n.ByDetected, n.ByLink)
	for _, ns := range n.BySession.sessions() {
		prefix := "new_cases.by_session." + ns.name
		add(prefix, "total", ns.count.Total)
		split(prefix, ns.count.ByDetected, ns.count.ByLink)
		for _, c := range ns.count.ByCluster {
			add(prefix+".by_cluster", cell(c.Cluster), c.Total)
		}
	}
	o := s.Cumulative.ByOrigin
	add("cumulative", "total", s.Cumulative.Total)
	add("cumulative.by_origin", features.OriginCommunity, o.Community)
	add("cumulative.by_origin", features.OriginReturningCitizen, o.ReturningCitizen)
	add("cumulative.by_origin", features.OriginForeignExpert, o.ForeignExpert)
	add("cumulative.by_origin", features.OriginIllegalEntry, o.IllegalEntry)
	rows = append(rows, []string{"community_since_wave_start", "since", s.CommunitySinceWaveStart.Since})
	add("community_since_wave_start", "total", s.CommunitySinceWaveStart.Total)
	add("deaths", "", s.Deaths)
	add("under_treatment", "", s.UnderTreatment)
	add("recovered", "", s.Recovered)
	add("contacts", "f1", s.Contacts.F1)
	add("contacts", "f2", s.Contacts.F2)
	if s.LastUpdate != nil {
		rows = append(rows, []string{"last_update", "", *s.LastUpdate})
	}
	for _, c := range s.ByCluster {
		add("by_cluster.total", cell(c.Cluster), c.Total)
		add("by_cluster.new", cell(c.Cluster), c.New)
	}
	for _, d := range s.ByDistrict {
		rows = append(rows, []string{"by_district.name", cell(d.DistrictCode), cell(d.DistrictName)})
		add("by_district.total", cell(d.DistrictCode), d.Total)
		add("by_district.new", cell(d.DistrictCode), d.New)
	}
	return rows
}

// seriesRecords writes one row per day.
func seriesRecords(s DailySeries) [][]string {
	rows := [][]string{{"date", "new_cases", "cumulative", "deaths", "under_treatment", "recovered"}}
	for _, d := range s.Days {
		rows = append(rows, []string{d.Date, strconv.Itoa(d.NewCases), strconv.Itoa(d.Cumulative),
			strconv.Itoa(d.Deaths), strconv.Itoa(d.UnderTreatment), strconv.Itoa(d.Recovered)})
	}
	return rows
}

// cell defuses a text cell that a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
