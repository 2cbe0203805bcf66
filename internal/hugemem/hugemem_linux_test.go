//go:build linux

package hugemem_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/bandomap/bando/internal/hugemem"
)

// TestMakeAdvisesLargeArrays checks in /proc/self/smaps that the mapping
// holding a large array made by Make carries the kernel's huge-page
// advice ("hg" among its VmFlags), and that a small one is not advised.
func TestMakeAdvisesLargeArrays(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		advised bool
	}{
		{"small", 1 << 10, false},
		{"just under the threshold", hugemem.MinBytes/8 - 1, false},
		{"large", 4 * hugemem.MinBytes / 8, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := hugemem.Make[uint64](c.n)
			if len(s) != c.n || cap(s) != c.n {
				t.Fatalf("len %d cap %d, want %d", len(s), cap(s), c.n)
			}
			if got := hugemem.Advise(s); got != c.advised {
				t.Fatalf("Advise = %v, want %v", got, c.advised)
			}
			if !c.advised {
				return
			}
			// An address inside the advised (2 MiB-aligned) part.
			mid := uintptr(unsafe.Pointer(&s[len(s)/2]))
			flags := vmFlags(t, mid)
			if !strings.Contains(" "+flags+" ", " hg ") {
				t.Errorf("VmFlags of the mapping at %#x = %q, want hg", mid, flags)
			}
		})
	}
}

func TestMakeCapAdvisesTheCapacity(t *testing.T) {
	s := hugemem.MakeCap[byte](0, 8*hugemem.MinBytes)
	if len(s) != 0 || cap(s) != 8*hugemem.MinBytes {
		t.Fatalf("len %d cap %d", len(s), cap(s))
	}
	s = s[:cap(s)]
	flags := vmFlags(t, uintptr(unsafe.Pointer(&s[len(s)/2])))
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("VmFlags = %q, want hg", flags)
	}
}

// vmFlags returns the VmFlags line of the mapping holding addr.
func vmFlags(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, ok := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = ok && err1 == nil && err2 == nil && uint64(addr) >= a && uint64(addr) < b
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}
