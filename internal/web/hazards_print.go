package web

import (
	"net/http"

	"kefu/internal/apperr"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// hazardPrintData is a printable hazard document: a notice in two copies
// (the stub kept by the company and the customer's copy, with the
// signature lines: 安全隐患整改通知书 / 书面整改意见 / 限期整改告知书), or
// the 安全隐患整改追踪记录表 (INS-013).
type hazardPrintData struct {
	H            *hazard.Detail
	N            *hazard.Notice
	Tracking     bool
	Title        string
	Company      string
	SeverityName string
	RespName     string
	Found        string
	Issued       string
	Issuer       string
	DeadlineOn   string
	Filed        []string // the bodies a deadline notice is filed with (INS-015)
	Copies       []string
	Rows         []hazardFollowUpRow
	Blank        []int // empty lines of the tracking record, to fill in by hand
	Printed      string
	Interval     string
}

// hazardNoticePrint prints a notice of the hazard.
func (s *Server) hazardNoticePrint(w http.ResponseWriter, rq *request) error {
	d, err := s.hazardPrintBase(rq)
	if err != nil {
		return err
	}
	nid, err := store.ParseID(rq.PathValue("notice"))
	if err != nil {
		return apperr.NotFound("notice")
	}
	for i := range d.H.Notices {
		if d.H.Notices[i].ID == nid {
			d.N = &d.H.Notices[i]
		}
	}
	if d.N == nil {
		return apperr.NotFound("notice")
	}
	d.Title = hazardKindName(d.N.Kind, i18n.ZH)
	d.Issued, d.Issuer, d.DeadlineOn = exact(d.N.IssuedAt), d.N.IssuerName, d.N.DeadlineOn
	d.Copies = []string{"存根联", "客户联"}
	if d.N.Kind == policy.NoticeDeadline {
		if pk := s.hazardPack(&d.H.Hazard); pk != nil {
			for _, k := range pk.Hazards.FilingBodies {
				if b, ok := pk.Hazards.Body(k); ok {
					d.Filed = append(d.Filed, b.Name.ZH)
				}
			}
		}
	}
	s.renderHazardPrint(w, rq, d)
	return nil
}

// hazardTrackingPrint prints the 安全隐患整改追踪记录表 of the hazard.
func (s *Server) hazardTrackingPrint(w http.ResponseWriter, rq *request) error {
	d, err := s.hazardPrintBase(rq)
	if err != nil {
		return err
	}
	d.Tracking, d.Title = true, "安全隐患整改追踪记录表"
	for i, x := range d.H.FollowUps {
		d.Rows = append(d.Rows, hazardFollowUpRow{N: i + 1, DoneAt: exact(x.DoneAt), Method: labelOr("hz.method."+x.Method, x.Method, i18n.ZH),
			Found: x.Found, NextDue: exact(x.NextDueAt), By: x.ByName})
	}
	for i := len(d.Rows); i < 8; i++ {
		d.Blank = append(d.Blank, i)
	}
	if len(d.H.Notices) > 0 {
		n := d.H.Notices[len(d.H.Notices)-1]
		d.N, d.DeadlineOn, d.Issued = &n, n.DeadlineOn, exact(n.IssuedAt)
	}
	s.renderHazardPrint(w, rq, d)
	return nil
}

// hazardPrintBase reads the hazard of the path for a printable page.
func (s *Server) hazardPrintBase(rq *request) (*hazardPrintData, error) {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return nil, apperr.NotFound("hazard")
	}
	h, err := s.hazards.Get(rq.Context(), rq.P, id)
	if err != nil {
		return nil, err
	}
	d := &hazardPrintData{H: h, SeverityName: s.hazardSeverityName(&h.Hazard, i18n.ZH), Found: exact(h.FoundAt),
		RespName: labelOr("hz.resp."+h.Responsibility, h.Responsibility, i18n.ZH), Printed: exact(s.now())}
	if u, err := s.org.Get(rq.Context(), h.CompanyID); err == nil {
		d.Company = u.Name
	}
	if pk := s.hazardPack(&h.Hazard); pk != nil {
		d.Interval = pk.Hazards.FollowUpInterval.String()
	}
	return d, nil
}

func (s *Server) renderHazardPrint(w http.ResponseWriter, rq *request, d *hazardPrintData) {
	pg := s.newPage(rq, "hz.title", "hazards")
	pg.Title = d.H.Number + " · " + d.Title
	pg.Data = d
	s.render(w, rq, http.StatusOK, "hazard_print", pg)
}
