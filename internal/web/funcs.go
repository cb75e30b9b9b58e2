package web

import (
	"html/template"
	"slices"
	"strings"
	"time"

	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
)

// shanghai is the time zone the UI shows times in.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// funcs are the template functions, bound to one locale.
func funcs(l i18n.Locale, a *assets) template.FuncMap {
	return template.FuncMap{
		// t looks up a UI label: {{t "users.title"}}.
		"t": func(key string, args ...any) string { return label(key, args...).In(l) },
		// tx renders a bilingual service message.
		"tx":    func(t i18n.Text) string { return t.In(l) },
		"role":  func(r auth.Role) string { return roleName(r, l) },
		"roles": func() []auth.RoleInfo { return auth.Roles },
		"hasRole": func(rs []auth.Role, r auth.Role) bool {
			return slices.Contains(rs, r)
		},
		"kind":  func(k org.Kind) string { return k.Label().In(l) },
		"kinds": func() []org.Kind { return org.Kinds },
		"pack":  func(key string) string { return packName(key, l) },
		"dt": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return exact(t)
		},
		"dts": func(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04:05") },
		// indent is the visible depth of a unit in a <select>.
		"indent": func(depth int) string {
			if depth == 0 {
				return ""
			}
			return strings.Repeat("\u3000", depth-1) + "└ "
		},
		"action":  func(a string) string { return auditAction(a, l) },
		"objtype": func(t string) string { return objectType(t, l) },
		"asset":   a.url,
		// unitopts feeds template "unitoptions": the tree as <option>s, sel selected.
		"unitopts": func(units []org.Unit, sel string) any {
			return struct {
				Units []org.Unit
				Sel   string
			}{units, sel}
		},
		// packsel feeds template "packselect": the pack field of form f,
		// offering opts (the installed packs), else the built-in ones.
		"packsel": func(f *Form, prefix string, opts ...[]option) any {
			d := struct {
				Form   *Form
				Prefix string
				Opts   []option
				Known  bool
			}{Form: f, Prefix: prefix}
			if len(opts) > 0 {
				d.Opts = opts[0]
			} else {
				d.Opts = builtinPackOptions(l)
			}
			d.Known = knownPack(d.Opts, f.Get("pack"))
			return d
		},
		"in": func(f *Form, name, labelKey, typ string, opts ...string) inputField {
			return newInput(f, name, label(labelKey).In(l), typ, opts, l)
		},
	}
}

// inputField is one labelled <input> with its error (template "input").
type inputField struct {
	ID, Name, Label, Type, Value, Err, Auto, Hint string
	Required, Autofocus                           bool
}

// newInput builds an inputField; opts are "req", "focus", "auto:<autocomplete>",
// "hint:<label key>" and "id:<prefix>" (for pages with two forms).
func newInput(f *Form, name, lbl, typ string, opts []string, l i18n.Locale) inputField {
	in := inputField{ID: "f-" + name, Name: name, Label: lbl, Type: typ, Value: f.Get(name), Err: f.Err(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, ":")
		switch k {
		case "req":
			in.Required = true
		case "focus":
			in.Autofocus = true
		case "auto":
			in.Auto = v
		case "hint":
			in.Hint = label(v).In(l)
		case "id":
			in.ID = v + "-" + name
		}
	}
	if typ == "password" {
		in.Value = ""
	}
	return in
}

// roleName is a role's name in the locale.
func roleName(r auth.Role, l i18n.Locale) string { return r.Label().In(l) }

// packKeys are the built-in policy packs (PRODUCT.md §4).
var packKeys = []string{"general", "property", "gas", "power", "realestate"}

func packName(key string, l i18n.Locale) string {
	if key == "" {
		return label("org.pack_inherit").In(l)
	}
	return labelOr("pack."+key, key, l)
}

// builtinPackOptions are the built-in packs as options of a select.
func builtinPackOptions(l i18n.Locale) []option {
	var out []option
	for _, k := range packKeys {
		out = append(out, option{k, packName(k, l)})
	}
	return out
}

func auditAction(a string, l i18n.Locale) string { return labelOr("audit.action."+a, a, l) }

func objectType(t string, l i18n.Locale) string { return labelOr("audit.object."+t, t, l) }
