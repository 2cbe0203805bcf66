package main

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/tracing"
)

// TestReadCheckinsSplit: a file large enough to be parsed in two halves
// reads as one piece would (rows, their lines, persons once each, in the
// file's order), and a bad line in either half is named by its line in
// the file.
func TestReadCheckinsSplit(t *testing.T) {
	keys, err := tracing.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	venue := tracing.NewVenueID()
	// About 1.5 MiB: 22,000 lines of ~70 bytes, 3,000 persons who come
	// back in both halves, some by other spellings of their number.
	const lines = 22_000
	file := func(quoted bool, bad ...int) []byte {
		var b bytes.Buffer
		b.WriteString("venue,person,start,end\n")
		for i := 1; i < lines; i++ {
			who := fmt.Sprintf("09%08d", i%3000)
			if i%7 == 0 {
				who = "+84" + who[1:]
			}
			at := now.Add(-time.Duration(i) * time.Second).Format(time.RFC3339)
			if slices.Contains(bad, i+1) {
				at = "yesterday"
			}
			if quoted && i == 5 {
				who = `"` + who + `"`
			}
			fmt.Fprintf(&b, "%s,%s,%s,\n", venue, who, at)
		}
		return b.Bytes()
	}
	serial := func(data []byte) (*checkinsFile, error) {
		rd := checkinsReader{keys: keys, now: now, keepSince: now.Add(-24 * time.Hour)}
		return rd.read(bytes.NewReader(data), int64(len(data)), 0)
	}
	tests := []struct {
		name    string
		data    []byte
		badLine int // 0: none
	}{
		{"good", file(false), 0},
		{"quoted, read in one piece", file(true), 0},
		{"a bad line in the first half", file(false, 100), 100},
		{"a bad line in the second half", file(false, lines-10), lines - 10},
		{"a bad line in each half, the first named", file(false, 100, lines-10), 100},
		{"quoted, a bad line", file(true, lines-10), lines - 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) < minSplitBytes {
				t.Fatalf("the file is %d bytes, under minSplitBytes", len(tt.data))
			}
			got, err := readCheckinsCSV(bytes.NewReader(tt.data), keys, now, now.Add(-24*time.Hour), int64(len(tt.data)))
			if tt.badLine > 0 {
				if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d: ", tt.badLine)) {
					t.Fatalf("err = %v, want line %d named", err, tt.badLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := serial(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.rows) != lines-1 || len(got.persons) != 3000 {
				t.Fatalf("%d rows, %d persons; want %d, 3000", len(got.rows), len(got.persons), lines-1)
			}
			if !reflect.DeepEqual(got.rows, want.rows) || !reflect.DeepEqual(got.lines, want.lines) || !reflect.DeepEqual(got.persons, want.persons) {
				t.Errorf("the split read differs from the serial one")
			}
		})
	}
	var fe *tracing.FieldError
	if _, err := readCheckinsCSV(bytes.NewReader(file(false, lines-10)), keys, now, now.Add(-24*time.Hour), 0); !errors.As(err, &fe) {
		t.Errorf("err = %v, want a FieldError", err)
	}
}
