package demo

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"

	"github.com/paulmach/orb"

	"github.com/bandomap/bando/features"
)

// layer says how to draw the places of one lookup layer.
type layer struct {
	prefix string   // of ids
	hours  []string // opening hours, OpenStreetMap syntax
	name   func(rng *rand.Rand, g *generator, w, i int) string
	// statuses are the operating statuses of August 2021 under the
	// lockdown, each as often as it is listed.
	statuses []string
}

func layers() map[string]layer {
	return map[string]layer{
		"markets": {
			prefix: "mk", hours: []string{"Mo-Su 04:00-18:00", "Mo-Su 05:00-19:00", "Mo-Su 03:00-11:00"},
			name: marketName,
			// Most traditional markets closed; a few sold by appointment.
			statuses: []string{features.PlaceClosed, features.PlaceClosed, features.PlaceClosed, features.PlaceRestricted, features.PlaceDeliveryOnly},
		},
		"shopping_centres": {
			prefix: "sc", hours: []string{"Mo-Su 09:00-22:00", "Mo-Su 08:30-22:00", "Mo-Fr 10:00-22:00; Sa,Su 09:00-22:30"},
			statuses: []string{features.PlaceClosed, features.PlaceClosed, features.PlaceDeliveryOnly},
			name: func(rng *rand.Rand, g *generator, w, _ int) string {
				ward := g.pr.wards[w].bare
				switch rng.IntN(3) {
				case 0:
					return oneOf(rng, []string{"Vincom Plaza", "AEON Mall", "Gigamall", "Parkson", "Sense City"}) + " " + ward
				case 1:
					return "Trung tâm thương mại " + ward
				}
				return "TTTM " + g.v.placeName(rng) + " Plaza"
			},
		},
		"convenience_stores": {
			prefix: "cs", hours: []string{"24/7", "Mo-Su 06:00-23:00", "Mo-Su 06:30-22:30"},
			statuses: []string{features.PlaceOpen, features.PlaceRestricted, features.PlaceRestricted, features.PlaceDeliveryOnly, features.PlaceClosed},
			name: func(rng *rand.Rand, g *generator, _, _ int) string {
				if rng.IntN(4) == 0 {
					return "Tạp hóa " + oneOf(rng, g.v.femaleGiven)
				}
				brand := oneOf(rng, []string{"Circle K", "FamilyMart", "Ministop", "GS25", "Bách hóa Xanh", "Co.op Food", "VinMart+", "B's mart", "Satrafoods"})
				return fmt.Sprintf("%s %d %s", brand, 1+rng.IntN(480), streetShort(g.v.street(rng)))
			},
		},
		"mask_sale_points": {
			prefix: "mp", hours: []string{"Mo-Su 07:00-22:00", "Mo-Sa 07:00-21:00; Su 08:00-12:00", "Mo-Su 06:30-21:30"},
			statuses: []string{features.PlaceOpen, features.PlaceOpen, features.PlaceRestricted},
			name: func(rng *rand.Rand, g *generator, _, _ int) string {
				switch rng.IntN(3) {
				case 0:
					chain := oneOf(rng, []string{"Nhà thuốc Long Châu", "Nhà thuốc An Khang", "Nhà thuốc Pharmacity"})
					return fmt.Sprintf("%s %d %s", chain, 1+rng.IntN(480), streetShort(g.v.street(rng)))
				case 1:
					return "Quầy thuốc " + oneOf(rng, g.v.femaleGiven) + " " + oneOf(rng, g.v.maleGiven)
				}
				return "Nhà thuốc " + g.v.placeName(rng)
			},
		},
		"supermarkets": {
			prefix: "sm", hours: []string{"Mo-Su 07:30-22:00", "Mo-Su 08:00-21:30", "Mo-Su 06:00-22:00"},
			statuses: []string{features.PlaceRestricted, features.PlaceRestricted, features.PlaceDeliveryOnly, features.PlaceOpen},
			name: func(rng *rand.Rand, g *generator, w, _ int) string {
				if rng.IntN(4) == 0 {
					return "Siêu thị mini " + oneOf(rng, g.v.femaleGiven)
				}
				brand := oneOf(rng, []string{"Co.opmart", "Co.opXtra", "Big C", "Lotte Mart", "Emart", "Bách hóa Xanh", "Satra"})
				return "Siêu thị " + brand + " " + g.pr.wards[w].bare
			},
		},
		"petrol_stations": {
			prefix: "ps", hours: []string{"24/7", "Mo-Su 05:00-22:00", "Mo-Su 05:30-21:30"},
			statuses: []string{features.PlaceOpen, features.PlaceOpen, features.PlaceRestricted, features.PlaceClosed},
			name: func(rng *rand.Rand, g *generator, w, i int) string {
				switch rng.IntN(4) {
				case 0:
					return fmt.Sprintf("Cửa hàng xăng dầu số %d", i+1)
				case 1:
					return fmt.Sprintf("Cửa hàng xăng dầu %s số %d", oneOf(rng, []string{"Thanh Lễ", "Tín Nghĩa", "Petrolimex", "PVOIL"}), i+1)
				case 2:
					return "Cửa hàng xăng dầu " + g.pr.wards[w].bare
				}
				return "Trạm xăng dầu " + g.v.placeName(rng)
			},
		},
	}
}

