package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/bandomap/bando/tracing/exposurehttp"
)

// traceFlags are the F0s and options of `bando trace`.
type traceFlags struct {
	f0           exposurehttp.F0Request
	file, reason string
	depth        int
	csv          bool
}

// runTrace is `bando trace --case BD-1 | --phone … | --id … [--onset …
// --isolation …] [--depth N] [--csv] [--from-file f0.csv] --reason …`: an
// exposure run from a freshly loaded engine over the configured store (the
// embedded one, with the demo province, when no database is set), printed
// as a summary and the contacts, or as the contacts' CSV. The read is
// logged in the audit log as the server logs its runs.
func runTrace(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	var tf traceFlags
	fs.StringVar(&tf.f0.Case, "case", "", "the F0's case code (its phone or ID number from the case's private side)")
	fs.StringVar(&tf.f0.Phone, "phone", "", "the F0's phone number")
	fs.StringVar(&tf.f0.IDNumber, "id", "", "the F0's ID number (CMND or CCCD)")
	fs.StringVar(&tf.f0.Onset, "onset", "", "symptom onset or positive sample: YYYY-MM-DD (Vietnam) or RFC 3339 (default: a case's report day)")
	fs.StringVar(&tf.f0.Isolation, "isolation", "", "isolation: YYYY-MM-DD (the day's end in Vietnam) or RFC 3339 (default: the end of a case's report day)")
	fs.StringVar(&tf.f0.Label, "label", "", "the F0's label in the output (default: the case code or the masked number)")
	fs.StringVar(&tf.file, "from-file", "", "a CSV of F0s with a header of case, phone, id_number, onset, isolation, label (any of them)")
	fs.StringVar(&tf.reason, "reason", "", "why you run it (a case number, an outbreak): it is logged with the contacts' count")
	fs.IntVar(&tf.depth, "depth", 0, "close-contact levels traced, 1 to 4 (default BANDO_TRACE_DEPTH)")
	fs.BoolVar(&tf.csv, "csv", false, "print the contacts as CSV (UTF-8 with BOM), as the server exports them")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	req, err := tf.request()
	if err != nil {
		return err
	}
	return traceRun(ctx, cfg, req, tf.csv, out)
}

// request is the run the flags ask for.
func (tf traceFlags) request() (exposurehttp.RunRequest, error) {
	req := exposurehttp.RunRequest{Reason: tf.reason}
	if tf.depth != 0 {
		req.Depth = &tf.depth
	}
	if tf.file != "" {
		f, err := os.Open(tf.file)
		if err != nil {
			return req, fmt.Errorf("trace: --from-file: %w", err)
		}
		defer f.Close()
		if req.F0, err = readF0s(f); err != nil {
			return req, fmt.Errorf("trace: %s: %w", tf.file, err)
		}
	}
	if tf.f0.Case != "" || tf.f0.Phone != "" || tf.f0.IDNumber != "" {
		req.F0 = append(req.F0, tf.f0)
	}
	if len(req.F0) == 0 {
		return req, errors.New("trace: give an F0: --case, --phone, --id or --from-file")
	}
	if err := tracing.CheckReason(req.Reason); err != nil {
		return req, fmt.Errorf("trace: --reason: %w (it is logged)", err)
	}
	return req, nil
}

// readF0s reads a CSV of F0s with a header row.
func readF0s(r io.Reader) ([]exposurehttp.F0Request, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no header row (case, phone, id_number, onset, isolation, label)")
	}
	var out []exposurehttp.F0Request
	header := rows[0]
	for i, row := range rows[1:] {
		var f exposurehttp.F0Request
		for j, name := range header {
			if j >= len(row) {
				break
			}
			v := strings.TrimSpace(row[j])
			switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))) {
			case "case":
				f.Case = v
			case "phone":
				f.Phone = v
			case "id_number":
				f.IDNumber = v
			case "onset":
				f.Onset = v
			case "isolation":
				f.Isolation = v
			case "label":
				f.Label = v
			default:
				return nil, fmt.Errorf("line 1: unknown column %q; known: case, phone, id_number, onset, isolation, label", name)
			}
		}
		if f == (exposurehttp.F0Request{}) {
			return nil, fmt.Errorf("line %d: empty", i+2)
		}
		out = append(out, f)
	}
	return out, nil
}

// traceRun loads the engine from the store of cfg, runs req and prints it.
func traceRun(ctx context.Context, cfg *Config, req exposurehttp.RunRequest, asCSV bool, out io.Writer) error {
	if cfg.Secret == "" {
		if _, err := existingSigner(cfg); err != nil {
			return fmt.Errorf("trace: persons are keyed with the server's secret: set BANDO_SECRET, or run where the data directory holds %s (%w)", secretFile, err)
		}
	}
	log := newLogger(io.Discard)
	b, err := openBackend(ctx, cfg, true, log)
	if err != nil {
		return err
	}
	defer b.Close()
	if cfg.DatabaseURL == "" && cfg.SeedDemo {
		if err := seedIfEmpty(ctx, b, log); err != nil {
			return err
		}
	}
	tr, err := openTracing(cfg, b)
	if err != nil {
		return err
	}
	ctx = auth.WithPrincipal(ctx, auth.Principal{User: cliActor("trace").Name, Role: auth.Tracer, Via: "cli"})
	rep, err := traceReport(ctx, cfg, b, tr, req)
	if err != nil {
		return err
	}
	if asCSV {
		return exposurehttp.WriteCSV(out, rep)
	}
	printReport(out, rep)
	return nil
}

