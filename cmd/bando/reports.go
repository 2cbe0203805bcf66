package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/bulletin"
	"github.com/bandomap/bando/features/demo"
	"github.com/bandomap/bando/features/edithttp"
	"github.com/bandomap/bando/features/reportimport"
	"github.com/labstack/echo/v4"
)

// routeReportImport is the editors' import of the daily report, which takes
// a file's body.
const routeReportImport = "/api/editor/reports/import"

// registerReports adds the daily report's public routes and, when the
// store keeps reports, its editors' routes.
func registerReports(d serverDeps, cat *features.Catalog, api *echo.Group) {
	reports, _ := d.store.(features.Reports)
	bulletin.NewReportHandler(bulletin.ReportConfig{Reader: d.store, Reports: reports, Catalog: cat, Version: d.store.Version}).Register(api)
	if reports != nil {
		edithttp.NewReports(edithttp.ReportsConfig{Reports: reports, Reader: d.store, Require: authhttp.Require,
			MaxImportBytes: int64(d.cfg.MaxImportMB) << 20}).Register(api)
	}
}

// runImportReport records a CSV file of the daily report: all or nothing,
// one audit entry, the same file twice changes nothing.
func runImportReport(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import report", flag.ContinueOnError)
	cfg, file, err := oneFile(fs, args)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("import report: %w", err)
	}
	defer f.Close()
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	reports, ok := b.(features.Reports)
	if !ok {
		return errors.New("import report: the store keeps no daily report")
	}
	opts, err := edithttp.ReportCodes(ctx, b)
	if err != nil {
		return fmt.Errorf("import report: %w", err)
	}
	rows, err := reportimport.Parse(f, opts)
	if err != nil {
		return fmt.Errorf("import report %s: nothing imported:\n%w", file, err)
	}
	actor := cliActor("import report")
	res, err := reports.ImportDailyReports(ctx, rows, audit.Entry{Actor: actor.Name, Role: "admin", RequestID: actor.RequestID, Note: filepath.Base(file)})
	if err != nil {
		return fmt.Errorf("import report %s: nothing imported: %w", file, err)
	}
	fmt.Fprintf(out, "import report: %d new rows, %d updated, %d unchanged, from %s\n", res.New, res.Updated, res.Unchanged, file)
	return nil
}

// seedReport adds the demo's late-2021 daily report (demo.Report) to a
// store that keeps one; it says how many rows it wrote, 0 when none.
func seedReport(ctx context.Context, b backend, opts demo.Options) (int, error) {
	reports, ok := b.(features.Reports)
	if !ok {
		return 0, nil
	}
	rows, err := demo.Report(opts)
	if err != nil {
		return 0, fmt.Errorf("seed report: %w", err)
	}
	actor := cliActor("seed report")
	res, err := reports.ImportDailyReports(ctx, rows, audit.Entry{Actor: actor.Name, Role: "admin", RequestID: actor.RequestID, Note: "demo late-2021 daily report"})
	if err != nil {
		return 0, fmt.Errorf("seed report: %w", err)
	}
	return res.New + res.Updated, nil
}