// marketName names a market after its ward, its district, a neighbourhood
// or a made-up place. The first two markets are the district town's own,
// so that the demo always has two places of one name to tell apart.
func marketName(rng *rand.Rand, g *generator, w, i int) string {
	wd := &g.pr.wards[w]
	d := &g.pr.districts[wd.district]
	switch x := rng.IntN(20); {
	case i < 2 || x < 2:
		return "Chợ " + d.bare
	case x < 9:
		return "Chợ " + wd.bare
	case x < 14:
		return "Chợ " + g.v.placeName(rng)
	case x < 18:
		unit := "khu phố"
		if wd.level == levelCommune {
			unit = "ấp"
		}
		return fmt.Sprintf("Chợ %s %d %s", unit, 1+rng.IntN(9), wd.bare)
	case x < 19:
		return "Chợ đêm " + wd.bare
	}
	return "Chợ đầu mối " + d.bare
}

// streetShort drops "Đường " from a street name.
func streetShort(s string) string { return strings.TrimPrefix(s, "Đường ") }

// lookup yields the places of one lookup layer, crowded in the dense south.
func (g *generator) lookup(id string, n int) (iter.Seq[features.Record], error) {
	l, ok := layers()[id]
	if !ok {
		return nil, fmt.Errorf("demo: no places drawn for lookup layer %q", id)
	}
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, id)
		// NOTE: the operating values have a stream of their own, so that
		// the places stand where they stood before they had them.
		op := stream(g.seed, id+"/operating")
		for i := range n {
			var p orb.Point
			var w int
			if i < 2 && id == "markets" {
				// The first two markets stand in the first district's
				// town, in its first two wards.
				d := &g.pr.districts[0]
				w = d.wards[i%len(d.wards)]
				p = g.pr.wards[w].sample(rng, true)
			} else {
				p, w = g.pr.place(rng)
			}
			props := g.pr.areaProps(w, map[string]any{
				"name":          l.name(rng, g, w, i),
				"address":       g.pr.address(rng, g.v, w),
				"phone":         landline(rng),
				"opening_hours": oneOf(rng, l.hours),
			})
			operating(op, l, props)
			if !yield(features.Record{ID: fmt.Sprintf("%s%06d", l.prefix, i+1), Geometry: p, Properties: props}) {
				return
			}
		}
	}, nil
}

// operating draws a place's status and, for those that deliver, a phone
// for orders; closed places have no hours of the day.
func operating(rng *rand.Rand, l layer, props map[string]any) {
	status := oneOf(rng, l.statuses)
	props["status"], props["delivery_phone"] = status, nil
	switch status {
	case features.PlaceDeliveryOnly:
		props["delivery_phone"] = mobile(rng)
	case features.PlaceRestricted:
		if rng.IntN(2) == 0 {
			props["delivery_phone"] = mobile(rng)
		}
	}
}

// mobile is a made-up Vietnamese mobile number, as shops gave for orders.
func mobile(rng *rand.Rand) string {
	return fmt.Sprintf("0%d %03d %04d", oneOf(rng, []int{90, 91, 93, 97, 98, 86, 88}), rng.IntN(1000), rng.IntN(10000))
}

// facility is one medical facility before it becomes a record.
type facility struct {
	kind, name, hours string
	beds              int64
	ward              int
}

// medical yields the hospitals, field hospitals, health stations and
// testing sites.
func (g *generator) medical() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "medical_facilities")
		beds := stream(g.seed, "medical_facilities/beds")
		for i, f := range g.facilities(rng) {
			p := g.pr.wards[f.ward].sample(rng, true)
			props := g.pr.areaProps(f.ward, map[string]any{
				"kind": tiered(beds, f.kind), "beds": f.beds, "name": f.name,
				"address": g.pr.address(rng, g.v, f.ward), "phone": landline(rng), "opening_hours": f.hours,
			})
			props["free_beds"] = nil
			if f.beds > 0 {
				props["free_beds"] = freeBeds(beds, f)
			}
			if !yield(features.Record{ID: fmt.Sprintf("mf%06d", i+1), Geometry: p, Properties: props}) {
				return
			}
		}
	}
}

// tiered gives a field hospital its tier (most were tier 1, for cases
// without symptoms).
func tiered(rng *rand.Rand, kind string) string {
	if kind != features.FacilityFieldHospital {
		return kind
	}
	return oneOf(rng, []string{features.FacilityFieldHospital1, features.FacilityFieldHospital1,
		features.FacilityFieldHospital2, features.FacilityFieldHospital3})
}

