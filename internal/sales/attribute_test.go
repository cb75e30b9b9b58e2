package sales

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Agents of the scenarios.
const (
	agentA store.ID = iota + 1
	agentB
	agentC
	agentD
	agentG
	agentH
	agentK
	agentX
	agentY
	agentZhou
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// at is a wall time in Beijing: "2026-04-02 10:15".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// visit is a visit entry by agent registered at when, matching the
// subject on keys (nil: the subject itself, no keys needed).
func visit(t *testing.T, id, agent store.ID, when string, keys ...string) Fact {
	t.Helper()
	ts := at(t, when)
	return Fact{ID: id, AgentID: agent, Book: BookVisit, Kind: EntryVisit, RegisteredAt: ts, ReceivedOn: calendar.DateOf(ts),
		Reception: ReceptionRotation, Keys: keys}
}

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func rules(t *testing.T) *policy.SalesRules {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "realestate" {
			return &p.Sales
		}
	}
	t.Fatal("no realestate pack")
	return nil
}

// share is the expected part of one agent.
type share struct {
	agent     store.ID
	amount    string
	cancelled bool
}

// TestAttributionScenarios is the table of issue 12: every attribution
// rule of seed 000 art.7 with the worked examples of RULES.md and the
// boundaries of each window (day 7 vs 8, 30 vs 31, 60 vs 61, 3 vs 4).
func TestAttributionScenarios(t *testing.T) {
	r := rules(t)
	cn := calendar.BuiltinCN()
	yuan := func(s string) money.Yuan {
		y, err := money.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}
	deal := func(on string, closing store.ID, commission string) *DealFacts {
		return &DealFacts{On: date(t, on), Closing: closing, Commission: yuan(commission)}
	}
	withKind := func(f Fact, mod func(*Fact)) Fact { mod(&f); return f }
	family := func(f Fact) []Fact { f.Keys = nil; return []Fact{f} }
	manual := yuan("5000")

	cases := []struct {
		name   string
		c      Case
		owner  store.ID
		class  string
		held   bool
		shares []share
		rule   string // a rule the outcome must cite
		grab   store.ID
	}{
		{name: "SAL-009 first visit: a new customer of the rotation agent",
			c:     Case{Subject: visit(t, 10, agentB, "2026-05-09 16:00")},
			owner: agentB, class: ClassNew, rule: "SAL-009"},
		{name: "SAL-009 own old customer",
			c:     Case{Subject: visit(t, 10, agentB, "2026-05-09 16:00"), Prior: []Fact{visit(t, 1, agentB, "2026-04-20 10:00", "phone")}},
			owner: agentB, class: ClassOld, rule: "SAL-009"},
		{name: "SAL-022 A registered 10:15, D 14:40 the same phone: A owns",
			c:     Case{Subject: visit(t, 10, agentD, "2026-04-02 14:40"), Prior: []Fact{visit(t, 1, agentA, "2026-04-02 10:15", "phone")}},
			owner: agentA, class: ClassOld, rule: "SAL-022"},
		{name: "SAL-022 the earliest of several registrations wins",
			c: Case{Subject: visit(t, 10, agentD, "2026-04-03 09:00"), Prior: []Fact{
				visit(t, 2, agentC, "2026-04-02 11:00", "full_name"), visit(t, 1, agentA, "2026-04-02 10:15", "phone")}},
			owner: agentA, class: ClassOld, rule: "SAL-022"},
		{name: "SAL-017 day 60: still the original agent's",
			c:     Case{Subject: visit(t, 10, agentB, "2026-03-11 15:00"), Prior: []Fact{visit(t, 1, agentA, "2026-01-10 10:00", "plate_surname")}},
			owner: agentA, class: ClassOld, rule: "SAL-017"},
		{name: "SAL-017 day 61: a new customer of the receiving agent",
			c:     Case{Subject: visit(t, 10, agentB, "2026-03-12 15:00"), Prior: []Fact{visit(t, 1, agentA, "2026-01-10 10:00", "plate_surname")}},
			owner: agentB, class: ClassNew, rule: "SAL-017"},
		{name: "SAL-017 the window runs from the original agent's latest registration",
			c: Case{Subject: visit(t, 10, agentB, "2026-03-12 15:00"), Prior: []Fact{visit(t, 1, agentA, "2026-01-10 10:00", "phone"),
				visit(t, 2, agentA, "2026-02-20 10:00", "phone")}},
			owner: agentA, class: ClassOld, rule: "SAL-017"},
		{name: "SAL-016 family day 30: stays with the agent of the first reception",
			c: Case{Subject: withKind(visit(t, 10, agentB, "2026-03-31 11:00"), func(f *Fact) {}),
				Family: family(visit(t, 1, agentA, "2026-03-01 10:00"))},
			owner: agentA, class: ClassFamily, rule: "SAL-016"},
		{name: "SAL-016 family day 31: a new customer",
			c:     Case{Subject: visit(t, 10, agentB, "2026-04-01 11:00"), Family: family(visit(t, 1, agentA, "2026-03-01 10:00"))},
			owner: agentB, class: ClassNew, rule: "SAL-016"},
		{name: "SAL-016 family day 32 (the RULES example): a new customer",
			c:     Case{Subject: visit(t, 10, agentB, "2026-04-02 11:00"), Family: family(visit(t, 1, agentA, "2026-03-01 10:00"))},
			owner: agentB, class: ClassNew, rule: "SAL-016"},
		{name: "SAL-016 family: counted from the family's deal when later",
			c: Case{Subject: visit(t, 10, agentB, "2026-04-02 11:00"), Family: family(visit(t, 1, agentA, "2026-03-01 10:00")),
				FamilyDealOn: new(date(t, "2026-03-10"))},
			owner: agentA, class: ClassFamily, rule: "SAL-016"},
		{name: "SAL-016 family: the first reception, not the first registration",
			c: Case{Subject: visit(t, 10, agentC, "2026-03-20 11:00"), Family: []Fact{
				withKind(visit(t, 2, agentB, "2026-03-05 09:00"), func(f *Fact) { f.ReceivedOn = date(t, "2026-03-05") }),
				withKind(visit(t, 1, agentA, "2026-03-06 09:00"), func(f *Fact) { f.ReceivedOn = date(t, "2026-03-02") })}},
			owner: agentA, class: ClassFamily, rule: "SAL-016"},
		{name: "SAL-014 referral conflict raised on day 7: transferred to the agent who pre-registered",
			c: Case{Subject: visit(t, 10, agentY, "2026-07-01 10:00"),
				Prior: []Fact{withKind(visit(t, 1, agentX, "2026-06-28 10:00", "phone"), func(f *Fact) { f.Kind = EntryReferral; f.Reception = "" })},
				Claim: &Claim{Referral: true, RaisedAt: at(t, "2026-07-08 23:59")}, Calendar: cn},
			owner: agentX, class: ClassNew, rule: "SAL-014"},
		{name: "SAL-014 referral conflict raised on day 8: the rotation reception stands",
			c: Case{Subject: visit(t, 10, agentY, "2026-07-01 10:00"),
				Prior: []Fact{withKind(visit(t, 1, agentX, "2026-06-28 10:00", "phone"), func(f *Fact) { f.Kind = EntryReferral; f.Reception = "" })},
				Claim: &Claim{Referral: true, RaisedAt: at(t, "2026-07-09 00:00")}, Calendar: cn},
			owner: agentY, class: ClassNew, rule: "SAL-014"},
		{name: "SAL-014 within the window but no identity key matches",
			c: Case{Subject: visit(t, 10, agentY, "2026-07-01 10:00"),
				Prior: []Fact{withKind(visit(t, 1, agentX, "2026-06-28 10:00"), func(f *Fact) { f.Kind = EntryReferral; f.Reception = "" })},
				Claim: &Claim{Referral: true, RaisedAt: at(t, "2026-07-02 10:00")}, Calendar: cn},
			owner: agentY, class: ClassNew, rule: "SAL-014"},
		{name: "SAL-010 a public customer belongs to the sales department",
			c:     Case{Subject: withKind(visit(t, 10, agentB, "2026-05-09 16:00"), func(f *Fact) { f.Public = PublicPeer; f.Reception = ReceptionPublic })},
			owner: 0, class: ClassPublic, rule: "SAL-010"},
		{name: "SAL-010 a public customer back to buy is a new customer in rotation",
			c: Case{Subject: visit(t, 10, agentC, "2026-06-01 10:00"),
				Prior: []Fact{withKind(visit(t, 1, agentB, "2026-05-09 16:00", "phone"), func(f *Fact) { f.Public = PublicPeer })}},
			owner: agentC, class: ClassNew, rule: "SAL-010"},
		{name: "SAL-008 (1) a phone customer who names nobody stays with the rotation agent",
			c: Case{Subject: visit(t, 10, agentB, "2026-06-01 10:00"),
				Prior: []Fact{withKind(visit(t, 1, agentA, "2026-05-28 16:00", "phone"), func(f *Fact) { f.Book, f.Kind, f.Reception = BookPhone, EntryPhone, "" })}},
			owner: agentB, class: ClassNew, rule: "SAL-008"},
		{name: "SAL-013 named during the first visit: the named agent's, whole commission",
			c: Case{Subject: withKind(visit(t, 10, agentZhou, "2026-06-01 10:00"), func(f *Fact) { f.Named = agentZhou; f.Reception = ReceptionNamed }),
				Deal: deal("2026-06-01", agentZhou, "10000")},
			owner: agentZhou, class: ClassNew, rule: "SAL-013", shares: []share{{agentZhou, "10000.00", false}}},
		{name: "SAL-008 (3) caller of A visits while A is off and buys with C: 20/80",
			c: Case{Subject: withKind(visit(t, 10, agentC, "2026-06-01 10:00"), func(f *Fact) { f.Named = agentA; f.Reception = ReceptionAssist }),
				Deal: deal("2026-06-01", agentC, "12000")},
			owner: agentA, class: ClassNew, rule: "SAL-012", shares: []share{{agentC, "2400.00", false}, {agentA, "9600.00", false}}},
		{name: "SAL-011 old customer brings a new one while A is absent: 20/80",
			c: Case{Subject: withKind(visit(t, 10, agentB, "2026-06-01 10:00"), func(f *Fact) { f.Owner = agentA; f.Reception = ReceptionAssist }),
				Deal: deal("2026-06-01", agentB, "10000")},
			owner: agentA, class: ClassNew, rule: "SAL-011", shares: []share{{agentB, "2000.00", false}, {agentA, "8000.00", false}}},
		{name: "SAL-012 named G off, on-duty H closes 15,000: H 3,000, G 12,000",
			c: Case{Subject: withKind(visit(t, 10, agentH, "2026-06-01 10:00"), func(f *Fact) { f.Named = agentG; f.Reception = ReceptionAssist }),
				Deal: deal("2026-06-02", agentH, "15000")},
			owner: agentG, class: ClassNew, rule: "SAL-012", shares: []share{{agentH, "3000.00", false}, {agentG, "12000.00", false}}},
		{name: "SAL-015 continued with consent: 20/80",
			c: Case{Subject: visit(t, 10, agentK, "2026-05-08 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "phone")},
				Claim: &Claim{ByKefu: true, RaisedAt: at(t, "2026-05-08 10:00"), Contact: ContactConsent}, Deal: deal("2026-05-08", agentK, "10000")},
			owner: agentA, class: ClassOld, rule: "SAL-015", shares: []share{{agentK, "2000.00", false}, {agentA, "8000.00", false}}},
		{name: "SAL-015 original agent unreachable: helped for now, 20/80",
			c: Case{Subject: visit(t, 10, agentK, "2026-05-08 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "phone")},
				Claim: &Claim{ByKefu: true, RaisedAt: at(t, "2026-05-08 10:00"), Contact: ContactUnreachable}, Deal: deal("2026-05-08", agentK, "10000")},
			owner: agentA, class: ClassOld, rule: "SAL-015", shares: []share{{agentK, "2000.00", false}, {agentA, "8000.00", false}}},
		{name: "SAL-015 grabbing: K's closing share cancelled, A keeps 8,000",
			c: Case{Subject: visit(t, 10, agentK, "2026-05-08 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "phone")},
				Claim: &Claim{ByKefu: true, RaisedAt: at(t, "2026-05-08 10:00"), Contact: ContactRefused}, Deal: deal("2026-05-08", agentK, "10000")},
			owner: agentA, class: ClassOld, rule: "SAL-015", grab: agentK,
			shares: []share{{agentK, "2000.00", true}, {agentA, "8000.00", false}}},
		{name: "SAL-022 the agent knew (kefu told her) but no contact is on record: held for the Sales Manager",
			c: Case{Subject: visit(t, 10, agentK, "2026-05-08 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "phone")},
				Claim: &Claim{ByKefu: true, RaisedAt: at(t, "2026-05-08 10:00")}, Deal: deal("2026-05-08", agentK, "10000")},
			owner: agentA, class: ClassOld, held: true, rule: "SAL-022"},
		{name: "SAL-018 unaware deal discovered on day 3: 50/50",
			c: Case{Subject: visit(t, 10, agentC, "2026-05-01 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "full_name")},
				Claim: &Claim{RaisedAt: at(t, "2026-05-11 09:00")}, Deal: deal("2026-05-08", agentC, "10000")},
			owner: agentA, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "5000.00", false}, {agentA, "5000.00", false}}},
		{name: "SAL-018 unaware deal discovered on day 4: all to the closing agent",
			c: Case{Subject: visit(t, 10, agentC, "2026-05-01 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "full_name")},
				Claim: &Claim{RaisedAt: at(t, "2026-05-12 09:00")}, Deal: deal("2026-05-08", agentC, "10000")},
			owner: agentC, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "10000.00", false}, {agentA, "0.00", false}}},
		{name: "SAL-018 nobody raised it: discovered today",
			c: Case{Subject: visit(t, 10, agentC, "2026-05-01 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "full_name")},
				Deal: deal("2026-05-08", agentC, "10000"), Today: date(t, "2026-05-09")},
			owner: agentA, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "5000.00", false}, {agentA, "5000.00", false}}},
		{name: "SAL-018 deal day 62 after the original registration: the original agent gets nothing",
			c: Case{Subject: visit(t, 10, agentC, "2026-04-25 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-03-01 10:00", "phone")},
				Claim: &Claim{RaisedAt: at(t, "2026-05-03 09:00")}, Deal: deal("2026-05-02", agentC, "10000")},
			owner: agentC, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "10000.00", false}, {agentA, "0.00", false}}},
		{name: "SAL-018 deal day 61: the original agent gets nothing",
			c: Case{Subject: visit(t, 10, agentC, "2026-04-25 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-03-02 10:00", "phone")},
				Claim: &Claim{RaisedAt: at(t, "2026-05-03 09:00")}, Deal: deal("2026-05-02", agentC, "10000")},
			owner: agentC, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "10000.00", false}, {agentA, "0.00", false}}},
		{name: "SAL-018 deal day 60: the discovery rule applies",
			c: Case{Subject: visit(t, 10, agentC, "2026-04-25 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-03-03 10:00", "phone")},
				Claim: &Claim{RaisedAt: at(t, "2026-05-03 09:00")}, Deal: deal("2026-05-02", agentC, "10000")},
			owner: agentA, class: ClassOld, rule: "SAL-018", shares: []share{{agentC, "5000.00", false}, {agentA, "5000.00", false}}},
		{name: "SAL-023 company-referred: held until the Project Manager enters the amount",
			c:     Case{Subject: withKind(visit(t, 10, agentB, "2026-06-01 10:00"), func(f *Fact) { f.Company = true }), Deal: deal("2026-06-03", agentB, "10000")},
			owner: agentB, class: ClassCompany, held: true, rule: "SAL-023"},
		{name: "SAL-023 company-referred with the manual amount",
			c: Case{Subject: withKind(visit(t, 10, agentB, "2026-06-01 10:00"), func(f *Fact) { f.Company = true }),
				Deal: &DealFacts{On: date(t, "2026-06-03"), Closing: agentB, Commission: yuan("10000"), Manual: &manual}},
			owner: agentB, class: ClassCompany, rule: "SAL-023", shares: []share{{agentB, "5000.00", false}}},
		{name: "SAL-022 a deal follows the Sales Manager's ruling on the conflict",
			c: Case{Subject: visit(t, 10, agentK, "2026-05-08 10:00"), Prior: []Fact{visit(t, 1, agentA, "2026-04-20 10:00", "phone")},
				Claim: &Claim{ByKefu: true, RaisedAt: at(t, "2026-05-08 10:00"), Contact: ContactConsent},
				Ruled: &Ruled{Owner: agentK, Reason: "A 放弃"}, Deal: deal("2026-05-08", agentK, "10000")},
			owner: agentK, class: ClassNew, rule: "SAL-022", shares: []share{{agentK, "10000.00", false}}},
		{name: "SAL-019 a deal of one's own new customer: the whole commission",
			c:     Case{Subject: visit(t, 10, agentB, "2026-06-01 10:00"), Deal: deal("2026-06-01", agentB, "8800.50")},
			owner: agentB, class: ClassNew, rule: "SAL-019", shares: []share{{agentB, "8800.50", false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.c.Today.IsZero() {
				tc.c.Today = date(t, "2026-12-31")
			}
			o := Attribute(tc.c, r)
			if o.Owner != tc.owner || o.Class != tc.class || o.Held != tc.held || o.Grabber != tc.grab {
				t.Fatalf("owner %d class %s held %v grabber %d, want %d %s %v %d\n%s", o.Owner, o.Class, o.Held, o.Grabber,
					tc.owner, tc.class, tc.held, tc.grab, explain(o))
			}
			if !slices.Contains(o.Rules, tc.rule) {
				t.Errorf("rules %v lack %s\n%s", o.Rules, tc.rule, explain(o))
			}
			if len(o.Steps) == 0 {
				t.Error("no reasons shown")
			}
			if len(o.Shares) != len(tc.shares) {
				t.Fatalf("shares %+v, want %+v\n%s", o.Shares, tc.shares, explain(o))
			}
			total := money.Yuan(0)
			for i, w := range tc.shares {
				g := o.Shares[i]
				if g.AgentID != w.agent || g.Amount.String() != w.amount || g.Cancelled != w.cancelled {
					t.Errorf("share %d = %+v, want %+v", i, g, w)
				}
				total += g.Amount
			}
			if tc.c.Deal != nil && len(o.Shares) > 0 && tc.c.Deal.Manual == nil && total != tc.c.Deal.Commission {
				t.Errorf("shares add up to %s, commission %s", total, tc.c.Deal.Commission)
			}
		})
	}
}

