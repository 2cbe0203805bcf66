package demo

import (
	"strings"
	"testing"
)

// TestZoneNamesNameNoOne checks that no public zone carries a landlord's
// name taken from its boarding house's cluster ("Khu nhà trọ bà Xuân…"),
// while the zones of boarding-house clusters are still drawn.
func TestZoneNamesNameNoOne(t *testing.T) {
	recs := collect(generate(t, Options{Scale: ScaleDemo, Seed: 3}))
	houses := 0
	for _, z := range recs["quarantine_zones"] {
		name, _ := z.Properties["name"].(string)
		for _, who := range []string{" ông ", " bà ", "Khu nhà trọ "} {
			if strings.Contains(" "+name, who) {
				t.Errorf("zone %s is named %q, which names a person", z.ID, name)
				break
			}
		}
		if strings.HasPrefix(name, "Vùng cách ly khu nhà trọ, ") {
			houses++
		}
	}
	if houses == 0 {
		t.Error("no zone around a boarding house: the check above saw none")
	}
}
