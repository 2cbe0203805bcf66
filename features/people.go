package features

import "context"

// PersonMatch selects the records of people layers (cases, contacts) that
// are about one person, for the person's rights to see and erase what is
// held about them (Law 91/2025/QH15).
type PersonMatch struct {
	// Digits are forms of the person's phone or ID number as digits only
	// ("0912345678", "84912345678", "079200000011"): a record matches when
	// the digits of its personal phone or ID number are one of them.
	Digits []string
	// Code, when set, matches the case of that code.
	Code string
}

// PersonRef names one record of a people layer.
type PersonRef struct {
	Collection string
	ID         string
}

// People is a store's side of a person's rights over the private side of
// cases and contacts: finding what is held, for an export. Erasure runs in
// the transaction of the tracing store's erasure, through each store's
// own hook (ErasePeopleTx), so that the whole of a person goes at once.
type People interface {
	// People returns the records, as stored (personal fields and exact
	// location), of people layers that match m, ordered by collection and
	// id; none is an empty slice.
	People(ctx context.Context, m PersonMatch) ([]Stored, error)
}

// DigitsOf returns the digits of s, dropping every other character.
func DigitsOf(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// Matches reports whether a record's person p (nil: none) or its
// properties match m.
func (m PersonMatch) Matches(p *Person, props map[string]any) bool {
	if m.Code != "" {
		if code, _ := props["code"].(string); code == m.Code {
			return true
		}
	}
	if p == nil {
		return false
	}
	for _, v := range []string{DigitsOf(p.Phone), DigitsOf(p.IDNumber)} {
		for _, d := range m.Digits {
			if v != "" && v == d {
				return true
			}
		}
	}
	return false
}