func explain(o Outcome) string {
	var b strings.Builder
	for _, s := range o.Steps {
		b.WriteString(s.Rule + " " + s.ZH + " | " + s.EN + "\n")
	}
	return b.String()
}

// TestAttributionIgnoresOrderOfPrior: the outcome depends on the entries,
// not on the order they are handed over.
func TestAttributionIgnoresOrderOfPrior(t *testing.T) {
	r := rules(t)
	prior := []Fact{visit(t, 1, agentA, "2026-04-02 10:15", "phone"), visit(t, 2, agentC, "2026-04-02 09:00", "full_name"),
		visit(t, 3, agentD, "2026-04-03 10:00", "phone")}
	var first Outcome
	for i := range 6 {
		p := slices.Clone(prior)
		p[0], p[i%3] = p[i%3], p[0]
		if i >= 3 {
			slices.Reverse(p)
		}
		o := Attribute(Case{Subject: visit(t, 10, agentB, "2026-04-05 10:00"), Prior: p}, r)
		if i == 0 {
			first = o
			if o.Owner != agentC {
				t.Fatalf("owner %d, want C (registered first)", o.Owner)
			}
			continue
		}
		if o.Owner != first.Owner || explain(o) != explain(first) {
			t.Fatalf("order %d: %s\nvs\n%s", i, explain(o), explain(first))
		}
	}
}

