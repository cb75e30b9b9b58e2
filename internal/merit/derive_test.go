package merit

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// defaultRules are the merits section of the gas pack: the defaults of
// seed 000 art.4 (MER-002 to MER-005).
func defaultRules(t *testing.T) *policy.MeritRules {
	t.Helper()
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		if p.Key == "gas" {
			return &p.Merits
		}
	}
	t.Fatal("no gas pack")
	return nil
}

// entry is a ledger entry of a test sequence.
type entry struct {
	kind string
	on   calendar.Date
}

// numbered gives the entries ids in the order given: the order of entry.
func numbered(es []entry) []Fact {
	out := make([]Fact, len(es))
	for i, e := range es {
		out[i] = Fact{ID: store.ID(i + 1), Kind: e.kind, On: e.on}
	}
	return out
}

func day(m time.Month, d int) calendar.Date { return calendar.D(2026, m, d) }

// outcome is what a summary says, without the entry ids.
type outcome struct {
	Net          Net
	Warnings     int
	Termination  bool
	Reassignment bool
	Bonus        money.Yuan
	Flags        []string
	Steps        []string
}

func outcomeOf(s Summary) outcome {
	o := outcome{Net: s.Net, Warnings: s.WarningsThisYear, Termination: s.Termination, Reassignment: s.Reassignment,
		Bonus: s.BonusYuan}
	for _, f := range s.Flags {
		o.Flags = append(o.Flags, f.Flag+"@"+f.On.String())
	}
	for _, st := range s.Steps {
		o.Steps = append(o.Steps, st.On.String()+" "+st.Action+" "+st.Kind+">"+st.Into+st.Flag)
	}
	return o
}

// MER-002 example: a minor demerit on 2026-01-20, criticisms on 03-02 and
// 05-11 → the criticisms roll up into a second minor demerit, the two
// minor demerits into one major demerit.
func TestDeriveDemeritRollUps(t *testing.T) {
	r := defaultRules(t)
	es := []entry{{policy.MeritMinorDemerit, day(1, 20)}, {policy.MeritCriticism, day(3, 2)}, {policy.MeritCriticism, day(5, 11)}}
	s := Derive(numbered(es), r, day(12, 31))
	if s.Net != (Net{MajorDemerit: 1}) {
		t.Fatalf("net %+v, want one major demerit", s.Net)
	}
	if s.Termination {
		t.Fatal("one major demerit is no termination")
	}
	if got := s.Basis[policy.MeritMajorDemerit]; !slices.Equal(got, []store.ID{1, 2, 3}) {
		t.Errorf("the major demerit rests on %v, want all three entries", got)
	}
	want := []string{"2026-05-11 roll_up criticism>minor_demerit", "2026-05-11 roll_up minor_demerit>major_demerit"}
	if got := outcomeOf(s).Steps; !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
	// On 2026-04-01 only the first criticism had come.
	if s := Derive(numbered(es), r, day(4, 1)); s.Net != (Net{Criticism: 1, MinorDemerit: 1}) {
		t.Errorf("at 04-01: %+v", s.Net)
	}
}

// Two major demerits flag the termination for HR (MER-002); eight
// criticisms are two major demerits.
func TestDeriveTermination(t *testing.T) {
	r := defaultRules(t)
	var es []entry
	for i := range 8 {
		es = append(es, entry{policy.MeritCriticism, day(time.Month(1+i), 5)})
	}
	s := Derive(numbered(es), r, day(12, 31))
	if s.Net != (Net{MajorDemerit: 2}) || !s.Termination {
		t.Fatalf("net %+v termination %v", s.Net, s.Termination)
	}
	if len(s.Flags) != 1 || s.Flags[0].Flag != policy.FlagTermination || s.Flags[0].On != day(8, 5) || len(s.Flags[0].Entries) != 8 {
		t.Fatalf("flags %+v", s.Flags)
	}
	if s := Derive(numbered(es[:7]), r, day(12, 31)); s.Termination || s.Net != (Net{Criticism: 1, MinorDemerit: 1, MajorDemerit: 1}) {
		t.Errorf("seven criticisms: %+v termination %v", s.Net, s.Termination)
	}
}

