package tracing_test

import (
	"testing"

	"github.com/bandomap/bando/tracing"
)

// TestAccessRights is the table of what each kind of access may do with
// each kind of venue: an enterprise's, another enterprise's, an editors'
// venue (no enterprise) and a venue not yet registered (no id).
func TestAccessRights(t *testing.T) {
	mine, other := tracing.NewVenueID(), tracing.NewVenueID()
	venues := map[string]tracing.Venue{
		"e1's":         {ID: mine, Enterprise: "e1"},
		"e2's":         {ID: other, Enterprise: "e2"},
		"editors'":     {ID: other},
		"unregistered": {},
	}
	type rights struct{ sees, changes bool }
	for _, tc := range []struct {
		name    string
		a       tracing.Access
		persons bool
		want    map[string]rights
	}{
		{"all", tracing.Access{All: true}, true, map[string]rights{
			"e1's": {true, true}, "e2's": {true, true}, "editors'": {true, true}, "unregistered": {true, true}}},
		{"enterprise e1", tracing.Access{Enterprise: "e1"}, true, map[string]rights{
			"e1's": {true, true}, "e2's": {}, "editors'": {}, "unregistered": {}}},
		{"token of e1's venue", tracing.Access{Venue: mine}, false, map[string]rights{
			"e1's": {sees: true}, "e2's": {}, "editors'": {}, "unregistered": {}}},
		{"token of the editors' venue", tracing.Access{Venue: other}, false, map[string]rights{
			"e1's": {}, "e2's": {sees: true}, "editors'": {sees: true}, "unregistered": {}}},
		{"nothing", tracing.Access{}, false, map[string]rights{
			"e1's": {}, "e2's": {}, "editors'": {}, "unregistered": {}}},
	} {
		if got := tc.a.ReadsPersons(); got != tc.persons {
			t.Errorf("%s: ReadsPersons = %v, want %v", tc.name, got, tc.persons)
		}
		for vn, v := range venues {
			got := rights{tc.a.SeesVenue(v), tc.a.ChangesVenue(v)}
			if got != tc.want[vn] {
				t.Errorf("%s on the %s venue: sees, changes = %v, %v; want %v, %v",
					tc.name, vn, got.sees, got.changes, tc.want[vn].sees, tc.want[vn].changes)
			}
		}
	}
}
