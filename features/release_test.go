package features

import "testing"

func TestReleases(t *testing.T) {
	person := func(district string, start, end Day) dated {
		return dated{Member: Member{District: district}, start: start, end: end}
	}
	// District 721: one case a day on days 1 to 12; 724: two on day 3.
	var people []dated
	for d := Day(1); d <= 12; d++ {
		people = append(people, person("721", d, NoDay))
	}
	people = append(people, person("724", 3, NoDay), person("724", 3, NoDay))
	// 725: contacts of days 1–4, 2–5 and 3–3: arrivals 1, 2, 3 and
	// departures 4 (the day after 3), 5 and 6.
	people = append(people, person("725", 1, 4), person("725", 2, 5), person("725", 3, 3))
	rel := releasesOf(people, 3)
	tests := []struct {
		district string
		q, want  DayRange
	}{
		{"721", DayRange{NoDay, 2}, DayRange{NoDay, beforeAll}}, // two cases gathered: nothing shown
		{"721", DayRange{NoDay, 3}, DayRange{NoDay, 3}},         // the third releases
		{"721", DayRange{NoDay, 5}, DayRange{NoDay, 3}},
		{"721", DayRange{NoDay, 6}, DayRange{NoDay, 6}},
		{"721", DayRange{NoDay, 100}, DayRange{NoDay, 12}},
		{"721", DayRange{NoDay, NoDay}, DayRange{NoDay, 12}},
		{"721", DayRange{4, 8}, DayRange{3, 6}},
		{"721", DayRange{1, 1}, DayRange{beforeAll, beforeAll}},
		{"724", DayRange{NoDay, NoDay}, DayRange{NoDay, beforeAll}}, // two in all: never shown
		{"725", DayRange{NoDay, 3}, DayRange{NoDay, 3}},             // three arrivals by day 3
		{"725", DayRange{5, 5}, DayRange{3, 3}},                     // departures 4 and 5: two
		{"725", DayRange{6, 6}, DayRange{6, 6}},                     // the third departure
		{"999", DayRange{NoDay, 5}, DayRange{NoDay, beforeAll}},     // no people at all
	}
	for _, tt := range tests {
		if got := rel.Range(tt.district, tt.q); got != tt.want {
			t.Errorf("%s %v: got %v, want %v", tt.district, tt.q, got, tt.want)
		}
	}
}
