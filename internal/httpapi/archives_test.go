package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// archiveEnv is a real-estate company with its archive departments bound
// through the API, and the people of the flow.
type archiveEnv struct {
	*env
	co, other org.Unit
	units     map[string]org.Unit
	tok       map[string]string
	ids       map[string]store.ID
}

func newArchiveEnv(t *testing.T, db *store.DB) *archiveEnv {
	e := newEnv(t, db)
	e.clk.mu.Lock()
	e.clk.t = time.Date(2026, 3, 10, 9, 0, 0, 0, store.Zone)
	e.clk.mu.Unlock()
	x := &archiveEnv{env: e, units: map[string]org.Unit{}, tok: map[string]string{}, ids: map[string]store.ID{}}
	mk := func(name string) org.Unit {
		u, err := e.org.Create(t.Context(), org.CreateInput{ParentID: &e.root.ID, Kind: org.Company, Name: name, Pack: "realestate"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	x.co, x.other = mk("甲置业"), mk("乙公司")
	for key, name := range map[string]string{"gmo": "总经理办公室", "sales_team": "项目销售组",
		"customer_affairs": "客户事务组", "general_services": "综合服务部"} {
		x.units[key] = e.unit(x.co.ID, org.Department, name)
	}
	otherGMO := e.unit(x.other.ID, org.Department, "乙公司总经办")
	for _, u := range []struct {
		name, position string
		unit           store.ID
		role           auth.Role
	}{{"arc", "", x.units["gmo"].ID, auth.RoleArchivist}, {"ca", "", x.units["customer_affairs"].ID, auth.RoleArchivist},
		{"team", "", x.units["sales_team"].ID, auth.RoleArchivist}, {"head", "招商部负责人", x.units["general_services"].ID, auth.RoleManager},
		{"gm", "总经理", x.co.ID, auth.RoleManager}, {"gmohead", "", x.units["gmo"].ID, auth.RoleManager},
		{"agent", "", x.units["sales_team"].ID, auth.RoleSalesAgent}, {"view", "", x.co.ID, auth.RoleViewer},
		{"oarc", "", otherGMO.ID, auth.RoleArchivist}} {
		x.ids[u.name] = e.user(u.name, u.unit, u.role).ID
		if u.position != "" {
			if err := db.Tx(context.Background(), func(tx store.Conn) error {
				_, err := tx.Exec(context.Background(), `UPDATE users SET position = ? WHERE id = ?`, u.position, x.ids[u.name])
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		x.tok[u.name] = e.login(u.name)
	}
	for key, custodian := range map[string]string{"gmo": "arc", "customer_affairs": "ca", "sales_team": "team", "general_services": "head"} {
		x.want(x.call("PUT", "/api/v1/archives/departments/"+key, "arc", map[string]any{"company_id": x.co.ID,
			"unit_id": x.units[key].ID, "custodian_id": x.ids[custodian]}), http.StatusOK, nil)
	}
	return x
}

func (x *archiveEnv) call(method, path, who string, body any) res {
	x.t.Helper()
	return x.do(method, path, x.tok[who], body)
}

func (x *archiveEnv) want(r res, status int, v any) {
	x.t.Helper()
	if r.Code != status {
		x.t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if v != nil {
		r.decode(x.t, v)
	}
}

// TestArchivesOverHTTP files a document, archives its volume, lends the
// file through the leasing chain and takes it back, destroys the volume
// after its retention with both approvals, and hands a file over from the
// sales team to Customer Affairs; with the 4xx field names and a refusal
// per role.
func TestArchivesOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newArchiveEnv(t, db)
		const root = "/api/v1/archives"
		var depts listJSON[archive.Department]
		x.want(x.call("GET", root+"/departments", "arc", nil), http.StatusOK, &depts)
		wantError(t, x.call("PUT", root+"/departments/nope", "arc", map[string]any{"unit_id": x.units["gmo"].ID,
			"custodian_id": x.ids["arc"]}), http.StatusNotFound, "not_found", "key")

		// A file, a document checked in and filed, the volume archived in 2015.
		wantError(t, x.call("POST", root+"/files", "agent", map[string]any{"kind": "unit"}), http.StatusForbidden, "forbidden", "")
		wantError(t, x.call("POST", root+"/files", "arc", map[string]any{"kind": 5}), http.StatusUnprocessableEntity, "validation_failed", "kind")
		wantError(t, x.call("POST", root+"/files", "arc", map[string]any{"kind": "room"}), http.StatusUnprocessableEntity, "validation_failed", "kind")
		var f archive.File
		x.want(x.call("POST", root+"/files", "arc", map[string]any{"kind": "unit", "project": "XD", "building": "3",
			"unit": "0501", "chain": "leasing"}), http.StatusCreated, &f)
		if f.Number != "XD-03-0501" || f.Level != "C" {
			t.Fatalf("file %+v", f)
		}
		var it archive.Item
		x.want(x.call("POST", root+"/items", "arc", map[string]any{"file_id": f.ID, "category": "3.2",
			"title": "商品房买卖合同", "medium": "paper", "pages": 12,
			"received_at": "2015-02-26T10:00:00+08:00"}), http.StatusCreated, &it)
		wantError(t, x.call("POST", root+"/items", "arc", map[string]any{"file_id": f.ID, "category": "3.2",
			"title": "x", "medium": "paper", "received_at": "yesterday"}), http.StatusUnprocessableEntity, "validation_failed", "received_at")
		x.want(x.call("GET", root+"/files/"+f.ID.String(), "arc", nil), http.StatusOK, &f)
		if len(f.Volumes) != 1 {
			t.Fatalf("volumes %+v", f.Volumes)
		}
		vol := f.Volumes[0].ID.String()
		wantError(t, x.call("POST", root+"/volumes/"+vol+"/archive", "arc", map[string]any{"archived_on": "2015-13-01"}),
			http.StatusUnprocessableEntity, "validation_failed", "archived_on")
		var v archive.Volume
		x.want(x.call("POST", root+"/volumes/"+vol+"/archive", "arc", map[string]any{"archived_on": "2015-03-01"}), http.StatusOK, &v)
		if v.EligibleOn.String() != "2025-03-02" {
			t.Fatalf("eligible %s", v.EligibleOn)
		}

		// A loan through the leasing chain: head review, GM approval, lent, returned.
		wantError(t, x.call("POST", root+"/loans", "view", map[string]any{"file_id": f.ID, "purpose": "查阅"}),
			http.StatusForbidden, "forbidden", "")
		var loan archive.Loan
		x.want(x.call("POST", root+"/loans", "agent", map[string]any{"file_id": f.ID, "purpose": "核对合同"}), http.StatusCreated, &loan)
		lp := root + "/loans/" + loan.ID.String()
		wantError(t, x.call("POST", lp+"/decision", "head", map[string]any{"decision": "maybe"}),
			http.StatusUnprocessableEntity, "validation_failed", "decision")
		x.want(x.call("POST", lp+"/decision", "head", map[string]any{"decision": "approve"}), http.StatusOK, &loan)
		x.want(x.call("POST", lp+"/decision", "gm", map[string]any{"decision": "approve"}), http.StatusOK, &loan)
		if loan.State != archive.LoanApproved {
			t.Fatalf("loan %s", loan.State)
		}
		x.want(x.call("POST", lp+"/lend", "arc", nil), http.StatusOK, &loan)
		if loan.State != archive.LoanLent || loan.DueAt.IsZero() {
			t.Fatalf("lent %+v", loan)
		}
		x.want(x.call("POST", lp+"/return", "arc", map[string]any{"note": "完好"}), http.StatusOK, &loan)
		if loan.State != archive.LoanReturned {
			t.Fatalf("returned %s", loan.State)
		}

		// The destruction list: head of the holding department, then the GM.
		var d archive.Destruction
		x.want(x.call("POST", root+"/destructions", "arc", map[string]any{"volume_ids": []store.ID{f.Volumes[0].ID}}),
			http.StatusCreated, &d)
		dp := root + "/destructions/" + d.ID.String()
		wantError(t, x.call("POST", dp+"/decision", "arc", map[string]any{"decision": "approve"}), http.StatusForbidden, "forbidden", "")
		x.want(x.call("POST", dp+"/decision", "gmohead", map[string]any{"decision": "approve"}), http.StatusOK, &d)
		x.want(x.call("POST", dp+"/decision", "gm", map[string]any{"decision": "approve", "note": "同意销毁"}), http.StatusOK, &d)
		wantError(t, x.call("POST", dp+"/execute", "arc", map[string]any{"method": "粉碎", "executed_on": "03/10"}),
			http.StatusUnprocessableEntity, "validation_failed", "executed_on")
		x.want(x.call("POST", dp+"/execute", "arc", map[string]any{"method": "粉碎", "witness": "王五"}), http.StatusOK, &d)
		if d.State != archive.DestructionExecuted {
			t.Fatalf("destruction %s", d.State)
		}

		// A handover from the sales team to Customer Affairs.
		var f2 archive.File
		x.want(x.call("POST", root+"/files", "arc", map[string]any{"kind": "unit", "project": "XD", "building": "2",
			"unit": "1101", "holder_unit_id": x.units["sales_team"].ID}), http.StatusCreated, &f2)
		wantError(t, x.call("POST", root+"/handovers", "team", map[string]any{"schedule": "sales", "event_on": "2026-3-9"}),
			http.StatusUnprocessableEntity, "validation_failed", "event_on")
		wantError(t, x.call("POST", root+"/handovers", "team", map[string]any{"schedule": "sales"}),
			http.StatusUnprocessableEntity, "validation_failed", "event_on")
		var h archive.Handover
		x.want(x.call("POST", root+"/handovers", "team", map[string]any{"schedule": "sales", "event_on": "2026-03-09",
			"file_ids": []store.ID{f2.ID}}), http.StatusCreated, &h)
		// Subscription Mon 2026-03-09 → 5 working days → end of Mon 03-16.
		if want := time.Date(2026, 3, 17, 0, 0, 0, 0, store.Zone); !h.DueAt.Equal(want) || len(h.Files) != 1 {
			t.Fatalf("handover due %s files %d", h.DueAt, len(h.Files))
		}
		hp := root + "/handovers/" + h.ID.String()
		wantError(t, x.call("POST", hp+"/files", "team", map[string]any{"file_ids": []store.ID{f.ID}}),
			http.StatusUnprocessableEntity, "validation_failed", "file_ids[0]")
		wantError(t, x.call("POST", hp+"/submit", "ca", map[string]any{}), http.StatusForbidden, "forbidden", "")
		x.want(x.call("POST", hp+"/submit", "team", map[string]any{"note": "留复印件"}), http.StatusOK, &h)
		x.want(x.call("POST", hp+"/receive", "ca", map[string]any{}), http.StatusOK, &h)
		if h.State != archive.HandoverReceived || h.Overdue {
			t.Fatalf("handover %+v", h)
		}
		x.want(x.call("GET", root+"/files/"+f2.ID.String(), "arc", nil), http.StatusOK, &f2)
		if f2.HolderUnitID != x.units["customer_affairs"].ID {
			t.Fatalf("custody stayed with %d", f2.HolderUnitID)
		}
		var hs listJSON[archive.Handover]
		x.want(x.call("GET", root+"/handovers?overdue=true", "arc", nil), http.StatusOK, &hs)
		wantError(t, x.call("GET", root+"/handovers?overdue=maybe", "arc", nil), http.StatusUnprocessableEntity, "validation_failed", "overdue")

		// An inspection with a finding closed.
		var ins archive.Inspection
		wantError(t, x.call("POST", root+"/inspections", "arc", map[string]any{"unit_id": x.units["customer_affairs"].ID,
			"findings": []map[string]any{{"finding": "缺身份证复印件", "due_on": "soon"}}}),
			http.StatusUnprocessableEntity, "validation_failed", "findings[0].due_on")
		x.want(x.call("POST", root+"/inspections", "arc", map[string]any{"unit_id": x.units["customer_affairs"].ID,
			"inspected_on": "2026-03-09", "findings": []map[string]any{{"file_id": f2.ID, "finding": "缺身份证复印件",
				"due_on": "2026-03-20"}}}), http.StatusCreated, &ins)
		if ins.NextDue.String() != "2026-09-09" || len(ins.Findings) != 1 {
			t.Fatalf("inspection %+v", ins)
		}
		fp := root + "/findings/" + ins.Findings[0].ID.String() + "/close"
		wantError(t, x.call("POST", fp, "ca", map[string]any{}), http.StatusUnprocessableEntity, "validation_failed", "note")
		x.want(x.call("POST", fp, "ca", map[string]any{"note": "已补齐"}), http.StatusOK, nil)
		wantError(t, x.call("POST", fp, "ca", map[string]any{"note": "again"}), http.StatusConflict, "conflict", "state")
	})
}

// TestArchiveScopeOverHTTP: another company's archivist finds none of the
// company's records, and writes nothing trying.
func TestArchiveScopeOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newArchiveEnv(t, db)
		const root = "/api/v1/archives"
		var f archive.File
		x.want(x.call("POST", root+"/files", "arc", map[string]any{"kind": "unit", "project": "XD", "building": "2",
			"unit": "1101", "holder_unit_id": x.units["sales_team"].ID}), http.StatusCreated, &f)
		var h archive.Handover
		x.want(x.call("POST", root+"/handovers", "team", map[string]any{"schedule": "sales", "event_on": "2026-03-09"}),
			http.StatusCreated, &h)
		var ins archive.Inspection
		x.want(x.call("POST", root+"/inspections", "arc", map[string]any{"unit_id": x.units["customer_affairs"].ID,
			"findings": []map[string]any{{"finding": "缺页"}}}), http.StatusCreated, &ins)
		co := x.co.ID.String()
		for _, path := range []string{root + "/files/" + f.ID.String(), root + "/handovers/" + h.ID.String(),
			root + "/handovers?company_id=" + co, root + "/inspections?company_id=" + co, root + "/departments?company_id=" + co,
			root + "/files?company_id=" + co} {
			if r := x.call("GET", path, "oarc", nil); r.Code != http.StatusNotFound {
				t.Errorf("GET %s by another company's archivist: %d %s", path, r.Code, r.Body)
			}
		}
		before := x.auditCount()
		for path, body := range map[string]any{
			root + "/handovers/" + h.ID.String() + "/submit":             map[string]any{},
			root + "/handovers/" + h.ID.String() + "/files":              map[string]any{"file_ids": []store.ID{f.ID}},
			root + "/findings/" + ins.Findings[0].ID.String() + "/close": map[string]any{"note": "越权"},
			root + "/files/" + f.ID.String() + "/links":                  map[string]any{"other_file_id": f.ID, "relation": "related"},
		} {
			if r := x.call("POST", path, "oarc", body); r.Code != http.StatusNotFound {
				t.Errorf("POST %s by another company's archivist: %d %s", path, r.Code, r.Body)
			}
		}
		if x.auditCount() != before {
			t.Fatal("refused requests wrote to the audit log")
		}
	})
}
