// Package policies embeds the built-in policy packs (PRODUCT.md §4):
// general, property, gas, power and realestate, one YAML file each. The
// policy package parses and validates them at start-up.
package policies

import "embed"

// FS holds the built-in pack files, *.yaml at its root.
//
//go:embed *.yaml
var FS embed.FS
