package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// CreateInput says where a document goes: its owner, category and medium.
type CreateInput struct {
	OwnerType string   `json:"owner_type"`
	OwnerID   store.ID `json:"owner_id"`
	Category  string   `json:"category"`
	Medium    string   `json:"medium,omitempty"` // default "electronic"
}

// Validate checks the fields and that p may attach documents to the owner.
func (s *Service) Validate(ctx context.Context, p *auth.Principal, in *CreateInput) error {
	if in.OwnerType == "" {
		return apperr.Required("owner_type")
	}
	if in.OwnerID == 0 {
		return apperr.Required("owner_id")
	}
	if in.Category == "" {
		return apperr.Required("category")
	}
	if _, ok := LookupCategory(in.Category); !ok {
		keys := make([]string, len(Categories))
		for i, c := range Categories {
			keys[i] = c.Key
		}
		return apperr.Validation("category", i18n.T("须为以下之一：%v", "must be one of %v", keys))
	}
	if in.Medium == "" {
		in.Medium = "electronic"
	}
	if !slices.Contains(Media, in.Medium) {
		return apperr.Validation("medium", i18n.T("须为以下之一：%v", "must be one of %v", Media))
	}
	return s.checkOwner(ctx, p, in.OwnerType, in.OwnerID, true, "owner_type")
}

// Staged is an uploaded file spooled to temporary storage, its size, hash
// and type known, not yet a document. Discard it when done.
type Staged struct {
	Name        string // sanitised, with an extension that fits the type
	ContentType string
	Size        int64
	SHA256      string

	file    *os.File
	renamed bool // the spool file became the stored file
}

// Discard removes the spool file, unless it was stored.
func (st *Staged) Discard() {
	if st == nil || st.file == nil {
		return
	}
	st.file.Close()
	if !st.renamed {
		os.Remove(st.file.Name())
	}
	st.file = nil
}

// ErrTooLarge is the error of a file above the size limit (413, field file).
func (s *Service) errTooLarge() error {
	return &apperr.Error{Status: http.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge, Field: "file",
		Message: i18n.T("文件超过%s字节上限（%d MB）", "the file exceeds the limit of %s bytes (%d MB)",
			itoa(s.maxSize), s.maxSize>>20)}
}

// Stage reads an uploaded file to its end into temporary storage,
// computing its size and SHA-256 and checking its name, size and type.
// Errors name the field "file". On success the caller must Discard the
// result (after Create, or instead of it).
func (s *Service) Stage(name string, r io.Reader) (*Staged, error) {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameRunes {
		return nil, refuse("文件名须为不超过%d个字符的 UTF-8 文本", "the file name must be UTF-8 of at most %d characters", MaxNameRunes)
	}
	f, err := s.blobs.spool()
	if err != nil {
		return nil, err
	}
	st := &Staged{file: f}
	ok := false
	defer func() {
		if !ok {
			st.Discard()
		}
	}()
	h := sha256.New()
	head := make([]byte, 0, sniffLen)
	// One byte beyond the limit tells a file that is too large.
	n, err := io.Copy(io.MultiWriter(f, h, &headWriter{b: &head}), io.LimitReader(r, s.maxSize+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, s.errTooLarge()
		}
		if _, isApp := apperr.As(err); isApp {
			return nil, err
		}
		return nil, apperr.Malformed(i18n.T("上传中断：%s", "the upload broke off: %s", err.Error()))
	}
	if n > s.maxSize {
		return nil, s.errTooLarge()
	}
	t, fixed, err := detect(head, f, n, SanitizeName(name))
	if err != nil {
		return nil, err
	}
	st.Name, st.ContentType, st.Size, st.SHA256 = fixed, t.ContentType, n, hex.EncodeToString(h.Sum(nil))
	ok = true
	return st, nil
}

// headWriter keeps the first sniffLen bytes written to it.
type headWriter struct{ b *[]byte }

func (w *headWriter) Write(p []byte) (int, error) {
	if room := sniffLen - len(*w.b); room > 0 {
		*w.b = append(*w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// Create records a staged file as a document of the owner in.Owner: the
// content is made durable first (files) or in the same transaction (large
// objects), so a committed row always has its content. The upload is
// audited.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput, st *Staged) (Document, error) {
	if err := s.Validate(ctx, p, &in); err != nil {
		return Document{}, err
	}
	if st == nil || st.file == nil {
		return Document{}, apperr.Required("file")
	}
	if err := s.blobs.stage(ctx, st); err != nil {
		return Document{}, err
	}
	if p != nil {
		ctx = audit.WithActor(ctx, p.Actor())
	}
	now := s.now()
	var id store.ID
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		key, err := s.blobs.put(ctx, tx, st)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO document_blobs (sha256, size, storage_key, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, st.SHA256, st.Size, key, store.Micros(now)); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO documents (owner_type, owner_id, category, medium, name, content_type,
			size, sha256, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.OwnerType, in.OwnerID, in.Category, in.Medium, st.Name, st.ContentType, st.Size, st.SHA256,
			userID(p), store.Micros(now))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "document.upload", "document", id.String(), map[string]any{
			"owner_type": in.OwnerType, "owner_id": in.OwnerID, "category": in.Category, "name": st.Name,
			"content_type": st.ContentType, "size": st.Size, "sha256": st.SHA256})
	})
	if err != nil {
		return Document{}, err
	}
	return s.get(ctx, s.db.Reader(), id)
}

// Upload validates in, stages the file read from r and records it: Validate,
// Stage and Create in one call.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, in CreateInput, name string, r io.Reader) (Document, error) {
	if err := s.Validate(ctx, p, &in); err != nil {
		return Document{}, err
	}
	st, err := s.Stage(name, r)
	if err != nil {
		return Document{}, err
	}
	defer st.Discard()
	return s.Create(ctx, p, in, st)
}
