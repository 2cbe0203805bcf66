package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/internal/progress"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func runImport(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("import: what? bando import boundaries FILE.geojson | bando import cases FILE.csv | bando import workers --enterprise ID FILE.csv | bando import checkins FILE.csv | bando import report FILE.csv")
	}
	switch args[0] {
	case "boundaries":
		return runImportBoundaries(ctx, args[1:], out)
	case "cases":
		return runImportCases(ctx, args[1:], out)
	case "workers":
		return runImportWorkers(ctx, args[1:], out)
	case "checkins":
		return runImportCheckins(ctx, args[1:], out)
	case "report":
		return runImportReport(ctx, args[1:], out)
	}
	return fmt.Errorf("import: unknown kind %q: want boundaries, cases, workers, checkins or report", args[0])
}

// oneFile parses a subcommand's flags and its single FILE argument.
func oneFile(fs *flag.FlagSet, args []string) (*Config, string, error) {
	// Allow the file before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return nil, "", err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if err := noArgs(fs); err != nil {
		return nil, "", err
	}
	if file == "" {
		return nil, "", fmt.Errorf("%s: name the file to import", fs.Name())
	}
	return cfg, file, nil
}

func runImportBoundaries(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import boundaries", flag.ContinueOnError)
	level := fs.String("level", "districts", "which boundaries the file holds: districts or wards")
	cfg, file, err := oneFile(fs, args)
	if err != nil {
		return err
	}
	if *level != "districts" && *level != "wards" {
		return fmt.Errorf("import boundaries: --level %q: want districts or wards", *level)
	}
	recs, err := readBoundaryFile(file)
	if err != nil {
		return err
	}
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	bar := progress.New(progress.Options{Out: out, Label: "import boundaries", Unit: *level, Total: int64(len(recs))})
	n, err := b.Write(ctx, features.Batch{Collection: *level, Mode: features.Upsert, Records: counted(slices.Values(recs), bar)})
	if err != nil {
		return fmt.Errorf("import boundaries %s: nothing imported: %w", file, err)
	}
	bar.Done("from " + file)
	fmt.Fprintf(out, "import: %d %s from %s\n", n[0], *level, file)
	return nil
}

// readBoundaryFile reads a GeoJSON FeatureCollection of administrative
// units, each with a code and a name, and validates every feature. Any bad
// feature refuses the whole file, naming the feature's number and why.
func readBoundaryFile(path string) ([]features.Record, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("import boundaries: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		return nil, fmt.Errorf("import boundaries %s: not a GeoJSON FeatureCollection: %w", path, err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("import boundaries %s: no features", path)
	}
	districts := mustGet("districts")
	seen := map[string]int{}
	var recs []features.Record
	for i, f := range fc.Features {
		rec, err := boundaryRecord(f)
		if err == nil {
			_, err = features.Validate(districts, rec)
		}
		if err == nil && seen[rec.ID] > 0 {
			err = fmt.Errorf("code %s repeats feature %d", rec.ID, seen[rec.ID])
		}
		if err != nil {
			return nil, fmt.Errorf("import boundaries %s: feature %d: %w; nothing imported", path, i+1, err)
		}
		seen[rec.ID] = i + 1
		recs = append(recs, rec)
	}
	return recs, nil
}

func boundaryRecord(f *geojson.Feature) (features.Record, error) {
	code := fmt.Sprint(f.Properties["code"])
	if f.Properties["code"] == nil || code == "" {
		if f.ID == nil {
			return features.Record{}, errors.New("no code property (the GSO code)")
		}
		code = fmt.Sprint(f.ID)
	}
	name, _ := f.Properties["name"].(string)
	if strings.TrimSpace(name) == "" {
		return features.Record{}, errors.New("no name property")
	}
	props := map[string]any{"code": code, "name": name, "level": unitLevel(name)}
	return features.Record{ID: code, Geometry: f.Geometry, Properties: props}, nil
}

// unitLevel reads an administrative unit's level from the word that starts
// its folded Vietnamese name; "" if none does.
func unitLevel(name string) string {
	levels := []struct{ prefix, level string }{
		{"thanh pho", "city"},
		{"thi xa", "town"},
		{"huyen", "district"},
		{"phuong", "ward"},
		{"thi tran", "township"},
		{"xa", "commune"},
	}
	folded := features.Fold(name)
	for _, u := range levels {
		if strings.HasPrefix(folded, u.prefix) {
			return u.level
		}
	}
	return ""
}

func asMultiPolygon(g orb.Geometry) orb.MultiPolygon {
	mp, _ := g.(orb.MultiPolygon)
	return mp
}

func runImportCases(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import cases", flag.ContinueOnError)
	cfg, file, err := oneFile(fs, args)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("import cases: %w", err)
	}
	defer f.Close()
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	districts, err := districtCodes(ctx, b)
	if err != nil {
		return err
	}
	recs, err := caseimport.Parse(f, caseimport.Options{Districts: districts})
	if err != nil {
		return fmt.Errorf("import cases %s: nothing imported:\n%w", file, err)
	}
	stored, err := storedCases(ctx, b)
	if err != nil {
		return err
	}
	fresh, changed := 0, 0
	cases := mustGet("cases")
	for _, r := range recs {
		f, ok := stored[r.ID]
		switch {
		case !ok:
			fresh++
		case !samePublic(cases, r, f):
			changed++
		}
	}
	// Every row is written (upsert), so that a later file's status, dates
	// or corrected personal fields replace the stored ones; a file already
	// imported changes nothing.
	bar := progress.New(progress.Options{Out: out, Label: "import cases", Unit: "cases", Total: int64(len(recs))})
	if _, err := b.Write(ctx, features.Batch{Collection: "cases", Mode: features.Upsert, Records: counted(slices.Values(recs), bar)}); err != nil {
		return fmt.Errorf("import cases %s: nothing imported: %w", file, err)
	}
	bar.Done(fmt.Sprintf("%d new, %d updated", fresh, changed))
	fmt.Fprintf(out, "import: %d new cases, %d updated, %d unchanged, from %s\n", fresh, changed, len(recs)-fresh-changed, file)
	return nil
}

// storedCases reads the public side of every stored case, by code.
func storedCases(ctx context.Context, r features.Reader) (map[string]features.Feature, error) {
	page, err := r.Items(ctx, features.ItemsQuery{Collection: mustGet("cases"), Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("import cases: read stored cases: %w", err)
	}
	out := make(map[string]features.Feature, len(page.Features))
	for _, f := range page.Features {
		out[f.ID] = f
	}
	return out, nil
}

// samePublic reports whether a record's public properties equal a stored
// feature's.
func samePublic(col features.Collection, r features.Record, f features.Feature) bool {
	for _, name := range col.PropertyNames() {
		if publicText(r.Properties[name]) != publicText(f.Properties[name]) {
			return false
		}
	}
	return true
}

func publicText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(features.DateLayout)
	}
	return fmt.Sprint(v)
}

// districtCodes lists the districts the store knows, so that imported cases
// can be checked against them; none known means no check.
func districtCodes(ctx context.Context, r features.Reader) (map[string]bool, error) {
	page, err := r.Items(ctx, features.ItemsQuery{Collection: mustGet("districts"), Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("import cases: read districts: %w", err)
	}
	codes := make(map[string]bool, len(page.Features))
	for _, f := range page.Features {
		codes[f.ID] = true
	}
	return codes, nil
}
