package bulletin_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// TestClustersArePublicByLabelInMultiplesOfK: with k and public labels,
// by_cluster never shows a cluster's own name (which may name a person),
// clusters sharing a label count together, counts are multiples of k
// (new is the difference of the shown totals) and a cluster of fewer than
// k is left out.
func TestClustersArePublicByLabelInMultiplesOfK(t *testing.T) {
	r := testkit.NewMemReader()
	n := 0
	add := func(day, cluster string, count int) {
		for range count {
			n++
			r.AddRecords(collection("cases"), features.Record{ID: fmt.Sprint("BD-", n), Geometry: orb.Point{106.65, 11}, Properties: map[string]any{
				"code": fmt.Sprint("BD-", n), "report_date": date(day), "origin": features.OriginCommunity, "cluster": cluster,
				"report_session": features.SessionAfternoon, "status": features.StatusUnderTreatment, "district_code": "718",
			}})
		}
	}
	add("2021-07-04", "Công ty Wanek 2", 9)
	add("2021-07-05", "Công ty Wanek 2", 3) // 12 in all: 10 shown, 5 of them new (10 − 5)
	add("2021-07-05", "Khu nhà trọ bà Xuân", 3)
	add("2021-07-05", "Khu nhà trọ ông Tư", 4) // with bà Xuân's: 7 under one label, 5 shown
	add("2021-07-05", "Chợ Đầu mối", 2)        // fewer than k: left out
	labels := map[string]string{"Công ty Wanek 2": "Ổ dịch Công ty Wanek 2", "Khu nhà trọ bà Xuân": "Ổ dịch khu trọ, Phường Phú Hòa",
		"Khu nhà trọ ông Tư": "Ổ dịch khu trọ, Phường Phú Hòa", "Chợ Đầu mối": "Ổ dịch chợ, siêu thị"}
	tests := []struct {
		name      string
		cfg       bulletin.Config
		total     []bulletin.ClusterCount
		afternoon []bulletin.ClusterTotal
	}{
		{"exact without k or labels", bulletin.Config{},
			[]bulletin.ClusterCount{{"Công ty Wanek 2", 12, 3}, {"Khu nhà trọ ông Tư", 4, 4}, {"Khu nhà trọ bà Xuân", 3, 3}, {"Chợ Đầu mối", 2, 2}},
			[]bulletin.ClusterTotal{{"Khu nhà trọ ông Tư", 4}, {"Công ty Wanek 2", 3}, {"Khu nhà trọ bà Xuân", 3}, {"Chợ Đầu mối", 2}}},
		{"k = 5 and labels", bulletin.Config{MinCount: 5, ClusterLabels: func(context.Context) (map[string]string, error) { return labels, nil }},
			[]bulletin.ClusterCount{{"Ổ dịch Công ty Wanek 2", 10, 5}, {"Ổ dịch khu trọ, Phường Phú Hòa", 5, 5}},
			[]bulletin.ClusterTotal{{"Ổ dịch khu trọ, Phường Phú Hòa", 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := bulletin.Compute(context.Background(), r, nil, date("2021-07-05"), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.ByCluster, tt.total) {
				t.Errorf("by_cluster %v, want %v", s.ByCluster, tt.total)
			}
			if got := s.NewCases.BySession.Afternoon.ByCluster; !slices.Equal(got, tt.afternoon) {
				t.Errorf("afternoon by_cluster %v, want %v", got, tt.afternoon)
			}
		})
	}
}
