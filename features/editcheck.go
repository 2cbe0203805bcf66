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
