package policy

import (
	"strings"
	"testing"

	"kefu/internal/calendar"
	"kefu/policies"
)

// minimal is a small valid pack; the tests below break one line of it.
const minimal = `key: mini
name: {zh: 小包}
calendar: cn
events: [consent]
channels:
  - key: phone
    name: {zh: 电话}
severities:
  - key: general
    name: {zh: 一般}
    handler_role: dept_staff
categories:
  - key: complaint.general
    name: {zh: 一般投诉}
    group: complaint
    severity: general
    clocks:
      - kind: resolve
        duration: 1wd
  - key: fee.visit
    name: {zh: 收费上门}
    group: fee
    clocks:
      - kind: fee_site_visit
        duration: 30m
        starts_on: [consent]
        stops_on: arrive
`

func TestParseMinimalDefaults(t *testing.T) {
	p, probs := Parse("mini.yaml", []byte(minimal))
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	c := p.Categories[0].Clocks[0]
	if p.Version != 1 || c.WarnPercent != 80 || c.Agreed != AgreedNone || c.StopsOn != EventResolve ||
		len(c.StartsOn) != 1 || c.StartsOn[0] != EventReceived {
		t.Errorf("clock defaults: %+v", c)
	}
	tk := p.Tickets // CAL-011, TKT-007 to TKT-009, TKT-021
	if tk.ExtensionApprover != "manager" || tk.ImmediateTarget.String() != "30m" || tk.PromptTarget.String() != "1wd" ||
		tk.DedupWindowDays != 30 || tk.ClusterThreshold != 5 || tk.ClusterWindowDays != 7 || tk.FreeRenegotiations != 2 {
		t.Errorf("ticket defaults: %+v", tk)
	}
}

// replace swaps one exact line of minimal.
func replace(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("minimal has no %q", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

// TestParseProblems: each fault is reported with its exact line and path.
func TestParseProblems(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"unknown key", replace(t, "    group: fee\n", "    group: fee\n    colour: red\n"),
			`x.yaml:23: categories[1].colour: unknown field "colour"`},
		{"bad duration", replace(t, "duration: 1wd", "duration: 3x"),
			`x.yaml:19: categories[0].clocks[0].duration: invalid duration "3x"`},
		{"unknown role", replace(t, "handler_role: dept_staff", "handler_role: janitor"),
			`x.yaml:11: severities[0].handler_role: no such role: "janitor"`},
		{"duplicate category", replace(t, "key: fee.visit", "key: complaint.general"),
			`x.yaml:20: categories[1].key: duplicate key "complaint.general" (first on line 13)`},
		{"bad start event", replace(t, "starts_on: [consent]", "starts_on: [consnet]"),
			`x.yaml:26: categories[1].clocks[0].starts_on[0]: unknown event "consnet"`},
		{"unknown severity", replace(t, "severity: general", "severity: grave"),
			`x.yaml:16: categories[0].severity: severity "grave" is not defined`},
		{"bad group", replace(t, "group: complaint", "group: gossip"),
			`x.yaml:15: categories[0].group: unknown group "gossip"`},
		{"bad category key", replace(t, "key: complaint.general", "key: Complaint..x"),
			`x.yaml:13: categories[0].key: invalid key "Complaint..x"`},
		{"agreed", replace(t, "duration: 1wd", "duration: 1wd\n        agreed: later"),
			`x.yaml:20: categories[0].clocks[0].agreed: must be none, shorten or any`},
		{"warn percent", replace(t, "duration: 1wd", "duration: 1wd\n        warn_percent: 100"),
			`x.yaml:20: categories[0].clocks[0].warn_percent: must be between 1 and 99`},
		{"short cap", replace(t, "duration: 1wd", "duration: 3wd\n        extension_cap: 2wd"),
			`x.yaml:20: categories[0].clocks[0].extension_cap: extension cap 2wd is shorter than the duration 3wd`},
		{"cap family", replace(t, "duration: 1wd", "duration: 3wd\n        extension_cap: 7d"),
			`x.yaml:20: categories[0].clocks[0].extension_cap: extension cap 7d is not in the same unit family`},
		{"default stop unknown", replace(t, "        stops_on: arrive\n", ""),
			`x.yaml:24: categories[1].clocks[0].stops_on: unknown event "fee_site_visit"`},
		{"wrong type", replace(t, "calendar: cn", "calendar: [cn]"),
			`x.yaml:3: calendar: must be a string, not a list`},
		{"missing name", replace(t, "name: {zh: 电话}", "name: {en: Phone}"),
			`x.yaml:7: channels[0].name.zh: required`},
		{"syntax", replace(t, "key: mini", "key: [mini"),
			`x.yaml:`},
		{"source is kefu's", "source: builtin\n" + minimal, `x.yaml:1: source: unknown field "source"`},
		{"empty", "", `x.yaml:1: the file is empty`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, probs := Parse("x.yaml", []byte(c.text))
			if p != nil || len(probs) == 0 {
				t.Fatalf("no problem reported")
			}
			if got := probs[0].String(); !strings.HasPrefix(got, c.want) {
				t.Errorf("got  %s\nwant %s…", got, c.want)
			}
			if probs[0].Message.ZH == "" || probs[0].Message.ZH == probs[0].Message.EN {
				t.Errorf("message not in Chinese: %+v", probs[0].Message)
			}
		})
	}
}

type fakeCals map[string]bool

func (f fakeCals) Get(id string) (*calendar.Calendar, bool) { return nil, f[id] }

// TestParseCalendars: calendar ids are checked when a set is given (CAL-002).
func TestParseCalendars(t *testing.T) {
	text := replace(t, "duration: 1wd", "duration: 1wd\n        calendar: mars")
	if _, probs := Parse("x.yaml", []byte(text)); len(probs) != 0 {
		t.Fatalf("without calendars: %v", probs)
	}
	_, probs := Parse("x.yaml", []byte(text), WithCalendars(fakeCals{"cn": true}))
	if len(probs) != 1 || probs[0].String() != "x.yaml:20: categories[0].clocks[0].calendar: no such calendar: mars" {
		t.Fatalf("problems %v", probs)
	}
}

// FuzzParse: the parser never panics, and a pack it accepts is valid again
// when written back as it was read.
func FuzzParse(f *testing.F) {
	for _, k := range BuiltinKeys {
		data, err := policies.FS.ReadFile(k + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("key: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, probs := Parse("f.yaml", data)
		if (p == nil) == (len(probs) == 0) {
			t.Fatalf("pack %v with %d problems", p != nil, len(probs))
		}
		for _, pr := range probs {
			if pr.Message.EN == "" || pr.File != "f.yaml" {
				t.Fatalf("bad problem %+v", pr)
			}
		}
		if p != nil && (p.Key == "" || p.Name.ZH == "" || len(p.Categories) == 0) {
			t.Fatalf("accepted an incomplete pack %+v", p)
		}
	})
}
