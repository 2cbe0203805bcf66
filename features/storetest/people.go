package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/bandomap/bando/features"
)

// RunPeople runs the contract of features.People over the fixture: the
// records of people layers whose phone or ID number, as digits, is asked
// for, or the case of a code, come with their personal fields and exact
// position; nothing else comes, and no match is an empty slice.
func RunPeople(t *testing.T, open Opener) {
	s := Seeded(t, open)
	people, ok := s.(features.People)
	if !ok {
		t.Fatalf("%T does not find people (features.People)", s)
	}
	homes := Homes()
	for _, tc := range []struct {
		name string
		m    features.PersonMatch
		want []string
	}{
		{"a case's phone", features.PersonMatch{Digits: []string{"0912345678", "84912345678"}}, []string{"cases/c1"}},
		{"a contact's ID number", features.PersonMatch{Digits: []string{"079300000004"}}, []string{"contacts/k1"}},
		{"two numbers", features.PersonMatch{Digits: []string{"0987654321", "079300000005"}}, []string{"cases/c2", "contacts/k2"}},
		{"a case's code", features.PersonMatch{Code: caseCode(t, "c3")}, []string{"cases/c3"}},
		{"a place's phone is not a person", features.PersonMatch{Digits: []string{"02743822000"}}, nil},
		{"nobody", features.PersonMatch{Digits: []string{"0900000999"}, Code: "BD-NONE"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := people.People(context.Background(), tc.m)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("nil, want an empty slice")
			}
			var ids []string
			for _, st := range got {
				ids = append(ids, st.Collection+"/"+st.ID)
				if st.Person == nil || st.Person.Name == "" || st.Geometry != homes[st.ID] {
					t.Errorf("%s/%s: person %+v at %v, want the private side at %v", st.Collection, st.ID, st.Person, st.Geometry, homes[st.ID])
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.want) {
				t.Errorf("found %v, want %v", ids, tc.want)
			}
		})
	}
}

// caseCode is the code of the fixture's case id.
func caseCode(t *testing.T, id string) string {
	t.Helper()
	cases, _ := features.NewCatalog().Get("cases")
	for _, b := range Fixture() {
		if b.Collection != cases.ID {
			continue
		}
		for r := range b.Records {
			if r.ID == id {
				code, _ := r.Properties["code"].(string)
				return code
			}
		}
	}
	t.Fatalf("no case %s in the fixture", id)
	return ""
}
