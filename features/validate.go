package features

import (
	"fmt"
	"github.com/bandomap/bando/features/hours"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// MaxIDLength is the most bytes of a record id: an id is a key on disk and
// a part of URLs.
const MaxIDLength = 200

// Defaults of EditRules.
const (
	// DefaultMaxVertices is the most vertices a drawn geometry may have:
	// far more than a ward's boundary needs, few enough that every check
	// stays quick.
	DefaultMaxVertices = 5000
	// DefaultProvinceToleranceM is how far outside the province's bounds,
	// in metres, a drawn vertex may lie: a boundary traced by hand wanders.
	DefaultProvinceToleranceM = 2000
)

// maxProblems caps the problems one record reports: a broken shape of
// thousands of vertices would otherwise list thousands.
const maxProblems = 20

// FieldProblem is one thing wrong with a record, said in English and in
// Vietnamese, for the person who entered it.
type FieldProblem struct {
	// Field names what is wrong: "id", "geometry", a property's name or a
	// personal field ("person.phone").
	Field string `json:"field"`
	// Reason is in English; ReasonVI says the same in Vietnamese.
	Reason   string `json:"reason"`
	ReasonVI string `json:"reason_vi"`
	// At is where on the geometry the problem is (lon, lat), when it is a
	// place: a ring's crossing, a vertex outside the province.
	At *orb.Point `json:"at,omitempty"`
}

// ValidationError lists every problem found in one record (up to a cap).
// It wraps ErrInvalid.
type ValidationError struct {
	Collection string
	ID         string
	Problems   []FieldProblem
}

// Error writes the English reasons after the record's collection and id.
func (e *ValidationError) Error() string {
	reasons := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		reasons[i] = p.Reason
	}
	return fmt.Sprintf("%v: %s %q: %s", ErrInvalid, e.Collection, e.ID, strings.Join(reasons, "; "))
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// EditRules are the checks an official's edit passes beyond Validate's:
// the province's area and a cap on vertices. Imports use Validate alone.
type EditRules struct {
	// Province, when not nil, is the box every vertex must lie in, within
	// ToleranceM metres.
	Province   *orb.Bound
	ToleranceM float64
	// MaxVertices caps a geometry's vertices; 0 means DefaultMaxVertices.
	MaxVertices int
}

// Validate checks a record against its collection before any store writes
// it: an id, a geometry of the collection's type with finite WGS84
// coordinates and closed, simple rings, property values of the catalog's
// types, within its vocabularies and lengths, and a value for every
// required property. Uniqueness needs the stored rows, so each store checks
// it. It returns the geometry normalised to the collection's type (a
// Polygon becomes a one-member MultiPolygon). Errors are a
// *ValidationError, which wraps ErrInvalid.
func Validate(col Collection, rec Record) (orb.Geometry, error) {
	return check(col, rec, nil)
}

// ValidateEdit is Validate with the rules of officials' edits: every vertex
// within the province (with a tolerance), no more vertices than the limit,
// and no period that ends before it starts.
func ValidateEdit(col Collection, rec Record, rules EditRules) (orb.Geometry, error) {
	if rules.MaxVertices <= 0 {
		rules.MaxVertices = DefaultMaxVertices
	}
	return check(col, rec, &rules)
}

// checker gathers the problems of one record.
type checker struct {
	col      Collection
	problems []FieldProblem
}

func (c *checker) add(field string, at *orb.Point, en, vi string) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, FieldProblem{Field: field, Reason: en, ReasonVI: vi, At: at})
	}
}

func check(col Collection, rec Record, rules *EditRules) (orb.Geometry, error) {
	c := &checker{col: col}
	c.id(rec.ID)
	c.person(rec.Person)
	g := c.geometry(rec.Geometry, rules)
	keys := make([]string, 0, len(rec.Properties))
	for k := range rec.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, name := range keys {
		c.property(name, rec.Properties[name])
	}
	for _, p := range col.Properties {
		if p.Required && p.OrDefault(rec.Properties[p.Name]) == nil {
			c.add(p.Name, nil, fmt.Sprintf("property %q is required", p.Name),
				fmt.Sprintf("thuộc tính %q là bắt buộc", p.Name))
		}
	}
	c.beds(rec.Properties)
	if rules != nil {
		c.periods(rec.Properties)
		c.openingHours(rec.Properties)
	}
	if len(c.problems) > 0 {
		return nil, &ValidationError{Collection: col.ID, ID: rec.ID, Problems: c.problems}
	}
	return g, nil
}

