package tracing

import "context"

// PersonCheckIns is a Store that keeps a person's private record and
// records their scan in one transaction (both stores are): a self check-in
// by a typed phone or ID number costs one commit, not two. The public
// check-in route uses it when the store has it, else RememberPerson then
// CheckIn.
type PersonCheckIns interface {
	// CheckInPerson keeps p as RememberPerson does and records c
	// (c.Person is p.Key) as CheckIn does, at once: the same answers and
	// errors as CheckIn. A scan refused for its venue (unknown, another
	// tenant's, revoked) keeps no record of the person.
	CheckInPerson(ctx context.Context, p Person, c CheckIn) (Visit, error)
}

// CheckPersonOf refuses a check-in whose person record is not its
// person's: no key, no number, or another key than the scan's.
func CheckPersonOf(p Person, c CheckIn) error {
	switch {
	case p.Key.IsZero() || (p.Phone == "" && p.IDNumber == ""):
		return invalid("person", "a person has a key and a phone or ID number")
	case p.Key != c.Person:
		return invalid("person", "the person record is not the check-in's person")
	}
	return nil
}
