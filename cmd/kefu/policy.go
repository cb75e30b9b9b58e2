package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"kefu/internal/policy"
)

// policyCmd is `kefu policy check FILE...` and `kefu policy list`
// (PRODUCT.md §4).
func policyCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return exitError{2, "usage: kefu policy check FILE... | kefu policy list"}
	}
	switch args[0] {
	case "check":
		return policyCheck(args[1:], stdout, stderr)
	case "list":
		if len(args) > 1 {
			return exitError{2, fmt.Sprintf("unexpected argument %q", args[1])}
		}
		packs, err := policy.Builtins()
		if err != nil {
			return err
		}
		for _, p := range packs {
			fmt.Fprintf(stdout, "%-12s v%d  %-10s %3d categories  %s / %s\n", p.Key, p.Version, p.Calendar,
				len(p.Categories), p.Name.ZH, p.Name.EN)
		}
		return nil
	}
	return exitError{2, "unknown policy command " + args[0]}
}

// policyCheck validates pack files: every problem as FILE:LINE: path:
// message and exit 1, or FILE: ok (N categories, M processes). Calendar ids are checked
// only for their form here; kefu checks that they exist when a pack is
// installed.
func policyCheck(files []string, stdout, stderr io.Writer) error {
	if len(files) == 0 {
		return exitError{2, "usage: kefu policy check FILE..."}
	}
	bad := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
			bad++
			continue
		}
		p, probs := policy.Parse(f, data)
		for _, pr := range probs {
			fmt.Fprintln(stdout, pr.String())
		}
		if len(probs) > 0 {
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%d categories, %d processes)\n", f, len(p.Categories), len(p.Processes))
	}
	if bad > 0 {
		return exitError{1, fmt.Sprintf("%d of %d files invalid", bad, len(files))}
	}
	return nil
}