// freeBeds draws how many beds are free: in August 2021 hospitals and field
// hospitals were nearly full, and one in four had none.
func freeBeds(rng *rand.Rand, f facility) int64 {
	if f.kind != features.FacilityHealthStation && rng.IntN(4) == 0 {
		return 0
	}
	share := 0.02 + 0.15*rng.Float64()
	if f.kind == features.FacilityHealthStation || f.kind == features.FacilityTestingSite {
		share = 0.5 * rng.Float64()
	}
	return int64(share * float64(f.beds))
}

func (g *generator) facilities(rng *rand.Rand) []facility {
	var out []facility
	pr := g.pr
	for i := range g.cfg.hospitals {
		f := facility{kind: features.FacilityHospital, hours: "24/7"}
		switch {
		case i == 0:
			f.name, f.beds, f.ward = "Bệnh viện Đa khoa tỉnh Bình Dương", 1500, pr.districts[0].wards[0]
		case i <= len(pr.districts):
			d := &pr.districts[i-1]
			f.name, f.beds, f.ward = "Trung tâm Y tế "+d.name, int64(100+50*rng.IntN(7)), d.wards[rng.IntN(len(d.wards))]
		default:
			_, f.ward = pr.place(rng)
			f.name, f.beds = "Bệnh viện Đa khoa "+oneOf(rng, g.v.brands), int64(50+50*rng.IntN(6))
		}
		out = append(out, f)
	}
	for i := range g.cfg.field {
		_, w := pr.place(rng)
		out = append(out, facility{kind: features.FacilityFieldHospital, hours: "24/7", ward: w,
			name: fmt.Sprintf("Bệnh viện dã chiến số %d", i+1), beds: int64(300 + 100*rng.IntN(28))})
	}
	stations := g.cfg.stations
	if stations < 0 || stations > len(pr.wards) {
		stations = len(pr.wards)
	}
	for _, w := range rng.Perm(len(pr.wards))[:stations] {
		out = append(out, facility{kind: features.FacilityHealthStation, hours: "Mo-Fr 07:00-17:00; Sa 07:00-11:00",
			ward: w, name: "Trạm Y tế " + pr.wards[w].name, beds: int64(5 + rng.IntN(16))})
	}
	for i := range g.cfg.testing {
		_, w := pr.place(rng)
		name := fmt.Sprintf("Điểm xét nghiệm lưu động số %d", i+1)
		if rng.IntN(2) == 0 {
			name = fmt.Sprintf("Điểm lấy mẫu xét nghiệm %s số %d", pr.wards[w].name, i+1)
		}
		out = append(out, facility{kind: features.FacilityTestingSite, hours: "Mo-Su 07:00-19:00",
			ward: w, name: name, beds: int64(rng.IntN(11))})
	}
	return append(out, g.vaccinationAndMobile()...)
}

// vaccinationAndMobile adds a vaccination site per district and a mobile
// medical station in one ward of three (Bình Dương had 162 by December
// 2021), from a stream of their own so that the other facilities stand
// where they stood.
func (g *generator) vaccinationAndMobile() []facility {
	rng := stream(g.seed, "medical_facilities/added")
	pr := g.pr
	var out []facility
	for _, d := range pr.districts {
		w := d.wards[rng.IntN(len(d.wards))]
		out = append(out, facility{kind: features.FacilityVaccination, hours: "Mo-Su 07:30-17:00", ward: w,
			name: "Điểm tiêm chủng vắc xin COVID-19 " + pr.wards[w].name})
	}
	for i, w := range rng.Perm(len(pr.wards))[:len(pr.wards)/3] {
		out = append(out, facility{kind: features.FacilityMobileStation, hours: "24/7", ward: w,
			name: fmt.Sprintf("Trạm y tế lưu động số %d %s", i+1, pr.wards[w].name), beds: int64(2 + rng.IntN(7))})
	}
	return out
}

// emergencyStations yields the mobile emergency stations.
func (g *generator) emergencyStations() iter.Seq[features.Record] {
	return func(yield func(features.Record) bool) {
		rng := stream(g.seed, "emergency_stations")
		for i := range g.cfg.emergency {
			p, w := g.pr.place(rng)
			d := &g.pr.districts[g.pr.wards[w].district]
			props := g.pr.areaProps(w, map[string]any{
				"name":    fmt.Sprintf("Trạm cấp cứu lưu động số %d (%s)", i+1, d.bare),
				"address": g.pr.address(rng, g.v, w), "phone": landline(rng), "opening_hours": "24/7",
			})
			if !yield(features.Record{ID: fmt.Sprintf("es%06d", i+1), Geometry: p, Properties: props}) {
				return
			}
		}
	}
}
