// Command kefu is the customer service management system: the server and
// its administration commands in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo

	"kefu/internal/app"
	"kefu/internal/config"
)

const usage = `kefu — 客服 customer service management

Usage:
  kefu serve [--addr 127.0.0.1:8080] [--data ./data] [--db postgres://…] [--demo]
  kefu migrate [--data DIR | --db URL]
  kefu user create --username NAME --password PW --role ROLE[,ROLE] [--org ID] [--display-name NAME]
  kefu user reset-password --username NAME --password PW
  kefu audit verify [--data DIR | --db URL]
  kefu policy check FILE...
  kefu import customers FILE [--dry-run] [--all-or-nothing] [--org UNIT] [--mapping JSON] [--json]
  kefu export customers --format xlsx|csv [-o FILE] [--q TEXT] [--type KEY] [--grade A-D] [--unit ID]
  kefu policy list
  kefu backup --to FILE [--data DIR]
  kefu restore --from FILE [--data DIR]
  kefu bench seed [--data DIR | --db URL] --customers N --tickets M [--seed S]
  kefu bench load [--url URL] [--user NAME] [--password PW] [--clients N] [--duration T] [--scenario LIST] [--json FILE|-] [--server-pid PID]
  kefu version

Every command that opens the database takes --data or --db (or KEFU_DATA, KEFU_DB).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			fmt.Fprintln(os.Stderr, "kefu: "+ex.msg)
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "kefu: "+err.Error())
		os.Exit(1)
	}
}

// exitError ends the program with a given status.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{2, "no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "user":
		return userCmd(ctx, rest, stdout, stderr)
	case "audit":
		return auditCmd(ctx, rest, stdout, stderr)
	case "policy":
		return policyCmd(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "kefu", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return exitError{2, "unknown command " + cmd}
}

// flags parses a subcommand's flags; errors are usage errors (exit 2).
func flags(name string, args []string, stderr io.Writer, define func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet("kefu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	define(fs)
	if err := fs.Parse(args); err != nil {
		return exitError{2, err.Error()}
	}
	if fs.NArg() > 0 {
		return exitError{2, fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// openApp opens the database named by cfg with a quiet logger, for the
// administration commands.
func openApp(ctx context.Context, cfg config.Config, stderr io.Writer) (*app.App, error) {
	return app.Open(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}
