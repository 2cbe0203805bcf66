package edit

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MayChange refuses principals who may not change the map's data: only
// editors and admins may. Each change checks it; HTTP handlers may check it
// first, before reading a body.
func MayChange(p auth.Principal) error {
	if p.Is(auth.Editor) {
		return nil
	}
	return refuse(auth.ErrForbidden,
		fmt.Sprintf("role %q may not change the map's data; editors and admins may", roleOf(p)),
		fmt.Sprintf("vai trò %q không được thay đổi dữ liệu bản đồ; chỉ biên tập viên và quản trị viên được", roleOf(p)))
}

// MayCreate refuses principals who may not create a record of collection
// col with these properties: editors and admins may create any; a tracer
// may create a quarantine zone as a draft (the zone an exposure run
// suggests, which an editor reviews and publishes), and nothing else. Every
// other change stays with MayChange: a tracer never publishes, edits, lifts
// or deletes a zone.
func MayCreate(p auth.Principal, col string, props map[string]any) error {
	if p.Role != auth.Tracer || col != "quarantine_zones" {
		return MayChange(p)
	}
	if st := zoneStatus(props); st == "" || st == features.ZoneDraft {
		return nil
	}
	return refuse(auth.ErrForbidden,
		"a tracer may create quarantine zones as drafts only; an editor reviews and publishes them",
		"người truy vết chỉ được tạo vùng cách ly ở trạng thái nháp (draft); biên tập viên sẽ xem xét và công bố")
}

// MayRead reports whether p may read the editors' view of a collection:
// editors, admins and viewers may; tracers may read cases.
func MayRead(p auth.Principal, col string) bool {
	return p.Is(auth.Editor, auth.Viewer) || (p.Role == auth.Tracer && col == "cases")
}

// SeesPerson reports whether p may see the personal fields of cases.
func SeesPerson(p auth.Principal) bool { return p.Is(auth.Editor, auth.Tracer) }

func mayRead(p auth.Principal, col string) error {
	if MayRead(p, col) {
		return nil
	}
	return refuse(auth.ErrForbidden,
		fmt.Sprintf("role %q may not read the editors' view of %s", roleOf(p), col),
		fmt.Sprintf("vai trò %q không được xem dữ liệu biên tập của lớp %s", roleOf(p), col))
}

func roleOf(p auth.Principal) string {
	if p.Role == "" {
		return "none"
	}
	return string(p.Role)
}

// district is a district editor's district: its code, name and boundary.
type district struct {
	code, name string
	shape      orb.MultiPolygon
}

// districtOf reads the district of a district editor, or nil for a
// province-wide principal.
func (s *Service) districtOf(ctx context.Context, p auth.Principal) (*district, error) {
	if p.District == "" || p.Role == auth.Admin {
		return nil, nil
	}
	col, err := s.cfg.Catalog.Get("districts")
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Reader.Item(ctx, col, p.District)
	if errors.Is(err, features.ErrNotFound) {
		return nil, refuse(auth.ErrForbidden,
			fmt.Sprintf("your district %s has no boundary in the store; ask an admin to import the districts", p.District),
			fmt.Sprintf("huyện %s của bạn chưa có ranh giới trong dữ liệu; hãy nhờ quản trị viên nhập ranh giới", p.District))
	}
	if err != nil {
		return nil, fmt.Errorf("edit: read district %s: %w", p.District, err)
	}
	d := &district{code: p.District, name: p.District}
	if n, ok := f.Properties["name"].(string); ok && n != "" {
		d.name = n
	}
	switch g := f.Geometry.(type) {
	case orb.MultiPolygon:
		d.shape = g
	case orb.Polygon:
		d.shape = orb.MultiPolygon{g}
	}
	return d, nil
}

// inDistrict refuses a geometry outside a district editor's district:
// points must lie inside it, areas within it widened by bufferM metres.
func (d *district) check(g orb.Geometry, bufferM float64, when string) error {
	if d == nil || g == nil {
		return nil
	}
	if d.holds(g, bufferM) {
		return nil
	}
	whenVI := "sau khi sửa"
	if when == "before" {
		whenVI = "trước khi sửa"
	}
	return refuse(auth.ErrForbidden,
		fmt.Sprintf("you edit district %s (%s) only; this feature lies outside it %s the change", d.code, d.name, when),
		fmt.Sprintf("bạn chỉ được sửa dữ liệu của %s (mã %s); đối tượng này nằm ngoài địa bàn %s", d.name, d.code, whenVI))
}

