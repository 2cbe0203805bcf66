package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// PersonBatcher is a store that keeps many persons in one transaction
// (both stores; uploads of check-ins use it).
type PersonBatcher interface {
	RememberPersons(ctx context.Context, ps []tracing.Person) error
}

// RunRememberPersons runs the bulk person contract: what RememberPerson
// does for one, for many at once, and nothing for a bad batch.
func RunRememberPersons(t *testing.T, open Opener) {
	clock := &Clock{now: Start}
	keys, err := tracing.NewKeys([]byte("a test secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, tracing.Options{Clock: clock})
	pb, ok := s.Store.(PersonBatcher)
	if !ok {
		t.Fatalf("%T has no RememberPersons", s.Store)
	}
	person := func(number, name string) tracing.Person {
		id, err := tracing.ParseIdentity(number)
		if err != nil {
			t.Fatal(err)
		}
		return keys.NewPerson(id, name, Start)
	}
	admin, ent := as(auth.Admin, ""), as(auth.Enterprise, "e1")
	an, hoa, binh := person("0912345678", ""), person("079201001234", "Lê Thị Hoa"), person("0987654321", "")
	if err := pb.RememberPersons(context.Background(), []tracing.Person{an}); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("no principal: %v", err)
	}
	var row *tracing.RowError
	if err := pb.RememberPersons(ent, []tracing.Person{binh, {Name: "x"}}); !errors.As(err, &row) || row.Row != 1 {
		t.Errorf("a bad person: %v, want row 1", err)
	}
	if _, err := s.Store.Person(admin, binh.Key); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("a refused batch kept a person: %v", err)
	}
	if err := pb.RememberPersons(ent, []tracing.Person{an, hoa, an}); err != nil {
		t.Fatal(err)
	}
	named := an
	named.Name = "Nguyễn Văn An"
	if err := pb.RememberPersons(ent, []tracing.Person{named}); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Store.Person(admin, an.Key); err != nil || p.Name != "" || p.Phone != "0912345678" {
		t.Errorf("an enterprise named a person: %+v (%s), %v", p.Phone, p.Name, err)
	}
	hoaRenamed := hoa
	hoaRenamed.Name = "Someone Else"
	if err := pb.RememberPersons(admin, []tracing.Person{named, hoaRenamed, binh}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []tracing.Person{named, hoa, binh} {
		p, err := s.Store.Person(admin, want.Key)
		if err != nil || p.Name != want.Name || p.Phone != want.Phone || p.IDNumber != want.IDNumber || !p.FirstSeen.Equal(Start) {
			t.Errorf("person %s: %s %s %s %v, %v; want %s %s %s", want.Key, p.Name, p.Phone, p.IDNumber, p.FirstSeen, err, want.Name, want.Phone, want.IDNumber)
		}
	}
}
