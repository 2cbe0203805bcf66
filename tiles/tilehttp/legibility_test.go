package tilehttp

import (
	"math"
	"strconv"
	"testing"
)

// luminance is the WCAG 2 relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var lin [3]float64
	for i := range lin {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			lin[i] = c / 12.92
		} else {
			lin[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
}

// contrast is the WCAG 2 contrast ratio of two colours, from 1 to 21.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestContrastOfKnownColours(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#777777", "#ffffff", 4.48}, // the classic just-too-light grey
		{"#d7191c", "#ffffff", 5.19},
	}
	for _, tt := range tests {
		if got := contrast(t, tt.a, tt.b); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

// paintString reads a paint property of a style layer that must be a plain colour.
func paintString(t *testing.T, st Style, id, prop string) string {
	t.Helper()
	for _, l := range st.Layers {
		if l.ID != id {
			continue
		}
		s, ok := l.Paint[prop].(string)
		if !ok {
			t.Fatalf("layer %s: %s is %v, not a colour", id, prop, l.Paint[prop])
		}
		return s
	}
	t.Fatalf("the style has no layer %s", id)
	return ""
}

func layerIndex(st Style, id string) int {
	for i, l := range st.Layers {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// TestStyleLegibility reads the served style's colours and checks the
// contrast ratios the web map promises (WCAG 2.1: 4.5:1 for text, 3:1 for
// graphics that carry meaning).
func TestStyleLegibility(t *testing.T) {
	st := decodeJSON[Style](t, newTestServer(t, nil).get("/style.json"))
	background := paintString(t, st, "background", "background-color")
	paint := func(id, prop string) func() string {
		return func() string { return paintString(t, st, id, prop) }
	}
	tests := []struct {
		name string
		a, b func() string
		min  float64
	}{
		{"case counts against their halo", paint("cases-count", "text-color"), paint("cases-count", "text-halo-color"), 4.5},
		{"contact counts against their halo", paint("contacts-count", "text-color"), paint("contacts-count", "text-halo-color"), 4.5},
		{"district names against their halo", paint("districts-label", "text-color"), paint("districts-label", "text-halo-color"), 4.5},
		{"ward names against their halo", paint("wards-label", "text-color"), paint("wards-label", "text-halo-color"), 4.5},
		{"lockdown points against epidemiological points", paint("lockdown_points", "circle-color"), paint("epidemic_points", "circle-color"), 3},
		{"lockdown points against the background", paint("lockdown_points", "circle-color"), func() string { return background }, 3},
		{"epidemiological points against the background", paint("epidemic_points", "circle-color"), func() string { return background }, 3},
		{"cases against the background", paint("cases", "circle-color"), func() string { return background }, 3},
		{"contact rings against the background", paint("contacts", "circle-stroke-color"), func() string { return background }, 3},
		{"zone outlines against the background", paint("quarantine_zones-outline", "line-color"), func() string { return background }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.a(), tt.b()
			if got := contrast(t, a, b); got < tt.min {
				t.Errorf("%s on %s: contrast %.2f:1, want at least %.1f:1", a, b, got, tt.min)
			}
		})
	}

	t.Run("contacts are drawn below cases", func(t *testing.T) {
		if c, k := layerIndex(st, "contacts"), layerIndex(st, "cases"); c < 0 || k < 0 || c > k {
			t.Errorf("contacts layer at %d, cases at %d", c, k)
		}
	})
	t.Run("contacts are rings on a smaller scale than cases", func(t *testing.T) {
		cases, contacts := PeopleRadii("cases"), PeopleRadii("contacts")
		if len(cases) != len(contacts) {
			t.Fatalf("stops %v and %v", cases, contacts)
		}
		for i := 0; i < len(cases); i += 2 {
			if cases[i] != contacts[i] || contacts[i+1] >= cases[i+1] {
				t.Errorf("at count %v: contact radius %v, case radius %v", cases[i], contacts[i+1], cases[i+1])
			}
		}
		for _, l := range st.Layers {
			if op, ok := l.Paint["circle-opacity"].(float64); l.ID == "contacts" && (!ok || op >= 0.5) {
				t.Errorf("contacts filled at opacity %v: they would read as discs", l.Paint["circle-opacity"])
			}
		}
	})
	t.Run("zones are drawn at province zoom", func(t *testing.T) {
		for _, id := range []string{"quarantine_zones-fill", "quarantine_zones-outline"} {
			i := layerIndex(st, id)
			if i < 0 || st.Layers[i].MinZoom > 8 {
				t.Errorf("layer %s missing or drawn only from zoom %d", id, st.Layers[i].MinZoom)
			}
		}
	})
}

// TestStyleLabelsDoNotOverlap: MapLibre places symbols from the top layer
// down, and a layer that may overlap (text-allow-overlap) is drawn wherever
// it falls, over anything placed before it. Such a layer (the counts of
// groups, which must always show) must therefore lie above every area name
// so that it is placed first and the names, placed after it, keep clear of
// it; and no layer may stay out of the collision index (text-ignore-
// placement), or the names could not see it. Counts below the names drew
// over them ("Huyện 1Phú Giáo", the tester's finding).
func TestStyleLabelsDoNotOverlap(t *testing.T) {
	for _, base := range []struct {
		name   string
		mutate func(*Config)
	}{{"plain", nil}, {"street base map", func(c *Config) { c.BaseMap, _ = baseMapFixture(t) }}} {
		t.Run(base.name, func(t *testing.T) {
			st := decodeJSON[Style](t, newTestServer(t, base.mutate).get("/style.json"))
			lowestOverlap, highestName := len(st.Layers), -1
			for i, l := range st.Layers {
				if l.Type != "symbol" || l.Source == StyleSourceBaseMap {
					continue
				}
				if l.Layout["text-ignore-placement"] == true || l.Layout["icon-ignore-placement"] == true {
					t.Errorf("layer %s is kept out of the collision index: labels placed after it cannot avoid it", l.ID)
				}
				if l.Layout["text-allow-overlap"] == true {
					lowestOverlap = min(lowestOverlap, i)
					continue
				}
				if l.Source == StyleSourceLabels {
					highestName = i
					if l.Layout["text-variable-anchor"] == nil {
						t.Errorf("name layer %s has one anchor: it vanishes rather than move off a count", l.ID)
					}
				}
			}
			if highestName < 0 || lowestOverlap == len(st.Layers) {
				t.Fatalf("no name layer (%d) or no count layer (%d)", highestName, lowestOverlap)
			}
			if lowestOverlap < highestName {
				t.Errorf("%s (drawn over anything) lies below the name layer %s: counts are drawn over names",
					st.Layers[lowestOverlap].ID, st.Layers[highestName].ID)
			}
		})
	}
}
