package tiles

import "testing"

// TestLRUExactlyFull: an entry costing exactly the budget is kept, and
// the next one evicts it; an entry over the budget is never stored and
// drops the old value of its key.
func TestLRUExactlyFull(t *testing.T) {
	m := newLRU(10, func(_ string, v string) int64 { return int64(len(v)) })
	m.set("a", "0123456789")
	if v, ok := m.get("a"); !ok || v != "0123456789" || m.bytes() != 10 {
		t.Fatalf("an entry of exactly the budget: get = %q, %v; %d bytes held", v, ok, m.bytes())
	}
	m.set("b", "x")
	if _, ok := m.get("a"); ok || m.len() != 1 || m.bytes() != 1 {
		t.Errorf("one byte over the budget: a kept = %v, %d entries, %d bytes; want a evicted, 1, 1", ok, m.len(), m.bytes())
	}
	m.set("b", "01234567890")
	if _, ok := m.get("b"); ok || m.len() != 0 || m.bytes() != 0 {
		t.Errorf("an entry over the budget: stored = %v, %d entries, %d bytes; want none", ok, m.len(), m.bytes())
	}
}