func (c *checker) id(id string) {
	switch {
	case id == "":
		c.add("id", nil, "the record has no id", "bản ghi không có mã định danh (id)")
	case !CleanText(id):
		c.add("id", nil, fmt.Sprintf("id %q is not clean UTF-8 text", id), "mã định danh chứa ký tự không hợp lệ")
	case len(id) > MaxIDLength:
		c.add("id", nil, fmt.Sprintf("id %.20q… is longer than %d bytes", id, MaxIDLength),
			fmt.Sprintf("mã định danh dài quá %d byte", MaxIDLength))
	}
}

func (c *checker) person(p *Person) {
	if p == nil {
		return
	}
	if !c.col.People {
		c.add("person", nil, "personal fields on a layer that is not about people",
			"lớp dữ liệu này không chứa thông tin cá nhân")
		return
	}
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"phone", p.Phone}, {"id_number", p.IDNumber}, {"address", p.Address}} {
		if !CleanText(f.v) {
			c.add("person."+f.name, nil, "a personal field is not clean UTF-8 text", "thông tin cá nhân chứa ký tự không hợp lệ")
		}
	}
}

// geometryWords names a geometry type in Vietnamese.
func geometryWords(t string) string {
	switch t {
	case "Point":
		return "điểm (Point)"
	case "Polygon", "MultiPolygon":
		return "vùng (" + t + ")"
	}
	return t
}

// geometry checks the shape and returns it normalised, or nil.
func (c *checker) geometry(g orb.Geometry, rules *EditRules) orb.Geometry {
	if g == nil {
		c.add("geometry", nil, "no geometry", "thiếu hình học (geometry)")
		return nil
	}
	var out orb.Geometry
	switch v := g.(type) {
	case orb.Point:
		if !c.col.IsPolygon() {
			out = v
		}
	case orb.Polygon:
		if c.col.IsPolygon() {
			out = orb.MultiPolygon{v}
		}
	case orb.MultiPolygon:
		if c.col.IsPolygon() {
			out = v
		}
	}
	if out == nil {
		c.add("geometry", nil,
			fmt.Sprintf("geometry is a %s, the collection holds %s", g.GeoJSONType(), c.col.Geometry),
			fmt.Sprintf("hình học là %s, lớp này chỉ nhận %s", geometryWords(g.GeoJSONType()), geometryWords(c.col.Geometry)))
		return nil
	}
	before := len(c.problems)
	c.coordinates(out)
	if len(c.problems) > before {
		return nil // the ring checks need finite coordinates
	}
	if rules != nil {
		if n := vertices(out); n > rules.MaxVertices {
			c.add("geometry", nil, fmt.Sprintf("the shape has %d vertices, more than the limit of %d: simplify it", n, rules.MaxVertices),
				fmt.Sprintf("hình có %d đỉnh, vượt giới hạn %d đỉnh: hãy đơn giản hóa", n, rules.MaxVertices))
			return nil // the ring checks are quadratic
		}
		c.province(out, rules)
	}
	if mp, ok := out.(orb.MultiPolygon); ok {
		c.rings(mp)
	}
	if len(c.problems) > before {
		return nil
	}
	return out
}

func vertices(g orb.Geometry) int {
	n := 0
	visit(g, func(orb.Point) { n++ })
	return n
}

func (c *checker) coordinates(g orb.Geometry) {
	var nan, far bool
	visit(g, func(p orb.Point) {
		switch {
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
			if !nan {
				c.add("geometry", nil, "coordinate is not a number (NaN or infinite)", "tọa độ không phải là số hữu hạn (NaN hoặc vô cực)")
			}
			nan = true
		case p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90:
			if !far {
				at := p
				c.add("geometry", &at,
					fmt.Sprintf("coordinate %v is outside longitude/latitude range (is it in EPSG:4326, lon before lat?)", p),
					fmt.Sprintf("tọa độ %v nằm ngoài phạm vi kinh độ/vĩ độ (hệ EPSG:4326, kinh độ trước vĩ độ?)", p))
			}
			far = true
		}
	})
}

