package api

import (
	"net/url"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/hours"
	"github.com/bandomap/bando/internal/httpx"
)

// openingHours is what nearby writes of a place's opening hours.
type openingHours struct {
	// OpenNow says whether the place is open at the time of the request,
	// in Vietnam.
	OpenNow bool `json:"open_now"`
	// Until is when the period it is open in ends (HH:MM in Vietnam), ""
	// when closed or open round the clock.
	Until string `json:"until,omitempty"`
	// Always is true for places open 24/7.
	Always bool `json:"always,omitempty"`
	// VI and EN are the hours in words.
	VI string `json:"vi"`
	EN string `json:"en"`
}

// readHours reads a place's opening_hours at now; nil when it has none or
// they cannot be read (the editors' validation refuses those). A place
// whose status is closed is not open now, whatever its usual hours.
func readHours(props map[string]any, now time.Time) *openingHours {
	text, _ := props["opening_hours"].(string)
	if text == "" {
		return nil
	}
	h, err := hours.Parse(text)
	if err != nil {
		return nil
	}
	open, until := h.OpenAt(now)
	open = open && props["status"] != features.PlaceClosed
	out := &openingHours{OpenNow: open, Always: h.Always(), VI: h.Words(hours.Vietnamese), EN: h.Words(hours.English)}
	if open && !out.Always {
		out.Until = until.Format("15:04")
	}
	return out
}

// placeFilter is what nearby's open_now and free_beds ask for.
type placeFilter struct {
	openNow, freeBeds bool
}

// placeFilter reads open_now and free_beds: true or false (absent is
// false).
func (h *Handler) placeFilter(q url.Values) (placeFilter, error) {
	var f placeFilter
	var err error
	if f.openNow, err = flag(q, "open_now"); err != nil {
		return f, err
	}
	f.freeBeds, err = flag(q, "free_beds")
	return f, err
}

func flag(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, httpx.BadRequest("%s: %q is not true or false", name, q.Get(name))
}

func (f placeFilter) any() bool { return f.openNow || f.freeBeds }

// keeps reports whether a place passes the filter. Open now: not closed,
// and open by its hours, or, without hours, by a status that says it serves.
// Free beds: at least one.
func (f placeFilter) keeps(p place) bool {
	if f.freeBeds {
		if n, ok := p.Properties["free_beds"].(int64); !ok || n < 1 {
			return false
		}
	}
	if !f.openNow {
		return true
	}
	status, _ := p.Properties["status"].(string)
	switch {
	case status == features.PlaceClosed:
		return false
	case p.Hours != nil:
		return p.Hours.OpenNow
	}
	return status == features.PlaceOpen || status == features.PlaceRestricted || status == features.PlaceDeliveryOnly
}
