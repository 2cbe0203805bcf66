package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/internal/testkit"
	"github.com/paulmach/orb"
)

// PublicReads collects, as text, every public read of the fixture: items
// and each item of every collection, extents, nearby around each home and
// searches for the people's names, phones and addresses.
func PublicReads(t *testing.T, s features.Reader) []byte {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	for _, col := range features.NewCatalog().All() {
		page, err := s.Items(ctx, features.ItemsQuery{Collection: col, Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Features {
			one, err := s.Item(ctx, col, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%#v\n%#v\n", f, one)
		}
		ext, err := s.Extent(ctx, col)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%#v\n", ext)
	}
	for _, home := range Homes() {
		near, err := s.Nearby(ctx, features.NearbyQuery{Center: home, RadiusM: 50000, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%#v\n", near)
	}
	for _, q := range []string{"bi mat", "tran", "079300000001", "0912345678", "hem", "an", "o"} {
		m, err := s.Search(ctx, features.SearchQuery{Text: q, Collections: features.NewCatalog().All(), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%#v\n", m)
	}
	return out.Bytes()
}

// CheckNoPerson fails on any personal field or exact home coordinate of
// the fixture's people found in public output.
func CheckNoPerson(t *testing.T, public []byte) {
	t.Helper()
	if len(public) < 10000 {
		t.Fatalf("only %d bytes of public output collected", len(public))
	}
	homes := Homes()
	for id, p := range Persons() {
		for _, secret := range []string{p.Name, p.Phone, p.IDNumber, p.Address} {
			if bytes.Contains(public, []byte(secret)) {
				t.Errorf("personal field %q of %s found in public output", secret, id)
			}
		}
		for _, v := range homes[id] {
			if s := fmt.Sprint(v); bytes.Contains(public, []byte(s)) {
				t.Errorf("exact coordinate %s of %s found in public output", s, id)
			}
		}
	}
}

// testPrivacy: no public read shows a personal field or an exact home, and
// each person is shown at the centre of their grid cell.
func testPrivacy(t *testing.T, s features.Reader) {
	CheckNoPerson(t, PublicReads(t, s))
	for id, home := range Homes() {
		f, err := s.Item(context.Background(), testkit.Collection(t, PeopleCollection(id)), id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.Geometry, features.Geomask(home, testkit.DefaultCellM); got != orb.Geometry(want) {
			t.Errorf("%s is shown at %v, want the centre of its cell %v", id, got, want)
		}
	}
}