// traceReport resolves, runs on a freshly loaded engine, logs and builds
// the report.
func traceReport(ctx context.Context, cfg *Config, b backend, tr tracingParts, req exposurehttp.RunRequest) (exposurehttp.RunJSON, error) {
	rules := cfg.Trace.Rules.WithDefaults()
	rv := exposurehttp.Resolver{Keys: tr.keys, Rules: rules}
	if editor, ok := b.(features.Editor); ok {
		rv.Cases = exposurehttp.FeatureCases{Editor: editor, Catalog: features.NewCatalog()}
	}
	rules, f0s, err := rv.Resolve(ctx, req)
	var re *exposurehttp.ResolveError
	if errors.As(err, &re) {
		return exposurehttp.RunJSON{}, fmt.Errorf("trace: %s: %s", re.Fields[0].Pointer, re.Fields[0].Detail)
	} else if err != nil {
		return exposurehttp.RunJSON{}, err
	}
	src, ok := tr.store.(exposure.Source)
	if !ok {
		return exposurehttp.RunJSON{}, fmt.Errorf("trace: the store %T cannot load the engine", tr.store)
	}
	eng := exposure.New(exposure.Options{Rules: rules, MaxReasons: cfg.Trace.MaxReasons})
	if err := src.LoadInto(ctx, eng); err != nil {
		return exposurehttp.RunJSON{}, fmt.Errorf("trace: load the engine: %w", err)
	}
	res, err := eng.Run(ctx, rules, exposurehttp.EngineF0s(f0s)...)
	if err != nil {
		return exposurehttp.RunJSON{}, fmt.Errorf("trace: %w", err)
	}
	exposurehttp.MarkKnown(eng, f0s)
	if err := logTrace(ctx, cfg, tr, req.Reason, rules, f0s, len(res.Contacts)); err != nil {
		return exposurehttp.RunJSON{}, err
	}
	rosters, _ := rostersOf(tr)
	return exposurehttp.Report(ctx, exposurehttp.Sources{Directory: exposurehttp.StoreDirectory{Store: tr.store, Rosters: rosters},
		Venues: tr.store}, rules, f0s, res)
}

// logTrace appends the run to the audit log, as the server logs its runs.
func logTrace(ctx context.Context, cfg *Config, tr tracingParts, reason string, rules exposure.Rules, f0s []exposurehttp.Input, count int) error {
	signer, err := existingSigner(cfg)
	if err != nil {
		return fmt.Errorf("trace: the run cannot be logged without the audit key: %w", err)
	}
	logs, ok := tr.store.(accessLogger)
	if !ok {
		return fmt.Errorf("trace: the store %T keeps no access log", tr.store)
	}
	var from, to time.Time
	for i, f := range f0s {
		a, b := rules.Window(f.F0)
		if i == 0 || a.Before(from) {
			from = a
		}
		if i == 0 || b.After(to) {
			to = b
		}
	}
	_, err = logs.AccessLog(signer).LogRead(ctx, tracing.Read{Collection: "tracing.exposure_runs", Subject: "cli",
		Reason: reason, From: from, To: to, Count: count})
	return err
}

// printReport writes the summary, the clusters and one line per contact.
func printReport(out io.Writer, rep exposurehttp.RunJSON) {
	for _, f := range rep.F0 {
		fmt.Fprintf(out, "F0 %s: window %s – %s\n", f.Label, localTime(f.Window.From), localTime(f.Window.To))
	}
	s := rep.Summary
	fmt.Fprintf(out, "%d F1, %d F2 and deeper, %d epidemiological factor, %d %s\n", s.F1, s.F2, s.Epi, s.Clusters, plural(s.Clusters, "cluster", "clusters"))
	for _, c := range rep.Clusters {
		fmt.Fprintf(out, "cluster %d: F0 %s; %d F1, %d F2, %d epi; venues %s; enterprises %s\n", c.ID, strings.Join(c.F0, " "),
			c.F1, c.F2, c.Epi, strings.Join(c.Venues, " "), strings.Join(c.Enterprises, " "))
	}
	if len(rep.Contacts) == 0 {
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nTIER\tKEY\tNAME\tPHONE\tVIA\tFIRST\tLAST\tQUARANTINE END\tREASONS")
	for _, c := range rep.Contacts {
		q := ""
		if c.QuarantineEnd != nil {
			q = localTime(*c.QuarantineEnd)
		}
		kinds := make([]string, len(c.Reasons))
		for i, r := range c.Reasons {
			kinds[i] = r.Kind + ":" + r.Tier
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Tier, c.Key[:8], c.Name, c.Phone, strings.Join(c.Via, " "),
			localTime(c.FirstExposure), localTime(c.LastExposure), q, strings.Join(kinds, " "))
	}
	tw.Flush()
}

// localTime writes t in Vietnam, to the minute.
func localTime(t time.Time) string {
	return t.In(features.VietnamTime()).Format("2006-01-02 15:04")
}

// plural is one or many, by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
