package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bandomap/bando/audit"
	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/auth/authhttp"
	"github.com/bandomap/bando/features/embedded"
)

// accountsCmd is what the user and token commands work on.
type accountsCmd struct {
	store auth.Store
	actor auth.Actor
	close func()
}

// openAccounts opens the configured store's accounts for a command:
// PostGIS when BANDO_DATABASE_URL is set (migrated first), else the
// embedded store in the data directory, which a running server must not
// hold open. Changes are audited as "cli:OSUSER".
func openAccounts(ctx context.Context, cfg *Config, command string) (*accountsCmd, error) {
	key, err := cfg.secret()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	signer, err := audit.NewSigner(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	b, err := openBackend(ctx, cfg, true, newLogger(io.Discard))
	if errors.Is(err, embedded.ErrLocked) {
		return nil, fmt.Errorf("%s: the data directory %s is in use, probably by a running bando server: stop it first "+
			"(the embedded store has one user at a time), or keep the data in PostGIS (BANDO_DATABASE_URL)", command, cfg.DataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	store, err := accountsOf(b, signer)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return &accountsCmd{store: store, actor: cliActor(command), close: b.Close}, nil
}

// cliActor is the audit actor of a command: "cli:" and the OS user.
func cliActor(command string) auth.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return auth.Actor{Name: "cli:" + name, RequestID: "cli-" + strings.ReplaceAll(command, " ", "-") + "-" + time.Now().UTC().Format("20060102T150405")}
}

// flagOf names the flag of a field of the auth package's errors.
func flagOf(field string) string {
	switch field {
	case "password":
		return "--password-stdin"
	case "scopes":
		return "--scope"
	}
	return "--" + field
}

// flagErrors rewrites the auth package's field errors to name flags.
func flagErrors(command string, err error) error {
	fields := auth.FieldErrors(err)
	if len(fields) == 0 {
		return fmt.Errorf("%s: %w", command, err)
	}
	var lines []string
	for _, fe := range fields {
		lines = append(lines, flagOf(fe.Field)+": "+fe.Reason)
	}
	return fmt.Errorf("%s: %s", command, strings.Join(lines, "; "))
}

func runUser(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: what? bando user add|list|disable|enable|password")
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], out)
	case "list":
		return runUserList(ctx, args[1:], out)
	case "disable":
		return runUserChange(ctx, args[1:], out, "disable")
	case "enable":
		return runUserChange(ctx, args[1:], out, "enable")
	case "password":
		return runUserChange(ctx, args[1:], out, "password")
	}
	return fmt.Errorf("user: unknown command %q: want add, list, disable, enable or password", args[0])
}

func runUserAdd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	name := fs.String("name", "", "the user's sign-in name (3-64 of a-z 0-9 . _ -)")
	role := fs.String("role", "", "admin, editor, tracer, enterprise or viewer")
	district := fs.String("district", "", "for an editor: the code of the one district they may change")
	enterprise := fs.String("enterprise", "", "for the enterprise role: the enterprise's id")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else the user signs in with tokens only)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	nu := auth.NewUser{Name: *name, Role: auth.Role(*role), District: *district, Enterprise: *enterprise}
	if err := (auth.User{Name: nu.Name, Role: nu.Role, District: nu.District, Enterprise: nu.Enterprise}).Check(); err != nil { // before the password is read and the store opened
		return flagErrors("user add", err)
	}
	if *fromStdin {
		if nu.Password, err = readPassword(os.Stdin); err != nil {
			return fmt.Errorf("user add: --password-stdin: %w", err)
		}
		if err := auth.CheckPassword(nu.Password); err != nil {
			return flagErrors("user add", err)
		}
	}
	acc, err := openAccounts(ctx, cfg, "user add")
	if err != nil {
		return err
	}
	defer acc.close()
	u, err := auth.AddUser(ctx, acc.store, nu, acc.actor)
	if errors.Is(err, auth.ErrExists) {
		return fmt.Errorf("user add: --name: %q is taken", nu.Name)
	}
	if err != nil {
		return flagErrors("user add", err)
	}
	fmt.Fprintf(out, "user: added %s (%s)\n", u.Name, describeUser(u))
	return nil
}

// readPassword reads the first line of r, without its line end.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, auth.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("standard input is empty; pipe the password in, e.g. printf '%s\\n' \"$PASSWORD\" | bando user add ...")
	}
	return line, nil
}

func describeUser(u auth.User) string {
	parts := []string{string(u.Role)}
	if u.District != "" {
		parts = append(parts, "district "+u.District)
	}
	if u.Enterprise != "" {
		parts = append(parts, "enterprise "+u.Enterprise)
	}
	if u.PasswordHash == "" {
		parts = append(parts, "no password: tokens only")
	}
	return strings.Join(parts, ", ")
}

func runUserList(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	acc, err := openAccounts(ctx, cfg, "user list")
	if err != nil {
		return err
	}
	defer acc.close()
	users, err := acc.store.Users(ctx)
	if err != nil {
		return fmt.Errorf("user list: %w", err)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tDISTRICT\tENTERPRISE\tSTATE\tCREATED")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, dash(u.District), dash(u.Enterprise), state,
			u.Created.UTC().Format(time.DateOnly))
	}
	return w.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// userChange is one of user disable, enable and password: what the flag
