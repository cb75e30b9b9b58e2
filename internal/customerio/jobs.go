package customerio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// Job statuses.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Heartbeat timing of import jobs: a running job's row is updated every
// heartbeatEvery; one not updated for StaleAfter belongs to a process that
// stopped, and is marked failed.
const (
	heartbeatEvery = 2 * time.Second
	StaleAfter     = 2 * time.Minute
)

// Job is an import running (or run) in the background, as
// GET /api/v1/import-jobs/{id} shows it.
type Job struct {
	ID           store.ID      `json:"id"`
	Kind         string        `json:"kind"` // customers
	File         string        `json:"file"`
	SHA256       string        `json:"sha256"`
	Size         int64         `json:"size"`
	Status       string        `json:"status"` // queued, running, done, failed
	Phase        string        `json:"phase,omitempty"`
	DryRun       bool          `json:"dry_run"`
	AllOrNothing bool          `json:"all_or_nothing"`
	OrgUnit      store.ID      `json:"org_unit"`
	RowsTotal    int           `json:"rows_total"`
	RowsDone     int           `json:"rows_done"`
	RowsValid    int           `json:"rows_valid"`
	RowsWritten  int           `json:"rows_written"`
	Errors       []RowError    `json:"errors"`
	Report       *ImportReport `json:"report,omitempty"`  // when finished
	Message      string        `json:"message,omitempty"` // why it failed
	CreatedBy    store.ID      `json:"created_by,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	FinishedAt   *time.Time    `json:"finished_at,omitempty"`
	messageText  i18n.Text
}

// Localize fills the messages in locale l.
func (j *Job) Localize(l i18n.Locale) {
	for i := range j.Errors {
		j.Errors[i].localize(l)
	}
	if j.Report != nil {
		j.Report.Localize(l)
	}
	if j.messageText.ZH != "" {
		j.Message = j.messageText.In(l)
	}
}

// storedError is a row error as kept in import_jobs.errors.
type storedError struct {
	Row    int    `json:"row"`
	Field  string `json:"field,omitempty"`
	Column string `json:"column,omitempty"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// jobState is the live progress of a job of this process.
type jobState struct {
	id store.ID
	mu sync.Mutex
	pr Progress
}

func (j *jobState) set(p Progress) {
	j.mu.Lock()
	j.pr = p
	j.mu.Unlock()
}

func (j *jobState) get() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.pr
}

// jobRunner runs import jobs in goroutines of the server process.
type jobRunner struct {
	s      *Service
	mu     sync.Mutex
	live   map[store.ID]*jobState
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

func newJobRunner(s *Service) *jobRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobRunner{s: s, live: map[store.ID]*jobState{}, ctx: ctx, cancel: cancel}
}

// JobRows is the row count from which the API runs an import as a job.
func (s *Service) JobRows() int { return s.jobRows }

// CountRows counts the data rows of a ledger cheaply (no validation), to
// decide whether an import runs as a job; it stops counting at limit.
func CountRows(path, name string, o Overrides, limit int) (int, error) {
	l, err := OpenLedger(path, name, o)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	n := 0
	for n < limit {
		if _, _, err := l.next(); err != nil {
			break
		}
		n++
	}
	return n, nil
}

