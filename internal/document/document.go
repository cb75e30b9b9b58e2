// Package document keeps documents and attachments (资料/附件): files
// attached to an owner — a customer, a service point, and later a work
// order, an archive, an inspection — identified by (owner_type, owner_id).
// Modules register their owner kinds with a check that decides who may read
// and attach (RegisterOwner); this package knows none of them.
//
// Contents are stored once per SHA-256: as files under <data>/files on
// SQLite (durable before the row that names them is committed) and as large
// objects on PostgreSQL (written in that row's transaction), so a cluster of
// kefu processes shares them. Types are sniffed from the content against an
// allow-list (Types), never taken from the client; names are sanitised
// (SanitizeName). Deleting is soft and audited; the bytes stay (ARC-001,
// CUS-018, SEC-009).
package document

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// OwnerCheck decides whether p may read (write false) or attach to and
// delete from (write true) the owner with the given id. It returns nil, or
// the error to answer: typically apperr.NotFound for an owner the principal
// may not see and apperr.Forbidden for one it may see but not change.
type OwnerCheck func(ctx context.Context, p *auth.Principal, id store.ID, write bool) error

// Category is a kind of document (ARC-001 categories, CUS-018 qualification
// copies). Downloads of confidential categories need customers:confidential
// and are audited (SEC-009).
type Category struct {
	Key          string    `json:"key"`
	Name         i18n.Text `json:"-"`
	Confidential bool      `json:"confidential"`
}

// Categories are the document categories, in the order shown to people.
var Categories = []Category{
	{"business_licence", i18n.T("营业执照", "Business licence"), false},
	{"id_card", i18n.T("身份证", "ID card"), true},
	{"org_code_certificate", i18n.T("组织机构代码证", "Organisation code certificate"), false},
	{"tax_registration", i18n.T("税务登记证", "Tax registration certificate"), false},
	{"sales", i18n.T("销售资料", "Sales"), false},
	{"contract", i18n.T("合同", "Contract"), true},
	{"certificate", i18n.T("办证资料", "Certificates"), false},
	{"move_in", i18n.T("入住资料", "Move-in"), false},
	{"warranty_repair", i18n.T("保修期维修", "Warranty repair"), false},
	{"compensation", i18n.T("赔偿资料", "Compensation"), true},
	{"litigation", i18n.T("诉讼资料", "Litigation"), true},
	{"shop_lease", i18n.T("商铺租赁", "Shop lease"), false},
	{"drawing", i18n.T("图纸", "Drawing"), false},
	{"photo", i18n.T("照片", "Photo"), false},
	{"other", i18n.T("其他", "Other"), false},
}

