package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/process"
	"kefu/internal/store"
)

// docSheet is a document produced at a step, as printed: A4, Chinese, with
// the blanks the customer and the handler sign.
type docSheet struct {
	P                            *process.Process
	D                            process.Document
	C                            process.DocumentContent
	Title, Org, Definition, Step string
	Outcome, Issued, Due, Rules  string
	RectifyBy                    string // a deadline rectification notice's deadline (PRC-025)
	Printed, Point               string
	Attrs                        []kv
	Blanks                       []string
}

// processDocPrint is the printable page of one document of a process.
func (s *Server) processDocPrint(w http.ResponseWriter, rq *request) error {
	id, err := processID(rq)
	if err != nil {
		return err
	}
	docID, err := store.ParseID(rq.PathValue("doc"))
	if err != nil {
		return notFound()
	}
	ctx := rq.Context()
	pr, err := s.processes.Get(ctx, rq.P, id)
	if err != nil {
		return err
	}
	var doc *process.Document
	for i := range pr.Documents {
		if pr.Documents[i].ID == docID {
			doc = &pr.Documents[i]
		}
	}
	if doc == nil {
		return notFound()
	}
	var c process.DocumentContent
	if err := json.Unmarshal(doc.Content, &c); err != nil {
		return err
	}
	_, def := s.processDef(pr)
	v := &docSheet{P: pr, D: *doc, C: c, Title: doc.Title, Definition: c.Definition.ZH, Step: c.Step.ZH,
		Outcome: c.Outcome.ZH, Issued: exact(c.IssuedAt), Rules: strings.Join(c.Rules, "、"), Printed: exact(s.now()),
		Blanks: c.SignatureFor}
	if t, ok := policy.ProcessDocuments[doc.Kind]; ok && v.Title == "" {
		v.Title = t.ZH
	}
	if c.DueAt != nil {
		v.Due = exact(*c.DueAt)
	}
	if c.RectifyBy != nil {
		v.RectifyBy = exact(*c.RectifyBy)
	}
	if len(v.Blanks) == 0 {
		v.Blanks = []string{"客户签字（盖章）", "经办人"}
	}
	v.Org = s.issuer(ctx, pr, doc.StepID)
	_, v.Point = s.customerRef(ctx, rq.P, pr)
	// The sheet is Chinese, like the work-order sheet (TKT-019).
	v.Attrs = attrValues(def, c.Attributes, i18n.ZH)
	pg := s.newPage(rq, "prc.doc", "processes")
	pg.Title = v.Title + " · " + pr.Number
	pg.Data = v
	s.render(w, rq, http.StatusOK, "process_print", pg)
	return nil
}

// issuer is the company that issued a document: the company of the unit
// of the round that printed it (the process's unit when unknown).
func (s *Server) issuer(ctx context.Context, pr *process.Process, step store.ID) string {
	unit := pr.UnitID
	for _, sr := range pr.Steps {
		if sr.ID == step {
			unit = sr.UnitID
		}
	}
	units, err := s.org.List(ctx)
	if err != nil {
		return ""
	}
	byID := map[store.ID]org.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	u, ok := byID[unit]
	if !ok {
		return ""
	}
	name := u.Name
	for _, id := range org.AncestorIDs(u.Path) {
		if a, ok := byID[id]; ok && a.Kind == org.Company {
			name = a.Name
		}
	}
	return name
}