// province reports the first vertex outside the province's box widened by
// the tolerance.
func (c *checker) province(g orb.Geometry, rules *EditRules) {
	if rules.Province == nil {
		return
	}
	b := Widen(*rules.Province, rules.ToleranceM)
	var out *orb.Point
	visit(g, func(p orb.Point) {
		if out == nil && !b.Contains(p) {
			at := p
			out = &at
		}
	})
	if out != nil {
		km := rules.ToleranceM / 1000
		c.add("geometry", out,
			fmt.Sprintf("point %g %g is outside the province (more than %g km beyond its bounds)", out[0], out[1], km),
			fmt.Sprintf("điểm %g %g nằm ngoài địa bàn tỉnh (quá %g km so với ranh giới)", out[0], out[1], km))
	}
}

// Widen returns b grown by m metres on every side.
func Widen(b orb.Bound, m float64) orb.Bound {
	dLat := m / MetresPerDegree
	lat := math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))
	dLon := dLat / math.Max(0.01, math.Cos(lat*math.Pi/180))
	return orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
}

func visit(g orb.Geometry, f func(orb.Point)) {
	switch v := g.(type) {
	case orb.Point:
		f(v)
	case orb.Polygon:
		for _, r := range v {
			for _, p := range r {
				f(p)
			}
		}
	case orb.MultiPolygon:
		for _, poly := range v {
			visit(poly, f)
		}
	}
}

func (c *checker) rings(mp orb.MultiPolygon) {
	if len(mp) == 0 {
		c.add("geometry", nil, "empty multipolygon: no polygon", "vùng trống: không có đa giác nào")
		return
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			c.add("geometry", nil, fmt.Sprintf("polygon %d has no rings", i+1), fmt.Sprintf("đa giác %d không có đường bao", i+1))
			continue
		}
		for j, r := range poly {
			c.ring(i+1, j+1, r)
			if j > 0 && len(r) > 0 && len(poly[0]) >= 4 && !planar.RingContains(poly[0], r[0]) {
				at := r[0]
				c.add("geometry", &at, fmt.Sprintf("polygon %d ring %d is a hole outside its outer ring", i+1, j+1),
					fmt.Sprintf("đa giác %d: lỗ thủng %d nằm ngoài đường bao ngoài", i+1, j))
			}
		}
	}
}

func (c *checker) ring(poly, ring int, r orb.Ring) {
	if len(r) < 4 {
		var at *orb.Point
		if len(r) > 0 {
			p := r[0]
			at = &p
		}
		c.add("geometry", at, fmt.Sprintf("polygon %d ring %d has %d points, needs at least 4 (3 corners and the first again)", poly, ring, len(r)),
			fmt.Sprintf("đa giác %d, đường bao %d chỉ có %d điểm, cần ít nhất 4 (3 đỉnh và điểm đầu lặp lại)", poly, ring, len(r)))
		return
	}
	if !r.Closed() {
		at := r[len(r)-1]
		c.add("geometry", &at, fmt.Sprintf("polygon %d ring %d is not closed: its last point must repeat the first", poly, ring),
			fmt.Sprintf("đa giác %d, đường bao %d chưa khép kín: điểm cuối phải trùng điểm đầu", poly, ring))
		return
	}
	if a, b, at, ok := selfIntersection(r); ok {
		c.add("geometry", &at, fmt.Sprintf("polygon %d ring %d crosses itself at %g %g (edges %d and %d)", poly, ring, at[0], at[1], a, b),
			fmt.Sprintf("đa giác %d, đường bao %d tự cắt nhau tại %g %g (cạnh %d và %d)", poly, ring, at[0], at[1], a, b))
	} else if planar.Area(r) == 0 {
		c.noArea(poly, ring, r[0])
	}
}

