package exposure

import (
	"math"

	"github.com/bandomap/bando/tracing"
)

// pid is an interned person key: an index into personTable.keys. Raw keys
// are interned (a phone key and its ID-number alias are two pids); the
// alias map of the periods says whose they are.
type pid = uint32

// deadPID marks a record replaced by an upsert or dropped by Forget.
const deadPID = math.MaxUint32

// personTable interns person keys.
type personTable struct {
	keys []tracing.PersonKey
	ids  map[tracing.PersonKey]pid
}

func (t *personTable) intern(k tracing.PersonKey) pid {
	if id, ok := t.ids[k]; ok {
		return id
	}
	if t.ids == nil {
		t.ids = map[tracing.PersonKey]pid{}
	}
	id := pid(len(t.keys))
	t.keys = append(t.keys, k)
	t.ids[k] = id
	return id
}

func (t *personTable) lookup(k tracing.PersonKey) (pid, bool) {
	id, ok := t.ids[k]
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

// growTo makes s long enough to index n.
func growTo[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}
