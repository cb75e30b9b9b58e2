package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kefu/internal/audit"
	"kefu/internal/config"
	"kefu/internal/customer"
	"kefu/internal/customerio"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// importCmd is `kefu import customers FILE [--dry-run] [--all-or-nothing]
// [--org UNIT] [--mapping JSON] [--json]`: a progress line on stderr, the
// report at the end; exit 1 when any row is bad.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: kefu import customers FILE [--dry-run] [--all-or-nothing] [--org UNIT] [--mapping JSON] [--json]"
	if len(args) == 0 || args[0] != "customers" {
		return exitError{2, use}
	}
	cfg := config.Defaults()
	var dryRun, allOrNothing, asJSON bool
	var orgID int64
	var mapping string
	// FILE may come before or after the flags.
	var file string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("kefu import customers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Database(fs)
	fs.BoolVar(&dryRun, "dry-run", false, "check every row and report; write nothing")
	fs.BoolVar(&allOrNothing, "all-or-nothing", false, "write nothing when any row is bad")
	fs.Int64Var(&orgID, "org", 0, "org unit that owns the new customers (default: the root unit)")
	fs.StringVar(&mapping, "mapping", "", `column mapping as JSON, e.g. {"联系方式":"phone","C":"ignore"}`)
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(rest); err != nil {
		return exitError{2, err.Error()}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return exitError{2, fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if file == "" {
		return exitError{2, use}
	}
	overrides, err := customerio.ParseOverrides(mapping)
	if err != nil {
		return exitError{2, describe(err).Error()}
	}
	sum, size, err := hashFile(file)
	if err != nil {
		return err
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
	start := time.Now()
	last, phase, phaseStart := time.Time{}, "", start
	req := customerio.Request{Path: file, FileName: filepath.Base(file), SHA256: sum, Size: size, Overrides: overrides,
		DryRun: dryRun, AllOrNothing: allOrNothing, OrgUnit: store.ID(orgID),
		Progress: func(p customerio.Progress) {
			now := time.Now()
			if p.Phase != phase {
				if phase != "" {
					fmt.Fprintln(stderr)
				}
				phase, phaseStart = p.Phase, now
			}
			if now.Sub(last) >= 500*time.Millisecond || p.Total != 0 && p.Done == p.Total {
				last = now
				rate := float64(p.Done) / max(now.Sub(phaseStart).Seconds(), 0.001)
				total := "?"
				if p.Total > 0 {
					total = fmt.Sprint(p.Total)
				}
				fmt.Fprintf(stderr, "\rkefu: %s %d/%s rows (%.0f rows/s)   ", p.Phase, p.Done, total, rate)
			}
		}}
	rep, err := a.Imports.Import(ctx, nil, req)
	fmt.Fprintln(stderr)
	var rie *customerio.RowsInvalidError
	var me *customerio.MappingError
	switch {
	case errors.As(err, &rie):
		rep = rie.Report
	case errors.As(err, &me):
		return exitError{1, fmt.Sprintf("%s\nheaders: %s", describe(err), strings.Join(me.Headers, ", "))}
	case err != nil:
		return describe(err)
	}
	rep.Localize(i18n.EN)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(stdout, rep, time.Since(start))
	}
	if rep.Invalid > 0 {
		what := "written"
		if rep.DryRun {
			what = "would be written"
		}
		if err != nil {
			return exitError{1, fmt.Sprintf("%d of %d rows are invalid; nothing was written (--all-or-nothing)", rep.Invalid, rep.Rows)}
		}
		return exitError{1, fmt.Sprintf("%d of %d rows are invalid; the other %d %s", rep.Invalid, rep.Rows, rep.Valid, what)}
	}
	return nil
}

func printReport(w io.Writer, rep *customerio.ImportReport, took time.Duration) {
	fmt.Fprintf(w, "file %s (%s", rep.File, rep.Format)
	if rep.Encoding != "" {
		fmt.Fprintf(w, ", %s", rep.Encoding)
	}
	if rep.Sheet != "" {
		fmt.Fprintf(w, ", sheet %s", rep.Sheet)
	}
	fmt.Fprintf(w, "), header row %d, pack %s\n", rep.Mapping.HeaderRow, rep.Pack)
	for _, c := range rep.Mapping.Columns {
		field := c.Field
		if field == "" {
			field = "(not imported)"
		}
		fmt.Fprintf(w, "  %-3s %s → %s\n", c.Letter, c.Header, field)
	}
	fmt.Fprintf(w, "rows %d, valid %d, invalid %d, written %d in %s\n", rep.Rows, rep.Valid, rep.Invalid, rep.Written,
		took.Round(time.Millisecond))
	for _, e := range rep.Errors {
		col := e.Column
		if col != "" {
			col = " " + col
		}
		fmt.Fprintf(w, "  row %d%s %s: %s\n", e.Row, col, e.Field, e.Message)
	}
	if rep.ErrorsTruncated {
		fmt.Fprintf(w, "  … more errors not listed (first %d shown)\n", len(rep.Errors))
	}
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	if st.Size() > customerio.MaxFileBytes {
		return "", 0, fmt.Errorf("%s is larger than the %d MB limit: split it", path, customerio.MaxFileBytes>>20)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// exportCmd is `kefu export customers --format xlsx|csv [-o FILE] [filters]`.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "customers" {
		return exitError{2, "usage: kefu export customers --format xlsx|csv [-o FILE] [--q TEXT] [--type KEY] [--grade A-D] [--kind person|organisation] [--unit ID] [--key-account true|false]"}
	}
	cfg := config.Defaults()
	var format, out, q, typ, grade, kind, keyAccount string
	var unit int64
	if err := flags("export customers", args[1:], stderr, func(fs *flag.FlagSet) {
		cfg.Database(fs)
		fs.StringVar(&format, "format", "xlsx", "xlsx or csv")
		fs.StringVar(&out, "o", "", "output file (default: standard output)")
		fs.StringVar(&q, "q", "", "substring of name, phone, address or account number")
		fs.StringVar(&typ, "type", "", "type key")
		fs.StringVar(&grade, "grade", "", "grade A-D")
		fs.StringVar(&kind, "kind", "", "person or organisation")
		fs.Int64Var(&unit, "unit", 0, "org unit id (its subtree)")
		fs.StringVar(&keyAccount, "key-account", "", "true or false")
	}); err != nil {
		return err
	}
	if _, err := customerio.CheckFormat(format); err != nil {
		return exitError{2, "--format must be xlsx or csv"}
	}
	f := customer.Filter{Q: q, Type: typ, Grade: grade, Kind: customer.Kind(kind), Unit: store.ID(unit)}
	switch keyAccount {
	case "":
	case "true", "false":
		b := keyAccount == "true"
		f.KeyAccount = &b
	default:
		return exitError{2, "--key-account must be true or false"}
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = audit.WithActor(ctx, audit.Actor{Name: "cli"})
	var w io.Writer = stdout
	var file *os.File
	if out != "" {
		if file, err = os.Create(out); err != nil {
			return err
		}
		w = file
	}
	n, err := a.Imports.Export(ctx, nil, f, format, w)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stderr, "kefu: exported %d rows\n", n)
	return nil
}