// periods reports a period that ends before it starts: the collection's
// temporal properties, and a case's status date before its report.
func (c *checker) periods(props map[string]any) {
	var pairs [][2]string
	if t := c.col.Temporal; t != nil && t.End != "" {
		pairs = append(pairs, [2]string{t.Start, t.End})
	}
	if _, ok := c.col.Property("status_date"); ok {
		if _, ok := c.col.Property("report_date"); ok {
			pairs = append(pairs, [2]string{"report_date", "status_date"})
		}
	}
	for _, pr := range pairs {
		s, e := DayValue(props[pr[0]]), DayValue(props[pr[1]])
		if s != NoDay && e != NoDay && e < s {
			c.add(pr[1], nil, fmt.Sprintf("%s %s is before %s %s", pr[1], e, pr[0], s),
				fmt.Sprintf("%s %s trước %s %s: ngày kết thúc không được trước ngày bắt đầu", pr[1], e, pr[0], s))
		}
	}
}

func (c *checker) property(name string, v any) {
	p, ok := c.col.Property(name)
	if !ok {
		c.add(name, nil, fmt.Sprintf("unknown property %q; the properties are %s", name, strings.Join(c.col.PropertyNames(), ", ")),
			fmt.Sprintf("thuộc tính %q không có trong lớp này; các thuộc tính: %s", name, strings.Join(c.col.PropertyNames(), ", ")))
		return
	}
	if v == nil {
		return
	}
	switch p.Type {
	case TypeDate:
		switch d := v.(type) {
		case time.Time:
			return
		case string:
			if _, err := time.Parse(DateLayout, d); err != nil {
				c.add(name, nil, fmt.Sprintf("property %s: %q is not a date (YYYY-MM-DD)", name, d),
					fmt.Sprintf("%q không phải là ngày (YYYY-MM-DD)", d))
			}
			return
		}
	case TypeInteger:
		switch n := v.(type) {
		case int32:
			return
		case int:
			c.int32(name, int64(n))
			return
		case int64:
			c.int32(name, n)
			return
		}
	case TypeString:
		if s, ok := v.(string); ok {
			c.text(p, s)
			return
		}
	}
	c.add(name, nil, fmt.Sprintf("property %s: %s is not a %s", name, typeWord(v), typeName(p.Type)),
		fmt.Sprintf("giá trị phải là %s", typeNameVI(p.Type)))
}

func typeWord(v any) string {
	switch v.(type) {
	case float64, float32:
		return "a fractional number"
	case bool:
		return "true/false"
	case string:
		return "text"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

func typeName(t PropertyType) string {
	switch t {
	case TypeDate:
		return "Date (text YYYY-MM-DD)"
	case TypeInteger:
		return "Number (a whole number)"
	}
	return "String"
}

func typeNameVI(t PropertyType) string {
	switch t {
	case TypeDate:
		return "ngày (YYYY-MM-DD)"
	case TypeInteger:
		return "số nguyên"
	}
	return "văn bản"
}

// int32 keeps integers in the range every store holds exactly.
func (c *checker) int32(name string, n int64) {
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.add(name, nil, fmt.Sprintf("property %s: %d is out of range", name, n), fmt.Sprintf("số %d vượt quá giới hạn", n))
	}
}

// CleanText reports whether s is valid UTF-8 without NUL characters: text
// every store keeps as given. Anything else is refused at the edge.
func CleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func (c *checker) text(p Property, s string) {
	switch {
	case !CleanText(s):
		c.add(p.Name, nil, fmt.Sprintf("property %s: not clean UTF-8 text (invalid bytes or NUL)", p.Name),
			"văn bản chứa ký tự không hợp lệ")
	case !p.Allows(s):
		c.add(p.Name, nil, fmt.Sprintf("property %s: %q is not one of %s", p.Name, s, strings.Join(p.Vocabulary, ", ")),
			fmt.Sprintf("giá trị %q không hợp lệ; chỉ nhận: %s", s, strings.Join(p.Vocabulary, ", ")))
	case p.MaxLength > 0 && utf8.RuneCountInString(s) > p.MaxLength:
		c.add(p.Name, nil, fmt.Sprintf("property %s: longer than %d characters", p.Name, p.MaxLength),
			fmt.Sprintf("dài quá %d ký tự", p.MaxLength))
	}
}

// selfIntersection finds the first pair of edges of a closed ring that
// cross, touch or overlap other than at the vertex neighbours share, and
// where: the crossing point, or the end of one edge that lies on the other.
// Edges are numbered from 1. Quadratic: rings of boundaries and zones have
// thousands of vertices at most (see EditRules.MaxVertices).
func selfIntersection(r orb.Ring) (int, int, orb.Point, bool) {
	n := len(r) - 1 // edges; the ring is closed
	for i := 0; i < n; i++ {
		a, b := r[i], r[i+1]
		// An edge that turns back along the one before it overlaps it.
		prev := r[(i+n-1)%n]
		if n > 2 && cross(prev, a, b) == 0 && dot(prev, a, b) < 0 {
			at := prev
			if onSegment(prev, a, b) {
				at = b
			}
			first := (i+n-1)%n + 1
			return min(first, i+1), max(first, i+1), at, true
		}
		lo := orb.Bound{Min: a, Max: a}.Extend(b)
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // first and last edges share the closing vertex
			}
			c, d := r[j], r[j+1]
			if !lo.Intersects(orb.Bound{Min: c, Max: c}.Extend(d)) {
				continue
			}
			if at, ok := segmentsMeet(a, b, c, d); ok {
				return i + 1, j + 1, at, true
			}
		}
	}
	return 0, 0, orb.Point{}, false
}

