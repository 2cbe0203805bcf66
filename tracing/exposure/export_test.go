package exposure

// CompactAlways makes the engine compact its visits at every flush that
// finds any past the sorted part, so that tests on small worlds go
// through compaction too.
func CompactAlways(e *Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.visits.compactMin = 0
}

// HoldRead takes the engine's read lock, as a run does, until release is
// called.
func HoldRead(e *Engine) (release func()) {
	e.mu.RLock()
	return e.mu.RUnlock
}
