package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/features/demo"
)

// TestDaysDifferByAtLeastK is the attack a tester made with the bulletin
// in hand: on a day when a district reported one new case, compare the
// public cases of that day and the day before, and the group that changed
// holds the new case's home. Walking every day of the wave, the public
// groups of a district may change only after at least k new cases of that
// district since they last changed; otherwise the difference of two days
// points at fewer than k people.
func TestDaysDifferByAtLeastK(t *testing.T) {
	if testing.Short() {
		t.Skip("asks the public map of every day of the wave")
	}
	k := testConfig(t).MinPublicCount
	for _, kind := range stores() {
		t.Run(kind, func(t *testing.T) {
			opts := provinces(t)["demo"]
			s := attackedServer(t, kind, opts)
			// What the bulletin tells: new cases per district and day.
			batches, err := demo.Generate(opts)
			if err != nil {
				t.Fatal(err)
			}
			news := map[string]map[string]int{} // day → district → new cases
			for _, b := range batches {
				if b.Collection != "cases" {
					continue
				}
				for r := range b.Records {
					day := r.Properties["report_date"].(time.Time).Format(time.DateOnly)
					district, _ := r.Properties["district_code"].(string)
					if news[day] == nil {
						news[day] = map[string]int{}
					}
					news[day][district]++
				}
			}
			days := make([]string, 0, len(news))
			for d := range news {
				days = append(days, d)
			}
			slices.Sort(days)
			if len(days) < 30 {
				t.Fatalf("only %d days with cases: the walk proves nothing", len(days))
			}
			since := map[string]int{} // district → new cases since its groups last changed
			last := map[string]string{}
			changes := 0
			for _, day := range days {
				for district, n := range news[day] {
					since[district] += n
				}
				now := publicGroupsByDistrict(t, s.url, day)
				districts := map[string]bool{}
				for district := range now {
					districts[district] = true
				}
				for district := range last {
					districts[district] = true
				}
				for district := range districts {
					if now[district] == last[district] {
						continue
					}
					changes++
					if since[district] < k {
						t.Errorf("%s: district %s's public cases changed after %d new cases since they last changed (k = %d):\nbefore %s\nafter  %s",
							day, district, since[district], k, last[district], now[district])
					}
					since[district] = 0
				}
				last = now
			}
			if changes < 10 {
				t.Fatalf("the public map changed only %d times over %d days: the walk proves nothing", changes, len(days))
			}
			t.Logf("%s: %d changes of a district's public cases over %d days, each after at least %d new cases", kind, changes, len(days), k)
		})
	}
}

// publicGroupsByDistrict returns, per district, the public case groups of
// the map as of day, written as one comparable string.
func publicGroupsByDistrict(t *testing.T, base, day string) map[string]string {
	t.Helper()
	res, body := do(t, http.MethodGet, base+"/ogc/collections/cases/items?limit=10000&datetime=../"+day)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("cases as of %s: %d %.200s", day, res.StatusCode, body)
	}
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatal(err)
	}
	parts := map[string][]string{}
	for _, f := range fc.Features {
		district, _ := f.Properties["district_code"].(string)
		parts[district] = append(parts[district], fmt.Sprintf("%v=%v", f.ID, f.Properties["count"]))
	}
	out := map[string]string{}
	for district, ps := range parts {
		slices.Sort(ps)
		out[district] = strings.Join(ps, " ")
	}
	return out
}
