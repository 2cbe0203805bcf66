package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/bandomap/bando/features"
)

// vocab holds the words the generator draws names and addresses from. It is
// built once per Generate call and only read afterwards.
type vocab struct {
	families       []string
	familyPick     weighted
	maleMiddle     []string
	femaleMiddle   []string
	maleGiven      []string
	femaleGiven    []string
	birthProvinces []string // CCCD province codes
	birthPick      weighted
	mobilePrefixes []string
	streets        []string
	common, rare   []string
	brands         []string
	trades         []string
	latinBrands    []string
}

func newVocab() *vocab {
	v := &vocab{
		families: []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Vũ",
			"Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Cao", "Tạ"},
		maleMiddle:   []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Ngọc", "Tuấn", "Gia", "Trọng"},
		femaleMiddle: []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Phương", "Bích", "Thùy", "Hồng"},
		maleGiven: []string{"An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng",
			"Huy", "Khang", "Khoa", "Kiên", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phát", "Phúc", "Quân",
			"Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh"},
		femaleGiven: []string{"Anh", "Chi", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
			"Hoa", "Hồng", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhi",
			"Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Thảo", "Thơ", "Thủy", "Trang", "Trinh", "Tuyết",
			"Uyên", "Vân", "Vy", "Xuân", "Yến"},
		// Where people living in Bình Dương were born: the province itself
		// and the provinces its industrial parks drew workers from.
		birthProvinces: []string{"074", "038", "040", "042", "051", "052", "066", "089", "087",
			"094", "095", "096", "091", "084", "083", "086", "080", "034", "036", "079"},
		mobilePrefixes: []string{"090", "093", "089", "070", "079", "077", "076", "078", "091", "094",
			"088", "081", "082", "083", "084", "085", "096", "097", "098", "086", "032", "033", "034",
			"035", "036", "037", "038", "039", "056", "058", "092", "099"},
		streets: []string{"Đại lộ Bình Dương", "Cách Mạng Tháng Tám", "30 Tháng 4", "Nguyễn Văn Tiết",
			"Phú Lợi", "Huỳnh Văn Lũy", "Lê Hồng Phong", "Nguyễn Trãi", "Trần Hưng Đạo", "Mỹ Phước - Tân Vạn",
			"ĐT741", "ĐT743", "ĐT744", "ĐT746", "ĐT747", "ĐT748", "ĐT749", "Quốc lộ 13", "Quốc lộ 1K",
			"Hùng Vương", "Lý Thường Kiệt", "Nguyễn An Ninh", "Trần Quang Diệu", "Điện Biên Phủ",
			"Nguyễn Du", "Ngô Quyền", "Hai Bà Trưng", "Lê Lợi", "Phan Đình Phùng", "Võ Thị Sáu",
			"Nguyễn Thị Minh Khai", "Bùi Quốc Khánh", "Đồng Khởi", "Thống Nhất", "Độc Lập", "Tự Do"},
		// Syllables of made-up place names. Every name has at least one
		// rare syllable, one that no real ward of the province uses, so a
		// made-up name never passes for a real ward.
		common: []string{"An", "Bình", "Tân", "Phú", "Hòa", "Long", "Thạnh", "Mỹ", "Vĩnh", "Hưng",
			"Thới", "Lợi", "Phước", "Khánh", "Hiệp", "Thuận", "Định", "Lạc", "Thành", "Minh", "Hội",
			"Nghĩa", "Sơn", "Điền", "Cường"},
		rare: []string{"Phong", "Quang", "Gia", "Lộc", "Xuân", "Trung", "Thịnh", "Bảo", "Quới", "Nhơn",
			"Trạch", "Phúc", "Ninh", "Kiến", "Đức", "Thiện", "Hậu", "Lương"},
		brands: []string{"Tân Phát", "Hưng Thịnh", "Phú An", "Minh Long", "Đại Việt", "Kim Sơn",
			"Thành Công", "Việt Thắng", "Sao Mai", "Hoàng Gia", "Á Châu", "Phương Nam", "Đông Á", "Bình An",
			"Thái Bình Dương", "Nam Việt", "Trường Thịnh", "Tiến Phát", "Hòa Bình", "Quang Minh", "Vạn Lợi",
			"Thiên Long", "Phúc Hưng", "Toàn Cầu", "Hải Âu", "Kim Long", "Ngọc Phát", "Nhật Minh"},
		trades: []string{"May mặc", "Gỗ", "Điện tử", "Giày da", "Bao bì", "Thực phẩm", "Nhựa", "Cơ khí",
			"Dệt", "Nội thất", "Thép", "Hóa chất", "Linh kiện", "Sợi", "Gốm sứ", "Chế biến gỗ"},
		latinBrands: []string{"Sunrise", "Greenwood", "Everbright", "Pacific", "Golden Star", "Oriental",
			"Grand Ocean", "Summit", "Evergreen", "Silver Lake", "Fortune", "Highland", "Unitex", "Apex"},
	}
	v.familyPick = newWeighted([]float64{38, 11, 9.5, 7, 4, 3, 4.5, 3.5, 2, 2, 2, 1.5, 1.3, 1.3, 1, 0.5, 0.6, 0.5, 0.5, 0.4, 0.4, 0.3})
	w := make([]float64, len(v.birthProvinces))
	for i := range w {
		w[i] = 3
	}
	w[0] = 40
	v.birthPick = newWeighted(w)
	return v
}

