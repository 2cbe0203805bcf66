// Package pgtest gives tests a real, fresh PostGIS database: each call
// creates one with a random name on the test server, migrates it, and drops
// it when the test ends. A server that cannot be reached fails the test; it
// never skips, so a CI run without its database cannot pass by accident.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/bandomap/bando/features/postgis"
	"github.com/jackc/pgx/v5"
)

// AdminURLEnv names the variable holding the connection string of a
// database on the test server from which test databases are created.
const AdminURLEnv = "BANDO_TEST_DATABASE_URL"

// DefaultAdminURL is the local server of the development machines and CI.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns the test server's admin connection string.
func AdminURL() string {
	if u := os.Getenv(AdminURLEnv); u != "" {
		return u
	}
	return DefaultAdminURL
}

// NewDatabase creates an empty database (PostGIS not yet enabled) and
// returns its connection string; it is dropped at cleanup.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("pgtest: cannot reach the test PostgreSQL at %s (%v); start it (see README, Tests) or set %s", AdminURL(), err, AdminURLEnv)
	}
	defer admin.Close(ctx)
	name := "bando_test_" + randomSuffix(t)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, name) })
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", AdminURLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewConn connects to a fresh database with PostGIS enabled and no
// migrations, for tests that ask PostGIS itself (ST_Transform, a filter's
// SQL); the connection is closed at cleanup.
func NewConn(ctx context.Context, t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, NewDatabase(t))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		t.Fatalf("pgtest: enable PostGIS: %v", err)
	}
	return conn
}

// NewStore returns a store on a fresh, migrated database.
func NewStore(t testing.TB) (*postgis.Store, string) {
	t.Helper()
	return NewStoreWith(t, postgis.Options{})
}

// NewStoreWith returns a store opened with opts on a fresh, migrated
// database (opts.URL is set to it).
func NewStoreWith(t testing.TB, opts postgis.Options) (*postgis.Store, string) {
	t.Helper()
	dbURL := NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts.URL = dbURL
	s, err := postgis.Open(ctx, opts)
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(s.Close)
	if _, err := postgis.Migrate(ctx, s.Pool()); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	if err := s.Follow(ctx); err != nil {
		t.Fatalf("pgtest: follow changes: %v", err)
	}
	return s, dbURL
}

func dropDatabase(t testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
	}
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
