package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/config"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	if err := flags("migrate", args, stderr, func(fs *flag.FlagSet) { cfg.Database(fs) }); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kefu: applied %d migrations; schema version %d\n", n, cur)
	return nil
}

func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return exitError{2, "usage: kefu user create|reset-password …"}
	}
	cfg := config.Defaults()
	var username, password, roles, displayName string
	var orgID int64
	common := func(fs *flag.FlagSet) {
		cfg.Database(fs)
		fs.StringVar(&username, "username", "", "user name")
		fs.StringVar(&password, "password", "", "password (at least 8 characters)")
	}
	switch args[0] {
	case "create":
		if err := flags("user create", args[1:], stderr, func(fs *flag.FlagSet) {
			common(fs)
			fs.StringVar(&roles, "role", "", "role keys, comma-separated: "+roleKeys())
			fs.StringVar(&displayName, "display-name", "", "name shown in the UI")
			fs.Int64Var(&orgID, "org", 0, "org unit id (default: the root unit)")
		}); err != nil {
			return err
		}
	case "reset-password":
		if err := flags("user reset-password", args[1:], stderr, common); err != nil {
			return err
		}
	default:
		return exitError{2, "unknown user command " + args[0]}
	}
	if username == "" || password == "" {
		return exitError{2, "--username and --password are required"}
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = audit.WithActor(ctx, audit.Actor{Name: "cli"})
	if err := a.Bootstrap(ctx, stderr); err != nil {
		return err
	}
	if args[0] == "reset-password" {
		u, err := a.Auth.ByUsername(ctx, username)
		if err != nil {
			return describe(err)
		}
		if err := a.Auth.ResetPassword(ctx, nil, u.ID, password, false); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "kefu: password of %s reset; their sessions ended\n", u.Username)
		return nil
	}
	in := auth.CreateUserInput{Username: username, Password: password, DisplayName: displayName, OrgUnit: store.ID(orgID)}
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			in.Roles = append(in.Roles, auth.Role(r))
		}
	}
	if in.OrgUnit == 0 {
		root, err := a.Org.Root(ctx)
		if err != nil {
			return err
		}
		in.OrgUnit = root.ID
	}
	u, err := a.Auth.Create(ctx, nil, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "kefu: created user %s (id %s) with roles %v\n", u.Username, u.ID, u.Roles)
	return nil
}

func roleKeys() string {
	keys := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		keys[i] = string(r.Key)
	}
	return strings.Join(keys, ", ")
}

// describe turns a service error into a one-line reason.
func describe(err error) error {
	if e, ok := apperr.As(err); ok {
		if e.Field != "" {
			return fmt.Errorf("%s: %s", e.Field, e.Message.In(i18n.EN))
		}
		return fmt.Errorf("%s", e.Message.In(i18n.EN))
	}
	return err
}

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return exitError{2, "usage: kefu audit verify [--data DIR | --db URL]"}
	}
	cfg := config.Defaults()
	if err := flags("audit verify", args[1:], stderr, func(fs *flag.FlagSet) { cfg.Database(fs) }); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if !rep.Guarded {
		fmt.Fprintln(stderr, "kefu: warning: the append-only triggers on audit_log are missing or disabled")
	}
	if rep.Break != nil {
		return exitError{1, fmt.Sprintf("audit chain broken after %d good rows: %s", rep.Verified, rep.Break.Error())}
	}
	fmt.Fprintf(stdout, "kefu: audit log verified: %d rows, chain intact; head row %d hash %s\n",
		rep.Verified, rep.HeadSeq, rep.HeadHash)
	return nil
}
