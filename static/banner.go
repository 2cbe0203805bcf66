package static

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Figures are the headline numbers /embed shows, rendered into its HTML so
// that a slow network shows them before any script runs (the script then
// draws the same banner again, with the map).
type Figures struct {
	Date           string // the bulletin's day, YYYY-MM-DD
	Today          string // today in Vietnam, YYYY-MM-DD
	NewCases       int
	Community      int
	CommunitySince string // YYYY-MM-DD
	Deaths         int
	LastUpdate     string // YYYY-MM-DD, empty before the first case
}

// FiguresFunc gives the latest Figures.
type FiguresFunc func(ctx context.Context) (Figures, error)

// figuresTimeout bounds the wait for the figures: past it the page goes
// out without them and the script fetches them.
const figuresTimeout = 2 * time.Second

// bannerSlot is where embed.html takes the banner; emptyBanner is what the
// page holds without figures (the script fills it).
const (
	bannerSlot  = "{{banner}}"
	emptyBanner = `<div id="banner" class="banner"></div>`
)

// bannerText are the banner's words in each language, as static/src/i18n.ts
// has them (embed.* and app.short).
var bannerText = map[string]map[string]string{
	"vi": {"title": "Bản đồ COVID-19 Bình Dương", "community": "Ca cộng đồng", "since": "từ %s", "today": "Ca mới hôm nay",
		"dayNew": "Ca mới ngày %s", "deaths": "Tử vong", "updated": "Cập nhật", "full": "Xem bản đồ đầy đủ"},
	"en": {"title": "Bình Dương COVID-19 map", "community": "Community cases", "since": "since %s", "today": "New today",
		"dayNew": "New on %s", "deaths": "Deaths", "updated": "Updated", "full": "Open the full map"},
}

var bannerTemplate = template.Must(template.New("banner").Parse(`<header class="banner" id="banner">` +
	`<h1>{{.Title}}</h1><div class="figs">` +
	`<div class="fig" id="banner-community"><span class="fig-value">{{.Community}}</span><span class="fig-label">{{.CommunityLabel}}<span class="fig-sub"> {{.Since}}</span></span></div>` +
	`<div class="fig" id="banner-today"><span class="fig-value">{{.NewCases}}</span><span class="fig-label">{{.TodayLabel}}</span></div>` +
	`<div class="fig" id="banner-deaths"><span class="fig-value">{{.Deaths}}</span><span class="fig-label">{{.DeathsLabel}}</span></div>` +
	`<div class="fig fig-update" id="banner-updated"><span class="fig-label">{{.UpdatedLabel}}</span><span class="fig-date">{{.Updated}}</span></div>` +
	`</div><a class="full" href="{{.Full}}" target="_blank" rel="noopener">{{.FullLabel}} →</a></header>`))

// renderBanner writes the banner of f in lang ("vi" or "en").
func renderBanner(f Figures, lang string) ([]byte, error) {
	w := bannerText[lang]
	today := w["today"]
	if f.Date != f.Today {
		today = fmt.Sprintf(w["dayNew"], formatDay(f.Date))
	}
	full := "/"
	if lang != "vi" {
		full += "?lang=" + lang
	}
	updated := "–"
	if f.LastUpdate != "" {
		updated = formatDay(f.LastUpdate)
	}
	var buf bytes.Buffer
	err := bannerTemplate.Execute(&buf, map[string]string{
		"Title": w["title"], "Community": formatNumber(f.Community, lang), "CommunityLabel": w["community"],
		"Since": fmt.Sprintf(w["since"], formatDay(f.CommunitySince)), "NewCases": formatNumber(f.NewCases, lang),
		"TodayLabel": today, "Deaths": formatNumber(f.Deaths, lang), "DeathsLabel": w["deaths"],
		"UpdatedLabel": w["updated"], "Updated": updated, "Full": full, "FullLabel": w["full"],
	})
	return buf.Bytes(), err
}

// formatNumber groups digits as the page's script does (vi-VN "1.234",
// en-GB "1,234").
func formatNumber(n int, lang string) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if lang == "vi" {
		sep = "."
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDay writes YYYY-MM-DD as the page's script does: dd/mm/yyyy in
// every language, as the bulletins are dated ("05/07/2021").
func formatDay(iso string) string {
	d, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return d.Format("02/01/2006")
}

// embedPage serves /embed with the headline figures in its HTML when the
// server has them within figuresTimeout; otherwise the empty banner the
// script fills. An address it cannot show as asked gets a 400 page with the
// reason (embedQuery).
func (s *server) embedPage(c echo.Context) error {
	lang, err := s.embedQuery(c.QueryParams())
	if err != nil {
		return s.refuseEmbed(c, err)
	}
	if lang == "" {
		lang = s.lang
	}
	body := s.embed.body
	banner := []byte(emptyBanner)
	if s.figures != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), figuresTimeout)
		defer cancel()
		if f, err := s.figures(ctx); err == nil {
			if b, err := renderBanner(f, lang); err == nil {
				banner = b
			}
		}
		// NOTE: a failure is not the page's: the script asks again and
		// says what failed.
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", s.embed.csp)
	h.Set("Cache-Control", cachePage)
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, bytes.Replace(body, []byte(bannerSlot), banner, 1))
}

// refuseEmbed answers 400 with a page that gives the reason err carries. It
// may be framed where /embed may, so that the portal's frame shows it.
func (s *server) refuseEmbed(c echo.Context, err error) error {
	var buf bytes.Buffer
	if terr := embedRefusal.Execute(&buf, map[string]string{"Reason": detail(err), "Layers": strings.Join(s.layers, ", ")}); terr != nil {
		return fmt.Errorf("static: refusal page: %w", terr)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", s.embed.csp)
	h.Set("Cache-Control", cachePage)
	return c.Blob(http.StatusBadRequest, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}
