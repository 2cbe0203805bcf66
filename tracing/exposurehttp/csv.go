package exposurehttp

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/labstack/echo/v4"
)

// CSVHeader is the contacts export's header row.
var CSVHeader = []string{"key", "name", "phone", "id_number", "tier", "level", "via", "first_exposure", "last_exposure",
	"quarantine_end", "monitor_end", "reasons"}

// HeaderTotal carries the run's count of contacts beside a CSV page.
const HeaderTotal = "X-Total-Count"

// bom starts the export so that spreadsheet programs read it as UTF-8
// (Vietnamese names).
const bom = "\ufeff"

// WriteCSV writes a run's contacts, one row a contact, times in Vietnam,
// reasons as text.
func WriteCSV(w io.Writer, run RunJSON) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, c := range run.Contacts {
		q := ""
		if c.QuarantineEnd != nil {
			q = local(*c.QuarantineEnd)
		}
		row := []string{c.Key, cell(c.Name), cell(c.Phone), cell(c.IDNumber), c.Tier, itoa(c.Level), cell(strings.Join(c.Via, " ")),
			local(c.FirstExposure), local(c.LastExposure), q, local(c.MonitorEnd), cell(reasonsText(c.Reasons))}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading text as a formula: names come
// from public check-ins and venue names from their owners, and a cell
// starting with =, +, -, @, a tab or a carriage return would run in
// Excel (CSV injection). Such a cell gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// local writes t in Vietnam's time, to the minute.
func local(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(features.VietnamTime()).Format("2006-01-02 15:04")
}

// reasonsText is the reasons in words, "; " between them.
func reasonsText(rs []ReasonJSON) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = reasonText(r)
	}
	return strings.Join(parts, "; ")
}

func reasonText(r ReasonJSON) string {
	var what string
	switch {
	case r.Venue != nil:
		name := r.Venue.Name
		if name == "" {
			name = r.Venue.ID
		}
		what = fmt.Sprintf("venue %s (%s), %.0f min", name, r.Venue.Category, r.Venue.OverlapMinutes)
	case r.Ride != nil:
		what = fmt.Sprintf("ride %s bus %s %s %s, seat %s (via seat %s)", r.Ride.Enterprise, r.Ride.Bus, r.Ride.Date, r.Ride.Trip,
			dash(r.Ride.Seat), dash(r.Ride.ViaSeat))
	case r.Residence != nil:
		place := r.Residence.BoardingHouse
		if place == "" {
			place = r.Residence.Address
		}
		what = fmt.Sprintf("%s %s, ward %s, room %s (via room %s), %s", r.Kind, place, r.Residence.Ward,
			dash(r.Residence.Room), dash(r.Residence.ViaRoom), days(r.Residence.Days))
	case r.Line != nil:
		what = fmt.Sprintf("line %s %s %s shift %s, %s", r.Line.Enterprise, r.Line.Site, r.Line.Line, r.Line.Shift, days(r.Line.Days))
	case r.Proximity != nil:
		what = fmt.Sprintf("proximity %d min, closest %.0f m", r.Proximity.Minutes, r.Proximity.ClosestM)
	default:
		what = r.Kind
	}
	return fmt.Sprintf("%s %s via %s, %s – %s", r.Tier, what, r.Via, local(r.Start), local(r.End))
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return itoa(n) + " days"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// contactsCSV answers GET /api/tracing/runs/{id}/contacts.csv?reason=….
func (h *Handler) contactsCSV(c echo.Context) error {
	r, out, err := h.readPage(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := WriteCSV(&b, out); err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="contacts-`+r.ID+`.csv"`)
	c.Response().Header().Set(HeaderTotal, itoa(out.ContactsTotal))
	return c.Blob(http.StatusOK, mimeCSV, []byte(b.String()))
}
