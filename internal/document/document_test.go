package document_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/document"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// fixture is a document service on a fresh database with an owner kind
// "thing": 2 is out of sight (404), those in readOnly may be read but not
// changed (403), all others may be read and changed.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	svc  *document.Service
	user *auth.Principal
	// readOnly owners refuse writes.
	readOnly map[store.ID]bool
}

func newFixture(t *testing.T, db *store.DB, maxSize int64) *fixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, store.Zone) }
	orgs := org.New(org.Options{DB: db, Now: now})
	root, err := orgs.EnsureRoot(ctx, "集团总部")
	if err != nil {
		t.Fatal(err)
	}
	users := auth.New(auth.Options{DB: db, Org: orgs, Now: now})
	u, err := users.Create(ctx, nil, auth.CreateUserInput{Username: "clerk", Password: "s3cret-pass",
		Roles: []auth.Role{auth.RoleCSAgent}, OrgUnit: root.ID})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db,
		svc: document.New(document.Options{DB: db, MaxSize: maxSize, Now: now}),
		user: &auth.Principal{UserID: u.ID, Username: "clerk", Roles: []auth.Role{auth.RoleCSAgent, auth.RoleArchivist},
			OrgUnitID: root.ID, OrgPath: root.Path},
		readOnly: map[store.ID]bool{3: true}}
	f.svc.RegisterOwner("thing", func(_ context.Context, _ *auth.Principal, id store.ID, write bool) error {
		switch {
		case id == 2:
			return apperr.NotFound("owner_id")
		case f.readOnly[id] && write:
			return apperr.Forbidden(i18n.T("只读", "read only"))
		}
		return nil
	})
	if db.Dialect() == store.Postgres {
		// Large objects belong to the database, not the test's schema.
		t.Cleanup(func() {
			_, _ = db.Writer().ExecContext(context.Background(), `SELECT lo_unlink(m.oid) FROM pg_largeobject_metadata m
				WHERE obj_description(m.oid, 'pg_largeobject') = $1 || current_schema()`, document.LOComment)
		})
	}
	return f
}

func (f *fixture) upload(owner store.ID, category, name string, content []byte) (document.Document, error) {
	return f.svc.Upload(f.ctx, f.user, document.CreateInput{OwnerType: "thing", OwnerID: owner, Category: category},
		name, bytes.NewReader(content))
}

func (f *fixture) mustUpload(owner store.ID, category, name string, content []byte) document.Document {
	f.t.Helper()
	d, err := f.upload(owner, category, name, content)
	if err != nil {
		f.t.Fatalf("upload %s: %v", name, err)
	}
	return d
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Reader().QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// stored counts the stored contents: files outside tmp/, or this
// schema's large objects.
func (f *fixture) stored() int {
	f.t.Helper()
	if dir := document.FilesDir(f.svc); dir != "" {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() && d.Name() == "tmp" {
				return fs.SkipDir
			}
			if !d.IsDir() {
				n++
			}
			return nil
		})
		if err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	return f.count(`SELECT count(*) FROM pg_largeobject_metadata m
		WHERE obj_description(m.oid, 'pg_largeobject') = ? || current_schema()`, document.LOComment)
}

// spooled counts upload spool files left behind (file store only).
func (f *fixture) spooled() int {
	dir := document.FilesDir(f.svc)
	if dir == "" {
		return 0
	}
	es, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	return len(es)
}

