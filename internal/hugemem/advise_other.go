//go:build !linux

package hugemem

// advise does nothing where the kernel has no madvise(MADV_HUGEPAGE).
func advise(p, n uintptr) bool { return false }
