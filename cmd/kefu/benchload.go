package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"kefu/bench/load"
)

// benchLoadUsage is the synopsis of `kefu bench load`.
const benchLoadUsage = "kefu bench load [--url URL] [--user NAME] [--password PW] [--clients N] [--duration T] " +
	"[--scenario create,queues,search,ticket,action,counts,mixed|all] [--json FILE|-] [--server-pid PID]"

// benchLoad is `kefu bench load`: it drives a running server over HTTP with
// concurrent clients and reports throughput and latency percentiles per
// scenario, as a table on stdout or as JSON (issue 6).
func benchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := load.Options{Progress: stderr}
	var scenarios, jsonOut string
	var pid int
	password := os.Getenv("KEFU_BENCH_PASSWORD")
	if password == "" {
		password = os.Getenv("KEFU_ADMIN_PASSWORD")
	}
	err := flags("bench load", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "base URL of the running kefu server")
		fs.StringVar(&o.User, "user", "admin", "user to sign in as")
		fs.StringVar(&o.Password, "password", password, "password (default KEFU_BENCH_PASSWORD, else KEFU_ADMIN_PASSWORD)")
		fs.IntVar(&o.Clients, "clients", 16, "concurrent clients")
		fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of each scenario")
		fs.StringVar(&scenarios, "scenario", "all", "comma-separated scenarios: create, queues, search, ticket, action, counts, mixed; all = the six single ones")
		fs.StringVar(&jsonOut, "json", "", "also write the report as JSON to FILE; - writes JSON to stdout instead of the table")
		fs.IntVar(&pid, "server-pid", 0, "report the peak and current RSS of this server process (Linux)")
	})
	if err != nil {
		return err
	}
	if o.Clients < 1 {
		return exitError{2, "--clients must be at least 1"}
	}
	if o.Duration <= 0 {
		return exitError{2, "--duration must be positive"}
	}
	if pid < 0 {
		return exitError{2, "--server-pid must be a process id"}
	}
	if o.Password == "" {
		return exitError{2, "give --password or set KEFU_BENCH_PASSWORD (or KEFU_ADMIN_PASSWORD)"}
	}
	if o.Scenarios, err = load.ParseScenarios(scenarios); err != nil {
		return exitError{2, err.Error()}
	}
	rep, runErr := load.Run(ctx, o)
	if rep == nil || len(rep.Scenarios) == 0 {
		return runErr
	}
	if pid > 0 {
		rep.ServerRSS = load.ReadRSS(pid)
	}
	if err := writeLoadReport(rep, jsonOut, stdout); err != nil {
		return err
	}
	return runErr
}

// writeLoadReport prints the table (or, for --json -, the JSON) on stdout
// and writes the JSON file if one is named.
func writeLoadReport(rep *load.Report, jsonOut string, stdout io.Writer) error {
	if jsonOut == "-" {
		return rep.WriteJSON(stdout)
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if jsonOut == "" {
		return nil
	}
	f, err := os.Create(jsonOut)
	if err != nil {
		return err
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