func (f *fixture) read(id store.ID) []byte {
	f.t.Helper()
	_, rc, err := f.svc.Open(f.ctx, f.user, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func wantErr(t *testing.T, err error, status int, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Status != status || e.Field != field {
		t.Fatalf("error %v, want %d field %q", err, status, field)
	}
}

func pdf(body string) []byte { return []byte("%PDF-1.4\n" + body + "\n%%EOF\n") }

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t testing.TB, names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "<x/>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUploadRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		// Several chunks of a large object, and a last partial one.
		content := pdf(strings.Repeat("合同条款 terms ", 60000))
		sum := sha256.Sum256(content)
		d := f.mustUpload(1, "contract", "购房合同.pdf", content)
		if d.Name != "购房合同.pdf" || d.ContentType != "application/pdf" || d.Size != int64(len(content)) ||
			d.SHA256 != hex.EncodeToString(sum[:]) || d.Category != "contract" || d.CategoryName != "合同" ||
			!d.Confidential || d.Medium != "electronic" || d.UploadedBy != f.user.UserID || d.OwnerType != "thing" || d.OwnerID != 1 {
			t.Fatalf("document %+v", d)
		}
		if got := f.read(d.ID); !bytes.Equal(got, content) {
			t.Fatalf("read %d bytes, want the %d uploaded", len(got), len(content))
		}
		// Seeking into the middle of the content reads the right bytes.
		_, rc, err := f.svc.Open(f.ctx, f.user, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rc.Seek(300000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 1000)
		if _, err := io.ReadFull(rc, part); err != nil || !bytes.Equal(part, content[300000:301000]) {
			t.Fatalf("read after seek: %v", err)
		}
		rc.Close()
		page, err := f.svc.List(f.ctx, f.user, "thing", 1, 50, "")
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != d.ID {
			t.Fatalf("list: %+v %v", page, err)
		}
		if a := lastAudit(t, db); a.Action != "document.download" || a.ObjectID != d.ID.String() {
			t.Errorf("download of a contract not audited: newest audit row %s %s", a.Action, a.ObjectID)
		}
		if r, err := f.svc.Check(f.ctx, true); err != nil || !r.OK() || r.Blobs != 1 || len(r.Orphans) != 0 {
			t.Errorf("check: %+v %v", r, err)
		}
	})
}

func lastAudit(t *testing.T, db *store.DB) audit.Entry {
	t.Helper()
	es, _, err := audit.List(context.Background(), db, audit.Filter{Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("newest audit row: %v", err)
	}
	return es[0]
}

func TestDedup(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		img := pngBytes(t)
		a := f.mustUpload(1, "photo", "现场.png", img)
		b := f.mustUpload(4, "photo", "copy.png", img)
		c := f.mustUpload(1, "other", "说明.txt", []byte("另一份内容"))
		if a.ID == b.ID || a.SHA256 != b.SHA256 {
			t.Fatalf("two uploads: %+v %+v", a, b)
		}
		if n := f.count("SELECT count(*) FROM document_blobs"); n != 2 {
			t.Errorf("%d blob rows for 2 distinct contents", n)
		}
		if n := f.stored(); n != 2 {
			t.Errorf("%d stored contents for 2 distinct contents", n)
		}
		if n := f.spooled(); n != 0 {
			t.Errorf("%d spool files left", n)
		}
		if !bytes.Equal(f.read(b.ID), img) || string(f.read(c.ID)) != "另一份内容" {
			t.Error("deduplicated content reads back wrong")
		}
		if c.ContentType != "text/plain; charset=utf-8" {
			t.Errorf("text content type %q", c.ContentType)
		}
	})
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 2048)
		_, err := f.upload(1, "other", "big.txt", bytes.Repeat([]byte("a"), 2049))
		wantErr(t, err, http.StatusRequestEntityTooLarge, "file")
		if n := f.count("SELECT count(*) FROM documents"); n != 0 || f.stored() != 0 || f.spooled() != 0 {
			t.Errorf("refused upload left %d rows, %d contents, %d spool files", n, f.stored(), f.spooled())
		}
		f.mustUpload(1, "other", "exact.txt", bytes.Repeat([]byte("a"), 2048))
	})
}

