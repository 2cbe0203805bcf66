package edithttp

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestCapped checks that a file over the cap fails rather than ends early,
// and that one at the cap reads whole.
func TestCapped(t *testing.T) {
	for _, tt := range []struct {
		body string
		cap  int64
		err  error
	}{{"abcdef", 6, nil}, {"abcdef", 10, nil}, {"abcdefg", 6, errTooLarge}} {
		got, err := io.ReadAll(&capped{r: strings.NewReader(tt.body), left: tt.cap})
		if !errors.Is(err, tt.err) || (err == nil && string(got) != tt.body) {
			t.Errorf("%q capped at %d: %q, %v; want %v", tt.body, tt.cap, got, err, tt.err)
		}
	}
}
