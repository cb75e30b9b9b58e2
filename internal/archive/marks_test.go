package archive

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestLevelChangeNeedsBothDepartments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		lit := fx.file(t, KindLitigation, "L-2026-04", "legal")
		// A legal archivist who also approves asks; nobody approves their own request.
		legalClerk := fx.user(fx.units["legal"], "", auth.RoleArchivist, auth.RoleManager)
		lc := must(fx.svc.RequestLevelChange(fx.ctx, legalClerk, lit, "B", "涉诉材料"))(t)
		if lc.State != "pending" || lc.FromLevel != "C" || lc.ToLevel != "B" || len(lc.Steps) != 2 ||
			lc.Steps[0].Key != "holder" || lc.Steps[0].Name != "法律室" || lc.Steps[1].Key != "gmo" ||
			lc.Steps[1].Name != "总经理办公室" || lc.Steps[0].State != "current" || lc.Steps[0].CanDecide {
			t.Fatalf("change = %+v", lc)
		}
		_, err := fx.svc.RequestLevelChange(fx.ctx, fx.archivist, lit, "A", "again")
		refused(t, err, http.StatusConflict, "to_level")
		_, err = fx.svc.DecideLevelChange(fx.ctx, legalClerk, lc.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		// ARC-005: the General Manager (a third department) is not an approver.
		_, err = fx.svc.DecideLevelChange(fx.ctx, fx.gm, lc.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		// Nor is the GMO before the Legal Office.
		_, err = fx.svc.DecideLevelChange(fx.ctx, fx.gmoManager, lc.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		lc = must(fx.svc.DecideLevelChange(fx.ctx, fx.legalManager, lc.ID, true, "同意"))(t)
		if lc.State != "pending" || lc.Steps[0].State != "approved" || lc.Steps[1].State != "current" {
			t.Fatalf("after legal = %+v", lc)
		}
		_, err = fx.svc.DecideLevelChange(fx.ctx, fx.legalManager, lc.ID, true, "")
		refused(t, err, http.StatusForbidden, "")
		got := must(fx.svc.GetFile(fx.ctx, fx.gmoManager, lit))(t)
		if got.Level != "C" || len(got.LevelChanges) != 1 || !got.LevelChanges[0].Steps[1].CanDecide {
			t.Fatalf("file before the GMO = %+v", got.LevelChanges)
		}
		lc = must(fx.svc.DecideLevelChange(fx.ctx, fx.gmoManager, lc.ID, true, "同意"))(t)
		if lc.State != "applied" || lc.DecidedAt.IsZero() || len(lc.Approvals) != 2 {
			t.Fatalf("applied = %+v", lc)
		}
		got = must(fx.svc.GetFile(fx.ctx, fx.archivist, lit))(t)
		if got.Level != "B" {
			t.Fatalf("level = %s", got.Level)
		}
		_, err = fx.svc.DecideLevelChange(fx.ctx, fx.admin, lc.ID, true, "")
		refused(t, err, http.StatusConflict, "state")
		// A rejection ends the change and leaves the level.
		down := must(fx.svc.RequestLevelChange(fx.ctx, fx.archivist, lit, "C", "结案"))(t)
		down = must(fx.svc.DecideLevelChange(fx.ctx, fx.legalManager, down.ID, false, "不同意"))(t)
		if down.State != "rejected" || down.Steps[0].State != "rejected" || down.Steps[1].State != "waiting" {
			t.Fatalf("rejected = %+v", down)
		}
		_, err = fx.svc.RequestLevelChange(fx.ctx, fx.archivist, lit, "B", "same")
		refused(t, err, http.StatusUnprocessableEntity, "to_level")
		_, err = fx.svc.RequestLevelChange(fx.ctx, fx.archivist, lit, "Q", "x")
		refused(t, err, http.StatusUnprocessableEntity, "to_level")
		_, err = fx.svc.RequestLevelChange(fx.ctx, fx.outsider, lit, "A", "x")
		refused(t, err, http.StatusNotFound, "id")
	})
}

func TestHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		f := fx.file(t, KindUnit, "XD-03-0501", "gmo")
		_, err := fx.svc.SetHold(fx.ctx, fx.archivist, f, true, "诉讼保全")
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.SetHold(fx.ctx, fx.gmoManager, f, true, " ")
		refused(t, err, http.StatusUnprocessableEntity, "reason")
		_, err = fx.svc.SetHold(fx.ctx, fx.gmoManager, f, false, "无")
		refused(t, err, http.StatusConflict, "on_hold")
		held := must(fx.svc.SetHold(fx.ctx, fx.gmoManager, f, true, "诉讼保全"))(t)
		if !held.OnHold || len(held.Holds) != 1 || held.Holds[0].Action != "place" {
			t.Fatalf("held = %+v", held)
		}
		_, err = fx.svc.SetHold(fx.ctx, fx.gmoManager, f, true, "再次")
		refused(t, err, http.StatusConflict, "on_hold")
		free := must(fx.svc.SetHold(fx.ctx, fx.gm, f, false, "结案"))(t)
		if free.OnHold || len(free.Holds) != 2 || free.Holds[1].Action != "release" || free.Holds[1].By != fx.gm.UserID {
			t.Fatalf("released = %+v", free)
		}
		_, err = fx.svc.SetHold(fx.ctx, fx.outsider, f, true, "x")
		refused(t, err, http.StatusForbidden, "")
	})
}

func TestLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		home := fx.file(t, KindUnit, "XD-02-1101", "gmo")
		lit := fx.file(t, KindLitigation, "L-2026-04", "legal")
		// ARC-002: the judgment copied into 2-1101 points to L-2026-04.
		l := must(fx.svc.AddLink(fx.ctx, fx.archivist, home, LinkInput{OtherFileID: lit, Relation: "litigation",
			Note: "2026-06-30 判决书"}))(t)
		if l.OtherNumber != "L-2026-04" || l.FileID != home {
			t.Fatalf("link = %+v", l)
		}
		got := must(fx.svc.GetFile(fx.ctx, fx.archivist, lit))(t)
		if len(got.Links) != 1 || got.Links[0].OtherNumber != "XD-02-1101" || got.Links[0].Relation != "litigation" {
			t.Fatalf("seen from the litigation file = %+v", got.Links)
		}
		_, err := fx.svc.AddLink(fx.ctx, fx.archivist, lit, LinkInput{OtherFileID: home, Relation: "litigation"})
		refused(t, err, http.StatusConflict, "other_file_id")
		_, err = fx.svc.AddLink(fx.ctx, fx.archivist, lit, LinkInput{OtherFileID: lit, Relation: "related"})
		refused(t, err, http.StatusUnprocessableEntity, "other_file_id")
		_, err = fx.svc.AddLink(fx.ctx, fx.archivist, lit, LinkInput{OtherFileID: home, Relation: "cousin"})
		refused(t, err, http.StatusUnprocessableEntity, "relation")
		_, err = fx.svc.AddLink(fx.ctx, fx.agent, lit, LinkInput{OtherFileID: home, Relation: "related"})
		refused(t, err, http.StatusForbidden, "")
	})
}