// StartJob records an import job and runs it in the background; the job
// owns req.Path and removes the file when it ends. ctx only carries the
// actor and request id: the job outlives the request.
func (s *Service) StartJob(ctx context.Context, p *auth.Principal, req Request) (Job, error) {
	now := s.now()
	var by any
	if p != nil && p.UserID != 0 {
		by = p.UserID
	}
	unit, _, err := s.target(ctx, p, req.OrgUnit)
	if err != nil {
		return Job{}, err
	}
	req.OrgUnit = unit.ID
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO import_jobs (kind, file_name, sha256, size_bytes, status, phase, dry_run,
			all_or_nothing, org_unit_id, created_by, created_at, heartbeat_at)
			VALUES ('customers', ?, ?, ?, 'queued', '', ?, ?, ?, ?, ?, ?) RETURNING id`,
			req.FileName, req.SHA256, req.Size, boolInt(req.DryRun), boolInt(req.AllOrNothing), unit.ID, by,
			store.Micros(now), store.Micros(now))
		return err
	})
	if err != nil {
		return Job{}, err
	}
	st := &jobState{id: id}
	r := s.jobs
	r.mu.Lock()
	r.live[id] = st
	r.mu.Unlock()
	r.wg.Add(1)
	jctx := context.WithoutCancel(ctx)
	go func() {
		defer r.wg.Done()
		defer os.Remove(req.Path)
		defer func() {
			r.mu.Lock()
			delete(r.live, id)
			r.mu.Unlock()
		}()
		runCtx, stop := context.WithCancel(r.ctx)
		defer stop()
		// Cancelled by Stop; the values (actor, request id) are the request's.
		s.runJob(mergeValues(runCtx, jctx), p, req, st)
	}()
	return s.Job(ctx, p, id)
}

// runJob runs one job and records its end.
func (s *Service) runJob(ctx context.Context, p *auth.Principal, req Request, st *jobState) {
	s.setStatus(ctx, st.id, JobRunning, Progress{Phase: PhaseChecking})
	done := make(chan struct{})
	go func() { // heartbeat: progress and liveness, outside the import's transactions
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.setStatus(ctx, st.id, JobRunning, st.get())
			}
		}
	}()
	rep, err := s.run(ctx, p, req, st)
	close(done)
	s.finish(context.WithoutCancel(ctx), p, st.id, rep, err)
}

// setStatus writes a job's progress and heartbeat (best effort).
func (s *Service) setStatus(ctx context.Context, id store.ID, status string, pr Progress) {
	ctx, cancel := context.WithTimeout(ctx, heartbeatEvery)
	defer cancel()
	_ = s.db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.Exec(ctx, `UPDATE import_jobs SET status = ?, phase = ?, rows_total = ?, rows_done = ?,
			rows_valid = ?, heartbeat_at = ? WHERE id = ? AND status IN ('queued', 'running')`,
			status, pr.Phase, pr.Total, pr.Done, pr.Valid, store.Micros(s.now()), id)
		return err
	})
}

// finish records the end of a job: its report and errors, or why it
// failed, and tells the user who started it.
func (s *Service) finish(ctx context.Context, p *auth.Principal, id store.ID, rep *ImportReport, runErr error) {
	status, msg := JobDone, i18n.Text{}
	var rie *RowsInvalidError
	switch {
	case errors.As(runErr, &rie):
		status, msg = JobFailed, rie.err.Message
	case runErr != nil:
		status = JobFailed
		if e, ok := apperr.As(runErr); ok {
			msg = e.Message
		} else if errors.Is(runErr, context.Canceled) {
			msg = stoppedMessage
		} else {
			s.log.Error("import job failed", "job", id, "error", runErr)
			msg = i18n.T("导入出错，未完成：%s", "the import failed: %s", runErr.Error())
		}
	}
	errs, reportText := "[]", ""
	var rows, valid, written int
	if rep != nil {
		errs = storeErrors(rep.Errors)
		slim := *rep
		slim.Errors = nil
		b, _ := json.Marshal(slim)
		reportText = string(b)
		rows, valid, written = rep.Rows, rep.Valid, rep.Written
	}
	now := store.Micros(s.now())
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		if _, err := tx.Exec(ctx, `UPDATE import_jobs SET status = ?, phase = '', rows_total = ?, rows_done = ?,
			rows_valid = ?, rows_written = ?, errors = ?, report = ?, message = ?, heartbeat_at = ?, finished_at = ?
			WHERE id = ?`, status, rows, rows, valid, written, errs, reportText, messageJSON(msg), now, now, id); err != nil {
			return err
		}
		if s.notify == nil || p == nil || p.UserID == 0 {
			return nil
		}
		title := i18n.T("客户台账导入完成：写入 %d 行，%d 行有误", "customer import finished: %d rows written, %d invalid", written, rows-valid)
		if status == JobFailed {
			title = i18n.Text{ZH: "客户台账导入失败：" + msg.In(i18n.ZH), EN: "customer import failed: " + msg.In(i18n.EN)}
		}
		return s.notify.Send(ctx, tx, notify.Message{Event: "customers.import." + status, Users: []store.ID{p.UserID},
			Title: title, Object: "import_job", ObjectID: id,
			Payload: map[string]any{"job": id, "status": status, "rows": rows, "written": written}})
	})
	if err != nil {
		s.log.Error("import job: cannot record its end", "job", id, "error", err)
	}
}

func storeErrors(errs []RowError) string {
	out := make([]storedError, len(errs))
	for i, e := range errs {
		out[i] = storedError{Row: e.Row, Field: e.Field, Column: e.Column, ZH: e.Text.In(i18n.ZH), EN: e.Text.In(i18n.EN)}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// messageJSON keeps a message in both languages in one column.
func messageJSON(t i18n.Text) string {
	if t.ZH == "" && t.EN == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{"zh": t.In(i18n.ZH), "en": t.In(i18n.EN)})
	return string(b)
}

// Job returns an import job: the caller's own, or any for an administrator.
// A job of this process shows its live progress; a running job of a
// process that stopped is marked failed.
func (s *Service) Job(ctx context.Context, p *auth.Principal, id store.ID) (Job, error) {
	j, heartbeat, err := s.loadJob(ctx, id)
	if err != nil {
		return j, err
	}
	if p != nil && !p.IsAdmin() && j.CreatedBy != p.UserID {
		return Job{}, apperr.NotFound("import_job")
	}
	if j.Status == JobQueued || j.Status == JobRunning {
		s.jobs.mu.Lock()
		st := s.jobs.live[id]
		s.jobs.mu.Unlock()
		switch {
		case st != nil:
			pr := st.get()
			j.Status, j.Phase, j.RowsTotal, j.RowsDone, j.RowsValid = JobRunning, pr.Phase, pr.Total, pr.Done, pr.Valid
		case s.now().Sub(heartbeat) > StaleAfter:
			if _, err := s.failStale(ctx, id); err != nil {
				return j, err
			}
			return s.Job(ctx, p, id)
		}
	}
	return j, nil
}

func (s *Service) loadJob(ctx context.Context, id store.ID) (Job, time.Time, error) {
	var j Job
	var dry, aon int
	var by store.NullID
	var created, heartbeat, finished int64
	var errs, report, msg string
	err := s.db.Reader().QueryRow(ctx, `SELECT id, kind, file_name, sha256, size_bytes, status, phase, dry_run,
		all_or_nothing, org_unit_id, rows_total, rows_done, rows_valid, rows_written, errors, report, message,
		created_by, created_at, heartbeat_at, finished_at FROM import_jobs WHERE id = ?`, id).Scan(
		&j.ID, &j.Kind, &j.File, &j.SHA256, &j.Size, &j.Status, &j.Phase, &dry, &aon, &j.OrgUnit, &j.RowsTotal,
		&j.RowsDone, &j.RowsValid, &j.RowsWritten, &errs, &report, &msg, &by, &created, &heartbeat, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return j, time.Time{}, apperr.NotFound("import_job")
	}
	if err != nil {
		return j, time.Time{}, err
	}
	j.DryRun, j.AllOrNothing, j.CreatedAt = dry != 0, aon != 0, store.FromMicros(created)
	if by.Valid {
		j.CreatedBy = by.ID
	}
	if finished != 0 {
		t := store.FromMicros(finished)
		j.FinishedAt = &t
	}
	var stored []storedError
	if err := json.Unmarshal([]byte(errs), &stored); err != nil {
		return j, time.Time{}, err
	}
	j.Errors = make([]RowError, len(stored))
	for i, e := range stored {
		j.Errors[i] = RowError{Row: e.Row, Field: e.Field, Column: e.Column, Text: i18n.Text{ZH: e.ZH, EN: e.EN}}
		j.Errors[i].localize(i18n.ZH)
	}
	if report != "" {
		j.Report = new(ImportReport)
		if err := json.Unmarshal([]byte(report), j.Report); err != nil {
			return j, time.Time{}, err
		}
		j.Report.Errors = j.Errors
	}
	if msg != "" {
		var m map[string]string
		if json.Unmarshal([]byte(msg), &m) == nil {
			j.messageText = i18n.Text{ZH: m["zh"], EN: m["en"]}
			j.Message = m["zh"]
		}
	}
	return j, store.FromMicros(heartbeat), nil
}

// stoppedMessage explains a job whose process stopped.
var stoppedMessage = i18n.T("服务在导入过程中停止，导入未完成：“全部成功才导入”的导入未写入任何数据；其他导入已写入的批次见客户列表，请核对后重新导入其余行",
	"the server stopped during the import: an all-or-nothing import wrote nothing; otherwise the batches written so far are in the customer list — check them and import the remaining rows again")

// failStale marks a queued or running job failed when its heartbeat is
// older than StaleAfter.
func (s *Service) failStale(ctx context.Context, id store.ID) (int, error) {
	now := s.now()
	var n int64
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		q := `UPDATE import_jobs SET status = 'failed', phase = '', message = ?, finished_at = ?
			WHERE status IN ('queued', 'running') AND heartbeat_at < ?`
		args := []any{messageJSON(stoppedMessage), store.Micros(now), store.Micros(now.Add(-StaleAfter))}
		if id != 0 {
			q += " AND id = ?"
			args = append(args, id)
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RecoverJobs runs at server start-up: every job left queued or running by
// a process that stopped (its heartbeat older than StaleAfter) is marked
// failed with a message saying so. Jobs of a process that stopped less
// than StaleAfter ago are marked when they are next read. It returns how
// many jobs it marked.
func (s *Service) RecoverJobs(ctx context.Context) (int, error) { return s.failStale(ctx, 0) }

// Stop cancels the running jobs of this process and waits for them to
// record their end (failed: the server is stopping). An all-or-nothing
// job's transaction rolls back; a batched job keeps its committed batches.
func (s *Service) Stop() {
	s.jobs.cancel()
	s.jobs.wg.Wait()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mergeValues is a context cancelled with done whose values come from vals.
func mergeValues(done, vals context.Context) context.Context {
	return valueCtx{Context: done, vals: vals}
}

type valueCtx struct {
	context.Context
	vals context.Context
}

func (v valueCtx) Value(key any) any { return v.vals.Value(key) }
