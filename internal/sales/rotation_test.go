package sales

import (
	"errors"
	"testing"

	"kefu/internal/policy"
	"kefu/internal/store"
)

// floor plays a sequence of arrivals on a rotation, applying each pick the
// way the service does: credits earned by skips are appended, a used
// credit is removed, the pointer moves.
type floor struct {
	st     RotationState
	nextID store.ID
}

func (f *floor) arrive(t *testing.T) Pick {
	t.Helper()
	p, err := NextAgent(f.st)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Skips {
		if s.Credit {
			f.nextID++
			f.st.Credits = append(f.st.Credits, Credit{ID: f.nextID, UserID: s.UserID})
		}
	}
	if p.CreditID != 0 {
		for i, c := range f.st.Credits {
			if c.ID == p.CreditID {
				f.st.Credits = append(f.st.Credits[:i], f.st.Credits[i+1:]...)
				break
			}
		}
	}
	f.st.Pointer = p.NextPointer
	return p
}

func (f *floor) set(user store.ID, absence, busy string) {
	for i := range f.st.Members {
		if f.st.Members[i].UserID == user {
			f.st.Members[i].Absence, f.st.Members[i].Busy = absence, busy
		}
	}
}

const (
	rotA store.ID = iota + 1
	rotB
	rotC
	rotD
	rotE
	rotF
)

func newFloor(policyKey string, ids ...store.ID) *floor {
	f := &floor{st: RotationState{Policy: policyKey}}
	for _, id := range ids {
		f.st.Members = append(f.st.Members, Member{UserID: id})
	}
	return f
}

// TestRotationSAL001: order A, B, C, D, pointer at A → A, pointer to B.
func TestRotationSAL001(t *testing.T) {
	f := newFloor(policy.MakeUpArt7, rotA, rotB, rotC, rotD)
	if p := f.arrive(t); p.UserID != rotA || p.NextPointer != rotB || len(p.Skips) != 0 {
		t.Fatalf("%+v", p)
	}
	for _, want := range []store.ID{rotB, rotC, rotD, rotA} {
		if p := f.arrive(t); p.UserID != want {
			t.Fatalf("got %d, want %d", p.UserID, want)
		}
	}
}

// TestRotationSAL002Example: pointer at B; B receives her own old customer
// → skipped with credit; #1 → C; #2 while B is free → B (make-up); #3 → D.
func TestRotationSAL002Example(t *testing.T) {
	f := newFloor(policy.MakeUpArt7, rotA, rotB, rotC, rotD)
	f.st.Pointer = rotB
	f.set(rotB, "", ReceptionOwnOld)
	p := f.arrive(t)
	if p.UserID != rotC || len(p.Skips) != 1 || !p.Skips[0].Credit || p.Skips[0].UserID != rotB {
		t.Fatalf("#1 %+v", p)
	}
	f.set(rotB, "", "")
	if p := f.arrive(t); p.UserID != rotB || p.CreditID == 0 || p.NextPointer != rotD {
		t.Fatalf("#2 %+v", p)
	}
	if p := f.arrive(t); p.UserID != rotD {
		t.Fatalf("#3 %+v", p)
	}
}

// TestRotationMakeUpPolicies: SAL-002 (a) art.7 triggers, (b) always,
// (c) never; SAL-003's exclusions for leave and its task trigger.
func TestRotationMakeUpPolicies(t *testing.T) {
	cases := []struct {
		policy, absence, busy string
		credit                bool
	}{
		{policy.MakeUpArt7, AbsentSickLeave, "", false},      // SAL-003: E on sick leave → no credit
		{policy.MakeUpArt7, AbsentPersonalLeave, "", false},  // personal leave
		{policy.MakeUpArt7, AbsentDayOff, "", false},         // day off
		{policy.MakeUpArt7, AbsentProjectTask, "", true},     // F at a meeting the PM assigned → credit
		{policy.MakeUpArt7, "", ReceptionOwnOld, true},       // (1)
		{policy.MakeUpArt7, "", ReceptionColleagueOld, true}, // (2)
		{policy.MakeUpArt7, "", ReceptionAssist, true},       // (3)
		{policy.MakeUpArt7, "", ReceptionRotation, false},    // her own rotation customer
		{policy.MakeUpAlways, AbsentSickLeave, "", true},     // art.5 补接
		{policy.MakeUpAlways, "", ReceptionRotation, true},   //
		{policy.MakeUpNever, AbsentProjectTask, "", false},   // art.2 不接
		{policy.MakeUpNever, "", ReceptionOwnOld, false},     //
	}
	for _, c := range cases {
		f := newFloor(c.policy, rotE, rotF)
		f.set(rotE, c.absence, c.busy)
		p := f.arrive(t)
		if p.UserID != rotF || len(p.Skips) != 1 || p.Skips[0].Credit != c.credit {
			t.Errorf("%s %q %q: %+v, want credit %v", c.policy, c.absence, c.busy, p, c.credit)
		}
	}
}

// TestRotationCreditsInOrder: several credit holders get the next new
// customers in the order the credits were earned; a busy holder waits.
func TestRotationCreditsInOrder(t *testing.T) {
	f := newFloor(policy.MakeUpAlways, rotA, rotB, rotC, rotD)
	f.set(rotA, AbsentProjectTask, "")
	f.set(rotB, "", ReceptionOwnOld)
	if p := f.arrive(t); p.UserID != rotC || len(p.Skips) != 2 {
		t.Fatalf("%+v", p)
	}
	f.set(rotA, "", "")
	f.set(rotB, "", "")
	f.set(rotC, "", ReceptionRotation)
	if p := f.arrive(t); p.UserID != rotA || p.CreditID == 0 {
		t.Fatalf("A earned first: %+v", p)
	}
	f.set(rotA, "", ReceptionRotation)
	if p := f.arrive(t); p.UserID != rotB || p.CreditID == 0 {
		t.Fatalf("then B: %+v", p)
	}
	f.set(rotB, "", ReceptionRotation)
	if p := f.arrive(t); p.UserID != rotD || p.CreditID != 0 {
		t.Fatalf("then the pointer again: %+v", p)
	}
}

// TestRotationNobodyFree: everybody absent or receiving → ErrNobodyFree.
func TestRotationNobodyFree(t *testing.T) {
	f := newFloor(policy.MakeUpArt7, rotA, rotB)
	f.set(rotA, AbsentDayOff, "")
	f.set(rotB, "", ReceptionRotation)
	if _, err := NextAgent(f.st); !errors.Is(err, ErrNobodyFree) {
		t.Fatalf("err %v", err)
	}
	if _, err := NextAgent(RotationState{}); !errors.Is(err, ErrNobodyFree) {
		t.Fatalf("empty table: %v", err)
	}
}
