package static

import (
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/bandomap/bando/internal/httpx"
)

// embedParams are the parameters /embed takes, as the loader (embed.js)
// writes them and the README documents them:
// ?layers=a,b&z=ZOOM&c=LON,LAT&lang=vi|en.
var embedParams = []string{"layers", "z", "c", "lang"}

// Bounds of /embed's view, as the page's script reads them: a zoom MapLibre
// draws, and a centre Web Mercator can show.
var (
	embedZoom = httpx.Range{Name: "z", Min: 0, Max: 20}
	embedLon  = httpx.Range{Name: "c", Min: -180, Max: 180}
	embedLat  = httpx.Range{Name: "c", Min: -85, Max: 85}
)

// embedQuery checks /embed's parameters and returns the page's language (""
// for the server's default). A portal's author pastes this address once and
// reads the result in a frame: a value the page would silently drop (an
// unknown layer, a zoom of 1e999, a centre off the Earth, a language the map
// does not speak, a misspelt name) is refused with the reason, an
// *httpx.ProblemError of status 400, so that the frame says what to fix
// instead of showing another map. A parameter given empty is as if it were
// left out: the page takes its default. Parameters meant for others that a
// portal's address often carries (campaign tags utm_*, click ids, a
// cache-buster v or _) are let through unread (forOthers).
func (s *server) embedQuery(q url.Values) (string, error) {
	given := url.Values{}
	for name, vs := range q {
		if forOthers(name) {
			continue
		}
		if len(vs) != 1 || vs[0] != "" {
			given[name] = vs
		}
	}
	if err := (httpx.Query{Names: embedParams}).Check(given); err != nil {
		return "", err
	}
	if err := s.checkEmbedLayers(given.Get("layers")); err != nil {
		return "", err
	}
	if _, err := embedZoom.Float(given, 0); err != nil {
		return "", httpx.BadRequest("%s (a map zoom, e.g. z=10)", detail(err))
	}
	if err := checkEmbedCentre(given.Get("c")); err != nil {
		return "", err
	}
	lang := given.Get("lang")
	if lang != "" && !supported(lang) {
		return "", httpx.BadRequest("lang %q is not a language of the map; use vi or en", lang)
	}
	return lang, nil
}

// forOthers reports whether a query parameter is one /embed leaves to
// others: analytics tags and cache-busters a portal may add to any address.
func forOthers(name string) bool {
	switch name {
	case "v", "_", "fbclid", "gclid":
		return true
	}
	return strings.HasPrefix(name, "utm_")
}

// checkEmbedLayers refuses a layer the map does not have; empty items (a
// trailing comma) are left out, as the page does.
func (s *server) checkEmbedLayers(list string) error {
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if id != "" && !slices.Contains(s.layers, id) {
			return httpx.BadRequest("unknown layer %q in layers; layers are %s", id, strings.Join(s.layers, ", "))
		}
	}
	return nil
}

// checkEmbedCentre reads c=LON,LAT in degrees.
func checkEmbedCentre(c string) error {
	if c == "" {
		return nil
	}
	lon, lat, ok := strings.Cut(c, ",")
	if !ok || strings.Contains(lat, ",") {
		return httpx.BadRequest("c %q is not LON,LAT (e.g. c=106.65,11.1)", c)
	}
	for _, part := range []struct {
		r httpx.Range
		v string
	}{{embedLon, lon}, {embedLat, lat}} {
		if _, err := part.r.Float(url.Values{"c": {strings.TrimSpace(part.v)}}, 0); err != nil {
			return httpx.BadRequest("c %q is not LON,LAT in degrees with LON in [-180, 180] and LAT in [-85, 85] (e.g. c=106.65,11.1)", c)
		}
	}
	return nil
}

// detail is the reason of a problem, without its package prefix.
func detail(err error) string {
	var p *httpx.ProblemError
	if errors.As(err, &p) {
		return p.Detail
	}
	return err.Error()
}

// embedRefusal is the page /embed answers, with status 400, to an address it
// cannot show: the reason in words, and the form the address takes. It may
// be framed where /embed may, so that a portal's author sees it in place.
var embedRefusal = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invalid map address</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:1.5rem;color:#1d1b1a}code{background:#f3f1ec;padding:0 .2em;overflow-wrap:anywhere}</style>
</head><body><main>
<h1><span lang="vi">Địa chỉ bản đồ nhúng không hợp lệ</span> / Invalid map address</h1>
<p id="reason">{{.Reason}}</p>
<p><span lang="vi">Địa chỉ có dạng</span> / The address takes the form
<code>/embed?layers=cases,quarantine_zones&amp;z=10&amp;c=106.65,11.1&amp;lang=vi</code>:
layers {{.Layers}}; z 0–20; c LON,LAT; lang vi or en; each optional.</p>
</main></body></html>
`))
