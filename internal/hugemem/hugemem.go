// Package hugemem makes the large, long-scanned arrays of the exposure
// engine and of its runs ask the kernel for transparent huge pages.
//
// Linux commonly offers huge pages only to memory that asks for them
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise), and the Go
// runtime does not ask for its heap. A run that writes a gigabyte of fresh
// arrays then takes one page fault per 4 KiB: measured on the province's
// peak day, page faults were 27% of the benchmark's CPU time (perf), and
// the same run with huge pages took 40% less CPU. Make and Advise mark the
// 2 MiB-aligned interior of an array as wanting huge pages
// (madvise(MADV_HUGEPAGE)) before it is first written; on other systems,
// and for arrays too small to hold one huge page, they do nothing.
//
// The advice is a hint: memory the runtime reuses, already faulted in,
// keeps its pages, and a kernel without huge pages to give falls back to
// small ones.
package hugemem

import "unsafe"

// MinBytes is the least size of an array Make and Advise advise: smaller
// ones rarely hold a whole aligned huge page.
const MinBytes = 4 << 20

// Make returns make([]T, n), advised when large (Advise).
func Make[T any](n int) []T {
	return MakeCap[T](n, n)
}

// MakeCap returns make([]T, n, c), its whole capacity advised when large
// (Advise).
func MakeCap[T any](n, c int) []T {
	s := make([]T, n, c)
	Advise(s)
	return s
}

// Advise asks for huge pages for the 2 MiB-aligned part of s's backing
// array (its capacity) when it spans at least MinBytes, and reports
// whether it asked. Call it before the array is written: pages already
// touched keep their size until the kernel collapses them.
func Advise[T any](s []T) bool {
	var zero T
	size := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if size < MinBytes {
		return false
	}
	return advise(uintptr(unsafe.Pointer(unsafe.SliceData(s[:cap(s)]))), size)
}
