package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/storetest"
)

// TestRiderResolver checks that a rider named by employee id is the
// person the enterprise's roster gave that id on the ride's day.
func TestRiderResolver(t *testing.T) {
	tr, err := openTracing(testConfig(t), emptyStore(t, "embedded"))
	if err != nil {
		t.Fatal(err)
	}
	rosters, err := rostersOf(tr)
	if err != nil {
		t.Fatal(err)
	}
	workers := storetest.SampleWorkers(t, 3, 1)
	rows, err := tracing.ParseRoster(strings.NewReader(storetest.SampleCSV(workers)), tr.keys, tracing.RosterOptions{Enterprise: "ent-1"})
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{User: "e", Role: auth.Enterprise, Enterprise: "ent-1"})
	if _, err := rosters.ImportRoster(ctx, tracing.RosterImport{Enterprise: "ent-1", AsOf: asOf, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	resolve := riderResolver(rosters)
	id, err := tracing.ParseIdentity(workers[1].Phone)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := resolve(ctx, "ent-1", workers[1].Employee, asOf); err != nil || got != tr.keys.PersonKey(id) {
		t.Errorf("resolve %s on %s: %v, %v; want the worker's person", workers[1].Employee, asOf, got, err)
	}
	for name, tc := range map[string]struct {
		employee string
		day      time.Time
	}{
		"the day before the roster": {workers[1].Employee, asOf.AddDate(0, 0, -1)},
		"an unknown employee":       {"NV-404", asOf},
	} {
		if _, err := resolve(ctx, "ent-1", tc.employee, tc.day); !errors.Is(err, tracing.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}