func TestRefusedTypes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
		ole := append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...)
		for _, c := range []struct {
			name    string
			content []byte
		}{
			{"发票.pdf", pe}, // a Windows program dressed as a PDF
			{"photo.jpg", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...)},
			{"说明.txt", []byte("#!/bin/sh\nrm -rf /\n")},
			{"page.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script>")},
			{"page.html", []byte("<html><body>hi</body></html>")},
			{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
			{"logo.png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)},
			{"notes.txt", []byte("  \n<svg onload=alert(1)>")},
			{"archive.zip", zipOf(t, "a.exe")},
			{"fake.docx", zipOf(t, "word/document.xml")}, // no [Content_Types].xml
			{"scan.jpg", pdf("x")}, // content and extension disagree
			{"setup.msi", ole},
			{"empty.pdf", nil},
			{"data.bin", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
			{"frame.bin", append([]byte{0xff, 0xfb, 0x90, 0x64}, make([]byte, 50)...)}, // MPEG frames only as .mp3
			{"song.mp4", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 50)...)},
		} {
			_, err := f.upload(1, "other", c.name, c.content)
			e, ok := apperr.As(err)
			if !ok || e.Status != http.StatusUnprocessableEntity || e.Field != "file" {
				t.Errorf("%s: %v, want 422 naming file", c.name, err)
			}
		}
		if n := f.count("SELECT count(*) FROM documents") + f.count("SELECT count(*) FROM document_blobs"); n != 0 {
			t.Errorf("refused uploads wrote %d rows", n)
		}
		if f.stored() != 0 || f.spooled() != 0 {
			t.Errorf("refused uploads left %d contents and %d spool files", f.stored(), f.spooled())
		}
		// What is allowed, with the type it is stored as.
		for name, c := range map[string]struct {
			content []byte
			typ     string
		}{
			"a.docx":    {zipOf(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
			"b.xlsx":    {zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			"c.doc":     {ole, "application/msword"},
			"d.csv":     {[]byte("姓名,电话\n张三,13800000000\n"), "text/csv; charset=utf-8"},
			"e.jpeg":    {append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 50)...), "image/jpeg"},
			"MZ.txt":    {[]byte("MZ 公司 2026 年报"), "text/plain; charset=utf-8"},
			"f.gbk.txt": {[]byte{0xd5, 0xc5, 0xc8, 0xfd}, "text/plain"},
			// ARC-001 media: a call recording, a site video.
			"通话录音.mp3": {append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 50)...), "audio/mpeg"},
			"无标签.mp3":  {append([]byte{0xff, 0xfb, 0x90, 0x64}, make([]byte, 50)...), "audio/mpeg"},
			"留言.wav":   {append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 50)...), "audio/wav"},
			"现场.mp4":   {append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 50)...), "video/mp4"},
		} {
			d, err := f.upload(1, "other", name, c.content)
			if err != nil || d.ContentType != c.typ {
				t.Errorf("%s: %+v %v, want type %s", name, d, err, c.typ)
			}
		}
	})
}

func TestNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storetest.OpenSQLite(t), 0)
	for in, want := range map[string]string{
		"../../etc/passwd.pdf":          "passwd.pdf",
		`C:\Users\张三\Desktop\报告.pdf`:    "报告.pdf",
		"..\\..\\windows\\system32.pdf": "system32.pdf",
		"evil\u202Etxt.pdf":             "evil_txt.pdf",
		"line\r\nbreak.pdf":             "line__break.pdf",
		"CON.pdf":                       "_CON.pdf",
		"scan":                          "scan.pdf", // the type's extension is added
		".hidden.pdf":                   "hidden.pdf",
		"":                              "file.pdf",
	} {
		d, err := f.upload(1, "other", in, pdf(in))
		if err != nil || d.Name != want {
			t.Errorf("name %q stored as %q (%v), want %q", in, d.Name, err, want)
		}
	}
	_, err := f.upload(1, "other", strings.Repeat("长", document.MaxNameRunes+1)+".pdf", pdf("x"))
	wantErr(t, err, http.StatusUnprocessableEntity, "file")
	_, err = f.upload(1, "other", "bad\xff.pdf", pdf("x"))
	wantErr(t, err, http.StatusUnprocessableEntity, "file")
}

