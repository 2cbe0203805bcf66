package testkit

import (
	"os"
	"os/exec"
	"testing"
)

// Missing stops a test that needs something this machine lacks: it is
// skipped on a developer's machine and fails under CI (CI=true), where a
// missing service or client must never pass silently. install says how to
// get it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing; %s (CI must run this check)", what, install)
	}
	t.Skipf("%s is missing; %s to run this check", what, install)
}

// Tool returns the path of the program name, or stops the test with
// Missing.
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, install)
	}
	return path
}
