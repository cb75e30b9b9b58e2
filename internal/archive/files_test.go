package archive

import (
	"net/http"
	"strings"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// unitFile opens a unit file of project XD through the service.
func (fx *fixture) unitFile(t *testing.T, customer, point store.ID, building, unit string) File {
	t.Helper()
	return must(fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, CustomerID: customer,
		ServicePointID: point, Project: "XD", Building: building, Unit: unit}))(t)
}

func TestCreateFileNumberingAndCatalogueOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		li := fx.customer(t, "李明")
		f := fx.unitFile(t, li, fx.point(t, li, fx.company), "3", "0501")
		if f.Number != "XD-03-0501" || f.Title != "李明 XD 3-0501" || f.Level != "C" || f.Chain != "central" ||
			f.HolderUnitID != fx.dept["gmo"] || f.CustomerName != "李明" {
			t.Fatalf("file = %+v", f)
		}
		// ARC-010: unit 3-0501 of project XD, category 3.2 → XD-03-0501-3.2.
		must(fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{FileID: f.ID, Category: "3.2", Title: "商品房买卖合同",
			Medium: "paper", Pages: 12}))(t)
		got := must(fx.svc.GetFile(fx.ctx, fx.archivist, f.ID))(t)
		if len(got.Volumes) != 1 || got.Volumes[0].Number != "XD-03-0501-3.2" || got.Volumes[0].Items != 1 ||
			got.Volumes[0].Pages != 12 || got.Volumes[0].RetentionYears != 10 {
			t.Fatalf("volumes = %+v", got.Volumes)
		}
		// ARC-003: the checklist entries no title contains are missing.
		if m := got.Volumes[0].Missing; len(m) != 2 || m[0] != "补充协议" || m[1] != "银行按揭合同" {
			t.Fatalf("missing = %v", m)
		}
		// Shops come after the homes of the project (seed 004-E §5.6(b)).
		shop := must(fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindShop, Project: "XD", Unit: "12",
			Title: "XD 商铺 12"}))(t)
		if shop.Number != "XD-SP-0012" {
			t.Fatalf("shop number = %s", shop.Number)
		}
		wang := fx.customer(t, "王芳")
		fx.unitFile(t, wang, 0, "12", "0802")
		page := must(fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Limit: 2}))(t)
		if len(page.Items) != 2 || page.Items[0].Number != "XD-03-0501" || page.Items[1].Number != "XD-12-0802" || page.Next == "" {
			t.Fatalf("page 1 = %+v", page)
		}
		page = must(fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Limit: 2, Cursor: page.Next}))(t)
		if len(page.Items) != 1 || page.Items[0].Number != "XD-SP-0012" || page.Next != "" {
			t.Fatalf("page 2 = %+v", page)
		}
		shops := must(fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Kind: KindShop}))(t)
		if len(shops.Items) != 1 {
			t.Fatalf("shops = %+v", shops)
		}
		byCat := must(fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Category: "3.2", Q: "李"}))(t)
		if len(byCat.Items) != 1 || byCat.Items[0].ID != f.ID {
			t.Fatalf("by category = %+v", byCat)
		}
		// Litigation numbers run per company and year without gaps.
		l1 := must(fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindLitigation, Title: "李明诉讼",
			HolderUnitID: fx.dept["legal"]}))(t)
		l2 := must(fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindLitigation, Title: "王芳诉讼"}))(t)
		if l1.Number != "L-2026-01" || l2.Number != "L-2026-02" || l1.HolderUnitID != fx.dept["legal"] {
			t.Fatalf("litigation = %s %s", l1.Number, l2.Number)
		}
		cy := must(fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindCaseYear, Year: 2025}))(t)
		if cy.Number != "TS-2025" || cy.Title != "2025年度投诉案宗" {
			t.Fatalf("case file = %+v", cy)
		}
	})
}

func TestCreateFileRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		li := fx.customer(t, "李明")
		pt := fx.point(t, li, fx.company)
		f := fx.unitFile(t, li, pt, "3", "0501")
		_, err := fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, CustomerID: li, ServicePointID: pt,
			Project: "XD", Building: "3", Unit: "0502"})
		refused(t, err, http.StatusConflict, "service_point_id")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "03",
			Unit: "501", Title: "重复"})
		refused(t, err, http.StatusConflict, "number")
		_, err = fx.svc.CreateFile(fx.ctx, fx.agent, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1"})
		refused(t, err, http.StatusForbidden, "")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: "box"})
		refused(t, err, http.StatusUnprocessableEntity, "kind")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Unit: "1"})
		refused(t, err, http.StatusUnprocessableEntity, "building")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1",
			Title: "x", Level: "Z"})
		refused(t, err, http.StatusUnprocessableEntity, "level")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1",
			Title: "x", Chain: "nope"})
		refused(t, err, http.StatusUnprocessableEntity, "chain")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1",
			Title: "x", HolderUnitID: fx.co.ID})
		refused(t, err, http.StatusUnprocessableEntity, "holder_unit_id")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindCaseYear, Year: 2027})
		refused(t, err, http.StatusUnprocessableEntity, "year")
		// Another company's service point and customer are not found.
		otherCustomer := fx.insert(t, `INSERT INTO customers (name, org_unit_id, created_at, updated_at) VALUES ('外', ?, 0, 0) RETURNING id`,
			fx.other.ID)
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1",
			CustomerID: otherCustomer})
		refused(t, err, http.StatusNotFound, "customer_id")
		_, err = fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "1", Unit: "1",
			ServicePointID: fx.point(t, otherCustomer, fx.other.ID)})
		refused(t, err, http.StatusNotFound, "service_point_id")
		// The outsider does not see the file, nor may pick the company.
		_, err = fx.svc.GetFile(fx.ctx, fx.outsider, f.ID)
		refused(t, err, http.StatusNotFound, "id")
		_, err = fx.svc.ListFiles(fx.ctx, fx.outsider, FileFilter{CompanyID: fx.company})
		refused(t, err, http.StatusNotFound, "company_id")
		_, err = fx.svc.LookupFile(fx.ctx, fx.outsider, 0, f.Number)
		refused(t, err, http.StatusNotFound, "file_number")
		var n int64
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM archive_files").Scan(&n); err != nil || n != 1 {
			t.Fatalf("files = %d, %v", n, err)
		}
	})
}

func TestSameOwnerLinksAndLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		// ARC-002: a customer owning 2-1101 and 2-1102 → each file lists the other.
		zhao := fx.customer(t, "赵强")
		a := fx.unitFile(t, zhao, fx.point(t, zhao, fx.company), "2", "1101")
		b := fx.unitFile(t, zhao, fx.point(t, zhao, fx.company), "2", "1102")
		if len(b.Links) != 1 || b.Links[0].OtherNumber != a.Number || b.Links[0].Relation != "same_owner" {
			t.Fatalf("links of b = %+v", b.Links)
		}
		got := must(fx.svc.GetFile(fx.ctx, fx.archivist, a.ID))(t)
		if len(got.Links) != 1 || got.Links[0].OtherFileID != b.ID || got.Links[0].OtherNumber != "XD-02-1102" ||
			got.Links[0].FileID != a.ID {
			t.Fatalf("links of a = %+v", got.Links)
		}
		// The agent finds the file by its number for a loan, minimal fields.
		lk := must(fx.svc.LookupFile(fx.ctx, fx.agent, 0, "XD-02-1101"))(t)
		if lk.ID != a.ID || lk.Chain != "central" || lk.CustomerName != "" || lk.Volumes != nil {
			t.Fatalf("lookup = %+v", lk)
		}
		_, err := fx.svc.LookupFile(fx.ctx, fx.agent, 0, "XD-09-0909")
		refused(t, err, http.StatusNotFound, "file_number")
		// UpdateFile changes the title, location and chain.
		title, loc, chain := "赵强 2-1101", "A柜3层", "sales_office"
		up := must(fx.svc.UpdateFile(fx.ctx, fx.archivist, a.ID, FilePatch{Title: &title, Location: &loc, Chain: &chain}))(t)
		if up.Title != title || up.Location != loc || up.Chain != chain {
			t.Fatalf("updated = %+v", up)
		}
		bad := "x"
		_, err = fx.svc.UpdateFile(fx.ctx, fx.archivist, a.ID, FilePatch{Chain: &bad})
		refused(t, err, http.StatusUnprocessableEntity, "chain")
		_, err = fx.svc.UpdateFile(fx.ctx, fx.director, a.ID, FilePatch{Title: &title})
		refused(t, err, http.StatusForbidden, "")
	})
}