// LookupCategory returns the category with the given key.
func LookupCategory(key string) (Category, bool) {
	for _, c := range Categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// Media are the media a document may record (ARC-001): what the original
// is; the stored file is its electronic copy.
var Media = []string{"electronic", "paper", "photo", "audio", "video"}

// Document is one stored file attached to one owner.
type Document struct {
	ID           store.ID   `json:"id"`
	OwnerType    string     `json:"owner_type"`
	OwnerID      store.ID   `json:"owner_id"`
	Category     string     `json:"category"`
	CategoryName string     `json:"category_name"`
	Confidential bool       `json:"confidential"`
	Medium       string     `json:"medium"`
	Name         string     `json:"name"`
	ContentType  string     `json:"content_type"`
	Size         int64      `json:"size"`
	SHA256       string     `json:"sha256"`
	StorageKey   string     `json:"-"`
	UploadedBy   store.ID   `json:"uploaded_by,omitempty"`
	UploadedAt   time.Time  `json:"uploaded_at"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
}

// DefaultMaxSize is the largest file accepted unless Options say otherwise.
const DefaultMaxSize = 20 << 20

// Options build a Service.
type Options struct {
	DB *store.DB
	// Dir holds the files on SQLite; empty means "files" beside the
	// database file. Unused on PostgreSQL (large objects).
	Dir     string
	MaxSize int64 // largest file in bytes; DefaultMaxSize when 0
	Now     func() time.Time
	Logger  *slog.Logger
}

// Service stores and serves documents.
type Service struct {
	db      *store.DB
	blobs   blobStore
	maxSize int64
	now     func() time.Time
	log     *slog.Logger

	mu     sync.RWMutex
	owners map[string]OwnerCheck
}

// New returns the document service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	s := &Service{db: o.DB, maxSize: o.MaxSize, now: o.Now, log: o.Logger, owners: map[string]OwnerCheck{}}
	if o.DB.Dialect() == store.Postgres {
		s.blobs = &loStore{db: o.DB}
	} else {
		dir := o.Dir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(o.DB.Path), "files")
		}
		s.blobs = &fileStore{dir: dir}
	}
	return s
}

// MaxSize is the largest file accepted, in bytes.
func (s *Service) MaxSize() int64 { return s.maxSize }

// RegisterOwner lets documents attach to owners of kind, whose access
// check decides who may see and change them. Call it while wiring, before
// serving; registering a kind again replaces its check.
func (s *Service) RegisterOwner(kind string, check OwnerCheck) {
	if kind == "" || check == nil {
		panic("document: RegisterOwner needs a kind and a check")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owners[kind] = check
}

// OwnerTypes lists the registered owner kinds, sorted.
func (s *Service) OwnerTypes() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := range s.owners {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkOwner runs the owner's check; an unknown kind is field (422 on
// input, 404 for a stored document whose kind is no longer registered).
func (s *Service) checkOwner(ctx context.Context, p *auth.Principal, kind string, id store.ID, write bool, field string) error {
	s.mu.RLock()
	check := s.owners[kind]
	s.mu.RUnlock()
	if check == nil {
		if field == "" {
			return apperr.NotFound("document")
		}
		return apperr.Validation(field, i18n.T("须为以下之一：%v", "must be one of %v", s.OwnerTypes()))
	}
	return check(ctx, p, id, write)
}

const columns = `d.id, d.owner_type, d.owner_id, d.category, d.medium, d.name, d.content_type, d.size, d.sha256,
	b.storage_key, coalesce(d.uploaded_by, 0), d.uploaded_at, d.deleted_at`

const from = ` FROM documents d JOIN document_blobs b ON b.sha256 = d.sha256`

func scan(sc interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var at, deleted int64
	err := sc.Scan(&d.ID, &d.OwnerType, &d.OwnerID, &d.Category, &d.Medium, &d.Name, &d.ContentType, &d.Size,
		&d.SHA256, &d.StorageKey, &d.UploadedBy, &at, &deleted)
	d.UploadedAt = store.FromMicros(at)
	if deleted != 0 {
		t := store.FromMicros(deleted)
		d.DeletedAt = &t
	}
	if c, ok := LookupCategory(d.Category); ok {
		d.CategoryName, d.Confidential = c.Name.ZH, c.Confidential
	}
	return d, err
}

// get reads a document that is not deleted.
func (s *Service) get(ctx context.Context, c store.Conn, id store.ID) (Document, error) {
	d, err := scan(c.QueryRow(ctx, "SELECT "+columns+from+" WHERE d.id = ? AND d.deleted_at = 0", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFound("document")
	}
	return d, err
}

// Get returns a document if p may read its owner.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (Document, error) {
	d, err := s.get(ctx, s.db.Reader(), id)
	if err != nil {
		return d, err
	}
	if err := s.checkOwner(ctx, p, d.OwnerType, d.OwnerID, false, ""); err != nil {
		return Document{}, err
	}
	return d, nil
}

// Page is one page of a document list; Next is the cursor of the next.
type Page struct {
	Items []Document
	Next  string
}

// List returns the documents of an owner, newest first, limit at a time
// after cursor (a Next of an earlier page).
func (s *Service) List(ctx context.Context, p *auth.Principal, ownerType string, ownerID store.ID, limit int, cursor string) (Page, error) {
	if ownerType == "" {
		return Page{}, apperr.Required("owner_type")
	}
	if ownerID == 0 {
		return Page{}, apperr.Required("owner_id")
	}
	if err := s.checkOwner(ctx, p, ownerType, ownerID, false, "owner_type"); err != nil {
		return Page{}, err
	}
	q := "SELECT " + columns + from + " WHERE d.owner_type = ? AND d.owner_id = ? AND d.deleted_at = 0"
	args := []any{ownerType, ownerID}
	if cursor != "" {
		after, err := store.ParseID(cursor)
		if err != nil {
			return Page{}, apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
		q += " AND d.id < ?"
		args = append(args, after)
	}
	q += " ORDER BY d.id DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.db.Reader().Query(ctx, q, args...)
	if err != nil {
		return Page{}, err
	}
	defer rows.Close()
	var out Page
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return Page{}, err
		}
		out.Items = append(out.Items, d)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		out.Next = out.Items[limit-1].ID.String()
	}
	return out, nil
}

// Delete marks a document deleted, if p may change its owner. The row
// and the bytes stay; the deletion is audited.
func (s *Service) Delete(ctx context.Context, p *auth.Principal, id store.ID) error {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.checkOwner(ctx, p, d.OwnerType, d.OwnerID, true, ""); err != nil {
		return err
	}
	if p != nil {
		ctx = audit.WithActor(ctx, p.Actor())
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, "UPDATE documents SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at = 0",
			store.Micros(now), userID(p), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("document")
		}
		return audit.Record(ctx, tx, now, "document.delete", "document", id.String(), map[string]any{
			"owner_type": d.OwnerType, "owner_id": d.OwnerID, "category": d.Category, "name": d.Name, "sha256": d.SHA256})
	})
}

func userID(p *auth.Principal) any {
	if p == nil || p.UserID == 0 {
		return nil
	}
	return p.UserID
}

// Open returns a document with its content for p to download: p must be
// able to read the owner, and for a confidential category hold
// customers:confidential; such downloads are audited (SEC-009). The caller
// closes the content.
func (s *Service) Open(ctx context.Context, p *auth.Principal, id store.ID) (Document, io.ReadSeekCloser, error) {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return d, nil, err
	}
	if d.Confidential {
		if p != nil && !p.Can(auth.PermCustomersConfidential) {
			return Document{}, nil, apperr.Forbidden(i18n.T("查看%s需要 %s 权限", "viewing a %s needs permission %s",
				d.CategoryName, string(auth.PermCustomersConfidential)))
		}
		if p != nil {
			ctx = audit.WithActor(ctx, p.Actor())
		}
		now := s.now()
		err := s.db.Tx(ctx, func(tx store.Conn) error {
			return audit.Record(ctx, tx, now, "document.download", "document", id.String(), map[string]any{
				"owner_type": d.OwnerType, "owner_id": d.OwnerID, "category": d.Category, "name": d.Name})
		})
		if err != nil {
			return Document{}, nil, err
		}
	}
	rc, err := s.blobs.open(ctx, d.SHA256, d.StorageKey, d.Size)
	if err != nil {
		return Document{}, nil, err
	}
	return d, rc, nil
}

// Report is what Check found. Orphans are stored contents without a row
// (harmless: an upload that failed before its row was committed, or one in
// flight); Missing are rows whose content is not there; Damaged are
// contents whose size (or, verifying, hash) is wrong.
type Report struct {
	Blobs   int      `json:"blobs"`
	Orphans []string `json:"orphans"`
	Missing []string `json:"missing"`
	Damaged []string `json:"damaged"`
}

// OK reports whether every row has its content intact.
func (r Report) OK() bool { return len(r.Missing) == 0 && len(r.Damaged) == 0 }

// Check compares the stored contents with the rows; verify also re-reads
// every content and checks its SHA-256.
func (s *Service) Check(ctx context.Context, verify bool) (Report, error) {
	rows := map[string]blobRow{}
	q, err := s.db.Reader().Query(ctx, "SELECT sha256, size, storage_key FROM document_blobs")
	if err != nil {
		return Report{}, err
	}
	for q.Next() {
		var sha string
		var b blobRow
		if err := q.Scan(&sha, &b.size, &b.key); err != nil {
			q.Close()
			return Report{}, err
		}
		rows[sha] = b
	}
	q.Close()
	if err := q.Err(); err != nil {
		return Report{}, err
	}
	r := Report{Blobs: len(rows)}
	if err := s.blobs.check(ctx, rows, verify, &r); err != nil {
		return r, err
	}
	for _, l := range [][]string{r.Orphans, r.Missing, r.Damaged} {
		slices.Sort(l)
	}
	return r, nil
}

// hashIs reports whether the content of r hashes to sha; content that ends
// early is not.
func hashIs(r io.ReadCloser, sha string) (bool, error) {
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return false, nil
		}
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sha, nil
}

// itoa formats a count for messages.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
