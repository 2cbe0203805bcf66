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

// KeepDeadOnForget makes Forget leave the visits it drops in place, never
// compacting, so that tests see scans skip them.
func KeepDeadOnForget(e *Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.visits.keepDead = true
}

// SplitAlways makes the engine's runs split every step they can among
// its workers, however small, so that tests on small worlds go through
// the parallel paths of a large batch too.
func SplitAlways(e *Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.splitMin = 0
}
