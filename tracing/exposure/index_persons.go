package exposure

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/bandomap/bando/internal/hugemem"
	"github.com/bandomap/bando/tracing"
)

// pid is an interned person key: an index into personTable.keys. Raw keys
// are interned (a phone key and its ID-number alias are two pids); the
// alias map of the periods says whose they are.
type pid = uint32

// deadPID marks a record replaced by an upsert or dropped by Forget.
const deadPID = math.MaxUint32

// personTable interns person keys. Its hash table is open addressing on
// the key's four words folded (a keyed hash already: well spread), each slot
// a pid+1 (0: empty), kept at most half full: a lookup costs a probe or
// two and no hashing of the whole key, which Go's map spent most of a
// load's interning on.
type personTable struct {
	keys  []tracing.PersonKey
	slots []uint32
	shift uint // 64 − log2(len(slots))
}

// slotOf is where k's probe sequence starts.
func (t *personTable) slotOf(k *tracing.PersonKey) int {
	h := binary.LittleEndian.Uint64(k[:8]) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(k[8:16]), 16) ^
		bits.RotateLeft64(binary.LittleEndian.Uint64(k[16:24]), 32) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(k[24:]), 48)
	return int((h * 0x9e3779b97f4a7c15) >> t.shift)
}

// find returns the key's pid, or the empty slot where it would go.
func (t *personTable) find(k *tracing.PersonKey) (id pid, slot int, ok bool) {
	mask := len(t.slots) - 1
	for i := t.slotOf(k); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, i, false
		}
		if sameKey(&t.keys[s-1], k) {
			return s - 1, i, true
		}
	}
}

// sameKey compares two keys a word at a time, inline: the first word
// tells most keys apart, where == on the arrays calls the runtime's
// memequal (a fifth of a load's interning).
func sameKey(a, b *tracing.PersonKey) bool {
	return binary.LittleEndian.Uint64(a[:8]) == binary.LittleEndian.Uint64(b[:8]) &&
		binary.LittleEndian.Uint64(a[8:16]) == binary.LittleEndian.Uint64(b[8:16]) &&
		binary.LittleEndian.Uint64(a[16:24]) == binary.LittleEndian.Uint64(b[16:24]) &&
		binary.LittleEndian.Uint64(a[24:]) == binary.LittleEndian.Uint64(b[24:])
}

func (t *personTable) intern(k tracing.PersonKey) pid {
	if len(t.slots) == 0 {
		t.resize(1 << 10)
	}
	id, slot, ok := t.find(&k)
	if ok {
		return id
	}
	id = pid(len(t.keys))
	t.keys = append(t.keys, k)
	t.slots[slot] = id + 1
	if 2*len(t.keys) > len(t.slots) {
		t.resize(2 * len(t.slots))
	}
	return id
}

// grow makes room for n more keys.
func (t *personTable) grow(n int) {
	n = max(n, 0)
	t.keys = growHuge(t.keys, n)
	size := max(len(t.slots), 1<<10)
	for size < 2*(len(t.keys)+n) {
		size *= 2
	}
	if size > len(t.slots) {
		t.resize(size)
	}
}

// resize rebuilds the table with size slots (a power of two).
func (t *personTable) resize(size int) {
	t.slots = hugemem.Make[uint32](size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for id := range t.keys {
		_, slot, _ := t.find(&t.keys[id])
		t.slots[slot] = uint32(id) + 1
	}
}

func (t *personTable) lookup(k tracing.PersonKey) (pid, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	id, _, ok := t.find(&k)
	return id, ok
}

// dirtySet lists ids (venues, persons, ride groups) whose index needs
// tidying at the next flush.
type dirtySet struct {
	mark []bool
	list []uint32
}

func (d *dirtySet) add(id uint32) {
	if int(id) >= len(d.mark) {
		d.mark = append(d.mark, make([]bool, int(id)+1-len(d.mark)+len(d.mark)/2)...)
	}
	if !d.mark[id] {
		d.mark[id] = true
		d.list = append(d.list, id)
	}
}

// drain returns the ids and empties the set.
func (d *dirtySet) drain() []uint32 {
	l := d.list
	for _, id := range l {
		d.mark[id] = false
	}
	d.list = nil
	return l
}

// growHuge makes room in s for n more items (n < 0: none), a large new
// array asking for huge pages (hugemem), as slices.Grow would.
func growHuge[T any](s []T, n int) []T {
	if n <= cap(s)-len(s) {
		return s
	}
	return append(hugemem.MakeCap[T](0, len(s)+n), s...)
}

// growTo makes s long enough to index n.
func growTo[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}
