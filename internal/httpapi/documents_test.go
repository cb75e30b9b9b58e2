package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"kefu/internal/app"
	"kefu/internal/auth"
	"kefu/internal/document"
	"kefu/internal/httpapi"
	"kefu/internal/httpkit"
	"kefu/internal/org"
	"kefu/internal/services"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// docEnv is env with the document routes, customers and service points
// registered as owners as in app.Open, and a 4 KiB file limit.
type docEnv struct {
	*env
	docs *document.Service
	h    http.Handler
}

const docLimit = 4096

func newDocEnv(t *testing.T, db *store.DB) *docEnv {
	e := newEnv(t, db)
	docs := document.New(document.Options{DB: db, MaxSize: docLimit, Now: e.clk.Now})
	app.RegisterDocumentOwners(docs, db)
	api := httpapi.New(services.Set{DB: db, Auth: e.auth, Org: e.org, Calendars: e.cals, Policy: e.policy,
		Documents: docs, Version: "test", Now: e.clk.Now})
	h := httpkit.RequestID(httpkit.LimitBodyPaths(1<<10, map[string]int64{"/api/v1/documents": httpapi.MaxUploadBody(docLimit)}, api))
	if db.Dialect() == store.Postgres {
		t.Cleanup(func() {
			_, _ = db.Writer().ExecContext(context.Background(), `SELECT lo_unlink(CAST(substr(storage_key, 4) AS BIGINT)::oid)
				FROM document_blobs WHERE storage_key LIKE 'lo:%'`)
		})
	}
	return &docEnv{env: e, docs: docs, h: h}
}

