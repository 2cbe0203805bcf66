package storetest

import (
	"errors"
	"slices"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

func testVenueLifecycle(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ Thủ Dầu Một", "25747"))
	if v.TokenGeneration != 1 || !v.Created.Equal(Start) || v.RegisteredBy != "editor-" || v.Enterprise != "" {
		t.Errorf("registered venue = %+v, want generation 1, created at the clock's time, by the editor", v)
	}
	if _, err := s.RegisterVenue(editor, v); !errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("a second venue with the same id: err = %v, want ErrInvalid", err)
	}
	bad := venue("", "25747")
	if _, err := s.RegisterVenue(editor, bad); !errors.Is(err, tracing.ErrInvalid) {
		t.Errorf("a venue with no name: err = %v, want ErrInvalid", err)
	}
	got, err := s.Venue(tracer, v.ID)
	if err != nil || got.Name != v.Name || got.ContactPhone != v.ContactPhone || got.DefaultStay != time.Hour ||
		got.Location != v.Location || got.Category != tracing.Market {
		t.Fatalf("Venue = %+v, %v; want %+v", got, err, v)
	}
	e.register(editor, venue("Siêu thị Phú Hòa", "25750"))
	w := e.register(entA, venue("Nhà máy A", "25747"))
	if w.Enterprise != "ent-a" {
		t.Errorf("an enterprise's venue has owner %q, want ent-a", w.Enterprise)
	}
	names := func(q tracing.VenueQuery) []string {
		vs, err := s.Venues(editor, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, v.Name)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		q    tracing.VenueQuery
		want []string
	}{
		{tracing.VenueQuery{Ward: "25747"}, []string{"Chợ Thủ Dầu Một", "Nhà máy A"}},
		{tracing.VenueQuery{Enterprise: "ent-a"}, []string{"Nhà máy A"}},
		{tracing.VenueQuery{EditorsOnly: true}, []string{"Chợ Thủ Dầu Một", "Siêu thị Phú Hòa"}},
	} {
		if got := names(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Venues(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	v.Name, v.DefaultStay, v.TokenGeneration, v.Enterprise = "Chợ Thủ Dầu Một (mới)", 30*time.Minute, 9, "ent-a"
	up, err := s.UpdateVenue(editor, v)
	if err != nil || up.Name != v.Name || up.DefaultStay != 30*time.Minute || up.TokenGeneration != 1 || up.Enterprise != "" {
		t.Errorf("UpdateVenue = %+v, %v; want the new name and stay, the generation and owner kept", up, err)
	}
	e.clock.Set(at(90))
	rv, err := s.RevokeVenue(editor, v.ID)
	if err != nil || !rv.Revoked.Equal(at(90)) || rv.Active() {
		t.Fatalf("RevokeVenue = %+v, %v; want revoked at the clock's time", rv, err)
	}
	if _, err := s.UpdateVenue(editor, v); !errors.Is(err, tracing.ErrVenueRevoked) {
		t.Errorf("update of a revoked venue: err = %v, want ErrVenueRevoked", err)
	}
	if _, err := s.CheckIn(editor, tracing.CheckIn{Venue: v.ID, Person: e.person("0912345678"), At: at(90), Source: tracing.StaffScan}); !errors.Is(err, tracing.ErrVenueRevoked) {
		t.Errorf("check-in at a revoked venue: err = %v, want ErrVenueRevoked", err)
	}
	if got := names(tracing.VenueQuery{Ward: "25747"}); !slices.Equal(got, []string{"Nhà máy A"}) {
		t.Errorf("revoked venues are listed: %v", got)
	}
	if got := names(tracing.VenueQuery{Ward: "25747", WithRevoked: true}); len(got) != 2 {
		t.Errorf("WithRevoked lists %v, want both", got)
	}
	if _, err := s.Venue(tracer, tracing.NewVenueID()); !errors.Is(err, tracing.ErrNotFound) {
		t.Errorf("unknown venue: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Venues(as(auth.Viewer, ""), tracing.VenueQuery{}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a viewer lists venues: err = %v, want ErrForbidden", err)
	}
}

func testVenueTokens(e *env) {
	t, s := e.t, e.Store
	v := e.register(editor, venue("Chợ Lái Thiêu", "25800"))
	other := e.register(editor, venue("Chợ Búng", "25801"))
	old, err := e.keys.VenueToken(v)
	if err != nil {
		t.Fatal(err)
	}
	// The token's holder checks in at its venue, and nowhere else.
	claim, err := e.keys.VerifyVenueToken(old)
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(editor, claim.Principal())
	stored, err := s.Venue(ctx, claim.Venue)
	if err != nil || claim.Check(stored) != nil {
		t.Fatalf("a fresh token: venue %v, check %v", err, claim.Check(stored))
	}
	if stored.ContactPhone != "" || stored.Contact != "" {
		t.Errorf("a token's holder reads the venue's contact %q %q", stored.Contact, stored.ContactPhone)
	}
	if _, err := s.CheckIn(ctx, tracing.CheckIn{Venue: v.ID, Person: e.person("0912345678"), At: at(0), Source: tracing.SelfScan}); err != nil {
		t.Errorf("a token's holder checks in at its venue: %v", err)
	}
	if _, err := s.CheckIn(ctx, tracing.CheckIn{Venue: other.ID, Person: e.person("0912345678"), At: at(0), Source: tracing.SelfScan}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a token's holder checks in at another venue: err = %v, want ErrForbidden", err)
	}
	if _, err := s.VisitsAt(ctx, v.ID, at(-60), at(60)); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a token's holder reads the venue's visits: err = %v, want ErrForbidden", err)
	}
	if _, err := s.UpdateVenue(ctx, v); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a token's holder changes the venue: err = %v, want ErrForbidden", err)
	}
	// Renewal revokes the printed tokens; the new one works.
	renewed, err := s.RenewVenueTokens(editor, v.ID)
	if err != nil || renewed.TokenGeneration != 2 {
		t.Fatalf("RenewVenueTokens = generation %d, %v; want 2", renewed.TokenGeneration, err)
	}
	if err := claim.Check(renewed); !errors.Is(err, tracing.ErrTokenRevoked) {
		t.Errorf("a token of the old generation: %v, want ErrTokenRevoked", err)
	}
	fresh, _ := e.keys.VenueToken(renewed)
	fc, err := e.keys.VerifyVenueToken(fresh)
	if err != nil || fc.Check(renewed) != nil {
		t.Errorf("the renewed token: %v, %v", err, fc.Check(renewed))
	}
	revoked, err := s.RevokeVenue(editor, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := fc.Check(revoked); !errors.Is(err, tracing.ErrTokenRevoked) {
		t.Errorf("a token of a revoked venue: %v, want ErrTokenRevoked", err)
	}
}