func TestOwnerChecks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		_, err := f.upload(2, "photo", "a.pdf", pdf("a"))
		wantErr(t, err, http.StatusNotFound, "owner_id")
		_, err = f.upload(3, "photo", "a.pdf", pdf("a"))
		wantErr(t, err, http.StatusForbidden, "")
		_, err = f.svc.Upload(f.ctx, f.user, document.CreateInput{OwnerType: "planet", OwnerID: 1, Category: "photo"}, "a.pdf", bytes.NewReader(pdf("a")))
		wantErr(t, err, http.StatusUnprocessableEntity, "owner_type")
		_, err = f.upload(1, "秘密", "a.pdf", pdf("a"))
		wantErr(t, err, http.StatusUnprocessableEntity, "category")
		_, err = f.svc.Upload(f.ctx, f.user, document.CreateInput{OwnerType: "thing", OwnerID: 1, Category: "photo", Medium: "tape"}, "a.pdf", bytes.NewReader(pdf("a")))
		wantErr(t, err, http.StatusUnprocessableEntity, "medium")
		_, err = f.svc.List(f.ctx, f.user, "thing", 2, 50, "")
		wantErr(t, err, http.StatusNotFound, "owner_id")
		if n := f.count("SELECT count(*) FROM documents"); n != 0 || f.stored() != 0 {
			t.Errorf("refused uploads wrote %d rows and %d contents", n, f.stored())
		}
	})
}

func TestConfidentialDownload(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		card := f.mustUpload(1, "id_card", "身份证.jpg", append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 50)...))
		photo := f.mustUpload(1, "photo", "现场.png", pngBytes(t))
		before := f.count("SELECT count(*) FROM audit_log")
		// A field worker reads the customer but not its ID card (SEC-009).
		reader := &auth.Principal{UserID: f.user.UserID, Username: "meter", Roles: []auth.Role{auth.RoleFieldStaff}, OrgPath: f.user.OrgPath}
		if _, _, err := f.svc.Open(f.ctx, reader, card.ID); err == nil {
			t.Fatal("ID card opened without customers:confidential")
		} else {
			wantErr(t, err, http.StatusForbidden, "")
		}
		if _, err := f.svc.Get(f.ctx, reader, card.ID); err != nil {
			t.Errorf("metadata of the ID card: %v", err)
		}
		_, rc, err := f.svc.Open(f.ctx, reader, photo.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if n := f.count("SELECT count(*) FROM audit_log"); n != before {
			t.Errorf("a refused or ordinary download wrote %d audit rows", n-before)
		}
		archivist := &auth.Principal{UserID: f.user.UserID, Username: "archivist", Roles: []auth.Role{auth.RoleArchivist}, OrgPath: f.user.OrgPath}
		_, rc, err = f.svc.Open(f.ctx, archivist, card.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if a := lastAudit(t, db); a.Action != "document.download" || a.ObjectID != card.ID.String() || a.Actor != "archivist" {
			t.Errorf("newest audit row %+v", a)
		}
	})
}

func TestSoftDeleteAudited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		d := f.mustUpload(1, "drawing", "平面图.pdf", pdf("plan"))
		ro := f.mustUpload(4, "drawing", "只读.pdf", pdf("ro"))
		f.readOnly[4] = true
		wantErr(t, f.svc.Delete(f.ctx, f.user, ro.ID), http.StatusForbidden, "")
		if err := f.svc.Delete(f.ctx, f.user, d.ID); err != nil {
			t.Fatal(err)
		}
		a := lastAudit(t, db)
		if a.Action != "document.delete" || a.ObjectID != d.ID.String() || a.Actor != "clerk" {
			t.Errorf("newest audit row %+v", a)
		}
		_, err := f.svc.Get(f.ctx, f.user, d.ID)
		wantErr(t, err, http.StatusNotFound, "document")
		wantErr(t, f.svc.Delete(f.ctx, f.user, d.ID), http.StatusNotFound, "document")
		if p, _ := f.svc.List(f.ctx, f.user, "thing", 1, 50, ""); len(p.Items) != 0 {
			t.Errorf("deleted document still listed")
		}
		// The row and the content stay; the database refuses a real delete.
		if n := f.count("SELECT count(*) FROM documents WHERE deleted_at <> 0"); n != 1 || f.stored() != 2 {
			t.Errorf("%d deleted rows kept, %d contents kept", n, f.stored())
		}
		if _, err := db.Writer().ExecContext(f.ctx, "DELETE FROM documents"); err == nil {
			t.Error("DELETE FROM documents succeeded")
		}
		if r, err := f.svc.Check(f.ctx, true); err != nil || !r.OK() || len(r.Orphans) != 0 {
			t.Errorf("check after delete: %+v %v", r, err)
		}
	})
}