// TestAttributionStepsInBothLanguages: every reason reads in Chinese and
// English with its arguments filled.
func TestAttributionStepsInBothLanguages(t *testing.T) {
	r := rules(t)
	o := Attribute(Case{Subject: visit(t, 10, agentB, "2026-03-12 15:00"), Prior: []Fact{visit(t, 1, agentA, "2026-01-10 10:00", "phone")}}, r)
	for _, s := range o.Steps {
		for _, txt := range []string{s.ZH, s.EN} {
			if strings.Contains(txt, "%!") || strings.Contains(txt, "EXTRA") {
				t.Errorf("%s: %q", s.Rule, txt)
			}
		}
	}
	if got := explain(o); !strings.Contains(got, "61") || !strings.Contains(got, "2026-01-10") {
		t.Errorf("the SAL-017 reason does not name the days and the date:\n%s", got)
	}
}

// TestGroupBonus: SAL-020's example — 50,000 yuan for 10 agents: the
// receiving agent 5,500, the nine others 4,944.44 each, 0.04 left over.
func TestGroupBonus(t *testing.T) {
	agents := []store.ID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	shares, rest := GroupBonus(money.FromYuan(50000), 4, agents, 10)
	total := rest
	for _, s := range shares {
		want := "4944.44"
		if s.AgentID == 4 {
			want = "5500.00"
		}
		if s.Amount.String() != want || s.Receiving != (s.AgentID == 4) {
			t.Errorf("agent %d: %s, want %s", s.AgentID, s.Amount, want)
		}
		total += s.Amount
	}
	if rest.String() != "0.04" || total != money.FromYuan(50000) {
		t.Errorf("remainder %s, total %s", rest, total)
	}
	if s, rest := GroupBonus(money.FromYuan(100), 1, []store.ID{1}, 10); len(s) != 1 || s[0].Amount != money.FromYuan(100) || rest != 0 {
		t.Errorf("a single agent gets the whole pot: %+v %s", s, rest)
	}
}
