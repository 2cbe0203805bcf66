package cql2

import (
	"fmt"
	"strings"
)

// kind is the kind of a lexical token.
type kind int

const (
	tEOF    kind = iota
	tIdent       // a bare word: keyword, function or property name
	tQuoted      // a "double-quoted" property name
	tString      // a 'single-quoted' string
	tNumber
	tLParen
	tRParen
	tComma
	tOp // = <> < <= > >=
)

// token is one lexical token; pos is its byte offset in the input.
type token struct {
	kind kind
	text string // the identifier, the unquoted string, the number or the operator
	pos  int
}

// describe names a token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end"
	case tString:
		return fmt.Sprintf("'%s'", strings.ReplaceAll(t.text, "'", "''"))
	case tQuoted:
		return fmt.Sprintf("%q", t.text)
	}
	return "'" + t.text + "'"
}

// lex splits s into tokens. Its errors carry the offset.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',':
			k := tComma
			if c == '(' {
				k = tLParen
			} else if c == ')' {
				k = tRParen
			}
			toks = append(toks, token{k, string(c), i})
			i++
		case c == '=' || c == '<' || c == '>':
			n := 1
			if i+1 < len(s) && (c == '<' && (s[i+1] == '=' || s[i+1] == '>') || c == '>' && s[i+1] == '=') {
				n = 2
			}
			toks = append(toks, token{tOp, s[i : i+n], i})
			i += n
		case c == '\'' || c == '"':
			text, n, err := lexQuoted(s[i:], c)
			if err != nil {
				return nil, fmt.Errorf("%w: at %d: %v", ErrSyntax, i, err)
			}
			k := tString
			if c == '"' {
				k = tQuoted
			}
			toks = append(toks, token{k, text, i})
			i += n
		case isDigit(c) || c == '.' || c == '-' || c == '+':
			n, err := lexNumber(s[i:])
			if err != nil {
				return nil, fmt.Errorf("%w: at %d: %v", ErrSyntax, i, err)
			}
			toks = append(toks, token{tNumber, s[i : i+n], i})
			i += n
		case isIdentStart(c):
			n := 1
			for i+n < len(s) && isIdentPart(s[i+n]) {
				n++
			}
			toks = append(toks, token{tIdent, s[i : i+n], i})
			i += n
		default:
			return nil, fmt.Errorf("%w: at %d: unexpected character %q", ErrSyntax, i, rune(c))
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

// lexQuoted reads a string quoted by q, in which a doubled q stands for
// one; it returns the unquoted text and the length consumed.
func lexQuoted(s string, q byte) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, fmt.Errorf("unterminated %c-quoted text", q)
}

// lexNumber reads a plain decimal number: an optional sign, digits with an
// optional fraction, an optional exponent. Hex, underscores, Inf and NaN are
// not numbers, and a number may not run into a letter (0x10, 1_000).
func lexNumber(s string) (int, error) {
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, fmt.Errorf("malformed number %q", prefix(s))
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		k := j
		for ; k < len(s) && isDigit(s[k]); k++ {
		}
		if k == j {
			return 0, fmt.Errorf("malformed number %q", prefix(s))
		}
		i = k
	}
	if i < len(s) && (isIdentPart(s[i]) || s[i] == '.') {
		return 0, fmt.Errorf("malformed number %q (plain decimal numbers only)", prefix(s))
	}
	return i, nil
}

// prefix shortens s for an error message.
func prefix(s string) string {
	end := 0
	for end < len(s) && end < 16 && (isIdentPart(s[end]) || strings.IndexByte("+-.", s[end]) >= 0) {
		end++
	}
	return s[:end]
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == ':' }
