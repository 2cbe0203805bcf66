package httpx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short text as is", "bbox=1,2", "bbox=1,2"},
		{"control characters escaped", "a\x00b\nc\u2028", `a\x00b\nc\u2028`},
		{"invalid bytes escaped", "a\xffb", `a\xffb`},
		{"long text cut with an ellipsis", strings.Repeat("x", 150), strings.Repeat("x", 100) + "…"},
		{"cut on a character boundary", strings.Repeat("x", 99) + "éé", strings.Repeat("x", 99) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.in); got != tt.want {
				t.Errorf("Excerpt = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortenDetail(t *testing.T) {
	long := strings.Repeat("a", 5000)
	tests := []struct {
		name, in, want string
	}{
		{"a short quote as is", `lon: "0x1p3" is not a number`, `lon: "0x1p3" is not a number`},
		{"a long quote cut, the reason kept", `lon: "` + long + `" is not a number`, `lon: "` + long[:100] + `"… is not a number`},
		{"two quotes", `"` + long + `" and "` + long + `"`, `"` + long[:100] + `"… and "` + long[:100] + `"…`},
		{"unquoted control characters escaped", "bad \x00 value \xff", `bad \x00 value \xff`},
		{"an unmatched quote kept", `a " b`, `a " b`},
		{"a long unquoted echo capped", "x: " + long, "x: " + long[:997] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shortenDetail(tt.in)
			if got != tt.want {
				t.Errorf("shortenDetail = %.200q…, want %.200q…", got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("not UTF-8: %q", got)
			}
		})
	}
}
