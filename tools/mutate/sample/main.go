// Command sample runs a random sample of the mutants that gremlins found,
// for packages too slow to mutate in full on shared machines, and writes a
// report in gremlins' JSON format for the score command.
//
// Each sampled RUNNABLE or NOT COVERED mutant is applied to its file in the
// module copy given by -dir (gremlins' token replacements), the package's
// tests run with -failfast and a timeout, and the file is restored. NOT
// COVERED mutants are run too: gremlins v0.6.0 marks the conditions of
// tagless switch cases (`case a < b:`) as not covered even when tests run
// them. The same -seed picks the same mutants, so before and after runs
// compare. With -n 0 nothing is sampled: every mutant of the report is kept
// and the NOT COVERED ones are run, which corrects a full gremlins report.
// -n 0 -lived runs the LIVED ones again too: after new tests, only the
// survivors of an earlier report need a second look (tests added to
// unchanged code cannot revive a killed mutant).
//
//	go run ./tools/mutate/sample -dir /tmp/copy -pkg tiles -n 80 -seed 17 dry.json out.json
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type file struct {
	Name      string     `json:"file_name"`
	Mutations []mutation `json:"mutations"`
}

type report struct {
	Files []file `json:"files"`
}

// swaps are gremlins' replacements per mutant type.
var swaps = map[string]map[token.Token]token.Token{
	"CONDITIONALS_BOUNDARY": {token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.LEQ: token.GTR, token.GTR: token.LEQ, token.GEQ: token.LSS},
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.SUB: token.ADD, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL},
	"INCREMENT_DECREMENT":   {token.INC: token.DEC, token.DEC: token.INC},
	"INVERT_NEGATIVES":      {token.SUB: token.ADD},
	"INVERT_LOGICAL":        {token.LAND: token.LOR, token.LOR: token.LAND},
}

func main() {
	dir := flag.String("dir", "", "module copy to mutate")
	pkg := flag.String("pkg", "", "package directory relative to the module root")
	n := flag.Int("n", 60, "mutants to sample; 0: all, running only the NOT COVERED ones")
	seed := flag.Uint64("seed", 17, "sampling seed")
	timeout := flag.Duration("timeout", 60*time.Second, "timeout of one test run")
	lived := flag.Bool("lived", false, "with -n 0, run the LIVED mutants of the report again too")
	flag.Parse()
	if flag.NArg() != 2 || *dir == "" || *pkg == "" {
		fmt.Fprintln(os.Stderr, "usage: sample -dir COPY -pkg DIR [-n N] [-seed S] DRYRUN.json OUT.json")
		os.Exit(2)
	}
	if err := run(*dir, *pkg, *n, *seed, *timeout, *lived, flag.Arg(0), flag.Arg(1)); err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(1)
	}
}

type pick struct {
	file string
	m    mutation
}

func run(dir, pkg string, n int, seed uint64, timeout time.Duration, lived bool, dryPath, outPath string) error {
	data, err := os.ReadFile(dryPath)
	out := report{Files: []file{}}
	if err != nil {
		return fmt.Errorf("reading dry run: %w", err)
	}
	var dry report
	if err := json.Unmarshal(data, &dry); err != nil {
		return fmt.Errorf("reading dry run %s: %w", dryPath, err)
	}
	var all []pick
	for _, f := range dry.Files {
		for _, m := range f.Mutations {
			if n <= 0 || m.Status == "RUNNABLE" || m.Status == "NOT COVERED" {
				all = append(all, pick{f.Name, m})
			}
		}
	}
	// The dry run lists mutants in no fixed order: sort them, so that a
	// seed picks the same ones every time.
	slices.SortFunc(all, func(a, b pick) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.m.Line, b.m.Line),
			cmp.Compare(a.m.Column, b.m.Column), cmp.Compare(a.m.Type, b.m.Type))
	})
	r := rand.New(rand.NewPCG(seed, uint64(len(all))))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if n > 0 {
		all = all[:min(n, len(all))]
	}
	byFile := map[string]*file{}
	for i, p := range all {
		was := p.m.Status
		if lived && n <= 0 && was == "LIVED" {
			p.m.Status = "RUNNABLE"
		}
		if p.m.Status == "RUNNABLE" || p.m.Status == "NOT COVERED" {
			p.m.Status, err = test(dir, pkg, p.file, p.m, timeout)
			if err != nil {
				return err
			}
		}
		if n > 0 || was == "NOT COVERED" || was == "LIVED" && lived {
			fmt.Printf("%3d/%d %-11s %s %s:%d:%d\n", i+1, len(all), p.m.Status, p.m.Type, p.file, p.m.Line, p.m.Column)
		}
		f := byFile[p.file]
		if f == nil {
			out.Files = append(out.Files, file{Name: p.file})
			f = &out.Files[len(out.Files)-1]
			byFile[p.file] = f
		}
		f.Mutations = append(f.Mutations, p.m)
		// Pointers into out.Files move when it grows: refresh them.
		for k := range out.Files {
			byFile[out.Files[k].Name] = &out.Files[k]
		}
		// The report is rewritten after every mutant, so that a run cut
		// short still scores the mutants it tested.
		if err := write(out, outPath); err != nil {
			return err
		}
	}
	return nil
}

func write(r report, path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// test applies m to the file, runs the package's tests and restores it.
func test(dir, pkg, name string, m mutation, timeout time.Duration) (string, error) {
	path := filepath.Join(dir, pkg, name)
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	mutated, ok := apply(src, m)
	if !ok {
		return "NOT VIABLE", nil
	}
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return "", err
	}
	defer os.WriteFile(path, src, 0o644) //nolint:errcheck // best effort; the copy is thrown away
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-failfast", "-timeout", timeout.String(), "./"+pkg)
	cmd.Dir = dir
	err = cmd.Run()
	if ctx.Err() != nil {
		return "TIMED OUT", nil
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "LIVED", nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return "KILLED", nil
	case errors.As(err, &exit):
		return "NOT VIABLE", nil // build failure: exit status 2
	}
	return "", err
}

// apply replaces the operator at m's line and column as gremlins does.
func apply(src []byte, m mutation) ([]byte, bool) {
	fset := token.NewFileSet()
	f := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, nil, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			return nil, false
		}
		p := fset.Position(pos)
		if p.Line != m.Line || p.Column != m.Column {
			continue
		}
		to, ok := swaps[m.Type][tok]
		if !ok {
			return nil, false
		}
		off := p.Offset
		out := append([]byte{}, src[:off]...)
		out = append(out, to.String()...)
		return append(out, src[off+len(tok.String()):]...), true
	}
}
