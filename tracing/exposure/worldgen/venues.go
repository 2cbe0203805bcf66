package worldgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/bandomap/bando/tracing"
)

// category is a venue category's share of venues, its default stay, how
// many visits a venue of it draws (relative), the mean stay of a visit
// and its Vietnamese label.
type category struct {
	cat      tracing.Category
	share    float64
	stay     time.Duration
	pull     float64
	meanStay float64 // minutes beyond the minimum 10
	label    string
}

// categories is the mix of a Vietnamese province's registered venues.
var categories = []category{
	{tracing.Restaurant, 0.28, 60 * time.Minute, 2, 35, "Quán ăn"},
	{tracing.Other, 0.22, 30 * time.Minute, 1, 15, "Cửa hàng"},
	{tracing.Factory, 0.08, 480 * time.Minute, 1, 60, "Nhà máy"},
	{tracing.Office, 0.08, 240 * time.Minute, 1, 60, "Văn phòng"},
	{tracing.School, 0.05, 240 * time.Minute, 1, 60, "Trường"},
	{tracing.Market, 0.04, 45 * time.Minute, 6, 25, "Chợ"},
	{tracing.Supermarket, 0.04, 30 * time.Minute, 5, 20, "Siêu thị"},
	{tracing.Bar, 0.04, 90 * time.Minute, 1, 50, "Quán cà phê"},
	{tracing.ReligiousSite, 0.04, 60 * time.Minute, 1, 40, "Chùa"},
	{tracing.Karaoke, 0.03, 120 * time.Minute, 1, 70, "Karaoke"},
	{tracing.Gym, 0.03, 60 * time.Minute, 1, 45, "Phòng tập"},
	{tracing.Hospital, 0.015, 90 * time.Minute, 2, 45, "Bệnh viện"},
	{tracing.WeddingHall, 0.01, 180 * time.Minute, 1, 80, "Nhà hàng tiệc cưới"},
	{tracing.FuneralHall, 0.01, 120 * time.Minute, 1, 60, "Nhà tang lễ"},
	{tracing.Mall, 0.005, 90 * time.Minute, 4, 50, "Trung tâm thương mại"},
	{tracing.BusStation, 0.005, 30 * time.Minute, 3, 20, "Bến xe"},
}

// venuePlan is what visits need of a venue.
type venuePlan struct {
	cat  uint8 // index in categories
	ward int32
}

// venueCreated is when every venue was registered: before the world.
var venueCreated = localTime(FirstDay.AddDate(0, 0, -60), 9*time.Hour)

// planVenues places the venues in the wards, ward after ward in turn with
// a category drawn from the mix.
func (w *World) planVenues() {
	n := w.scaled(VenueCount, 1)
	w.venues = make([]tracing.Venue, n)
	w.vplan = make([]venuePlan, n)
	w.byWard = make([][]int32, len(w.wards))
	w.byDist = map[string][]int32{}
	for i := range n {
		r := w.rng(pVenues, uint64(i))
		ward := r.IntN(len(w.wards))
		c := pickCategory(r)
		p := w.pointIn(r, ward)
		w.venues[i] = tracing.Venue{
			ID:           venueID(w.opts.Seed, i),
			Name:         fmt.Sprintf("%s %d", categories[c].label, i+1),
			Category:     categories[c].cat,
			Address:      fmt.Sprintf("%d %s", 1+r.IntN(900), streets[r.IntN(len(streets))]),
			Ward:         w.wards[ward].Code,
			Location:     p,
			DefaultStay:  categories[c].stay,
			RegisteredBy: "worldgen",
			Created:      venueCreated,
			// Token generation 1, as a new venue's.
			TokenGeneration: 1,
		}
		w.vplan[i] = venuePlan{cat: uint8(c), ward: int32(ward)}
		w.byWard[ward] = append(w.byWard[ward], int32(i))
		d := w.wards[ward].District
		w.byDist[d] = append(w.byDist[d], int32(i))
	}
	w.distPick = map[string]*picker{}
	for d, vs := range w.byDist {
		w.distPick[d] = w.newPicker(vs)
	}
	w.wardPick = make([]*picker, len(w.wards))
	for i, vs := range w.byWard {
		if len(vs) > 0 {
			w.wardPick[i] = w.newPicker(vs)
		}
	}
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	w.allPick = w.newPicker(all)
}

func pickCategory(r *rand.Rand) int {
	x := r.Float64()
	for i, c := range categories {
		if x < c.share {
			return i
		}
		x -= c.share
	}
	return 0
}

// picker draws venues of a list in proportion to their category's pull.
type picker struct {
	venues []int32
	cum    []float64
}

func (w *World) newPicker(vs []int32) *picker {
	p := &picker{venues: vs, cum: make([]float64, len(vs))}
	sum := 0.0
	for i, v := range vs {
		sum += categories[w.vplan[v].cat].pull
		p.cum[i] = sum
	}
	return p
}

func (p *picker) pick(r *rand.Rand) int32 {
	x := r.Float64() * p.cum[len(p.cum)-1]
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if p.cum[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return p.venues[lo]
}

// venueNear draws a venue near ward i: in the ward mostly, else in its
// district, else anywhere.
func (w *World) venueNear(r *rand.Rand, ward int32) int32 {
	if p := w.wardPick[ward]; p != nil && r.IntN(10) < 7 {
		return p.pick(r)
	}
	if p := w.distPick[w.wards[ward].District]; p != nil {
		return p.pick(r)
	}
	return w.allPick.pick(r)
}

// streets are street names addresses are made of.
var streets = []string{"Đại lộ Bình Dương", "Đường Mỹ Phước Tân Vạn", "Đường ĐT743", "Đường Nguyễn Văn Tiết",
	"Đường Cách Mạng Tháng Tám", "Đường Nguyễn Trãi", "Đường Phú Lợi", "Đường Huỳnh Văn Lũy", "Đường ĐT741",
	"Đường Lê Hồng Phong", "Đường Trần Văn Ơn", "Đường Hùng Vương", "Đường Thủ Khoa Huân", "Đường Quốc lộ 13"}
