package exposure

import (
	"bytes"
	"slices"

	"github.com/bandomap/bando/tracing"
)

// periodIndex holds the roster periods (few: hundreds of thousands) with
// what is derived from them, rebuilt whole at a flush after any change:
// the alias map (the identity rule) and the periods by owner, by boarding
// house, by household address and by workplace line.
type periodIndex struct {
	list   []tracing.Period
	person []pid // the raw pid of each period's Person
	at     map[periodKey]int
	dirty  bool

	// canon maps an alias's pid to its person's; a pid absent is its own.
	// dense is the same for every pid interned at the flush (a pid
	// interned since has no alias: aliases come from periods).
	canon map[pid]pid
	dense []pid
	// aliased has the bit of each pid dense maps elsewhere: a run asks
	// for the canon of every visit it meets, and the bits (a bit a
	// person) stay in the caches where dense (4 bytes) does not.
	aliased []uint64
	// aliases lists, per person, the pids that are aliases of it.
	aliases map[pid][]pid
	// byOwner lists the periods of each person (canon of Person).
	byOwner map[pid][]int32
	byHouse map[houseKey][]int32
	byAddr  map[houseKey][]int32 // periods without a boarding house
	byLine  map[lineKey][]int32  // periods with a line
	// room is each period's residence room, interned (rooms), so that a
	// run groups by room without hashing strings.
	room  []uint32
	rooms []string
}

type houseKey struct{ ward, place string }

type lineKey struct{ enterprise, site, line, shift string }

// grow makes room for n more periods (a load that knows its size: a
// province's 300,000 periods of a few hundred bytes each, grown by
// doubling, copied and first touched twice their size).
func (x *periodIndex) grow(n int) {
	n = max(n, 0)
	x.list = slices.Grow(x.list, n)
	x.person = slices.Grow(x.person, n)
	if x.at == nil {
		x.at = make(map[periodKey]int, n)
	}
}

func (x *periodIndex) upsert(p tracing.Period, persons *personTable) {
	if x.at == nil {
		x.at = map[periodKey]int{}
	}
	id := persons.intern(p.Person)
	if !p.AltPerson.IsZero() {
		persons.intern(p.AltPerson)
	}
	k := periodKeyOf(p)
	if i, ok := x.at[k]; ok {
		x.list[i], x.person[i] = p, id
	} else {
		x.at[k] = len(x.list)
		x.list = append(x.list, p)
		x.person = append(x.person, id)
	}
	x.dirty = true
}

// canonOf is the person a raw pid belongs to.
func (x *periodIndex) canonOf(p pid) pid {
	if w := int(p >> 6); w < len(x.aliased) && x.aliased[w]&(1<<(p&63)) != 0 {
		return x.dense[p]
	}
	return p
}

func (x *periodIndex) flush(persons *personTable) {
	if !x.dirty && x.canon != nil {
		return
	}
	x.dirty = false
	x.canon = map[pid]pid{}
	for i, p := range x.list {
		if p.AltPerson.IsZero() {
			continue
		}
		alt, _ := persons.lookup(p.AltPerson)
		if c, ok := x.canon[alt]; !ok || bytes.Compare(p.Person[:], persons.keys[c][:]) < 0 {
			x.canon[alt] = x.person[i]
		}
	}
	x.dense = growTo(x.dense[:0], len(persons.keys))
	for i := range x.dense {
		x.dense[i] = pid(i)
	}
	x.aliased = growTo(x.aliased[:0], (len(x.dense)+63)/64)
	clear(x.aliased)
	for alt, c := range x.canon {
		x.dense[alt] = c
		if alt != c {
			x.aliased[alt>>6] |= 1 << (alt & 63)
		}
	}
	x.aliases = map[pid][]pid{}
	for alt, c := range x.canon {
		if alt != c {
			x.aliases[c] = append(x.aliases[c], alt)
		}
	}
	x.byOwner = map[pid][]int32{}
	x.byHouse = map[houseKey][]int32{}
	x.byAddr = map[houseKey][]int32{}
	x.byLine = map[lineKey][]int32{}
	x.room, x.rooms = make([]uint32, len(x.list)), nil
	roomAt := map[string]uint32{}
	for i, p := range x.list {
		n := int32(i)
		id, ok := roomAt[p.Residence.Room]
		if !ok {
			id = uint32(len(x.rooms))
			roomAt[p.Residence.Room] = id
			x.rooms = append(x.rooms, p.Residence.Room)
		}
		x.room[i] = id
		o := x.canonOf(x.person[i])
		x.byOwner[o] = append(x.byOwner[o], n)
		r := p.Residence
		switch {
		case r.BoardingHouse != "":
			k := houseKey{r.Ward, r.BoardingHouse}
			x.byHouse[k] = append(x.byHouse[k], n)
		case r.Address != "":
			k := houseKey{r.Ward, r.Address}
			x.byAddr[k] = append(x.byAddr[k], n)
		}
		if w := p.Workplace; w.Line != "" {
			k := lineKey{p.Enterprise, w.Site, w.Line, w.Shift}
			x.byLine[k] = append(x.byLine[k], n)
		}
	}
}

// forget drops the periods that ended before the instant.
func (x *periodIndex) forget(before int64) {
	if !slices.ContainsFunc(x.list, func(p tracing.Period) bool { return !p.Open() && p.ValidTo.UnixNano() < before }) {
		return
	}
	list, person := x.list[:0], x.person[:0]
	x.at = map[periodKey]int{}
	for i, p := range x.list {
		if !p.Open() && p.ValidTo.UnixNano() < before {
			continue
		}
		x.at[periodKeyOf(p)] = len(list)
		list, person = append(list, p), append(person, x.person[i])
	}
	dropped := len(x.list) - len(list)
	clear(x.list[len(list):])
	x.list, x.person = list, person
	x.dirty = x.dirty || dropped > 0
}
