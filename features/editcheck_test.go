package features_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
)

// TestCheckEdits checks a batch's own rules, each with the edit it blames
// (its index, or -1 for a batch that passes) and the reason: the action,
// the id, a record given another id, a record edited twice, a unique value
// given twice, and an unknown collection.
func TestCheckEdits(t *testing.T) {
	cases := testkit.Collection(t, "cases")
	districts := testkit.Collection(t, "districts")
	catalog := func(id string) (features.Collection, error) {
		switch id {
		case "cases":
			return cases, nil
		case "districts":
			return districts, nil
		}
		return features.Collection{}, fmt.Errorf("no collection %q", id)
	}
	rec := func(id, code string) features.Record {
		return features.Record{ID: id, Properties: map[string]any{"code": code}}
	}
	edit := func(a features.EditAction, col features.Collection, id string, r features.Record) features.Edit {
		return features.Edit{Action: a, Collection: col, ID: id, Record: r}
	}
	create, replace, del := features.EditCreate, features.EditReplace, features.EditDelete
	tests := []struct {
		name   string
		edits  []features.Edit
		index  int
		reason string
	}{
		{"a good batch", []features.Edit{edit(create, cases, "BN1", rec("BN1", "BN1")), edit(replace, cases, "BN2", rec("", "BN2")),
			edit(del, cases, "BN3", rec("other", "BN1")), edit(create, districts, "BN1", rec("BN1", "BN1")), edit(create, cases, "BN4", rec("BN4", ""))}, -1, ""},
		{"no batch", nil, -1, ""},
		{"unknown action", []features.Edit{edit(create, cases, "BN1", rec("BN1", "BN1")), edit("upsert", cases, "BN2", rec("BN2", "BN2"))}, 1, `edit action "upsert"`},
		{"no id", []features.Edit{edit(create, cases, "", rec("", "BN1"))}, 0, `cases: edit of id ""`},
		{"id not clean", []features.Edit{edit(del, cases, "BN\x00", features.Record{})}, 0, "cases: edit of id"},
		{"id of the longest length", []features.Edit{edit(del, cases, strings.Repeat("a", features.MaxIDLength), features.Record{})}, -1, ""},
		{"id too long", []features.Edit{edit(del, cases, strings.Repeat("a", features.MaxIDLength+1), features.Record{})}, 0, "cases: edit of id"},
		{"record of another id", []features.Edit{edit(replace, cases, "BN1", rec("BN2", "BN1"))}, 0, `cases: record "BN2" given for id "BN1"`},
		{"edited twice", []features.Edit{edit(create, cases, "BN1", rec("BN1", "BN1")), edit(create, cases, "BN2", rec("BN2", "BN2")), edit(del, cases, "BN1", features.Record{})}, 2,
			`cases "BN1" is edited twice in one batch (edits 0 and 2)`},
		{"unique value twice", []features.Edit{edit(create, cases, "BN1", rec("BN1", "X")), edit(create, cases, "BN2", rec("BN2", "Y")), edit(create, cases, "BN3", rec("BN3", "X"))}, 2,
			`cases "BN3": code "X" is given to "BN1" too (edit 0)`},
		{"unknown collection", []features.Edit{edit(create, cases, "BN1", rec("BN1", "X")), edit(create, features.Collection{ID: "pets"}, "p1", features.Record{})}, 1, `no collection "pets"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := features.CheckEdits(tt.edits, catalog)
			if tt.index < 0 {
				if err != nil {
					t.Fatalf("CheckEdits = %v, want nil", err)
				}
				return
			}
			var ee *features.EditError
			if !errors.As(err, &ee) || !errors.Is(err, features.ErrInvalid) || ee.Index != tt.index || ee.ID != tt.edits[tt.index].ID ||
				!strings.Contains(ee.Err.Error(), tt.reason) {
				t.Fatalf("CheckEdits = %v, want edit %d refused: %s", err, tt.index, tt.reason)
			}
		})
	}
}

// TestUniqueValue checks the text unique values are compared by.
func TestUniqueValue(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{{nil, ""}, {"BN1", "BN1"}, {"", ""}, {42, "42"}, {int64(-7), "-7"}} {
		if got := features.UniqueValue(tt.v); got != tt.want {
			t.Errorf("UniqueValue(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
