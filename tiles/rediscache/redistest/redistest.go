// Package redistest gives tests a client of the real Redis that the test
// command starts (127.0.0.1:6379) and a random key prefix, whose keys are
// deleted when the test ends. Only tests import it.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Addr is where the tests' Redis listens.
const Addr = "127.0.0.1:6379"

// Client returns a client of the tests' Redis and a key prefix unique to
// this test; the test fails at once when Redis does not answer.
func Client(t testing.TB) (*redis.Client, string) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: Addr})
	ctx := context.Background()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is needed for this test: %v", Addr, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "bando-test-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		Clean(t, client, prefix)
		_ = client.Close()
	})
	return client, prefix
}

// Clean deletes the keys under prefix.
func Clean(t testing.TB, client *redis.Client, prefix string) {
	t.Helper()
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := client.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("clean up %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("clean up %s*: %v", prefix, err)
	}
}
