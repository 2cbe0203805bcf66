package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/internal/progress"
	"github.com/bandomap/bando/tracing"
)

// runImportWorkers is `bando import workers --enterprise ID [--as-of D]
// [--partial] FILE`: an enterprise's roster CSV, applied as of a day (today
// in Vietnam by default) in one transaction with its entry in the audit
// log. A bad line is reported with its line and column and nothing is
// written.
func runImportWorkers(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import workers", flag.ContinueOnError)
	enterprise := fs.String("enterprise", "", "the enterprise's id (as `bando user add --role enterprise --enterprise ID` names it)")
	asOf := fs.String("as-of", "", "the day the roster describes, YYYY-MM-DD (default today in Vietnam)")
	partial := fs.Bool("partial", false, "the file holds changes only: workers absent from it stay on the roster")
	cfg, file, err := oneFile(fs, args)
	if err != nil {
		return err
	}
	imp := tracing.RosterImport{Enterprise: *enterprise, Partial: *partial, AsOf: tracing.RosterDay(time.Now())}
	if err := tracing.ValidateEnterprise(imp.Enterprise); err != nil {
		return fmt.Errorf("import workers: --enterprise: %w", err)
	}
	if *asOf != "" {
		if imp.AsOf, err = time.Parse(time.DateOnly, *asOf); err != nil {
			return fmt.Errorf("import workers: --as-of %q: write the day as YYYY-MM-DD", *asOf)
		}
	}
	if err := hasSecret(cfg); err != nil {
		return err
	}
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	bar := progress.New(progress.Options{Out: out, Label: "import workers", Unit: "rows"})
	res, warnings, err := importWorkers(ctx, cfg, b, file, &imp)
	if err != nil {
		return err
	}
	bar.Set(int64(len(imp.Rows)))
	bar.Done(fmt.Sprintf("%d added, %d changed", res.Added, res.Changed))
	for _, w := range warnings {
		fmt.Fprintf(out, "import workers %s: warning: %s\n", file, w)
	}
	fmt.Fprintf(out, "import: workers of %s as of %s from %s: %d added, %d changed, %d unchanged, %d left\n",
		imp.Enterprise, imp.AsOf.Format(time.DateOnly), file, res.Added, res.Changed, res.Unchanged, res.Left)
	return nil
}

// hasSecret refuses to hash a roster's persons without the server's
// secret: a new one would make keys no check-in matches.
func hasSecret(cfg *Config) error {
	if cfg.Secret != "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, secretFile)); err != nil {
		return fmt.Errorf("import workers: persons are hashed with the server's secret: set BANDO_SECRET, or run where the data directory holds %s (%w)", secretFile, err)
	}
	return nil
}

// importWorkers parses file and applies it, with its audit entry, to the
// roster store of b.
func importWorkers(ctx context.Context, cfg *Config, b backend, file string, imp *tracing.RosterImport) (tracing.RosterResult, []tracing.RosterLineError, error) {
	tp, err := openTracing(cfg, b)
	if err != nil {
		return tracing.RosterResult{}, nil, err
	}
	rosters, err := rostersOf(tp)
	if err != nil {
		return tracing.RosterResult{}, nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return tracing.RosterResult{}, nil, fmt.Errorf("import workers: %w", err)
	}
	defer f.Close()
	parsed, err := tracing.ParseRosterFile(f, tp.keys, tracing.RosterOptions{Enterprise: imp.Enterprise, Bounds: caseimport.ProvinceBounds()})
	if err != nil {
		return tracing.RosterResult{}, nil, fmt.Errorf("import workers %s: nothing imported:\n%w", file, err)
	}
	imp.Rows = parsed.Rows
	actor := cliActor("import workers")
	ctx = auth.WithPrincipal(ctx, auth.Principal{User: actor.Name, Role: auth.Admin, Via: "cli"})
	ctx = tracing.WithRequestID(ctx, actor.RequestID)
	imp.Source = filepath.Base(file)
	// The store appends the import's audit entry in the import's own
	// transaction (openTracing gives it the signer).
	res, err := rosters.ImportRoster(ctx, *imp)
	var row *tracing.RowError
	if errors.As(err, &row) && row.Row >= 0 && row.Row < len(imp.Rows) {
		return res, nil, fmt.Errorf("import workers %s: line %d: nothing imported: %w", file, imp.Rows[row.Row].Line, row.Err)
	}
	if err != nil {
		return res, nil, fmt.Errorf("import workers %s: nothing imported: %w", file, err)
	}
	return res, parsed.Warnings, nil
}
