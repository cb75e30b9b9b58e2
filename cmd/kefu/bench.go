package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"kefu/bench/seed"
	"kefu/internal/config"
	"kefu/internal/store"
)

// benchSeedUsage is the synopsis of `kefu bench seed`.
const benchSeedUsage = "kefu bench seed [--data DIR | --db URL] --customers N --tickets M [--seed S]"

// benchCmd runs the benchmark tools (issue 6): `kefu bench seed` fills a
// database with generated customers and work orders, `kefu bench load`
// drives a running server over HTTP.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "seed":
			return benchSeed(ctx, args[1:], stdout, stderr)
		case "load":
			return benchLoad(ctx, args[1:], stdout, stderr)
		}
	}
	return exitError{2, "usage: " + benchSeedUsage + " | " + benchLoadUsage}
}

// benchSeed is `kefu bench seed`.
func benchSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	var customers, tickets int
	var seedValue uint64
	err := flags("bench seed", args, stderr, func(fs *flag.FlagSet) {
		cfg.Database(fs)
		fs.IntVar(&customers, "customers", 0, "customers to generate (each with 1.25 service points on average)")
		fs.IntVar(&tickets, "tickets", 0, "work orders to generate")
		fs.Uint64Var(&seedValue, "seed", 1, "random seed: the same seed generates the same data")
	})
	if err != nil {
		return err
	}
	if customers < 0 || tickets < 0 || customers+tickets == 0 {
		return exitError{2, "give --customers N and/or --tickets M (positive)"}
	}
	db, err := store.Open(ctx, store.Options{DSN: cfg.DSN, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	var last time.Time
	st, err := seed.Run(ctx, db, seed.Options{Customers: customers, Tickets: tickets, Seed: seedValue,
		Progress: func(s seed.Stats) {
			if time.Since(last) < time.Second {
				return
			}
			last = time.Now()
			fmt.Fprintf(stderr, "kefu: %d customers, %d work orders, %d rows in %s: %.0f rows/s\n",
				s.Customers, s.Tickets, s.Rows(), s.Elapsed.Round(time.Second), s.RowsPerSecond())
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kefu: seeded %s in %s: %d customers, %d service points, %d work orders, %d ticket units, "+
		"%d clocks, %d events, %d timers; %d rows, %.0f rows/s\n", db.Dialect(), st.Elapsed.Round(time.Millisecond),
		st.Customers, st.ServicePoints, st.Tickets, st.TicketUnits, st.Clocks, st.Events, st.Timers, st.Rows(),
		st.RowsPerSecond())
	return nil
}