// --name says, what is done, and what is printed after.
type userChange struct {
	usage string
	apply func(u *auth.User, hash string)
	done  string
}

func userChanges() map[string]userChange {
	return map[string]userChange{
		"disable": {"the user to disable (its tokens are revoked and sessions ended)",
			func(u *auth.User, _ string) { u.Disabled = true }, "disabled %s; its tokens are revoked and its sessions ended"},
		"enable": {"the user to enable again (revoked tokens stay revoked)",
			func(u *auth.User, _ string) { u.Disabled = false }, "enabled %s"},
		"password": {"the user whose password is set (from --password-stdin; their sessions end)",
			func(u *auth.User, hash string) { u.PasswordHash = hash }, "set the password of %s; its sessions ended"},
	}
}

func runUserChange(ctx context.Context, args []string, out io.Writer, what string) error {
	command := "user " + what
	change := userChanges()[what]
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	name := fs.String("name", "", change.usage)
	var fromStdin *bool
	if what == "password" {
		fromStdin = fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	}
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("%s: --name: required", command)
	}
	var hash string
	if fromStdin != nil {
		if hash, err = passwordHashFromStdin(command, *fromStdin); err != nil {
			return err
		}
	}
	acc, err := openAccounts(ctx, cfg, command)
	if err != nil {
		return err
	}
	defer acc.close()
	_, err = acc.store.UpdateUser(ctx, *name, func(u *auth.User) error { change.apply(u, hash); return nil }, acc.actor)
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("%s: --name: no user %q", command, *name)
	}
	if err != nil {
		return flagErrors(command, err)
	}
	fmt.Fprintf(out, "user: "+change.done+"\n", *name)
	return nil
}

// passwordHashFromStdin reads, checks and hashes the password of a command.
func passwordHashFromStdin(command string, fromStdin bool) (string, error) {
	if !fromStdin {
		return "", fmt.Errorf("%s: --password-stdin: required; pipe the password in", command)
	}
	password, err := readPassword(os.Stdin)
	if err != nil {
		return "", fmt.Errorf("%s: --password-stdin: %w", command, err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", flagErrors(command, err)
	}
	return hash, nil
}

func runToken(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("token: what? bando token create|list|revoke")
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], out)
	case "list":
		return runTokenList(ctx, args[1:], out)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], out)
	}
	return fmt.Errorf("token: unknown command %q: want create, list or revoke", args[0])
}

// stringList is a flag given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runTokenCreate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	name := fs.String("user", "", "the user the token acts as")
	ttl := fs.String("ttl", "30d", "how long the token lives: 720h, 90m, 30d (at most 366d)")
	var scopes stringList
	fs.Var(&scopes, "scope", "limit the token: read (GET and HEAD only) or write; repeat for several (none: the user's rights)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("token create: --user: required")
	}
	d, err := authhttp.ParseTTL(*ttl)
	if err != nil {
		return flagErrors("token create", err)
	}
	acc, err := openAccounts(ctx, cfg, "token create")
	if err != nil {
		return err
	}
	defer acc.close()
	t, secret, err := auth.CreateToken(ctx, acc.store, auth.TokenRequest{User: *name, TTL: d, Scopes: scopes}, time.Now(), acc.actor)
	if err != nil {
		return flagErrors("token create", err)
	}
	// NOTE: the secret alone goes to standard output, so that a script can
	// capture it; what it is goes to standard error.
	fmt.Fprintf(os.Stderr, "token %s for %s, expires %s; shown once, keep it safe\n", t.ID, t.User, t.Expires.Format(time.RFC3339))
	_, err = fmt.Fprintln(out, secret)
	return err
}

func runTokenList(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token list", flag.ContinueOnError)
	name := fs.String("user", "", "only this user's tokens")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	acc, err := openAccounts(ctx, cfg, "token list")
	if err != nil {
		return err
	}
	defer acc.close()
	tokens, err := acc.store.Tokens(ctx, *name)
	if err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	now := time.Now()
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tSCOPES\tCREATED\tEXPIRES\tSTATE\tLAST USED")
	for _, t := range tokens {
		state := "active"
		switch {
		case !t.Revoked.IsZero():
			state = "revoked"
		case !now.Before(t.Expires):
			state = "expired"
		}
		used := "-"
		if !t.LastUsed.IsZero() {
			used = t.LastUsed.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, dash(strings.Join(t.Scopes, ",")),
			t.Created.UTC().Format(time.RFC3339), t.Expires.UTC().Format(time.RFC3339), state, used)
	}
	return w.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if err := noArgs(fs); err != nil {
		return err
	}
	if id == "" {
		return errors.New("token revoke: name the token's id (bando token list shows them)")
	}
	acc, err := openAccounts(ctx, cfg, "token revoke")
	if err != nil {
		return err
	}
	defer acc.close()
	if _, err := acc.store.RevokeToken(ctx, id, acc.actor); errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("token revoke: no token %q (bando token list shows them)", id)
	} else if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	fmt.Fprintf(out, "token: revoked %s\n", id)
	return nil
}