// person makes the personal fields of someone living at the given address.
func (v *vocab) person(rng *rand.Rand, address string) *features.Person {
	female := rng.IntN(2) == 0
	age := min(max(int(33+12*rng.NormFloat64()), 1), 92)
	return &features.Person{
		Name:     v.fullName(rng, female),
		Phone:    v.mobile(rng),
		IDNumber: v.idNumber(rng, female, 2021-age),
		Address:  address,
	}
}

func (v *vocab) fullName(rng *rand.Rand, female bool) string {
	family := v.families[v.familyPick.pick(rng)]
	if female {
		return family + " " + oneOf(rng, v.femaleMiddle) + " " + oneOf(rng, v.femaleGiven)
	}
	return family + " " + oneOf(rng, v.maleMiddle) + " " + oneOf(rng, v.maleGiven)
}

// mobile returns a ten-digit Vietnamese mobile number.
func (v *vocab) mobile(rng *rand.Rand) string {
	return fmt.Sprintf("%s%07d", oneOf(rng, v.mobilePrefixes), rng.IntN(10_000_000))
}

// landline returns a Bình Dương fixed-line number (area code 0274).
func landline(rng *rand.Rand) string {
	return fmt.Sprintf("0274 3%03d %03d", rng.IntN(1000), rng.IntN(1000))
}

// idNumber returns a twelve-digit citizen identity number (CCCD): province
// of birth, a digit for sex and century, two digits of the birth year and
// six random digits.
func (v *vocab) idNumber(rng *rand.Rand, female bool, year int) string {
	code := 0
	if year >= 2000 {
		code = 2
	}
	if female {
		code++
	}
	return fmt.Sprintf("%s%d%02d%06d", v.birthProvinces[v.birthPick.pick(rng)], code, year%100, rng.IntN(1_000_000))
}

// placeName makes a two-syllable place name such as "Tân Lộc": a common
// syllable and a rare one in either order, or two rare ones.
func (v *vocab) placeName(rng *rand.Rand) string {
	a := oneOf(rng, v.rare)
	var b string
	switch rng.IntN(5) {
	case 0, 1:
		b = oneOf(rng, v.common)
	case 2, 3:
		a, b = oneOf(rng, v.common), a
	default:
		for b = oneOf(rng, v.rare); b == a; b = oneOf(rng, v.rare) {
		}
	}
	return a + " " + b
}

// street returns "Đường X" or the name of a highway.
func (v *vocab) street(rng *rand.Rand) string {
	s := oneOf(rng, v.streets)
	if strings.HasPrefix(s, "Quốc lộ") || strings.HasPrefix(s, "Đại lộ") {
		return s
	}
	return "Đường " + s
}

// company makes the name of a manufacturing company.
func (v *vocab) company(rng *rand.Rand) string {
	if rng.IntN(3) == 0 {
		return "Công ty TNHH " + oneOf(rng, v.latinBrands) + " " + oneOf(rng, []string{"Textile", "Furniture", "Electronics", "Footwear", "Packaging", "Industrial"}) + " Việt Nam"
	}
	return "Công ty TNHH " + oneOf(rng, v.trades) + " " + oneOf(rng, v.brands)
}
