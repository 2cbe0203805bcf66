package tracing

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"time"
)

// PersonHasher computes person keys (Keys.PersonKey) with one keyed HMAC
// reset between identities, and remembers each raw identity it read: for
// a loop over a large file, where setting up an HMAC per row and reading
// the same person's number again were a fifth of an import's time. Not
// safe for concurrent use.
type PersonHasher struct {
	mac  hash.Hash
	seen map[string]PersonKey
}

// PersonHasher returns a new PersonHasher under k's person key.
func (k Keys) PersonHasher() *PersonHasher { return k.SizedPersonHasher(0) }

// SizedPersonHasher returns a new PersonHasher under k's person key with
// room made for n identities: a large file's memory of them is then not
// grown by rehashing as it fills (a tenth of the reading of 200,000 new
// persons).
func (k Keys) SizedPersonHasher(n int) *PersonHasher {
	return &PersonHasher{mac: hmac.New(sha256.New, k.person), seen: make(map[string]PersonKey, n)}
}

// Key returns id's person key, as Keys.PersonKey does.
func (h *PersonHasher) Key(id Identity) PersonKey {
	h.mac.Reset()
	h.mac.Write([]byte(id.Kind))
	h.mac.Write([]byte{':'})
	h.mac.Write([]byte(id.Value))
	var out PersonKey
	h.mac.Sum(out[:0])
	return out
}

// Read parses raw (a phone or ID number, as ParseIdentity) and returns
// its person's record as Keys.NewPerson would with no name, and whether
// raw was read before (then the record is the first one's).
func (h *PersonHasher) Read(raw string, now time.Time) (Person, bool, error) {
	if k, ok := h.seen[raw]; ok {
		return Person{Key: k}, true, nil
	}
	id, err := ParseIdentity(raw)
	if err != nil {
		return Person{}, false, err
	}
	p := Person{Key: h.Key(id), FirstSeen: now}
	if id.Kind == Phone {
		p.Phone = id.Value
	} else {
		p.IDNumber = id.Value
	}
	h.seen[raw] = p.Key
	return p, false, nil
}
