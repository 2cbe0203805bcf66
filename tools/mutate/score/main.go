// Command score reads a gremlins JSON report and prints the mutation score of
// one package, leaving out the mutants recorded as equivalent.
//
// The score is killed / (killed + lived + not covered): a mutant that no test
// reaches counts as a survivor, unlike gremlins' own "test efficacy". Timed
// out mutants count as killed, mutants that do not compile are left out.
//
//	go run ./tools/mutate/score -pkg tiles -equivalents docs/mutation-equivalents.txt .mutate/tiles.json
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// report is the part of a gremlins -o report that the score needs.
type report struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

func main() {
	pkg := flag.String("pkg", "", "package directory relative to the module root, e.g. features/caseimport")
	equivalents := flag.String("equivalents", "docs/mutation-equivalents.txt", "file of equivalent mutants")
	flag.Parse()
	if flag.NArg() != 1 || *pkg == "" {
		fmt.Fprintln(os.Stderr, "usage: score -pkg DIR [-equivalents FILE] REPORT.json")
		os.Exit(2)
	}
	if err := run(os.Stdout, *pkg, *equivalents, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

// run prints the score of pkg from the report at reportPath.
func run(w io.Writer, pkg, equivalentsPath, reportPath string) error {
	known, err := readEquivalents(equivalentsPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return fmt.Errorf("reading report: %w", err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("reading report %s: %w", reportPath, err)
	}
	var killed, lived, uncovered, equivalent int
	var survivors []string
	for _, f := range rep.Files {
		file := path.Join(pkg, path.Base(f.Name))
		for _, m := range f.Mutations {
			key := fmt.Sprintf("%s:%d:%d %s", file, m.Line, m.Column, m.Type)
			if known[key] {
				equivalent++
				continue
			}
			switch m.Status {
			case "KILLED", "TIMED OUT":
				killed++
			case "LIVED":
				lived++
				survivors = append(survivors, "LIVED       "+key)
			case "NOT COVERED":
				uncovered++
				survivors = append(survivors, "NOT COVERED "+key)
			}
		}
	}
	sort.Strings(survivors)
	for _, s := range survivors {
		fmt.Fprintln(w, "  ", s)
	}
	total := killed + lived + uncovered
	if total == 0 {
		return errors.New("no mutants in the report")
	}
	fmt.Fprintf(w, "%s: score %.1f%% (killed %d, lived %d, not covered %d, equivalent %d left out)\n",
		pkg, 100*float64(killed)/float64(total), killed, lived, uncovered, equivalent)
	return nil
}

// readEquivalents reads lines "dir/file.go:line:col OPERATOR  why" ('#' starts a comment).
func readEquivalents(name string) (map[string]bool, error) {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading equivalents: %w", err)
	}
	defer f.Close()
	known := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s:%d: want \"file:line:col OPERATOR why\"", name, n)
		}
		known[fields[0]+" "+fields[1]] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading equivalents: %w", err)
	}
	return known, nil
}
