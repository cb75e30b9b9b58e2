package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"kefu/internal/store"
)

// blobStore keeps the bytes of documents, one copy per SHA-256.
type blobStore interface {
	// spool creates the temporary file an upload is written to.
	spool() (*os.File, error)
	// stage makes the spooled content durable before the transaction
	// that records it (the file store); it may take over the spool file.
	stage(ctx context.Context, st *Staged) error
	// put stores the content inside the transaction tx, when it is not
	// stored yet, and returns its storage key (the large-object store).
	put(ctx context.Context, tx store.Conn, st *Staged) (string, error)
	// open returns the content of a stored blob.
	open(ctx context.Context, sha, key string, size int64) (io.ReadSeekCloser, error)
	// check compares the stored blobs with the blob rows.
	check(ctx context.Context, rows map[string]blobRow, verify bool, r *Report) error
}

// blobRow is a row of document_blobs.
type blobRow struct {
	size int64
	key  string
}

// fileKey is the storage key of a blob kept as a file.
const fileKey = "file"

// fileStore keeps blobs as files <dir>/<aa>/<bb>/<sha256>, written to
// <dir>/tmp first, fsync'ed, then renamed into place: a file is either
// complete under its final name or not there at all.
type fileStore struct {
	dir string
	// beforeRename is a test hook: an error from it fails the upload
	// after the bytes are durable in the spool file but before the rename.
	beforeRename func(tmp string) error
}

func (fsb *fileStore) tmpDir() string { return filepath.Join(fsb.dir, "tmp") }

func (fsb *fileStore) path(sha string) string {
	return filepath.Join(fsb.dir, sha[0:2], sha[2:4], sha)
}

func (fsb *fileStore) spool() (*os.File, error) {
	if err := os.MkdirAll(fsb.tmpDir(), 0o750); err != nil {
		return nil, fmt.Errorf("document files: %w", err)
	}
	return os.CreateTemp(fsb.tmpDir(), "upload-*")
}

func (fsb *fileStore) stage(_ context.Context, st *Staged) error {
	final := fsb.path(st.SHA256)
	if fi, err := os.Stat(final); err == nil && fi.Size() == st.Size {
		return nil // the same content is stored already
	}
	if err := st.file.Sync(); err != nil {
		return fmt.Errorf("document files: sync: %w", err)
	}
	if fsb.beforeRename != nil {
		if err := fsb.beforeRename(st.file.Name()); err != nil {
			return err
		}
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("document files: %w", err)
	}
	if err := os.Rename(st.file.Name(), final); err != nil {
		return fmt.Errorf("document files: %w", err)
	}
	st.renamed = true
	// The new name, and the directories made for it, must be on disk
	// before the row that points at them is committed.
	for _, d := range []string{dir, filepath.Dir(dir), fsb.dir} {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("document files: sync %s: %w", d, err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (fsb *fileStore) put(context.Context, store.Conn, *Staged) (string, error) {
	return fileKey, nil
}

func (fsb *fileStore) open(_ context.Context, sha, _ string, _ int64) (io.ReadSeekCloser, error) {
	if !isSHA256(sha) {
		return nil, fmt.Errorf("document files: bad hash %q", sha)
	}
	return os.Open(fsb.path(sha))
}

// check walks the files: a file without a row is an orphan (an upload
// that failed or is in flight, or a spool file left by a crash), a row
// without its file is missing.
func (fsb *fileStore) check(_ context.Context, rows map[string]blobRow, verify bool, r *Report) error {
	seen := map[string]bool{}
	err := filepath.WalkDir(fsb.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == fsb.dir {
				return fs.SkipDir // nothing stored yet
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(fsb.dir, p)
		name := d.Name()
		row, ok := rows[name]
		if !ok || !isSHA256(name) || fsb.path(name) != p {
			r.Orphans = append(r.Orphans, filepath.ToSlash(rel))
			return nil
		}
		seen[name] = true
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() != row.size {
			r.Damaged = append(r.Damaged, name)
			return nil
		}
		if verify {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			ok, err := hashIs(f, name)
			f.Close()
			if err != nil {
				return err
			}
			if !ok {
				r.Damaged = append(r.Damaged, name)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("document files: %w", err)
	}
	for sha, row := range rows {
		if row.key == fileKey && !seen[sha] && !slices.Contains(r.Damaged, sha) {
			r.Missing = append(r.Missing, sha)
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}
