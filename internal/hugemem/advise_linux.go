//go:build linux

package hugemem

import "syscall"

// hugePage is the size of an x86-64 and arm64 transparent huge page.
const hugePage = 2 << 20

// madvHugePage is MADV_HUGEPAGE.
const madvHugePage = 14

// advise marks the huge-page-aligned interior of [p, p+n) MADV_HUGEPAGE.
// A refusal (a kernel without transparent huge pages) is not an error:
// the memory works as before.
func advise(p, n uintptr) bool {
	beg := (p + hugePage - 1) &^ (hugePage - 1)
	end := (p + n) &^ (hugePage - 1)
	if end <= beg {
		return false
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, beg, end-beg, madvHugePage)
	return errno == 0
}
