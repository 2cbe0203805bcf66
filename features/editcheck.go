package features

import "fmt"

// CheckEdit refuses, with ErrInvalid, an edit of col that names no known
// action or no valid id, or whose record has another id. Stores call it
// before they look at what is stored.
func CheckEdit(col Collection, e Edit) error {
	switch e.Action {
	case EditCreate, EditReplace, EditDelete:
	default:
		return fmt.Errorf("%w: edit action %q", ErrInvalid, e.Action)
	}
	if e.ID == "" || !CleanText(e.ID) || len(e.ID) > MaxIDLength {
		return fmt.Errorf("%w: %s: edit of id %.20q", ErrInvalid, col.ID, e.ID)
	}
	if e.Action != EditDelete && e.Record.ID != "" && e.Record.ID != e.ID {
		return fmt.Errorf("%w: %s: record %q given for id %q", ErrInvalid, col.ID, e.Record.ID, e.ID)
	}
	return nil
}

// CheckEdits checks a batch of edits before a store looks at what is
// stored: each edit as CheckEdit does (col resolves a collection id, and
// fails for an unknown one), no record named twice, and no value of a
// unique property given to two records of the batch. The error is an
// *EditError wrapping ErrInvalid.
func CheckEdits(edits []Edit, col func(id string) (Collection, error)) error {
	type key struct{ col, id string }
	named := make(map[key]int, len(edits))
	type value struct{ col, prop, v string }
	values := map[value]int{}
	for i, e := range edits {
		c, err := col(e.Collection.ID)
		if err != nil {
			return EditFailed(edits, i, fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		if err := CheckEdit(c, e); err != nil {
			return EditFailed(edits, i, err)
		}
		k := key{c.ID, e.ID}
		if j, dup := named[k]; dup {
			return EditFailed(edits, i, fmt.Errorf("%w: %s %q is edited twice in one batch (edits %d and %d)", ErrInvalid, c.ID, e.ID, j, i))
		}
		named[k] = i
		if e.Action == EditDelete {
			continue
		}
		for _, p := range c.Unique() {
			v := UniqueValue(e.Record.Properties[p])
			if v == "" {
				continue
			}
			u := value{c.ID, p, v}
			if j, dup := values[u]; dup {
				return EditFailed(edits, i, fmt.Errorf("%w: %s %q: %s %q is given to %q too (edit %d)", ErrInvalid, c.ID, e.ID, p, v, edits[j].ID, j))
			}
			values[u] = i
		}
	}
	return nil
}

// UniqueValue is the text a unique property's value is compared by; ""
// for none (as NULL in a UNIQUE column).
func UniqueValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}
