package tracinghttp

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// active returns the path's venue if it still takes check-ins: a revoked
// venue has no QR code, poster or staff page (410).
func (h *Handler) active(c echo.Context) (tracing.Venue, error) {
	_, v, err := h.stored(c)
	if err != nil {
		return v, err
	}
	if !v.Active() {
		return v, problem(tracing.ErrVenueRevoked)
	}
	return v, nil
}

func (h *Handler) qrPNG(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams(), "size"); err != nil {
		return err
	}
	size, err := httpx.Range{Name: "size", Min: minQRSize, Max: maxQRSize}.Int(c.QueryParams(), defaultQRSize)
	if err != nil {
		return err
	}
	v, err := h.active(c)
	if err != nil {
		return err
	}
	u, err := h.checkinURL(c, v)
	if err != nil {
		return err
	}
	b, err := qrPNG(u, size)
	if err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="venue-`+string(v.ID)+`.png"`)
	return c.Blob(http.StatusOK, "image/png", b)
}

func (h *Handler) qrSVG(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	v, err := h.active(c)
	if err != nil {
		return err
	}
	u, err := h.checkinURL(c, v)
	if err != nil {
		return err
	}
	svg, err := qrSVG(u, "QR check-in: "+v.Name)
	if err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="venue-`+string(v.ID)+`.svg"`)
	return c.Blob(http.StatusOK, "image/svg+xml", []byte(svg))
}

//go:embed poster.html
var posterHTML string

// posterTemplate is the A4 poster of a venue's QR code.
var posterTemplate = template.Must(template.New("poster").Parse(posterHTML))

// posterData fills posterTemplate.
type posterData struct {
	Name, Address, Category, CategoryEN, URL string
	QR                                       template.HTML
}

// categoryVI names the categories in Vietnamese for the poster.
var categoryVI = map[tracing.Category]string{
	tracing.Market: "Chợ", tracing.Supermarket: "Siêu thị", tracing.Mall: "Trung tâm thương mại",
	tracing.Factory: "Nhà máy", tracing.Office: "Văn phòng", tracing.Hospital: "Bệnh viện", tracing.School: "Trường học",
	tracing.Restaurant: "Nhà hàng, quán ăn", tracing.Bar: "Quán bar", tracing.Karaoke: "Karaoke", tracing.Gym: "Phòng tập",
	tracing.BusStation: "Bến xe", tracing.ReligiousSite: "Cơ sở tôn giáo", tracing.WeddingHall: "Nhà hàng tiệc cưới",
	tracing.FuneralHall: "Nhà tang lễ", tracing.Other: "Địa điểm",
}

// renderPoster writes the poster of v, whose QR code holds url.
func renderPoster(v tracing.Venue, url string) ([]byte, error) {
	svg, err := qrSVG(url, "Mã QR check-in / check-in QR code")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = posterTemplate.Execute(&b, posterData{Name: v.Name, Address: v.Address, Category: categoryVI[v.Category],
		CategoryEN: strings.ReplaceAll(string(v.Category), "_", " "),
		URL:        url, QR: template.HTML(svg)}) // qrSVG escapes its only text, the title
	return b.Bytes(), err
}

func (h *Handler) poster(c echo.Context) error {
	if err := httpx.CheckQuery(c.QueryParams()); err != nil {
		return err
	}
	v, err := h.active(c)
	if err != nil {
		return err
	}
	u, err := h.checkinURL(c, v)
	if err != nil {
		return err
	}
	b, err := renderPoster(v, u)
	if err != nil {
		return err
	}
	noStore(c)
	return c.HTMLBlob(http.StatusOK, b)
}

// staffLink answers the staff scanning page's link, to who may change the
// venue only.
func (h *Handler) staffLink(c echo.Context) error {
	v, err := h.active(c)
	if err != nil {
		return err
	}
	a, err := tracing.AccessFrom(c.Request().Context())
	if err != nil {
		return problem(err)
	}
	if !a.ChangesVenue(v) {
		return problem(errForbidden("only who may change the venue gets its staff link"))
	}
	tok, err := h.cfg.Keys.StaffToken(v)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]string{"url": h.baseURL(c) + "/s/" + tok})
}
