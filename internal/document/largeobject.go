package document

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"kefu/internal/store"
)

// loStore keeps blobs as PostgreSQL large objects, so that every kefu
// process of a cluster sees them: written in the transaction that records
// the document (nothing is left behind when it rolls back) and read back in
// chunks with lo_get, never whole.
type loStore struct {
	db *store.DB
	// afterWrite is a test hook: an error from it fails the upload after
	// the large object is written, inside the transaction.
	afterWrite func() error
}

// loChunk is how much one lo_put or lo_get moves.
const loChunk = 256 << 10

// loComment marks kefu's large objects, with the schema whose
// document_blobs rows refer to them, so that Check can find orphans on a
// database shared with others.
const loComment = "kefu document blob; schema "

func (l *loStore) spool() (*os.File, error) { return os.CreateTemp("", "kefu-upload-*") }

func (l *loStore) stage(context.Context, *Staged) error { return nil }

func (l *loStore) put(ctx context.Context, tx store.Conn, st *Staged) (string, error) {
	// Uploads of the same content wait for each other here, so that it is
	// stored once; the lock ends with the transaction.
	sum, _ := hex.DecodeString(st.SHA256)
	if err := store.LockXact(ctx, tx, int64(binary.BigEndian.Uint64(sum))); err != nil {
		return "", err
	}
	var key string
	err := tx.QueryRow(ctx, "SELECT storage_key FROM document_blobs WHERE sha256 = ?", st.SHA256).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var oid int64
	if err := tx.QueryRow(ctx, "SELECT CAST(lo_create(0) AS BIGINT)").Scan(&oid); err != nil {
		return "", fmt.Errorf("lo_create: %w", err)
	}
	// The transaction may be retried: read the spool from its start.
	if _, err := st.file.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	buf := make([]byte, loChunk)
	for off := int64(0); ; {
		n, rerr := io.ReadFull(st.file, buf)
		if n > 0 {
			if _, err := tx.Exec(ctx, "SELECT lo_put(CAST(? AS BIGINT)::oid, ?, ?)", oid, off, buf[:n]); err != nil {
				return "", fmt.Errorf("lo_put: %w", err)
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", rerr
		}
	}
	var schema string
	if err := tx.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", err
	}
	// COMMENT takes no parameters: the oid is a number, the schema is quoted.
	if _, err := tx.Exec(ctx, "COMMENT ON LARGE OBJECT "+strconv.FormatInt(oid, 10)+" IS "+
		quoteLiteral(loComment+schema)); err != nil {
		return "", fmt.Errorf("comment on large object: %w", err)
	}
	if l.afterWrite != nil {
		if err := l.afterWrite(); err != nil {
			return "", err
		}
	}
	return "lo:" + strconv.FormatInt(oid, 10), nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func loOID(key string) (int64, error) {
	s, ok := strings.CutPrefix(key, "lo:")
	if !ok {
		return 0, fmt.Errorf("document: storage key %q is not a large object", key)
	}
	return strconv.ParseInt(s, 10, 64)
}

func (l *loStore) open(_ context.Context, _ string, key string, size int64) (io.ReadSeekCloser, error) {
	oid, err := loOID(key)
	if err != nil {
		return nil, err
	}
	return &loReader{db: l.db, oid: oid, size: size}, nil
}

// loReader reads a large object in chunks of loChunk bytes, one lo_get
// each, outside any transaction: a blob never changes once stored.
type loReader struct {
	db   *store.DB
	oid  int64
	size int64
	pos  int64
	buf  []byte // the chunk starting at bufAt
	at   int64
}

func (r *loReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.pos < r.at || r.pos >= r.at+int64(len(r.buf)) {
		n := min(int64(loChunk), r.size-r.pos)
		var b []byte
		// The request's context is not at hand (io.Reader); the reads are
		// short and bounded.
		err := r.db.Reader().QueryRow(context.Background(), "SELECT lo_get(CAST(? AS BIGINT)::oid, ?, ?)",
			r.oid, r.pos, int32(n)).Scan(&b)
		if err != nil {
			return 0, fmt.Errorf("lo_get: %w", err)
		}
		if len(b) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		r.buf, r.at = b, r.pos
	}
	n := copy(p, r.buf[r.pos-r.at:])
	r.pos += int64(n)
	return n, nil
}

func (r *loReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("lo: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("lo: negative position")
	}
	r.pos = offset
	return offset, nil
}

func (r *loReader) Close() error { r.buf = nil; return nil }

// check compares kefu's large objects of this schema with the blob rows.
func (l *loStore) check(ctx context.Context, rows map[string]blobRow, verify bool, r *Report) error {
	c := l.db.Reader()
	var schema string
	if err := c.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	q, err := c.Query(ctx, `SELECT CAST(m.oid AS BIGINT) FROM pg_largeobject_metadata m
		WHERE obj_description(m.oid, 'pg_largeobject') = ?`, loComment+schema)
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for q.Next() {
		var oid int64
		if err := q.Scan(&oid); err != nil {
			q.Close()
			return err
		}
		exists["lo:"+strconv.FormatInt(oid, 10)] = true
	}
	q.Close()
	if err := q.Err(); err != nil {
		return err
	}
	used := map[string]bool{}
	for sha, row := range rows {
		used[row.key] = true
		if !exists[row.key] {
			r.Missing = append(r.Missing, sha)
			continue
		}
		if verify {
			rd, err := l.open(ctx, sha, row.key, row.size)
			if err != nil {
				return err
			}
			ok, err := hashIs(rd, sha)
			if err != nil {
				return err
			}
			if !ok {
				r.Damaged = append(r.Damaged, sha)
			}
		}
	}
	for key := range exists {
		if !used[key] {
			r.Orphans = append(r.Orphans, key)
		}
	}
	return nil
}
