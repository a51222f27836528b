package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/directory"
)

const usage = `Linedesk — a help desk for technical support teams.

Usage:
  linedesk [serve]             run the help desk (web, API, workers)
  linedesk migrate             bring the database schema up to date and exit
  linedesk admin create --email E --name N --password P
                               create an administrator
  linedesk token create --email E [--name N]
                               print a new API token for that agent
  linedesk backup --to FILE    write a consistent copy of the SQLite database
  linedesk reindex             rebuild the search index (safe while serving)
  linedesk version             print the version

Configuration comes from LINEDESK_* environment variables; see the README.
`

// errUsage reports a command line that does not parse.
var errUsage = errors.New("usage")

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "linedesk", versionString())
		return 0
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := config.Load(lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "linedesk: configuration:", err)
		return 2
	}
	cfg.Version = versionString()
	log := newLogger(cfg, stderr)
	switch cmd {
	case "serve":
		err = serve(ctx, cfg, log, stdout)
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "admin":
		err = adminCmd(ctx, cfg, log, args, stdout)
	case "token":
		err = tokenCmd(ctx, cfg, log, args, stdout)
	case "backup":
		err = backupCmd(ctx, cfg, log, args, stdout)
	case "reindex":
		err = reindexCmd(ctx, cfg, log, stderr)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(stderr, "linedesk: %v\n\n%s", err, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "linedesk:", err)
		return 1
	}
	return 0
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Listen(); err != nil {
		return err
	}
	if err := a.Bootstrap(ctx, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Linedesk %s is running: sign in at %s/login — API %s/api/v1, health %s/healthz\n",
		versionString(), cfg.BaseURL, cfg.BaseURL, cfg.BaseURL)
	return a.Run(ctx)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	log.Info("database schema is up to date", "database", string(a.DB.Dialect))
	return a.Close()
}

func adminCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: expected 'admin create'", errUsage)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "real name")
	password := fs.String("password", "", "password (at least 8 characters)")
	if err := fs.Parse(args[1:]); err != nil || *email == "" || *name == "" || *password == "" {
		return fmt.Errorf("%w: admin create needs --email, --name and --password", errUsage)
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ag, err := a.Directory.CreateAgent(ctx, directory.AgentInput{Name: *name, Email: *email, Password: *password, Role: auth.RoleAdmin})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created administrator %s <%s> (id %d)\n", ag.Name, ag.Email, ag.ID)
	return nil
}

func tokenCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: expected 'token create'", errUsage)
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the agent's e-mail address")
	name := fs.String("name", "command line", "a name to recognise the token by")
	if err := fs.Parse(args[1:]); err != nil || *email == "" {
		return fmt.Errorf("%w: token create needs --email", errUsage)
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ag, err := a.Directory.FindAgentByEmail(ctx, *email)
	if err != nil {
		return err
	}
	secret, _, err := a.Auth.CreateToken(ctx, ag.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func backupCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "the file to write")
	if err := fs.Parse(args); err != nil || *to == "" {
		return fmt.Errorf("%w: backup needs --to FILE", errUsage)
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.DB.Backup(ctx, *to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database copied to %s; copy %s too\n", *to, filepath.Join(cfg.DataDir, "attachments"))
	return nil
}
