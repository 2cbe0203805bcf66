package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/tracing"
)

// runPerson runs `bando person export|erase --phone P | --id N | --case C
// --reason R [--yes] [--json]`: a person's rights from the server's
// machine, as the admin cli:OSUSER. An erasure asks for confirmation on
// standard input unless --yes. --json prints what the HTTP route answers
// (heldAbout, erasedJSON), indented.
func runPerson(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return errors.New("person: usage: bando person export|erase --phone P | --id N | --case C --reason R [--yes] [--json]")
	}
	verb := args[0]
	fs := flag.NewFlagSet("person "+verb, flag.ContinueOnError)
	var req personRequest
	fs.StringVar(&req.Phone, "phone", "", "the person's phone number")
	fs.StringVar(&req.IDNumber, "id", "", "the person's ID number (CMND or CCCD)")
	fs.StringVar(&req.CaseCode, "case", "", "the code of the person's case")
	fs.StringVar(&req.Reason, "reason", "", "why (the person's request and its reference): it is logged")
	yes := fs.Bool("yes", false, "erase without asking for confirmation")
	asJSON := fs.Bool("json", false, "print JSON, as POST /api/persons/export or /erase answers (default: a readable text)")
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, err := existingSigner(cfg); err != nil && cfg.Secret == "" {
		return fmt.Errorf("person: persons are keyed with the server's secret: set BANDO_SECRET, or run where the data directory holds %s (%w)", secretFile, err)
	}
	b, err := openBackend(ctx, cfg, false, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer b.Close()
	tr, err := openTracing(cfg, b)
	if err != nil {
		return err
	}
	r, err := newPersonRights(tr, b)
	if err != nil {
		return err
	}
	actor := cliActor("person " + verb)
	ctx = auth.WithPrincipal(ctx, auth.Principal{User: actor.Name, Role: auth.Admin, Via: "cli"})
	if verb == "export" {
		h, err := r.export(ctx, req, actor.RequestID)
		if err != nil {
			return cliRightsError(err)
		}
		if *asJSON {
			return printJSON(out, h)
		}
		writeHeld(out, h)
		return nil
	}
	if _, err := r.resolve(ctx, req); err != nil { // a bad request fails before the question
		return cliRightsError(err)
	}
	prompt := out
	if *asJSON { // the question stays out of the JSON
		prompt = os.Stderr
	}
	if !*yes && !confirmed(prompt, os.Stdin) {
		return errors.New("person erase: not confirmed; nothing was erased")
	}
	erased, err := r.erase(ctx, req, actor.RequestID)
	if err != nil {
		return cliRightsError(err)
	}
	if *asJSON {
		return printJSON(out, erasedJSON{Erased: erased.Counts, AuditSeq: erased.Entry.Seq})
	}
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range erased.Counts {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%d %s", erased.Counts[k], k))
	}
	fmt.Fprintf(out, "erased: %s; audit entry %d (%s)\n", strings.Join(parts, ", "), erased.Entry.Seq, tracing.ActionErase)
	return nil
}

// printJSON writes v to out as indented JSON.
func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("person: write JSON: %w", err)
	}
	return nil
}

// confirmed asks on out and reads the answer from in: "yes" or "có".
func confirmed(out io.Writer, in io.Reader) bool {
	fmt.Fprint(out, "Xoá toàn bộ dữ liệu về người này? Erase everything held about this person? (yes/no) ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "yes" || answer == "có" || answer == "co"
}

// cliRightsError words a rights error for the command line.
func cliRightsError(err error) error {
	switch {
	case errors.Is(err, tracing.ErrNothingHeld):
		return errors.New("person: nothing is held about this person (never known, or already erased)")
	case errors.Is(err, errRightsInput):
		return fmt.Errorf("person: %s", strings.TrimPrefix(err.Error(), errRightsInput.Error()+": "))
	}
	return fmt.Errorf("person: %w", err)
}