// MER-003: the second major merit earns the one-off 2,000 yuan; every
// second one after it again.
func TestDeriveMeritBonus(t *testing.T) {
	r := defaultRules(t)
	es := []entry{{policy.MeritMajorMerit, day(2, 1)}, {policy.MeritMinorMerit, day(4, 1)}, {policy.MeritCommendation, day(6, 1)},
		{policy.MeritCommendation, day(9, 1)}}
	s := Derive(numbered(es), r, day(12, 31))
	if s.Net != (Net{MajorMerit: 2}) || s.BonusYuan.String() != "2000.00" {
		t.Fatalf("net %+v bonus %s", s.Net, s.BonusYuan)
	}
	if len(s.Flags) != 1 || s.Flags[0].Flag != policy.FlagBonus || s.Flags[0].On != day(9, 1) || s.Flags[0].Bonus != money.FromYuan(2000) {
		t.Fatalf("flags %+v", s.Flags)
	}
	s = Derive(numbered(append(es, entry{policy.MeritMajorMerit, day(10, 1)}, entry{policy.MeritMajorMerit, day(11, 1)})), r, day(12, 31))
	if s.BonusYuan.String() != "4000.00" || len(s.Flags) != 2 {
		t.Fatalf("four major merits: bonus %s flags %d", s.BonusYuan, len(s.Flags))
	}
}

// MER-004 example: a criticism on 2026-04-10 and a commendation on
// 06-01 cancel each other; a merit before the penalty, or after its
// 12-month period, does not.
func TestDeriveOffsets(t *testing.T) {
	r := defaultRules(t)
	s := Derive(numbered([]entry{{policy.MeritCriticism, day(4, 10)}, {policy.MeritCommendation, day(6, 1)}}), r, day(12, 31))
	if s.Net != (Net{}) || len(s.Steps) != 1 || s.Steps[0].Action != StepOffset || !slices.Equal(s.Steps[0].Entries, []store.ID{2, 1}) {
		t.Fatalf("offset: net %+v steps %+v", s.Net, s.Steps)
	}
	// The commendation came first: nothing to revoke.
	s = Derive(numbered([]entry{{policy.MeritCommendation, day(3, 1)}, {policy.MeritCriticism, day(4, 10)}}), r, day(12, 31))
	if s.Net != (Net{Commendation: 1, Criticism: 1}) {
		t.Fatalf("merit before the penalty: %+v", s.Net)
	}
	// The penalty period is 12 months: 2027-04-09 is the last day.
	late := []entry{{policy.MeritMinorDemerit, day(4, 10)}, {policy.MeritMinorMerit, calendar.D(2027, 4, 10)}}
	if s := Derive(numbered(late), r, calendar.D(2027, 12, 31)); s.Net != (Net{MinorMerit: 1, MinorDemerit: 1}) {
		t.Fatalf("after the period: %+v", s.Net)
	}
	late[1].on = calendar.D(2027, 4, 9)
	if s := Derive(numbered(late), r, calendar.D(2027, 12, 31)); s.Net != (Net{}) {
		t.Fatalf("last day of the period: %+v", s.Net)
	}
	// The decider's discretion: this merit revokes nothing.
	fs := numbered([]entry{{policy.MeritCriticism, day(4, 10)}, {policy.MeritCommendation, day(6, 1)}})
	fs[1].NoOffset = true
	if s := Derive(fs, r, day(12, 31)); s.Net != (Net{Commendation: 1, Criticism: 1}) {
		t.Fatalf("no offset: %+v", s.Net)
	}
	// Levels are not mixed: a commendation does not revoke a minor demerit.
	if s := Derive(numbered([]entry{{policy.MeritMinorDemerit, day(4, 10)}, {policy.MeritCommendation, day(6, 1)}}), r, day(12, 31)); s.Net != (Net{Commendation: 1, MinorDemerit: 1}) {
		t.Fatalf("across levels: %+v", s.Net)
	}
	// A minor merit rolled up from two commendations revokes a minor demerit.
	s = Derive(numbered([]entry{{policy.MeritMinorDemerit, day(2, 1)}, {policy.MeritCommendation, day(3, 1)},
		{policy.MeritCommendation, day(5, 1)}}), r, day(12, 31))
	if s.Net != (Net{}) {
		t.Fatalf("rolled-up merit offsetting: %+v", s.Net)
	}
	// The oldest penalty still in its period goes first.
	s = Derive(numbered([]entry{{policy.MeritMajorDemerit, calendar.D(2025, 3, 1)}, {policy.MeritMajorDemerit, day(2, 1)},
		{policy.MeritMajorMerit, day(4, 1)}}), r, day(12, 31))
	if s.Net != (Net{MajorDemerit: 1}) || !slices.Equal(s.Basis[policy.MeritMajorDemerit], []store.ID{1}) {
		t.Fatalf("expired penalty skipped: %+v basis %v", s.Net, s.Basis)
	}
	if s.Termination {
		t.Fatal("an offset major demerit does not count toward the termination")
	}
}

