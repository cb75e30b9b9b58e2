package web

import (
	"net/http"

	"kefu/internal/inspection"
)

// inspCopy is one printed copy of a two-copy form (INS-012).
type inspCopy struct {
	Name     string // 客户联, 存根联
	Keep     string // who keeps it
	Customer bool   // the customer copy: its own entries
}

// inspPrintData is a printable form.
type inspPrintData struct {
	R          *inspection.Record
	Lists      []inspList
	Copies     []inspCopy // two copies: the gas indoor-facility form
	Title      string
	Obligation string
	SheetName  string
	Company    string
	Printed    string
	Refused    bool
}

// inspPrint is the printable form of a record: the gas
// 《管道燃气客户户内设施检查表》 in two copies, 客户联 and 存根联, each with the
// signature lines (INS-012); the power 用电检查工作单 — for an important
// customer the 《重要电力客户用电检查工作单》 (INS-011) — with the seven
// items and the no-operation statement (INS-010).
func (s *Server) inspPrint(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	ctx, l, p := rq.Context(), rq.Lang, rq.P
	r, err := s.inspections.GetRecord(ctx, p, id)
	if err != nil {
		return err
	}
	d := &inspPrintData{R: r, Lists: inspLists(s.inspections.RecordChecklists(r), r, l), Printed: exact(s.now()),
		Obligation: s.obligationName(r.Pack, r.PackVersion, r.Cycle, r.Campaign, l), SheetName: s.sheetName(r.Pack, r.WorkSheet, l),
		Refused: r.SignatureRefused}
	if u, err := s.org.Get(ctx, r.CompanyID); err == nil {
		d.Company = u.Name
	}
	for _, c := range d.Lists {
		if c.TwoCopies {
			d.Title = c.FormTitle
			d.Copies = []inspCopy{{Name: "客户联", Keep: "本联由客户留存", Customer: true}, {Name: "存根联", Keep: "本联由公司存档"}}
			break
		}
	}
	if d.Title == "" {
		d.Title = d.SheetName
		if d.Title == "" {
			d.Title = "用电检查工作单"
			if r.Pack != "power" {
				d.Title = "安全检查记录"
			}
		}
	}
	pg := s.newPage(rq, "insp.print", "inspections")
	pg.Title = d.Title + " · " + r.ArchiveNo
	pg.Data = d
	s.render(w, rq, http.StatusOK, "inspection_print", pg)
	return nil
}