// customer inserts a customer of unit with one service point.
func (d *docEnv) customer(unit store.ID, name string) (customer, point store.ID) {
	d.t.Helper()
	err := d.db.Tx(context.Background(), func(tx store.Conn) error {
		var err error
		customer, err = tx.InsertID(context.Background(), `INSERT INTO customers (kind, name, org_unit_id, created_at, updated_at)
			VALUES ('person', ?, ?, 1, 1) RETURNING id`, name, unit)
		if err != nil {
			return err
		}
		point, err = tx.InsertID(context.Background(), `INSERT INTO service_points (customer_id, kind, account_no, archive_no,
			company_id, org_unit_id, created_at, updated_at) VALUES (?, 'gas_account', ?, ?, ?, ?, 1, 1) RETURNING id`,
			customer, "A-"+name, "G-"+name, unit, unit)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return customer, point
}

// form builds a multipart body; fields are name/value pairs, the file is
// sent last with the given file name.
func form(fileName string, content []byte, fields ...string) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if content != nil {
		h := textproto.MIMEHeader{}
		// Written by hand: multipart.Writer would escape the name itself.
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, fileName))
		h.Set("Content-Type", "application/x-msdownload") // never trusted
		w, _ := mw.CreatePart(h)
		w.Write(content)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func (d *docEnv) send(method, path, token, contentType string, body []byte, hdr ...string) res {
	d.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	return res{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (d *docEnv) upload(token, ownerType string, owner store.ID, category, fileName string, content []byte) res {
	d.t.Helper()
	ct, body := form(fileName, content, "owner_type", ownerType, "owner_id", owner.String(), "category", category)
	return d.send("POST", "/api/v1/documents", token, ct, body)
}

type docJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	OwnerID     string `json:"owner_id"`
}

func TestDocumentsRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDocEnv(t, db)
		cust, point := d.customer(d.root.ID, "张三")
		content := []byte("%PDF-1.4\n" + strings.Repeat("0123456789", 300) + "\n%%EOF\n")
		r := d.upload(d.adminTok, "customer", cust, "business_licence", "../../营业执照 副本.pdf", content)
		if r.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Code, r.Body)
		}
		var doc docJSON
		r.decode(t, &doc)
		if doc.Name != "营业执照 副本.pdf" || doc.ContentType != "application/pdf" || doc.Size != int64(len(content)) ||
			doc.OwnerID != cust.String() || r.Header.Get("Location") != "/api/v1/documents/"+doc.ID {
			t.Fatalf("document %+v, Location %q", doc, r.Header.Get("Location"))
		}
		if a := d.lastAudit(); a.Action != "document.upload" || a.ObjectID != doc.ID {
			t.Errorf("upload not audited: %+v", a)
		}

		r = d.send("GET", "/api/v1/documents/"+doc.ID+"/content", d.adminTok, "", nil)
		if r.Code != http.StatusOK || !bytes.Equal(r.Body, content) {
			t.Fatalf("content: %d, %d bytes", r.Code, len(r.Body))
		}
		for k, want := range map[string]string{
			"Content-Type":            "application/pdf",
			"Content-Disposition":     `attachment; filename="____ __.pdf"; filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%E5%89%AF%E6%9C%AC.pdf`,
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": "sandbox; default-src 'none'",
			"Cache-Control":           "private, no-cache",
			"Etag":                    `"` + doc.SHA256 + `"`,
			"Content-Length":          fmt.Sprint(len(content)),
			"Accept-Ranges":           "bytes",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}

		// Range, and a revalidation by ETag.
		r = d.send("GET", "/api/v1/documents/"+doc.ID+"/content", d.adminTok, "", nil, "Range", "bytes=9-18")
		if r.Code != http.StatusPartialContent || string(r.Body) != "0123456789" ||
			r.Header.Get("Content-Range") != fmt.Sprintf("bytes 9-18/%d", len(content)) {
			t.Errorf("range: %d %q %q", r.Code, r.Body, r.Header.Get("Content-Range"))
		}
		r = d.send("GET", "/api/v1/documents/"+doc.ID+"/content", d.adminTok, "", nil, "If-None-Match", `"`+doc.SHA256+`"`)
		if r.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", r.Code)
		}
		// inline only for images and PDF.
		r = d.send("GET", "/api/v1/documents/"+doc.ID+"/content?inline=1", d.adminTok, "", nil)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline; ") {
			t.Errorf("inline PDF: %q", cd)
		}
		r = d.upload(d.adminTok, "service_point", point, "other", "notes.txt", []byte("抄表备注"))
		var txt docJSON
		r.decode(t, &txt)
		r = d.send("GET", "/api/v1/documents/"+txt.ID+"/content?inline=1", d.adminTok, "", nil)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") ||
			r.Header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" {
			t.Errorf("inline text: %q", cd)
		}
		wantError(t, d.send("GET", "/api/v1/documents/"+txt.ID+"/content?inline=maybe", d.adminTok, "", nil),
			http.StatusUnprocessableEntity, "validation_failed", "inline")

		// Metadata and list.
		r = d.send("GET", "/api/v1/documents/"+doc.ID, d.adminTok, "", nil)
		var got docJSON
		r.decode(t, &got)
		if got != doc {
			t.Errorf("metadata %+v, want %+v", got, doc)
		}
		r = d.send("GET", "/api/v1/documents?owner_type=customer&owner_id="+cust.String(), d.adminTok, "", nil)
		var l listJSON[docJSON]
		r.decode(t, &l)
		if len(l.Items) != 1 || l.Items[0] != doc {
			t.Errorf("list %s", r.Body)
		}
		wantError(t, d.send("GET", "/api/v1/documents?owner_type=customer", d.adminTok, "", nil),
			http.StatusUnprocessableEntity, "validation_failed", "owner_id")

		// Delete: soft, audited, then gone.
		r = d.send("DELETE", "/api/v1/documents/"+doc.ID, d.adminTok, "", nil)
		if r.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Code, r.Body)
		}
		if a := d.lastAudit(); a.Action != "document.delete" || a.ObjectID != doc.ID {
			t.Errorf("delete not audited: %+v", a)
		}
		wantError(t, d.send("GET", "/api/v1/documents/"+doc.ID+"/content", d.adminTok, "", nil), http.StatusNotFound, "not_found", "document")
	})
}

func TestDocumentsRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDocEnv(t, db)
		unitA := d.unit(d.root.ID, org.Company, "甲公司")
		unitB := d.unit(d.root.ID, org.Company, "乙公司")
		custA, _ := d.customer(unitA.ID, "甲")
		custB, pointB := d.customer(unitB.ID, "乙")
		d.user("agent-a", unitA.ID, auth.RoleCSAgent)
		agent := d.login("agent-a")
		d.user("viewer-a", unitA.ID, auth.RoleViewer)
		viewer := d.login("viewer-a")
		png := pngBytes(t)

		// Another unit's customer or service point does not exist for agent A.
		wantError(t, d.upload(agent, "customer", custB, "photo", "a.png", png), http.StatusNotFound, "not_found", "owner_id")
		wantError(t, d.upload(agent, "service_point", pointB, "photo", "a.png", png), http.StatusNotFound, "not_found", "owner_id")
		wantError(t, d.send("GET", "/api/v1/documents?owner_type=customer&owner_id="+custB.String(), agent, "", nil),
			http.StatusNotFound, "not_found", "owner_id")
		r := d.upload(d.adminTok, "customer", custB, "photo", "b.png", png)
		var other docJSON
		r.decode(t, &other)
		wantError(t, d.send("GET", "/api/v1/documents/"+other.ID, agent, "", nil), http.StatusNotFound, "not_found", "owner_id")
		wantError(t, d.send("GET", "/api/v1/documents/"+other.ID+"/content", agent, "", nil), http.StatusNotFound, "not_found", "owner_id")
		wantError(t, d.send("DELETE", "/api/v1/documents/"+other.ID, agent, "", nil), http.StatusNotFound, "not_found", "owner_id")
		// A viewer reads but does not attach.
		wantError(t, d.upload(viewer, "customer", custA, "photo", "a.png", png), http.StatusForbidden, "forbidden", "")
		// An ID card needs customers:confidential (the agent has not).
		r = d.upload(agent, "customer", custA, "id_card", "身份证.png", png)
		if r.Code != http.StatusCreated {
			t.Fatalf("agent uploads an ID card: %d %s", r.Code, r.Body)
		}
		var card docJSON
		r.decode(t, &card)
		wantError(t, d.send("GET", "/api/v1/documents/"+card.ID+"/content", agent, "", nil), http.StatusForbidden, "forbidden", "")

		before := d.count("SELECT count(*) FROM documents")
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 100)...)
		wantError(t, d.upload(agent, "customer", custA, "contract", "合同.pdf", exe), http.StatusUnprocessableEntity, "validation_failed", "file")
		wantError(t, d.upload(agent, "customer", custA, "other", "x.html", []byte("<html><script>alert(1)</script>")),
			http.StatusUnprocessableEntity, "validation_failed", "file")
		wantError(t, d.upload(agent, "customer", custA, "other", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)),
			http.StatusUnprocessableEntity, "validation_failed", "file")
		wantError(t, d.upload(agent, "customer", custA, "other", "big.txt", bytes.Repeat([]byte("a"), docLimit+1)),
			http.StatusRequestEntityTooLarge, "too_large", "file")
		wantError(t, d.upload(agent, "customer", custA, "秘密", "a.png", png), http.StatusUnprocessableEntity, "validation_failed", "category")
		wantError(t, d.upload(agent, "robot", custA, "photo", "a.png", png), http.StatusUnprocessableEntity, "validation_failed", "owner_type")
		ct, body := form("", nil, "owner_type", "customer", "owner_id", custA.String(), "category", "photo")
		wantError(t, d.send("POST", "/api/v1/documents", agent, ct, body), http.StatusUnprocessableEntity, "validation_failed", "file")
		ct, body = form("a.png", png, "owner_type", "customer", "owner_id", "x1", "category", "photo")
		wantError(t, d.send("POST", "/api/v1/documents", agent, ct, body), http.StatusUnprocessableEntity, "validation_failed", "owner_id")
		ct, body = form("a.png", png, "owner_type", "customer", "owner_id", custA.String(), "category", "photo", "colour", "red")
		wantError(t, d.send("POST", "/api/v1/documents", agent, ct, body), http.StatusUnprocessableEntity, "validation_failed", "colour")
		wantError(t, d.send("POST", "/api/v1/documents", agent, "application/json", []byte(`{}`)),
			http.StatusUnsupportedMediaType, "unsupported_media_type", "file")
		wantError(t, d.send("POST", "/api/v1/documents", agent, "multipart/form-data; boundary=zz", []byte("--zz\r\nbroken")),
			http.StatusBadRequest, "malformed_request", "")
		if n := d.count("SELECT count(*) FROM documents"); n != before {
			t.Errorf("refused uploads wrote %d rows", n-before)
		}
	})
}

// pngBytes is a small PNG image.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 3, 3))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