// A roll-up is automatic and irreversible: two criticisms became a minor
// demerit before the commendation came, which then has nothing of its level
// to revoke.
func TestDeriveRollUpBeforeOffset(t *testing.T) {
	r := defaultRules(t)
	s := Derive(numbered([]entry{{policy.MeritCriticism, day(4, 10)}, {policy.MeritCriticism, day(5, 1)},
		{policy.MeritCommendation, day(6, 1)}}), r, day(12, 31))
	if s.Net != (Net{Commendation: 1, MinorDemerit: 1}) {
		t.Fatalf("net %+v", s.Net)
	}
	// On one day penalties come first: a same-day commendation revokes the
	// criticism of that day.
	s = Derive(numbered([]entry{{policy.MeritCommendation, day(6, 1)}, {policy.MeritCriticism, day(6, 1)}}), r, day(12, 31))
	if s.Net != (Net{}) {
		t.Fatalf("same day: %+v", s.Net)
	}
}

// MER-005 example: warnings on 2026-02-03 and 09-14 flag a reassignment on
// 09-14; warnings of another year do not add up.
func TestDeriveWarnings(t *testing.T) {
	r := defaultRules(t)
	es := []entry{{policy.MeritWarning, calendar.D(2025, 11, 3)}, {policy.MeritWarning, day(2, 3)}, {policy.MeritWarning, day(9, 14)}}
	s := Derive(numbered(es), r, day(12, 31))
	if s.WarningsThisYear != 2 || !s.Reassignment {
		t.Fatalf("warnings %d reassignment %v", s.WarningsThisYear, s.Reassignment)
	}
	if len(s.Flags) != 1 || s.Flags[0].On != day(9, 14) || !slices.Equal(s.Flags[0].Entries, []store.ID{2, 3}) {
		t.Fatalf("flags %+v", s.Flags)
	}
	if s := Derive(numbered(es), r, day(9, 13)); s.WarningsThisYear != 1 || s.Reassignment {
		t.Fatalf("before the second: %d %v", s.WarningsThisYear, s.Reassignment)
	}
	if s := Derive(numbered(es), r, calendar.D(2027, 1, 1)); s.WarningsThisYear != 0 || s.Reassignment || len(s.Flags) != 1 {
		t.Fatalf("next year: %d %v %d", s.WarningsThisYear, s.Reassignment, len(s.Flags))
	}
}

// Points and money add up by kind; administrative counts ignore them.
func TestDeriveMoneyAndPoints(t *testing.T) {
	r := defaultRules(t)
	fs := []Fact{{ID: 1, Kind: policy.MeritFine, On: day(5, 1), Amount: money.FromYuan(100)},
		{ID: 2, Kind: policy.MeritFine, On: day(5, 2), Amount: money.FromYuan(50)},
		{ID: 3, Kind: policy.MeritBonus, On: day(5, 3), Amount: money.FromYuan(150)},
		{ID: 4, Kind: policy.MeritPointsCut, On: day(5, 4), Points: 5},
		{ID: 5, Kind: policy.MeritPointsAdded, On: day(5, 5), Points: 2}}
	s := Derive(fs, r, day(12, 31))
	if s.FinesYuan.String() != "150.00" || s.RewardsYuan.String() != "150.00" || s.Points != -3 || s.Net != (Net{}) {
		t.Fatalf("fines %s rewards %s points %d net %+v", s.FinesYuan, s.RewardsYuan, s.Points, s.Net)
	}
	if s.Recorded[policy.MeritFine] != 2 {
		t.Errorf("recorded %v", s.Recorded)
	}
}

