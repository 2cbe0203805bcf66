package features_test

import (
	"testing"

	"github.com/bandomap/bando/features"
)

func TestSearchFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"tdm", "thu dau mot"},
		{"Chợ TDM", "cho thu dau mot"},
		{"bv đa khoa", "benh vien da khoa"},
		{"BV. Đa khoa TX. Thuận An", "benh vien da khoa thi xa thuan an"},
		{"KCN Sóng Thần", "khu cong nghiep song than"},
		{"ttyt Dĩ An", "trung tam y te di an"},
		{"TP. Thủ Dầu Một", "thanh pho thu dau mot"},
		{"p. Phú Cường, q.1", "phuong phu cuong quan 1"},
		{"12 Đại lộ Bình Dương, P. Hiệp Thành", "12 dai lo binh duong phuong hiep thanh"},
		{"Siêu thị Co.opmart", "sieu thi co opmart"}, // "co" and "op" are words, not abbreviations
		{"tdmx", "tdmx"}, // a longer word is not the abbreviation
		{"Chợ Thủ Dầu Một", "cho thu dau mot"},                 // the words in full are left alone
		{"bệnh viện", features.SearchFold("bv")},               // both sides fold alike
		{"Tram Y Te Phuong 1", features.SearchFold("tyt p 1")}, // so do whole addresses
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := features.SearchFold(c.in); got != c.want {
				t.Errorf("SearchFold(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
