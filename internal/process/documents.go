package process

import (
	"context"
	"encoding/json"
	"time"

	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// DocumentContent is what a produced document prints: the process, the
// customer, the step and its result, the attributes, and the blanks the
// customer signs. It is stored as printed and never changed.
type DocumentContent struct {
	Process    string         `json:"process"`
	Definition policy.Name    `json:"definition"`
	Customer   string         `json:"customer"`
	Step       policy.Name    `json:"step"`
	Round      int            `json:"round"`
	Outcome    policy.Name    `json:"outcome"`
	Comment    string         `json:"comment,omitempty"`
	Attributes map[string]any `json:"attributes"`
	Issuer     string         `json:"issuer"`
	IssuedAt   time.Time      `json:"issued_at"`
	DueAt      *time.Time     `json:"due_at,omitempty"`
	// RectifyBy is the deadline the notice sets (PRC-025, Annex 7).
	RectifyBy    *time.Time `json:"rectify_by,omitempty"`
	Rules        []string   `json:"rules,omitempty"`
	SignatureFor []string   `json:"signature_for"` // blanks: 客户签字, 经办人
}

// produce stores the document a step or outcome prints.
func (s *Service) produce(ctx context.Context, tx store.Conn, ru *run, p *auth.Principal, sr *stepRow,
	st *policy.Step, o policy.Outcome, kind, comment string, rectifyBy, now time.Time) error {
	title := policy.ProcessDocuments[kind]
	c := DocumentContent{Process: ru.r.number, Definition: ru.def.Name, Customer: ru.r.customerName, Step: st.Name,
		Round: sr.round, Outcome: o.Name, Comment: comment, Attributes: ru.r.attrs, IssuedAt: now, DueAt: timePtr(sr.due),
		Rules: st.Rules, SignatureFor: []string{"客户签字（盖章）", "经办人"}}
	if !rectifyBy.IsZero() {
		c.RectifyBy = &rectifyBy
	}
	if p != nil {
		c.Issuer = p.DisplayName
		if c.Issuer == "" {
			c.Issuer = p.Username
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var actor any
	if p != nil && p.UserID != 0 {
		actor = p.UserID
	}
	_, err = tx.Exec(ctx, `INSERT INTO process_documents (process_id, step_id, kind, title, content, created_at, actor_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ru.r.id, sr.id, kind, title.ZH, string(raw), store.Micros(now), actor)
	if err != nil {
		return err
	}
	return appendEvent(ctx, tx, ru.r.id, now, p, "document.produced", st.Key, sr.round, map[string]any{"kind": kind}, "")
}

// documents reads the documents of a process, oldest first.
func documents(ctx context.Context, c store.Conn, process store.ID) ([]Document, error) {
	return store.QueryAll(ctx, c, func(s store.Scanner) (Document, error) {
		var d Document
		var content string
		var at int64
		var actor store.NullID
		err := s.Scan(&d.ID, &d.StepID, &d.Kind, &d.Title, &content, &at, &actor)
		d.Content, d.CreatedAt, d.ActorID = json.RawMessage(content), store.FromMicros(at), actor.ID
		return d, err
	}, "SELECT id, step_id, kind, title, content, created_at, actor_id FROM process_documents WHERE process_id = ? ORDER BY id", process)
}
