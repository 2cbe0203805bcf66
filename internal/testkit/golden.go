package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// UpdateEnv names the environment variable that makes Golden rewrite the
// golden files instead of comparing with them.
const UpdateEnv = "BANDO_UPDATE_GOLDEN"

// Golden compares got with the file at path (relative to the test's
// package directory, usually under testdata/). With BANDO_UPDATE_GOLDEN=1
// it first writes got there.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if os.Getenv(UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("testkit: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("testkit: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("testkit: %v (%s=1 go test writes it)", err, UpdateEnv)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file: %s\n(%s=1 go test rewrites it, after checking the change)",
			path, firstDifference(got, want), UpdateEnv)
	}
}

// GoldenJSON compares v, marshalled as JSON indented by two spaces and
// ended by a newline, with the file at path, as Golden does.
func GoldenJSON(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	Golden(t, path, append(got, '\n'))
}

// IndentJSON indents a JSON document by two spaces, keeping what white
// space ends it (a response body's newline): the form of the JSON golden
// files.
func IndentJSON(t testing.TB, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("testkit: body is not JSON: %v\n%s", err, body)
	}
	return buf.Bytes()
}

// firstDifference says where got first differs from want: the line for
// text, the byte offset for binary data.
func firstDifference(got, want []byte) string {
	if isText(got) && isText(want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(g), len(w)); i++ {
			gl, wl := lineAt(g, i), lineAt(w, i)
			if gl != wl {
				return fmt.Sprintf("line %d\n got: %s\nwant: %s", i+1, gl, wl)
			}
		}
	}
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	return fmt.Sprintf("byte %d (%d bytes, want %d)", n, len(got), len(want))
}

func isText(b []byte) bool { return utf8.Valid(b) && !bytes.ContainsRune(b, 0) }

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}
