package process_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestSalesContractPipeline: the sales office's pipeline on the worked
// examples — PRC-039: file received Thu 2026-10-08 16:20 → mortgage
// documents due Fri 10-09 16:20; PRC-040: pre-sale contract received Fri
// 10-09 11:00 → registration documents to the signing lawyer the same day
// (due 10-10 00:00); registered contract returned Fri 10-09 15:00 →
// original due end of Mon 10-12 (Sat 10-10 make-up = day 1).
func TestSalesContractPipeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		co := f.unit(f.admin.OrgUnitID, org.Company, "置业公司", "realestate")
		office := f.unit(co.ID, org.Department, "客户服务部", "")
		f.people["cs"] = f.user(office, auth.RoleCSAgent)
		f.people["sales"] = f.user(office, auth.RoleSalesAgent)
		c, _, err := f.custSvc.Create(f.ctx, f.admin, customer.Input{Kind: customer.Person, Name: "赵六", Phone: "13900001234",
			Address: "滨江花园18栋602", Type: "closed", OrgUnit: &office.ID,
			ServicePoints: []customer.ServicePointInput{{Kind: "property_unit", AccountNo: "H18-0602", Address: "滨江花园18栋602"}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.custSvc.Get(f.ctx, f.admin, c.ID)
		if err != nil || len(got.ServicePoints) == 0 {
			t.Fatalf("customer %d: %v", c.ID, err)
		}
		unit := got.ServicePoints[0].ID

		p := f.start("cs", "2026-10-08 16:00", "sales.contract_pipeline", unit, map[string]any{"mortgage": true, "deal_no": "18-0602"})
		if p.Pack != "realestate" || p.CustomerID != c.ID {
			t.Fatalf("started %+v", p)
		}
		f.gated("cs", p, "checklist", "customer_file")
		// The sales roles hand over; they do not act on the process.
		f.refused("sales", p.ID, process.ActionInput{Action: process.ActionReceive, Item: "customer_file"}, http.StatusForbidden)
		p = f.receiveAll("cs", "2026-10-08 16:15", p)
		p = f.complete("cs", "2026-10-08 16:20", p, "", "")

		// PRC-039: 24 hours from the file.
		due(t, p, "mortgage_handover", "2026-10-09 16:20")
		p = f.complete("cs", "2026-10-09 10:00", p, "", "")

		// PRC-040: the registration waits for the pre-sale contract, then
		// ends the same day.
		if sr := current(t, p); sr.Step != "registration" || sr.DueAt != nil || len(sr.Waiting) != 1 || sr.Waiting[0] != "contract_received" {
			t.Fatalf("registration before the contract: %+v", sr)
		}
		f.gated("cs", p, "requires", "contract_received")
		p = f.fact("cs", "2026-10-09 11:00", p, "contract_received")
		due(t, p, "registration", "2026-10-10 00:00")
		p = f.complete("cs", "2026-10-09 14:00", p, "", "")

		// PRC-040: the original within 2 working days of its return.
		f.gated("cs", p, "requires", "contract_returned")
		p = f.fact("cs", "2026-10-09 15:00", p, "contract_returned")
		due(t, p, "original_handover", "2026-10-13 00:00")
		p = f.complete("cs", "2026-10-12 10:00", p, "", "")
		finished(t, p, map[string]int{"handover_receipt": 3})

		// Without a mortgage the hand-over to the mortgage lawyer is skipped.
		q := f.start("cs", "2026-10-09 09:00", "sales.contract_pipeline", unit, map[string]any{"mortgage": false})
		q = f.receiveAll("cs", "2026-10-09 09:10", q)
		q = f.complete("cs", "2026-10-09 09:20", q, "", "")
		due(t, q, "registration", "")
	})
}