// The summary depends on the entries and their dates, never on the order
// they were entered in: random sequences entered in every order (ids given
// in the order of entry) derive the same figures and flags.
func TestDeriveOrderOfEntry(t *testing.T) {
	r := defaultRules(t)
	rng := rand.New(rand.NewPCG(11, 2026))
	kinds := append(slices.Clone(policy.MeritLevelKinds), policy.MeritWarning)
	for round := range 300 {
		es := make([]entry, 2+rng.IntN(12))
		for i := range es {
			es[i] = entry{kinds[rng.IntN(len(kinds))], calendar.D(2025+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))}
		}
		at := calendar.D(2026, 12, 31)
		want := outcomeOf(Derive(numbered(es), r, at))
		for range 5 {
			rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
			got := outcomeOf(Derive(numbered(es), r, at))
			if !equalOutcome(got, want) {
				t.Fatalf("round %d: entered in another order %v\n got %+v\nwant %+v", round, es, got, want)
			}
		}
	}
}

func equalOutcome(a, b outcome) bool {
	return a.Net == b.Net && a.Warnings == b.Warnings && a.Termination == b.Termination &&
		a.Reassignment == b.Reassignment && a.Bonus == b.Bonus && slices.Equal(a.Flags, b.Flags) && slices.Equal(a.Steps, b.Steps)
}

// Every figure is traced: the entries behind the net counts and the steps
// together cover every administrative entry exactly as derived.
func TestDeriveTraceable(t *testing.T) {
	r := defaultRules(t)
	es := []entry{{policy.MeritCriticism, day(1, 5)}, {policy.MeritCriticism, day(2, 5)}, {policy.MeritCommendation, day(3, 5)},
		{policy.MeritCriticism, day(3, 6)}, {policy.MeritCommendation, day(3, 7)}}
	s := Derive(numbered(es), r, day(12, 31))
	// 01-05 + 02-05 roll up; 03-05 commendation has nothing to revoke at its
	// level; 03-06 criticism is revoked by the 03-07 commendation.
	if s.Net != (Net{Commendation: 1, MinorDemerit: 1}) {
		t.Fatalf("net %+v", s.Net)
	}
	if !slices.Equal(s.Basis[policy.MeritMinorDemerit], []store.ID{1, 2}) || !slices.Equal(s.Basis[policy.MeritCommendation], []store.ID{3}) {
		t.Fatalf("basis %v", s.Basis)
	}
	var offset *Step
	for i := range s.Steps {
		if s.Steps[i].Action == StepOffset {
			offset = &s.Steps[i]
		}
	}
	if offset == nil || !slices.Equal(offset.Entries, []store.ID{5, 4}) {
		t.Fatalf("offset step %+v", offset)
	}
}

// BenchmarkDerive derives a person with a heavy ledger: 400 administrative
// entries and warnings over two years (a summary page, a monthly table row
// and every confirmation derive once).
func BenchmarkDerive(b *testing.B) {
	packs, err := policy.Builtins()
	if err != nil {
		b.Fatal(err)
	}
	r := &packs[0].Merits
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := append(slices.Clone(policy.MeritLevelKinds), policy.MeritWarning, policy.MeritFine)
	fs := make([]Fact, 400)
	for i := range fs {
		fs[i] = Fact{ID: store.ID(i + 1), Kind: kinds[rng.IntN(len(kinds))],
			On: calendar.D(2025+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)), Amount: money.FromYuan(50)}
	}
	at := calendar.D(2026, 12, 31)
	b.ReportAllocs()
	for b.Loop() {
		Derive(fs, r, at)
	}
}
