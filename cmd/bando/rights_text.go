package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// writeHeld writes h as a text the person can read, each heading in
// Vietnamese and English, times in Vietnam.
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
	section := func(vi, en string, n int) { fmt.Fprintf(w, "\n## %s / %s: %d\n", vi, en, n) }
	section("Hồ sơ cá nhân", "Person records", len(h.Persons))
	for _, p := range h.Persons {
		fmt.Fprintf(w, "- họ tên/name: %s; điện thoại/phone: %s; CCCD/ID: %s; lần đầu/first seen: %s\n", orDash(p.Name), orDash(p.Phone), orDash(p.IDNumber), t(p.FirstSeen))
	}
	section("Lượt quét mã QR", "Check-ins", len(h.Visits))
	for _, v := range h.Visits {
		fmt.Fprintf(w, "- %s → %s, địa điểm/venue %s (%s)\n", t(v.Start), t(v.End), v.Venue, v.Source)
	}
	section("Khai báo y tế", "Health declarations", len(h.Declarations))
	for _, x := range h.Declarations {
		fmt.Fprintf(w, "- %s: triệu chứng/symptoms %s; tiếp xúc F0/contact with F0: %v; đi lại/travel: %s\n", t(x.Time), orDash(strings.Join(x.Symptoms, ", ")), x.ContactF0, orDash(x.Travel))
	}
	section("Nơi ở và nơi làm việc (danh sách doanh nghiệp)", "Residence and workplace (enterprise rosters)", len(h.Roster))
	for _, r := range h.Roster {
		fmt.Fprintf(w, "- %s → %s: doanh nghiệp/enterprise %s, mã NV/employee %s, %s; nơi ở/residence: %s %s %s (phường/ward %s); xưởng/site %s, chuyền/line %s, ca/shift %s, tuyến xe/bus route %s\n",
			d(r.ValidFrom), d(r.ValidTo), r.Enterprise, r.Employee, orDash(r.Name), orDash(r.Address), r.BoardingHouse, r.Room, orDash(r.Ward), orDash(r.Site), orDash(r.Line), orDash(r.Shift), orDash(r.BusRoute))
	}
	section("Chuyến xe đưa đón", "Bus rides", len(h.Rides))
	for _, r := range h.Rides {
		fmt.Fprintf(w, "- %s %s: xe/bus %s của/of %s, ghế/seat %s\n", d(r.Date), r.Trip, r.Bus, r.Enterprise, orDash(r.Seat))
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
			props = append(props, fmt.Sprintf("%s=%v", k, p.Properties[k]))
		}
		fmt.Fprintf(w, "- %s %s: %s; %s; %s; %s; nhà/home %v; %s\n", p.Collection, p.ID, orDash(p.Name), orDash(p.Phone), orDash(p.IDNumber), orDash(p.Address), p.Location, strings.Join(props, " "))
	}
	section("Ai đã đọc hoặc thay đổi dữ liệu", "Who read or changed the data", len(h.AccessLog))
	for _, e := range h.AccessLog {
		fmt.Fprintf(w, "- %s: %s (%s) %s %s; lý do/reason: %s\n", t(e.Time), e.Actor, orDash(e.Role), e.Action, e.Collection, orDash(e.Reason))
	}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
