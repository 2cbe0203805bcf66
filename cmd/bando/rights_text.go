package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// writeHeld writes h as a text the person can read, each heading in
// Vietnamese and English, times in Vietnam. One record is one line: every
// value that came from outside is quoted (q), its line breaks and other
// control characters escaped, so that no value can break the layout or
// pass for a line or a field of its own.
func writeHeld(w io.Writer, h heldAbout) {
	vn := time.FixedZone("ICT", 7*3600)
	t := func(x time.Time) string {
		if x.IsZero() {
			return "—"
		}
		return x.In(vn).Format("2006-01-02 15:04")
	}
	d := func(x time.Time) string {
		if x.IsZero() {
			return "—"
		}
		return x.Format(time.DateOnly)
	}
	fmt.Fprintf(w, "Dữ liệu cá nhân đang lưu giữ / Personal data held (Luật 91/2025/QH15)\n")
	fmt.Fprintf(w, "Lập lúc / Generated: %s\n", t(h.Generated))
	fmt.Fprintf(w, "Giá trị đặt trong ngoặc kép, ký tự điều khiển viết dạng \\n; — là không có / Values are in double quotes, control characters written as \\n; — is none\n")
	section := func(vi, en string, n int) { fmt.Fprintf(w, "\n## %s / %s: %d\n", vi, en, n) }
	section("Hồ sơ cá nhân", "Person records", len(h.Persons))
	for _, p := range h.Persons {
		fmt.Fprintf(w, "- họ tên/name: %s; điện thoại/phone: %s; CCCD/ID: %s; lần đầu/first seen: %s\n", q(p.Name), q(p.Phone), q(p.IDNumber), t(p.FirstSeen))
	}
	section("Lượt quét mã QR", "Check-ins", len(h.Visits))
	for _, v := range h.Visits {
		fmt.Fprintf(w, "- %s → %s: địa điểm/venue %s (%s, mã/id %s); kết thúc/closing: %s; nguồn/source: %s\n",
			t(v.Start), t(v.End), q(v.VenueName), q(v.VenueCategory), q(v.Venue), q(v.Closing), q(v.Source))
	}
	section("Khai báo y tế", "Health declarations", len(h.Declarations))
	for _, x := range h.Declarations {
		var symptoms []string
		for _, s := range x.Symptoms {
			symptoms = append(symptoms, q(s))
		}
		venue := "—"
		if x.Venue != "" {
			venue = fmt.Sprintf("%s (%s, mã/id %s)", q(x.VenueName), q(x.VenueCategory), q(x.Venue))
		}
		fmt.Fprintf(w, "- %s: địa điểm/venue %s; triệu chứng/symptoms: %s; tiếp xúc F0/contact with F0: %v; đi lại/travel: %s\n",
			t(x.Time), venue, orDash(strings.Join(symptoms, ", ")), x.ContactF0, q(x.Travel))
	}
	section("Nơi ở và nơi làm việc (danh sách doanh nghiệp)", "Residence and workplace (enterprise rosters)", len(h.Roster))
	for _, r := range h.Roster {
		home := "—"
		if len(r.ResidenceLocation) == 2 {
			home = fmt.Sprintf("%.6f, %.6f", r.ResidenceLocation[0], r.ResidenceLocation[1])
		}
		fmt.Fprintf(w, "- %s → %s: doanh nghiệp/enterprise %s, mã NV/employee %s, họ tên/name %s, điện thoại/phone %s, CCCD/ID %s; "+
			"nơi ở/residence: địa chỉ/address %s, nhà trọ/boarding house %s, phòng/room %s, phường/ward %s, vị trí/point (lon, lat) %s; "+
			"xưởng/site %s, chuyền/line %s, ca/shift %s, tuyến xe/bus route %s\n",
			d(r.ValidFrom), d(r.ValidTo), q(r.Enterprise), q(r.Employee), q(r.Name), q(r.Phone), q(r.IDNumber),
			q(r.Address), q(r.BoardingHouse), q(r.Room), q(r.Ward), home, q(r.Site), q(r.Line), q(r.Shift), q(r.BusRoute))
	}
	section("Chuyến xe đưa đón", "Bus rides", len(h.Rides))
	for _, r := range h.Rides {
		fmt.Fprintf(w, "- %s %s: xe/bus %s của/of %s, khởi hành/departure %s, ghế/seat %s, mã NV/employee %s\n",
			d(r.Date), q(r.Trip), q(r.Bus), q(r.Enterprise), t(r.Departure), q(r.Seat), q(r.Employee))
	}
	section("Vị trí di chuyển", "Location traces", len(h.Traces))
	for _, p := range h.Traces {
		fmt.Fprintf(w, "- %s: %.6f, %.6f (±%.0f m)\n", t(p.Time), p.Lon, p.Lat, p.Accuracy)
	}
	section("Ca bệnh và người tiếp xúc", "Cases and contacts", len(h.People))
	for _, p := range h.People {
		keys := make([]string, 0, len(p.Properties))
		for k := range p.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var props []string
		for _, k := range keys {
			props = append(props, propertyName(k)+"="+propertyValue(p.Properties[k]))
		}
		home := "—"
		if len(p.Location) == 2 {
			home = fmt.Sprintf("%.6f, %.6f", p.Location[0], p.Location[1])
		}
		fmt.Fprintf(w, "- %s %s: họ tên/name %s; điện thoại/phone %s; CCCD/ID %s; địa chỉ/address %s; nhà/home (lon, lat) %s; %s\n",
			q(p.Collection), q(p.ID), q(p.Name), q(p.Phone), q(p.IDNumber), q(p.Address), home, orDash(strings.Join(props, " ")))
	}
	section("Ai đã đọc hoặc thay đổi dữ liệu", "Who read or changed the data", len(h.AccessLog))
	for _, e := range h.AccessLog {
		fmt.Fprintf(w, "- %s: %s (%s) %s %s; lý do/reason: %s\n", t(e.Time), q(e.Actor), q(e.Role), q(e.Action), q(e.Collection), q(e.Reason))
	}
}

// q is a value as the text shows it: in double quotes, with quotes,
// backslashes and every character that is not graphic escaped (a line
// break as \n, U+2028 or a bidirectional override as \u2028, \u202e), so
// that it stays on its line and reads as one value; "—" when blank.
func q(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return strconv.QuoteToGraphic(s)
}

// propertyName is a property's name as the text shows it: as it is when
// it is a plain name (letters, digits, _), else quoted.
func propertyName(k string) string {
	if k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return k
	}
	return strconv.QuoteToGraphic(k)
}

// propertyValue is a property's value as the text shows it: a text quoted
// (q), anything else in JSON with what is not graphic escaped.
func propertyValue(v any) string {
	if s, ok := v.(string); ok {
		return q(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return q(fmt.Sprint(v))
	}
	var out strings.Builder
	for _, r := range string(b) {
		if strconv.IsGraphic(r) {
			out.WriteRune(r)
			continue
		}
		e := strconv.QuoteRuneToGraphic(r)
		out.WriteString(e[1 : len(e)-1])
	}
	return out.String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
