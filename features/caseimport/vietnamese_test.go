package caseimport

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestEveryProblemInVietnamese reads the parser's source and checks that
// every problem it can report, and every hint it passes as an argument,
// has its Vietnamese: a new message without one fails here.
func TestEveryProblemInVietnamese(t *testing.T) {
	file, err := goparser.ParseFile(token.NewFileSet(), "caseimport.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var formats []string
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			at := map[string]int{"add": 2, "fail": 1}[sel.Sel.Name]
			if at == 0 || len(n.Args) <= at {
				return true
			}
			if lit, ok := n.Args[at].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				formats = append(formats, s)
			}
		case *ast.BasicLit:
			// Hints are phrases starting with " (" passed as arguments.
			if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && strings.HasPrefix(s, " (") {
				formats = append(formats, s)
			}
		}
		return true
	})
	if len(formats) < 20 {
		t.Fatalf("found %d messages in caseimport.go; the walk is broken", len(formats))
	}
	for _, f := range formats {
		vi, ok := vietnamese[f]
		if !ok {
			t.Errorf("no Vietnamese for %q", f)
			continue
		}
		if strings.Count(vi, "%") != strings.Count(f, "%") {
			t.Errorf("%q and its Vietnamese %q take different arguments", f, vi)
		}
	}
}

func TestInVietnameseTranslatesHints(t *testing.T) {
	got := inVietnamese("point %g %g is outside the province (%g–%g E, %g–%g N)%s",
		[]any{10.9, 106.7, 106.3, 107.0, 10.8, 11.5, " (lon and lat look swapped)"})
	want := "điểm 10.9 106.7 nằm ngoài tỉnh (106.3–107 Đ, 10.8–11.5 B) (lon và lat có vẻ bị đảo ngược)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := inVietnamese("an unknown message %d", []any{3}); got != "an unknown message 3" {
		t.Errorf("an untranslated message: %q", got)
	}
}
