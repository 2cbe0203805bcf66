package httpx

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ExcerptBytes is the most of a client's input an error answer repeats,
// per quoted value.
const ExcerptBytes = 100

// maxDetailBytes caps a whole detail, whatever it quotes: the reason a
// person can act on is short.
const maxDetailBytes = 1000

// Excerpt is s fit to repeat in an answer: at most ExcerptBytes of it
// (cut on a character boundary, "…" marking the cut), with control
// characters and bytes that are not UTF-8 written as escapes.
func Excerpt(s string) string {
	cut := len(s) > ExcerptBytes
	if cut {
		s = trimPartialRune(s[:ExcerptBytes])
	}
	out := escapeUnprintable(s)
	if cut {
		out += "…"
	}
	return out
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of s, left
// by a cut.
func trimPartialRune(s string) string {
	for i := 1; i < utf8.UTFMax && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if r, _ := utf8.DecodeRuneInString(s[len(s)-i:]); r == utf8.RuneError && !utf8.FullRuneInString(s[len(s)-i:]) {
				return s[:len(s)-i]
			}
			return s
		}
	}
	return s
}

// escapeUnprintable writes control characters and invalid bytes of s as
// Go escapes (\x00, \u2028), leaving the rest as is.
func escapeUnprintable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// shortenDetail fits a detail built by a handler for an answer: every
// quoted value longer than ExcerptBytes is cut to an excerpt ("abc"… for a
// cut one), what is not quoted is escaped, and the whole is capped.
func shortenDetail(d string) string {
	var b strings.Builder
	for len(d) > 0 {
		i := strings.IndexByte(d, '"')
		if i < 0 {
			b.WriteString(escapeUnprintable(d))
			break
		}
		b.WriteString(escapeUnprintable(d[:i]))
		lit, err := strconv.QuotedPrefix(d[i:])
		if err != nil {
			b.WriteByte('"')
			d = d[i+1:]
			continue
		}
		b.WriteString(shortenQuoted(lit))
		d = d[i+len(lit):]
	}
	out := b.String()
	if len(out) > maxDetailBytes {
		out = trimPartialRune(out[:maxDetailBytes]) + "…"
	}
	return out
}

// shortenQuoted cuts a Go-quoted value longer than ExcerptBytes.
func shortenQuoted(lit string) string {
	v, err := strconv.Unquote(lit)
	if err != nil || len(v) <= ExcerptBytes {
		return lit
	}
	return strconv.Quote(trimPartialRune(v[:ExcerptBytes])) + "…"
}
