package features

import (
	"math"
	"slices"
)

// beforeAll is a day before any feature's: a range mapped to it selects
// nothing that has a date.
const beforeAll Day = math.MinInt32 + 1

// Releases are the days on which the public map of each district's people
// moves on. Counting every person's arrival (start) and departure (the day
// after the end) in a district, day by day, a release is a day on which at
// least k such changes have gathered since the release before. The map of
// any day shows the district as of its latest release, so that any two
// public answers differ by at least k people's changes in each district
// and the bulletin's daily counts cannot single out one person's cell.
type Releases struct {
	byDistrict map[string][]Day
}

// releasesOf finds the releases of people with at least k changes each.
func releasesOf(people []dated, k int) Releases {
	changes := map[string]map[Day]int{}
	add := func(district string, d Day) {
		if d == NoDay {
			return
		}
		m := changes[district]
		if m == nil {
			m = map[Day]int{}
			changes[district] = m
		}
		m[d]++
	}
	for _, p := range people {
		add(p.District, p.start)
		if p.end != NoDay && p.end < lastDay {
			add(p.District, p.end+1)
		}
	}
	out := Releases{byDistrict: make(map[string][]Day, len(changes))}
	for district, m := range changes {
		days := make([]Day, 0, len(m))
		for d := range m {
			days = append(days, d)
		}
		slices.Sort(days)
		var rel []Day
		gathered := 0
		for _, d := range days {
			gathered += m[d]
			if gathered >= k {
				rel, gathered = append(rel, d), 0
			}
		}
		out.byDistrict[district] = rel
	}
	return out
}

// Range maps a range of days to the one the district's public map shows:
// each side moved back to the district's latest release on or before it.
// An open side stays open on the left; on the right it becomes the
// latest release, so that changes since then are not shown either.
func (r Releases) Range(district string, q DayRange) DayRange {
	rel := r.byDistrict[district]
	at := func(d Day) Day {
		i, found := slices.BinarySearch(rel, d)
		if found {
			return rel[i]
		}
		if i == 0 {
			return beforeAll
		}
		return rel[i-1]
	}
	out := q
	if q.First != NoDay {
		out.First = at(q.First)
	}
	if q.Last == NoDay {
		out.Last = at(lastDay)
	} else {
		out.Last = at(q.Last)
	}
	return out
}
