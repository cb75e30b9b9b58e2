package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"kefu/internal/audit"
)

// auditRow is one audit entry with its changes pretty-printed.
type auditRow struct {
	audit.Entry
	Pretty string
}

// auditData is the audit page.
type auditData struct {
	Rows        []auditRow
	NextURL     string
	FirstURL    string
	Verify      *audit.Report
	BreakReason string   // the break's reason in the page's language
	Actions     []string // suggestions for the action filter
	ObjectTypes []string
}

// auditPage lists the newest audit rows, filtered, 50 a page; ?verify=1
// also walks the hash chain and shows the result.
func (s *Server) auditPage(w http.ResponseWriter, rq *request) error {
	ctx := rq.Context()
	q := rq.URL.Query()
	f := audit.Filter{ObjectType: strings.TrimSpace(q.Get("object_type")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Action: strings.TrimSpace(q.Get("action")), Limit: 50}
	if sc := rq.P.Scope(); !sc.All {
		f.ActorScope = sc // SEC-001: a subsidiary reviews what its own staff did
	}
	if n, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && n > 0 {
		f.BeforeSeq = n
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 200 {
		f.Limit = n
	}
	entries, next, err := audit.List(ctx, s.db, f)
	if err != nil {
		return err
	}
	d := auditData{Actions: knownSuffixes("audit.action."), ObjectTypes: knownSuffixes("audit.object.")}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{Entry: e, Pretty: prettyJSON(e.Changes)})
	}
	if next != "" {
		nq := cloneValues(q)
		nq.Del("verify")
		nq.Set("before", next)
		d.NextURL = "/admin/audit?" + nq.Encode()
	}
	if f.BeforeSeq != 0 {
		fq := cloneValues(q)
		fq.Del("before")
		fq.Del("verify")
		d.FirstURL = "/admin/audit?" + fq.Encode()
	}
	if q.Get("verify") != "" {
		rep, err := audit.Verify(ctx, s.db)
		if err != nil {
			return err
		}
		d.Verify = &rep
		if rep.Break != nil {
			d.BreakReason = rep.Break.Reason.In(rq.Lang)
		}
	}
	pg := s.newPage(rq, "audit.title", "audit")
	pg.Form = newForm(q)
	pg.Data = d
	s.render(w, rq, http.StatusOK, "audit", pg)
	return nil
}

func prettyJSON(b []byte) string {
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}
