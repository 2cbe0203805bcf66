package features

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lowers a text and strips its Vietnamese diacritics so that searches
// are accent-insensitive: "Thủ Dầu Một" and "thu dau mot" fold alike. Đ/đ,
// which is a letter of its own rather than an accented D, folds to d.
// Runs of spaces and punctuation become one space.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("đ", "d", "Đ", "d").Replace(out)
	out = strings.ToLower(out)
	return strings.Join(strings.FieldsFunc(out, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
