package static

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFormatNumberAndDay(t *testing.T) {
	cases := []struct {
		lang     string
		n        int
		num      string
		day, out string
	}{
		{"vi", 0, "0", "2021-07-05", "05/07/2021"},
		{"vi", 812, "812", "2021-12-21", "21/12/2021"},
		{"vi", 1234567, "1.234.567", "2021-07-05", "05/07/2021"},
		{"en", 1234, "1,234", "2021-07-05", "05/07/2021"},
		{"en", -12000, "-12,000", "not a day", "not a day"},
	}
	for _, c := range cases {
		t.Run(c.lang+" "+c.num, func(t *testing.T) {
			if got := formatNumber(c.n, c.lang); got != c.num {
				t.Errorf("formatNumber(%d) = %q, want %q", c.n, got, c.num)
			}
			if got := formatDay(c.day); got != c.out {
				t.Errorf("formatDay(%s) = %q, want %q", c.day, got, c.out)
			}
		})
	}
}

func TestEmbedFigures(t *testing.T) {
	figures := Figures{Date: "2021-07-05", Today: "2026-01-01", NewCases: 1234, Community: 5678, CommunitySince: "2021-04-27",
		Deaths: 3, LastUpdate: "2021-07-05"}
	cases := []struct {
		name   string
		fn     FiguresFunc
		target string
		want   []string
		absent []string
	}{
		{"Vietnamese by default", func(context.Context) (Figures, error) { return figures, nil }, "/embed",
			[]string{`id="banner-community"><span class="fig-value">5.678</span>`, `Ca mới ngày 05/07/2021`,
				`<span class="fig-value">1.234</span>`, `<span class="fig-date">05/07/2021</span>`, ` từ 27/04/2021`}, []string{"{{banner}}"}},
		{"English", func(context.Context) (Figures, error) { return figures, nil }, "/embed?lang=en",
			[]string{`<span class="fig-value">5,678</span>`, `New on 05/07/2021`, `href="/?lang=en"`}, nil},
		{"today's bulletin", func(context.Context) (Figures, error) {
			f := figures
			f.Today = f.Date
			return f, nil
		}, "/embed", []string{`Ca mới hôm nay`}, []string{"Ca mới ngày"}},
		{"figures failed: the script's empty banner", func(context.Context) (Figures, error) { return Figures{}, errors.New("down") }, "/embed",
			[]string{emptyBanner}, []string{"fig-value", "{{banner}}"}},
		{"no figures", nil, "/embed", []string{emptyBanner}, []string{"fig-value"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := serve(t, Config{Figures: c.fn}, "GET", c.target)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors") {
				t.Fatalf("status %d, CSP %q", rec.Code, rec.Header().Get("Content-Security-Policy"))
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("the page holds %s", a)
				}
			}
		})
	}
}