func (d *district) holds(g orb.Geometry, bufferM float64) bool {
	switch v := g.(type) {
	case orb.Point:
		return planar.MultiPolygonContains(d.shape, v)
	case orb.MultiPolygon:
		for _, poly := range v {
			for _, r := range poly {
				for i, p := range r {
					if !d.near(p, bufferM) {
						return false
					}
					if i > 0 && !d.near(orb.Point{(p[0] + r[i-1][0]) / 2, (p[1] + r[i-1][1]) / 2}, bufferM) {
						return false
					}
				}
			}
		}
		return true
	case orb.Polygon:
		return d.holds(orb.MultiPolygon{v}, bufferM)
	}
	return false
}

// near reports whether p lies in the district or within m metres of its
// boundary.
func (d *district) near(p orb.Point, m float64) bool {
	if planar.MultiPolygonContains(d.shape, p) {
		return true
	}
	kx := features.MetresPerDegree * math.Cos(p[1]*math.Pi/180)
	ky := features.MetresPerDegree
	for _, poly := range d.shape {
		for _, r := range poly {
			for i := 1; i < len(r); i++ {
				if segmentDistance(p, r[i-1], r[i], kx, ky) <= m {
					return true
				}
			}
		}
	}
	return false
}

// segmentDistance is the distance in metres from p to the segment ab, in a
// local plane scaled by kx, ky metres per degree.
func segmentDistance(p, a, b orb.Point, kx, ky float64) float64 {
	ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
	bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y)
}

// province returns the bounds every vertex must lie in: the districts'
// extent, or, before any district is stored, the box the case import
// checks (caseimport.ProvinceBounds).
func (s *Service) province(ctx context.Context) (*orb.Bound, error) {
	col, err := s.cfg.Catalog.Get("districts")
	if err != nil {
		return nil, err
	}
	ext, err := s.cfg.Reader.Extent(ctx, col)
	if err != nil {
		return nil, fmt.Errorf("edit: read the province's bounds: %w", err)
	}
	if ext.Bounds == nil {
		b := caseimport.ProvinceBounds()
		return &b, nil
	}
	return ext.Bounds, nil
}

// Zone statuses and the moves between them.
func zoneStatus(props map[string]any) string {
	v, _ := props["status"].(string)
	return v
}

// zoneMove checks a zone's move from one status to another and names the
// audit action: publish, lift, or fallback when the status stays.
func zoneMove(from, to, fallback string) (string, error) {
	switch {
	case from == to:
		return fallback, nil
	case from == features.ZoneDraft && to == features.ZonePublished:
		return "publish", nil
	case from == features.ZonePublished && to == features.ZoneLifted:
		return "lift", nil
	}
	return "", refuse(ErrLifecycle,
		fmt.Sprintf("a %s zone cannot become %s: zones go draft → published → lifted, and a lifted zone stays lifted", from, to),
		fmt.Sprintf("vùng đang ở trạng thái %s không thể chuyển sang %s: vùng chỉ đi từ nháp (draft) → công bố (published) → dỡ bỏ (lifted), và vùng đã dỡ bỏ giữ nguyên", from, to))
}

// liftedEnd checks the end of a zone that stays lifted: it must have one,
// no later than today in Vietnam, or the zone would be back on the public
// map of later days. An earlier end is a correction and is kept.
func (s *Service) liftedEnd(props map[string]any) []features.FieldProblem {
	today := s.today()
	switch end := features.DayValue(props["end"]); {
	case props["end"] == nil:
		return []features.FieldProblem{{Field: "end",
			Reason:   "a lifted zone keeps the day it was lifted as its end; give an end no later than " + today,
			ReasonVI: "vùng đã dỡ bỏ phải giữ ngày dỡ bỏ (end); hãy nhập ngày không sau " + today}}
	case end != features.NoDay && end > features.DayValue(today):
		return []features.FieldProblem{{Field: "end",
			Reason:   fmt.Sprintf("a lifted zone cannot end after today (%s): %s would put it back on the map", today, end),
			ReasonVI: fmt.Sprintf("vùng đã dỡ bỏ không thể kết thúc sau hôm nay (%s): ngày %s sẽ đưa vùng trở lại bản đồ", today, end)}}
	}
	return nil
}

// lift sets a lifted zone's end to today (in Vietnam) when it has none or
// a later one.
func (s *Service) lift(props map[string]any) {
	today := s.today()
	end := features.DayValue(props["end"])
	if end == features.NoDay || end > features.DayValue(today) {
		props["end"] = today
	}
}
