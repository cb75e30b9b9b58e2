package merit

import (
	"cmp"
	"slices"

	"kefu/internal/calendar"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Fact is what the derivation needs of one effective ledger entry: a
// confirmed entry that no appeal withdrew or changed.
type Fact struct {
	ID     store.ID
	Kind   string
	On     calendar.Date // the date of the reward or penalty
	Amount money.Yuan
	Points int
	// NoOffset: the decider ruled that this merit revokes no penalty
	// (MER-004 酌情).
	NoOffset bool
}

// Net are the administrative counts after roll-ups and offsets, the
// "net" of GET /api/v1/merits/summary.
type Net struct {
	Commendation int `json:"commendation"`
	MinorMerit   int `json:"minor_merit"`
	MajorMerit   int `json:"major_merit"`
	Criticism    int `json:"criticism"`
	MinorDemerit int `json:"minor_demerit"`
	MajorDemerit int `json:"major_demerit"`
}

// count is the net count of an administrative kind.
func (n *Net) count(kind string) *int {
	switch kind {
	case policy.MeritCommendation:
		return &n.Commendation
	case policy.MeritMinorMerit:
		return &n.MinorMerit
	case policy.MeritMajorMerit:
		return &n.MajorMerit
	case policy.MeritCriticism:
		return &n.Criticism
	case policy.MeritMinorDemerit:
		return &n.MinorDemerit
	case policy.MeritMajorDemerit:
		return &n.MajorDemerit
	}
	return nil
}

// Of is the net count of an administrative kind (0 for any other).
func (n Net) Of(kind string) int {
	if c := n.count(kind); c != nil {
		return *c
	}
	return 0
}

// Step actions of a derivation.
const (
	StepRollUp    = "roll_up"   // Count entries of Kind became one of Into (MER-002, MER-003)
	StepOffset    = "offset"    // a merit of Kind revoked a penalty of Into (MER-004)
	StepThreshold = "threshold" // the net count of Kind reached a threshold: Flag (MER-002, MER-003)
	StepWarnings  = "warnings"  // the year's warnings reached the count: reassignment (MER-005)
)

// Step is one move of the derivation, with the entries it rests on, so that
// every figure of a summary can be traced to the ledger.
type Step struct {
	On      calendar.Date `json:"on"`
	Action  string        `json:"action"`
	Kind    string        `json:"kind"`
	Into    string        `json:"into,omitempty"` // the kind rolled into, or the penalty revoked
	Count   int           `json:"count,omitempty"`
	Flag    string        `json:"flag,omitempty"`
	Bonus   money.Yuan    `json:"bonus,omitempty"`
	Rule    string        `json:"rule,omitempty"`
	Entries []store.ID    `json:"entries"`
}

// Flag is a consequence the ledger calls for: a termination for HR, a
// bonus to pay, a reassignment or demotion. Key identifies it across
// derivations (the flag and the entries it rests on), so that it is raised
// once.
type Flag struct {
	Flag    string        `json:"flag"`
	On      calendar.Date `json:"on"`
	Bonus   money.Yuan    `json:"bonus,omitempty"`
	Rule    string        `json:"rule,omitempty"`
	Entries []store.ID    `json:"entries"`
}

// Summary is a person's standing derived from their ledger at a date
// (GET /api/v1/merits/summary): the net administrative counts after the
// pack's roll-ups and offsets, the warnings of the year, the flags, the
// money and points, and the steps that produced them.
type Summary struct {
	At               calendar.Date `json:"at"`
	Net              Net           `json:"net"`
	WarningsThisYear int           `json:"warnings_this_year"`
	Termination      bool          `json:"termination"`
	Reassignment     bool          `json:"reassignment"`
	// BonusYuan is the threshold bonus earned (MER-003: 2,000 yuan for
	// every second major merit).
	BonusYuan money.Yuan `json:"bonus_yuan"`
	// Points is performance points added less deducted; FinesYuan the
	// fines, RewardsYuan the bonuses and special awards entered.
	Points      int        `json:"points"`
	FinesYuan   money.Yuan `json:"fines_yuan"`
	RewardsYuan money.Yuan `json:"rewards_yuan"`
	// Recorded counts the effective entries of each kind up to At, before
	// any roll-up or offset.
	Recorded map[string]int `json:"recorded"`
	// Basis lists, for each net administrative kind, the entries it rests
	// on (a rolled-up minor demerit rests on its two criticisms).
	Basis map[string][]store.ID `json:"basis"`
	Steps []Step                `json:"steps"`
	Flags []Flag                `json:"flags"`
}

// unit is one administrative reward or penalty in the derivation: an entry,
// or the result of a roll-up.
type unit struct {
	kind     string
	on       calendar.Date
	basis    []store.ID
	noOffset bool
}

// Derive computes a person's summary at date at from their effective
// entries, with the pack's rules. It is a pure function of the set of
// entries: the order in which they were entered does not matter, only
// their dates. Entries are taken in date order; on one day penalties come
// before merits (a merit of the same day may revoke a penalty of that
// day), lower levels first.
//
// A penalty arriving is added to its kind and rolls up as soon as Count of
// the kind are open (MER-002: automatic, irreversible except by offset). A
// merit arriving first revokes the oldest open penalty of its pair whose
// penalty period still runs (MER-004), unless the decider ruled otherwise;
// else it is added and rolls up the same way (MER-003). A rolled-up unit
// arrives on the day of the entry that completed it. Thresholds apply to
// the net counts that remain; warnings count in the calendar year of at.
func Derive(facts []Fact, r *policy.MeritRules, at calendar.Date) Summary {
	s := Summary{At: at, Recorded: map[string]int{}, Basis: map[string][]store.ID{}, Steps: []Step{}, Flags: []Flag{}}
	var levels []Fact
	var warnings []Fact
	for _, f := range facts {
		if f.On.After(at) {
			continue
		}
		s.Recorded[f.Kind]++
		switch f.Kind {
		case policy.MeritWarning:
			warnings = append(warnings, f)
		case policy.MeritPointsAdded:
			s.Points += f.Points
		case policy.MeritPointsCut:
			s.Points -= f.Points
		case policy.MeritFine:
			s.FinesYuan += f.Amount
		case policy.MeritBonus, policy.MeritSpecialAward:
			s.RewardsYuan += f.Amount
		}
		if slices.Contains(policy.MeritLevelKinds, f.Kind) {
			levels = append(levels, f)
		}
	}
	slices.SortFunc(levels, func(a, b Fact) int {
		return cmp.Or(a.On.Compare(b.On), cmp.Compare(rank(a.Kind), rank(b.Kind)), cmp.Compare(a.ID, b.ID))
	})
	d := derivation{rules: r, open: map[string][]unit{}, summary: &s}
	for _, f := range levels {
		d.arrive(unit{kind: f.Kind, on: f.On, basis: []store.ID{f.ID}, noOffset: f.NoOffset})
	}
	for _, kind := range policy.MeritLevelKinds {
		open := d.open[kind]
		*s.Net.count(kind) = len(open)
		if len(open) > 0 {
			s.Basis[kind] = flatten(open)
		}
	}
	d.thresholds()
	s.warnings(warnings, r)
	return s
}

// rank orders the administrative kinds of one day: penalties, then merits,
// each from the lowest level.
func rank(kind string) int {
	i := slices.Index(policy.MeritLevelKinds, kind)
	if policy.MeritIsReward(kind) {
		return 10 + i
	}
	return i
}

type derivation struct {
	rules   *policy.MeritRules
	open    map[string][]unit // the open units of each kind, oldest first
	summary *Summary
}

func (d *derivation) arrive(u unit) {
	if policy.MeritIsReward(u.kind) && !u.noOffset && d.offset(u) {
		return
	}
	d.open[u.kind] = append(d.open[u.kind], u)
	for _, ru := range d.rules.RollUps {
		if ru.From != u.kind || len(d.open[u.kind]) < ru.Count {
			continue
		}
		taken := d.open[u.kind][:ru.Count]
		d.open[u.kind] = slices.Clone(d.open[u.kind][ru.Count:])
		basis := flatten(taken)
		d.step(Step{On: u.on, Action: StepRollUp, Kind: u.kind, Into: ru.Into, Count: ru.Count, Rule: ru.Rule, Entries: basis})
		d.arrive(unit{kind: ru.Into, on: u.on, basis: basis})
		return
	}
}

// offset revokes the oldest open penalty of the merit's pair whose penalty
// period runs on the merit's day (MER-004), and reports whether it did.
func (d *derivation) offset(m unit) bool {
	o := &d.rules.Offsets
	for _, pair := range o.Pairs {
		if pair.Merit != m.kind {
			continue
		}
		for i, p := range d.open[pair.Penalty] {
			if !m.on.Before(PenaltyPeriodEnd(p.on, o.Period)) {
				continue
			}
			d.open[pair.Penalty] = slices.Delete(slices.Clone(d.open[pair.Penalty]), i, i+1)
			d.step(Step{On: m.on, Action: StepOffset, Kind: m.kind, Into: p.kind, Count: 1, Rule: o.Rule,
				Entries: append(slices.Clone(m.basis), p.basis...)})
			return true
		}
	}
	return false
}

// PenaltyPeriodEnd is the first day after the penalty period of a penalty
// of day on (MER-004: 12 months, G-58): a merit earned before that day may
// revoke it.
func PenaltyPeriodEnd(on calendar.Date, period calendar.Duration) calendar.Date {
	if period.Unit == calendar.Months {
		return on.AddMonths(period.N)
	}
	return on.AddDays(period.N)
}

// thresholds flags each multiple of a threshold's count reached by the net
// count of its kind, on the day of the unit that reached it.
func (d *derivation) thresholds() {
	s := d.summary
	for _, t := range d.rules.Thresholds {
		open := d.open[t.Kind]
		for n := t.Count; n <= len(open); n += t.Count {
			basis := flatten(open[n-t.Count : n])
			on := open[n-1].on
			f := Flag{Flag: t.Flag, On: on, Rule: t.Rule, Entries: basis}
			switch t.Flag {
			case policy.FlagTermination:
				s.Termination = true
			case policy.FlagBonus:
				f.Bonus = t.Bonus
				s.BonusYuan += t.Bonus
			}
			s.Flags = append(s.Flags, f)
			d.step(Step{On: on, Action: StepThreshold, Kind: t.Kind, Count: t.Count, Flag: t.Flag, Bonus: f.Bonus,
				Rule: t.Rule, Entries: basis})
		}
	}
}

// warnings counts the warnings of at's calendar year and flags a
// reassignment for every calendar year in which they reached the count
// (MER-005), on the day of the warning that reached it.
func (s *Summary) warnings(ws []Fact, r *policy.MeritRules) {
	slices.SortFunc(ws, func(a, b Fact) int { return cmp.Or(a.On.Compare(b.On), cmp.Compare(a.ID, b.ID)) })
	byYear := map[int][]store.ID{}
	for _, w := range ws {
		ids := append(byYear[w.On.Year], w.ID)
		byYear[w.On.Year] = ids
		if len(ids) == r.Warnings.Count {
			s.Flags = append(s.Flags, Flag{Flag: policy.FlagReassignment, On: w.On, Rule: r.Warnings.Rule, Entries: slices.Clone(ids)})
			s.Steps = append(s.Steps, Step{On: w.On, Action: StepWarnings, Kind: policy.MeritWarning, Count: r.Warnings.Count,
				Flag: policy.FlagReassignment, Rule: r.Warnings.Rule, Entries: slices.Clone(ids)})
		}
	}
	s.WarningsThisYear = len(byYear[s.At.Year])
	s.Reassignment = s.WarningsThisYear >= r.Warnings.Count
	slices.SortStableFunc(s.Steps, func(a, b Step) int { return a.On.Compare(b.On) })
}

func (d *derivation) step(st Step) { d.summary.Steps = append(d.summary.Steps, st) }

func flatten(us []unit) []store.ID {
	var out []store.ID
	for _, u := range us {
		out = append(out, u.basis...)
	}
	return out
}