// TestCrashSafety: a write that fails once the bytes are durable but before
// they are stored under their name leaves no row and nothing visible; a
// reader that breaks off leaves nothing at all.
func TestCrashSafety(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		document.FailBeforeStore(f.svc, errors.New("disk unplugged"))
		if _, err := f.upload(1, "photo", "a.png", pngBytes(t)); err == nil || !strings.Contains(err.Error(), "disk unplugged") {
			t.Fatalf("upload: %v", err)
		}
		_, err := f.svc.Upload(f.ctx, f.user, document.CreateInput{OwnerType: "thing", OwnerID: 1, Category: "photo"}, "b.pdf",
			io.MultiReader(bytes.NewReader(pdf("start")), iotestErrReader{}))
		wantErr(t, err, http.StatusBadRequest, "")
		if n := f.count("SELECT count(*) FROM documents") + f.count("SELECT count(*) FROM document_blobs"); n != 0 {
			t.Errorf("failed uploads wrote %d rows", n)
		}
		if f.stored() != 0 || f.spooled() != 0 {
			t.Errorf("failed uploads left %d visible contents and %d spool files", f.stored(), f.spooled())
		}
		if r, err := f.svc.Check(f.ctx, false); err != nil || !r.OK() || len(r.Orphans) != 0 {
			t.Errorf("check: %+v %v", r, err)
		}
	})
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestCheckFindsOrphans(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		kept := f.mustUpload(1, "photo", "kept.png", pngBytes(t))
		lost := f.mustUpload(1, "other", "lost.pdf", pdf("lost"))
		var orphan string
		if dir := document.FilesDir(f.svc); dir != "" {
			// A file renamed into place whose row was never committed, a
			// spool file of a crashed upload, and a lost file.
			sum := sha256.Sum256([]byte("orphan"))
			sha := hex.EncodeToString(sum[:])
			orphan = sha[:2] + "/" + sha[2:4] + "/" + sha
			os.MkdirAll(filepath.Join(dir, sha[:2], sha[2:4]), 0o750)
			os.WriteFile(filepath.Join(dir, filepath.FromSlash(orphan)), []byte("orphan"), 0o640)
			os.WriteFile(filepath.Join(dir, "tmp", "upload-123"), []byte("half"), 0o640)
			if err := os.Remove(filepath.Join(dir, lost.SHA256[:2], lost.SHA256[2:4], lost.SHA256)); err != nil {
				t.Fatal(err)
			}
			r, err := f.svc.Check(f.ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.Orphans, " ") != orphan+" tmp/upload-123" || strings.Join(r.Missing, " ") != lost.SHA256 || r.OK() {
				t.Errorf("check: %+v", r)
			}
			return
		}
		// PostgreSQL: a large object of this schema without a row, and a
		// row whose large object is gone.
		var oid int64
		err := db.Writer().QueryRowContext(f.ctx, "SELECT CAST(lo_from_bytea(0, 'orphan') AS BIGINT)").Scan(&oid)
		if err != nil {
			t.Fatal(err)
		}
		var schema string
		db.Writer().QueryRowContext(f.ctx, "SELECT current_schema()").Scan(&schema)
		if _, err := db.Writer().ExecContext(f.ctx, "COMMENT ON LARGE OBJECT "+itoa(oid)+" IS '"+document.LOComment+schema+"'"); err != nil {
			t.Fatal(err)
		}
		var lostKey string
		db.Writer().QueryRowContext(f.ctx, "SELECT storage_key FROM document_blobs WHERE sha256 = $1", lost.SHA256).Scan(&lostKey)
		if _, err := db.Writer().ExecContext(f.ctx, "SELECT lo_unlink(CAST($1 AS BIGINT)::oid)", strings.TrimPrefix(lostKey, "lo:")); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Check(f.ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(r.Orphans, " ") != "lo:"+itoa(oid) || strings.Join(r.Missing, " ") != lost.SHA256 || r.OK() {
			t.Errorf("check: %+v", r)
		}
		_ = kept
	})
}

func itoa(n int64) string { return store.ID(n).String() }