func TestDepartments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ds := must(fx.svc.Departments(fx.ctx, fx.archivist, 0))(t)
		if len(ds) != 9 || ds[0].Key != "gmo" || !ds[0].Central || ds[0].UnitID != fx.dept["gmo"] ||
			ds[0].CustodianID != fx.archivist.UserID {
			t.Fatalf("departments = %+v", ds)
		}
		for _, d := range ds {
			if d.Key == "finance" && d.UnitID != 0 {
				t.Fatalf("finance bound: %+v", d)
			}
		}
		fin := fx.units["general_services"]
		clerk := fx.user(fin, "", auth.RoleArchivist)
		d := must(fx.svc.BindDepartment(fx.ctx, fx.archivist, "finance", DepartmentInput{UnitID: fin.ID, CustodianID: clerk.UserID}))(t)
		if d.UnitID != fin.ID || d.CustodianID != clerk.UserID || d.Name != "财务管理部" {
			t.Fatalf("bound = %+v", d)
		}
		_, err := fx.svc.BindDepartment(fx.ctx, fx.archivist, "finance", DepartmentInput{UnitID: fin.ID,
			CustodianID: fx.agent.UserID})
		refused(t, err, http.StatusUnprocessableEntity, "custodian_id")
		_, err = fx.svc.BindDepartment(fx.ctx, fx.archivist, "finance", DepartmentInput{UnitID: fx.other.ID,
			CustodianID: clerk.UserID})
		refused(t, err, http.StatusUnprocessableEntity, "unit_id")
		_, err = fx.svc.BindDepartment(fx.ctx, fx.archivist, "vault", DepartmentInput{UnitID: fin.ID, CustodianID: clerk.UserID})
		refused(t, err, http.StatusNotFound, "key")
		_, err = fx.svc.BindDepartment(fx.ctx, fx.gm, "finance", DepartmentInput{UnitID: fin.ID, CustodianID: clerk.UserID})
		refused(t, err, http.StatusForbidden, "")
		var n int64
		if err := db.Reader().QueryRow(fx.ctx, "SELECT count(*) FROM audit_log WHERE action = 'archive.department.bind'").
			Scan(&n); err != nil || n != 1 {
			t.Fatalf("bind audits = %d, %v", n, err)
		}
	})
}

// Texts longer than their limits are refused naming the field, before
// anything is written.
func TestTextLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		long := strings.Repeat("档", maxTitle+1)
		_, err := fx.svc.CreateFile(fx.ctx, fx.archivist, FileInput{Kind: KindUnit, Project: "XD", Building: "3", Unit: "0501",
			Title: long})
		refused(t, err, http.StatusUnprocessableEntity, "title")
		_, err = fx.svc.CheckIn(fx.ctx, fx.archivist, ItemInput{Category: "3.1", Title: "认购书", Medium: "paper",
			ReceivedFrom: long})
		refused(t, err, http.StatusUnprocessableEntity, "received_from")
		var n int
		if err := db.Reader().QueryRow(fx.ctx, "SELECT (SELECT count(*) FROM archive_files) + (SELECT count(*) FROM archive_items)").
			Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows written: %d %v", n, err)
		}
	})
}
