package sales

import (
	"net/http"
	"slices"
	"testing"

	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestConflictFoundOnRegistrationSAL022: A registers a customer at 10:15,
// D the same phone at 14:40: kefu raises the conflict on D's entry at
// once; A owns the customer; the plain Sales Manager reads both entries
// of the conflict she rules on, each agent only her own.
func TestConflictFoundOnRegistrationSAL022(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-04-02 10:00")
		ra := fx.receive(ReceptionRotation, nil)
		fx.set("2026-04-02 10:15")
		ea := fx.register(fx.a, ra.ID, "王先生", "13800138000")
		if len(ea.Conflicts) != 0 {
			t.Fatalf("first entry has conflicts %+v", ea.Conflicts)
		}
		must(fx.svc.EndReception(fx.ctx, fx.a, ra.ID))(t)
		must(fx.svc.SetPointer(fx.ctx, fx.pm, fx.unit, fx.d.UserID, "B、C 外出看房"))(t)
		fx.set("2026-04-02 14:30")
		rd := fx.receive(ReceptionRotation, nil)
		if rd.AgentID != fx.d.UserID {
			t.Fatalf("went to %d, want D", rd.AgentID)
		}
		fx.set("2026-04-02 14:40")
		ed := fx.register(fx.d, rd.ID, "王建国", "138-0013-8000")
		if len(ed.Conflicts) != 1 {
			t.Fatalf("D's entry has %d conflicts, want 1", len(ed.Conflicts))
		}
		k := ed.Conflicts[0]
		if k.RegistrationID != ed.ID || k.PriorID != ea.ID || !slices.Equal(k.Keys, []string{"phone"}) || k.RaisedBy != "" ||
			k.RaisedByID != 0 || k.Number != "CT-2026-0001" {
			t.Fatalf("conflict %+v", k)
		}
		if got := must(fx.svc.GetRegistration(fx.ctx, fx.a, ea.ID))(t); len(got.Conflicts) != 1 {
			t.Fatalf("A's entry shows %d conflicts", len(got.Conflicts))
		}

		// The Sales Manager rules on it: she reads both entries.
		full := must(fx.svc.GetConflict(fx.ctx, fx.sm, k.ID))(t)
		if full.Entry == nil || full.Prior == nil || full.Entry.ID != ed.ID || full.Prior.ID != ea.ID {
			t.Fatalf("the Sales Manager's conflict screen %+v", full)
		}
		if full.Attribution == nil || full.Attribution.Owner != fx.a.UserID {
			t.Fatalf("attribution %+v, want A the owner (first registration)", full.Attribution)
		}
		must(fx.svc.GetRegistration(fx.ctx, fx.sm, ed.ID))(t)
		if n := fx.audits(fx.sm, "sales.registration.view"); n != 3 {
			t.Fatalf("the Sales Manager's reads audited %d times, want 3", n)
		}
		_, _, err := fx.svc.Registrations(fx.ctx, fx.sm, RegistrationFilter{UnitID: fx.unit})
		refused(t, err, http.StatusForbidden, "")

		// Each agent sees her own entry of it.
		ka := must(fx.svc.GetConflict(fx.ctx, fx.a, k.ID))(t)
		kd := must(fx.svc.GetConflict(fx.ctx, fx.d, k.ID))(t)
		if ka.Prior == nil || ka.Entry != nil || kd.Entry == nil || kd.Prior != nil {
			t.Fatalf("A sees %v/%v, D sees %v/%v", ka.Entry, ka.Prior, kd.Entry, kd.Prior)
		}
		_, err = fx.svc.GetConflict(fx.ctx, fx.c, k.ID)
		refused(t, err, http.StatusNotFound, "id")
		if l := must(fx.svc.Conflicts(fx.ctx, fx.c, fx.unit, ""))(t); len(l) != 0 {
			t.Fatalf("C sees %d conflicts", len(l))
		}
		if l := must(fx.svc.Conflicts(fx.ctx, fx.a, fx.unit, ""))(t); len(l) != 1 {
			t.Fatalf("A sees %d conflicts", len(l))
		}
		_, err = fx.svc.Conflicts(fx.ctx, fx.sm, fx.unit, "closed")
		refused(t, err, http.StatusUnprocessableEntity, "state")

		// What D did: consent by herself; grabbing only the Sales Manager finds.
		_, err = fx.svc.RecordContact(fx.ctx, fx.d, k.ID, ContactInput{Contact: ContactRefused})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.RecordContact(fx.ctx, fx.a, k.ID, ContactInput{Contact: ContactConsent})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.RecordContact(fx.ctx, fx.d, k.ID, ContactInput{Contact: "asked"})
		refused(t, err, http.StatusUnprocessableEntity, "contact")
		got := must(fx.svc.RecordContact(fx.ctx, fx.d, k.ID, ContactInput{Contact: ContactConsent, Note: "A 同意"}))(t)
		if got.Contact != ContactConsent || got.ContactAt.IsZero() || got.ContactNote != "A 同意" {
			t.Fatalf("contact %+v", got)
		}
		got = must(fx.svc.RecordContact(fx.ctx, fx.sm, k.ID, ContactInput{Contact: ContactRefused, Note: "A 在场未征得同意"}))(t)
		if got.Contact != ContactRefused || got.Attribution == nil {
			t.Fatalf("grabbed %+v", got)
		}

		// A second conflict on the same pair is refused.
		_, err = fx.svc.Claim(fx.ctx, fx.a, ClaimInput{RegistrationID: ed.ID, PriorID: ea.ID})
		refused(t, err, http.StatusConflict, "prior_id")
	})
}

// TestConflictClaim: the prior entry's agent claims a customer that
// matches hers; a decider may raise a conflict without a matching key.
func TestConflictClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.set("2026-05-11 10:00")
		ec := must(fx.svc.Register(fx.ctx, fx.c, RegistrationInput{UnitID: fx.unit, Kind: EntryReferral,
			CustomerName: "钱七", Phone: "13100131000"}))(t)
		fx.set("2026-05-12 11:00")
		rb := fx.receive(ReceptionRotation, nil)
		eb := fx.register(fx.a, rb.ID, "钱小七", "13200132000")
		if len(eb.Conflicts) != 0 {
			t.Fatalf("no key matches, yet %+v", eb.Conflicts)
		}
		in := ClaimInput{RegistrationID: eb.ID, PriorID: ec.ID, Note: "同一家庭的介绍客户"}
		_, err := fx.svc.Claim(fx.ctx, fx.c, in)
		refused(t, err, http.StatusUnprocessableEntity, "prior_id")
		_, err = fx.svc.Claim(fx.ctx, fx.b, in)
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.Claim(fx.ctx, fx.sm, ClaimInput{RegistrationID: ec.ID, PriorID: eb.ID})
		refused(t, err, http.StatusUnprocessableEntity, "prior_id")
		k := must(fx.svc.Claim(fx.ctx, fx.sm, in))(t)
		if k.RegistrationID != eb.ID || k.PriorID != ec.ID || !k.Referral || len(k.Keys) != 0 || k.RaisedByID != fx.sm.UserID ||
			k.RaisedBy != fx.sm.Username || k.Note != in.Note {
			t.Fatalf("claim %+v", k)
		}
	})
}