// segmentsMeet reports whether segments p1p2 and p3p4 share a point, and
// one such point.
func segmentsMeet(p1, p2, p3, p4 orb.Point) (orb.Point, bool) {
	d1 := cross(p3, p4, p1)
	d2 := cross(p3, p4, p2)
	d3 := cross(p1, p2, p3)
	d4 := cross(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return orb.Point{p1[0] + t*(p2[0]-p1[0]), p1[1] + t*(p2[1]-p1[1])}, true
	}
	switch {
	case d1 == 0 && onSegment(p3, p4, p1):
		return p1, true
	case d2 == 0 && onSegment(p3, p4, p2):
		return p2, true
	case d3 == 0 && onSegment(p1, p2, p3):
		return p3, true
	case d4 == 0 && onSegment(p1, p2, p4):
		return p4, true
	}
	return orb.Point{}, false
}

func cross(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// dot is the dot product of the edges ab and bc: negative when bc turns
// back along ab.
func dot(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[0]-b[0]) + (b[1]-a[1])*(c[1]-b[1])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// noArea reports a closed ring that encloses nothing: all its points the
// same, or on one line, so that the zone it draws covers no ground.
func (c *checker) noArea(poly, ring int, at orb.Point) {
	c.add("geometry", &at, fmt.Sprintf("polygon %d ring %d encloses no area: its points are all the same or on one line", poly, ring),
		fmt.Sprintf("đa giác %d, đường bao %d không bao diện tích nào: các điểm trùng nhau hoặc thẳng hàng", poly, ring))
}

// beds reports a facility with more free beds than beds, or fewer than
// none. The PostGIS schema states the same rule.
func (c *checker) beds(props map[string]any) {
	free, ok := wholeNumber(props["free_beds"])
	if !ok {
		return
	}
	if free < 0 {
		c.add("free_beds", nil, fmt.Sprintf("free_beds %d is fewer than none", free),
			fmt.Sprintf("số giường trống %d không được âm", free))
	}
	if beds, ok := wholeNumber(props["beds"]); ok && free > beds {
		c.add("free_beds", nil, fmt.Sprintf("free_beds %d is more than the %d beds", free, beds),
			fmt.Sprintf("số giường trống %d nhiều hơn tổng số giường %d", free, beds))
	}
}

// wholeNumber reads an integer property value.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// openingHours reports opening hours that features/hours cannot read, so
// that the map can say whether a place is open: editors write them in its
// subset of OpenStreetMap's syntax. Imports keep what they are given.
func (c *checker) openingHours(props map[string]any) {
	text, ok := props["opening_hours"].(string)
	if !ok || text == "" {
		return
	}
	if _, err := hours.Parse(text); err != nil {
		c.add("opening_hours", nil,
			fmt.Sprintf("opening_hours %q cannot be read; write it as \"Mo-Su 05:00-19:00\", \"Mo-Fr 08:00-17:00; Sa 08:00-12:00\", \"24/7\" or \"off\"", text),
			fmt.Sprintf("giờ mở cửa %q không đọc được; hãy viết như \"Mo-Su 05:00-19:00\", \"Mo-Fr 08:00-17:00; Sa 08:00-12:00\", \"24/7\" hoặc \"off\"", text))
	}
}
