package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"kefu/internal/app"
	"kefu/internal/archive"
	"kefu/internal/config"
	"kefu/internal/demo"
	"kefu/internal/sales"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	started := time.Now()
	cfg := config.Defaults()
	if err := flags("serve", args, stderr, func(fs *flag.FlagSet) { cfg.Server(fs) }); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return exitError{2, err.Error()}
	}
	log := newLogger(stderr, cfg.LogFormat)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Bootstrap(ctx, stderr); err != nil {
		return err
	}
	if cfg.Demo {
		if err := demo.Load(ctx, a.Org, a.Auth, stderr); err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		if err := demo.LoadTickets(ctx, a.Org, a.Auth, a.Tickets, a.Now(), stderr); err != nil {
			return fmt.Errorf("load demo work orders: %w", err)
		}
		if err := demo.LoadProcesses(ctx, a.Auth, a.Customers, a.Processes, a.Now(), stderr); err != nil {
			return fmt.Errorf("load demo processes: %w", err)
		}
		if err := demo.LoadMerits(ctx, a.Auth, a.Merits, a.Now(), stderr); err != nil {
			return fmt.Errorf("load demo merits: %w", err)
		}
		if err := demo.LoadSales(ctx, a.Org, a.Auth, sales.Options{DB: a.DB, Policy: a.Policy, Calendars: a.Calendars,
			Org: a.Org, Merits: a.Merits, Logger: a.Log}, a.Now(), stderr); err != nil {
			return fmt.Errorf("load demo sales centre: %w", err)
		}
		if err := demo.LoadArchives(ctx, a.Org, a.Auth, archive.Options{DB: a.DB, Policy: a.Policy, Calendars: a.Calendars,
			Org: a.Org, Documents: a.Documents, Notify: a.Notify, Logger: a.Log}, a.Now(), stderr); err != nil {
			return fmt.Errorf("load demo archives: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	where := "sqlite " + a.DB.Path
	if cfg.DSN != "" {
		where = "postgres"
	}
	log.Info("kefu listening", "url", "http://"+ln.Addr().String()+"/", "db", where,
		"version", app.Version, "startup", time.Since(started).Round(time.Millisecond))
	return a.Serve(ctx, ln)
}
