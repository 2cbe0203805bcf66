// Command bando serves Bình Dương's COVID-19 epidemic map: vector tiles,
// OGC API Features, statistics and the web map, on PostGIS or on an
// embedded store.
//
//	bando [serve]              run the server (the default)
//	bando migrate              apply pending PostGIS migrations
//	bando seed --scale demo    fill the store with a synthetic province
//	bando seed tracing --scale province|small|N%  a synthetic tracing world in PostGIS
//	bando import boundaries F  load district boundaries from GeoJSON
//	bando import cases F       load cases from a bulletin CSV
//	bando user add|list|…      manage officials' accounts
//	bando token create|…       manage API tokens
//	bando trace --case BD-1    an exposure run: F1, F2 and their reasons
//	bando tiles export --pmtiles F --layers … --zoom 8-14  a PMTiles archive for a CDN
//	bando tiles seed --layers … --zoom 8-14   warm the shared tile cache
//	bando purge [--dry-run]    purge tracing data past the retention
//	bando bench tiles          measure cold tile latency
//	bando bench http           drive servers on this machine with HTTP load
//	bando bench hot            hot tiles and the bulletin against a static handler
//	bando bench faults         load a server while PostGIS and Redis fail
//	bando bench checkins       check-in ingest over HTTP, PostGIS and embedded
//	bando bench trace          the exposure engine on province-scale worlds
//	bando version              print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "bando:", err)
		os.Exit(1)
	}
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (default)", runServe},
		{"migrate", "apply pending PostGIS migrations", runMigrate},
		{"seed", "fill the store with a synthetic province (--scale demo|province); seed tracing --scale province|small|N%: a tracing world", runSeed},
		{"import", "import boundaries FILE.geojson | cases FILE.csv", runImport},
		{"user", "manage accounts (user add|list|disable|enable|password)", runUser},
		{"token", "manage API tokens (token create|list|revoke)", runToken},
		{"bench", "measure performance (bench tiles|http|hot|faults|checkins|trace)", runBench},
		{"trace", "an exposure run: trace --case BD-1 | --phone … | --id … | --from-file F --reason … [--csv]", runTrace},
		{"person", "a person's rights: person export|erase --phone P | --id N | --case C --reason R [--yes] [--json]", runPerson},
		{"tiles", "tiles export --pmtiles FILE --layers L1,L2 --zoom MIN-MAX [--bbox …] [--date D] | tiles seed --layers … --zoom … [--url U]", runTiles},
		{"purge", "purge tracing data older than BANDO_RETENTION_DAYS (--dry-run: count only)", runPurge},
		{"compact", "reclaim the free space of the embedded store's file (stop the server first; --keep-old)", runCompact},
		{"audit", "audit verify [--anchor FILE]: check the audit log's chain and signed head", runAudit},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return runServe(ctx, args, out)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out)
		}
	}
	if args[0] == "help" || args[0] == "--help" {
		usage(out)
		return nil
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: bando <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nrun 'bando <command> -h' for the flags of one command")
}

func runVersion(_ context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(out, "bando", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if v := info.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// noArgs refuses stray positional arguments.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
