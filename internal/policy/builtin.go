package policy

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"kefu/policies"
)

// SourceBuiltin is the Source of the packs embedded in the binary.
const SourceBuiltin = "builtin"

// BuiltinKeys are the keys of the built-in packs (PRODUCT.md §4), in the
// order they are listed.
var BuiltinKeys = []string{"general", "property", "gas", "power", "realestate"}

// DefaultPack is the pack of a unit when no unit up the tree names one.
const DefaultPack = "general"

// Builtins parses the packs embedded in the binary (policies/*.yaml). An
// error means the binary itself is broken; tests keep it from happening.
func Builtins() ([]*Pack, error) {
	names, err := fs.Glob(policies.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*Pack
	var errs []string
	for _, name := range names {
		data, err := policies.FS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		p, probs := Parse("policies/"+name, data)
		for _, pr := range probs {
			errs = append(errs, pr.String())
		}
		if p == nil {
			continue
		}
		if want := strings.TrimSuffix(name, ".yaml"); p.Key != want {
			errs = append(errs, fmt.Sprintf("policies/%s: key %q does not match the file name", name, p.Key))
		}
		p.Source = SourceBuiltin
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("policy: built-in packs are invalid:\n%s", strings.Join(errs, "\n"))
	}
	slices.SortStableFunc(out, func(a, b *Pack) int { return order(a.Key) - order(b.Key) })
	return out, nil
}

// order sorts the built-ins as BuiltinKeys, anything else after them.
func order(key string) int {
	if i := slices.Index(BuiltinKeys, key); i >= 0 {
		return i
	}
	return len(BuiltinKeys)
}
