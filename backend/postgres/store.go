package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// Store is a backend.Store on PostgreSQL. Counters live on the request's
// row and change in the same transaction as the rows they count, so the
// worker whose write completes a request always sees it complete.
type Store struct {
	db     *sqlx.DB
	closed atomic.Bool
	now    func() time.Time
}

var _ backend.Store = (*Store)(nil)

// NewStore returns a Store on db, whose schema must be migrated.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db, now: time.Now} }

// DB returns the store's database handle.
func (s *Store) DB() *sqlx.DB { return s.db }

// requestRow is a row of requests.
type requestRow struct {
	ID       string `db:"id"`
	Input    string `db:"input"`
	BuildURL string `db:"build_url"`
	Options  []byte `db:"options"`
	Status   string `db:"status"`
	Error    string `db:"error"`
	progressRow
	Findings    int       `db:"findings"`
	Report      []byte    `db:"report"`
	TestReports []byte    `db:"test_reports"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Top         []byte    `db:"top"`
}

const requestColumns = `r.id, r.input, r.build_url, r.options, r.status, r.error, r.planned, r.jobs_selected,
	r.jobs_fetched, r.chunks_total, r.chunks_done, r.findings, r.report, r.test_reports, r.created_at, r.updated_at`

func (row requestRow) request() (backend.Request, error) {
	r := backend.Request{
		ID:        row.ID,
		Input:     row.Input,
		BuildURL:  row.BuildURL,
		Status:    backend.Status(row.Status),
		Error:     row.Error,
		Progress:  row.progress(),
		CreatedAt: row.CreatedAt.UTC(),
		UpdatedAt: row.UpdatedAt.UTC(),
	}
	if err := json.Unmarshal(row.Options, &r.Options); err != nil {
		return r, fmt.Errorf("request %q: decode options: %w", row.ID, err)
	}
	if len(row.Report) > 0 {
		if err := json.Unmarshal(row.Report, &r.Report); err != nil {
			return r, fmt.Errorf("request %q: decode report: %w", row.ID, err)
		}
	}
	if len(row.TestReports) > 0 {
		if err := json.Unmarshal(row.TestReports, &r.TestReports); err != nil {
			return r, fmt.Errorf("request %q: decode test reports: %w", row.ID, err)
		}
	}
	return r, nil
}

func (s *Store) check() error {
	if s.closed.Load() {
		return backend.ErrClosed
	}
	return nil
}

func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func notFound(id string) error { return fmt.Errorf("request %q: %w", id, backend.ErrNotFound) }

// text makes s storable in a text column: valid UTF-8 without NUL bytes.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if err := s.check(); err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// CreateRequest implements backend.Store.
func (s *Store) CreateRequest(ctx context.Context, req backend.Request) error {
	if err := s.check(); err != nil {
		return err
	}
	if req.ID == "" {
		return fmt.Errorf("create request: empty ID")
	}
	opts, err := json.Marshal(req.Options)
	if err != nil {
		return fmt.Errorf("encode options: %w", err)
	}
	created := s.stamp(req.CreatedAt)
	res, err := s.db.ExecContext(ctx, `INSERT INTO requests (id, input, options, status, created_at, updated_at)
		VALUES ($1, $2, $3, 'queued', $4, $4) ON CONFLICT (id) DO NOTHING`, req.ID, text(req.Input), opts, created)
	if err != nil {
		return fmt.Errorf("create request %q: %w", req.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("request %q: %w", req.ID, backend.ErrExists)
	}
	return nil
}

// GetRequest implements backend.Store.
func (s *Store) GetRequest(ctx context.Context, id string) (backend.Request, error) {
	if err := s.check(); err != nil {
		return backend.Request{}, err
	}
	var row requestRow
	err := s.db.GetContext(ctx, &row, `SELECT `+requestColumns+` FROM requests r WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return backend.Request{}, notFound(id)
	}
	if err != nil {
		return backend.Request{}, fmt.Errorf("read request %q: %w", id, err)
	}
	return row.request()
}

// FindRequests implements backend.Store.
func (s *Store) FindRequests(ctx context.Context, url string, limit int) ([]backend.Request, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1 << 30
	}
	var rows []requestRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+` FROM requests r
		WHERE r.input = $1 OR (r.build_url = $1 AND r.build_url <> '')
		ORDER BY r.created_at DESC, r.id DESC LIMIT $2`, url, limit)
	if err != nil {
		return nil, fmt.Errorf("find requests for %s: %w", url, err)
	}
	out := make([]backend.Request, 0, len(rows))
	for _, row := range rows {
		r, err := row.request()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ListRequests implements backend.Store.
func (s *Store) ListRequests(ctx context.Context, limit int) ([]backend.RequestSummary, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1 << 30
	}
	var rows []requestRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+`, f.body AS top FROM requests r
		LEFT JOIN LATERAL (SELECT body FROM findings WHERE request_id = r.id ORDER BY rank LIMIT 1) f ON true
		ORDER BY r.created_at DESC, r.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	out := make([]backend.RequestSummary, 0, len(rows))
	for _, row := range rows {
		r, err := row.request()
		if err != nil {
			return nil, err
		}
		sum := backend.RequestSummary{Request: r, Findings: row.Findings}
		if len(row.Top) > 0 && string(row.Top) != "null" {
			var f analysis.Finding
			if err := json.Unmarshal(row.Top, &f); err != nil {
				return nil, fmt.Errorf("request %q: decode top finding: %w", r.ID, err)
			}
			sum.Top = &f
		}
		out = append(out, sum)
	}
	return out, nil
}

// SetStatus implements backend.Store.
func (s *Store) SetStatus(ctx context.Context, id string, status backend.Status, errMsg string) (bool, error) {
	moved := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if !cur.CanMoveTo(status) {
			return nil
		}
		q := `UPDATE requests SET status = $2, updated_at = $3 WHERE id = $1`
		args := []any{id, string(status), s.stamp(time.Time{})}
		if status == backend.StatusFailed {
			q = `UPDATE requests SET status = $2, updated_at = $3, error = $4 WHERE id = $1`
			args = append(args, text(errMsg))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update request %q: %w", id, err)
		}
		moved = true
		return nil
	})
	return moved, err
}

// lock takes the request's row lock for the transaction and returns its
// status: every write that changes its status or counters holds it, so they
// see each other's rows.
func lock(ctx context.Context, tx *sqlx.Tx, id string) (backend.Status, error) {
	var cur string
	err := tx.GetContext(ctx, &cur, `SELECT status FROM requests WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(id)
	}
	if err != nil {
		return "", fmt.Errorf("lock request %q: %w", id, err)
	}
	return backend.Status(cur), nil
}

const progressColumns = `planned, jobs_selected, jobs_fetched, chunks_total, chunks_done`

type progressRow struct {
	Planned      bool `db:"planned"`
	JobsSelected int  `db:"jobs_selected"`
	JobsFetched  int  `db:"jobs_fetched"`
	ChunksTotal  int  `db:"chunks_total"`
	ChunksDone   int  `db:"chunks_done"`
}

func (p progressRow) progress() backend.Progress {
	return backend.Progress{Planned: p.Planned, JobsSelected: p.JobsSelected, JobsFetched: p.JobsFetched, ChunksTotal: p.ChunksTotal, ChunksDone: p.ChunksDone}
}

func (s *Store) readProgress(ctx context.Context, q sqlx.QueryerContext, id string) (backend.Progress, error) {
	var p progressRow
	err := sqlx.GetContext(ctx, q, &p, `SELECT `+progressColumns+` FROM requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return backend.Progress{}, notFound(id)
	}
	if err != nil {
		return backend.Progress{}, fmt.Errorf("read progress of %q: %w", id, err)
	}
	return p.progress(), nil
}

// updateProgress runs an UPDATE of request id's row, where set assigns the
// columns ($1 is id, args are $2 on), and returns the progress it leaves.
func updateProgress(ctx context.Context, tx *sqlx.Tx, id, set string, args ...any) (backend.Progress, error) {
	var p progressRow
	err := tx.GetContext(ctx, &p, `UPDATE requests SET `+set+` WHERE id = $1 RETURNING `+progressColumns, append([]any{id}, args...)...)
	return p.progress(), err
}

// exists fails with ErrNotFound unless request id exists (and with
// ErrClosed after Close).
func (s *Store) exists(ctx context.Context, id string) error {
	if err := s.check(); err != nil {
		return err
	}
	_, err := s.readProgress(ctx, s.db, id)
	return err
}

// PlanRequest implements backend.Store.
func (s *Store) PlanRequest(ctx context.Context, id string, plan backend.Plan) (backend.Progress, error) {
	rep := plan.Report
	rep.Findings = nil
	body, err := json.Marshal(rep)
	if err != nil {
		return backend.Progress{}, fmt.Errorf("encode report: %w", err)
	}
	reports, err := json.Marshal(plan.TestReports)
	if err != nil {
		return backend.Progress{}, fmt.Errorf("encode test reports: %w", err)
	}
	var prog backend.Progress
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lock(ctx, tx, id); err != nil {
			return err
		}
		var next int
		if err := tx.GetContext(ctx, &next, `SELECT coalesce(max(position) + 1, 0) FROM request_jobs WHERE request_id = $1`, id); err != nil {
			return fmt.Errorf("read jobs of %q: %w", id, err)
		}
		stored := 0 // chunk results already stored for jobs new to the plan
		for _, job := range plan.Jobs {
			res, err := tx.ExecContext(ctx, `INSERT INTO request_jobs (request_id, position, job_id) VALUES ($1, $2, $3)
				ON CONFLICT (request_id, job_id) DO NOTHING`, id, next, text(job))
			if err != nil {
				return fmt.Errorf("plan job %q of %q: %w", job, id, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				next++
				var c int
				if err := tx.GetContext(ctx, &c, `SELECT count(*) FROM chunk_results WHERE request_id = $1 AND job_id = $2`, id, text(job)); err != nil {
					return fmt.Errorf("count chunks of job %q: %w", job, err)
				}
				stored += c
			}
		}
		prog, err = updateProgress(ctx, tx, id, `report = $2, build_url = $3, planned = true,
			jobs_selected = (SELECT count(*) FROM request_jobs WHERE request_id = $1), updated_at = $4,
			chunks_done = chunks_done + $5, test_reports = $6`, body, text(plan.BuildURL), s.stamp(time.Time{}), stored, reports)
		if err != nil {
			return fmt.Errorf("plan request %q: %w", id, err)
		}
		return nil
	})
	return prog, err
}

// Jobs implements backend.Store.
func (s *Store) Jobs(ctx context.Context, id string) ([]backend.JobPlan, error) {
	if err := s.exists(ctx, id); err != nil {
		return nil, err
	}
	var rows []struct {
		JobID  string        `db:"job_id"`
		Chunks sql.NullInt64 `db:"chunks"`
		Error  string        `db:"error"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT job_id, chunks, error FROM request_jobs WHERE request_id = $1 ORDER BY position`, id); err != nil {
		return nil, fmt.Errorf("read jobs of %q: %w", id, err)
	}
	out := make([]backend.JobPlan, 0, len(rows))
	for _, r := range rows {
		j := backend.JobPlan{JobID: r.JobID, Chunks: -1, Error: r.Error}
		if r.Chunks.Valid {
			j.Chunks = int(r.Chunks.Int64)
		}
		out = append(out, j)
	}
	return out, nil
}

// SetJobChunks implements backend.Store.
func (s *Store) SetJobChunks(ctx context.Context, id, jobID string, chunks int, jobErr string) (backend.Progress, error) {
	if chunks < 0 {
		return backend.Progress{}, fmt.Errorf("job %q of request %q: negative chunk count %d", jobID, id, chunks)
	}
	var prog backend.Progress
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lock(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE request_jobs SET chunks = $3, error = $4
			WHERE request_id = $1 AND job_id = $2 AND chunks IS NULL`, id, jobID, chunks, text(jobErr))
		if err != nil {
			return fmt.Errorf("record chunks of job %q: %w", jobID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.GetContext(ctx, &exists, `SELECT count(*) FROM request_jobs WHERE request_id = $1 AND job_id = $2`, id, jobID); err != nil {
				return fmt.Errorf("read job %q: %w", jobID, err)
			}
			if exists == 0 {
				return fmt.Errorf("job %q of request %q: %w", jobID, id, backend.ErrNotFound)
			}
			prog, err = s.readProgress(ctx, tx, id)
			return err
		}
		// Chunks stored past the final count no longer count as done.
		var extra int
		if err := tx.GetContext(ctx, &extra, `SELECT count(*) FROM chunk_results WHERE request_id = $1 AND job_id = $2 AND seq >= $3`, id, jobID, chunks); err != nil {
			return fmt.Errorf("count chunks of job %q: %w", jobID, err)
		}
		prog, err = updateProgress(ctx, tx, id, `jobs_fetched = jobs_fetched + 1, chunks_total = chunks_total + $2,
			chunks_done = chunks_done - $4, updated_at = $3`, chunks, s.stamp(time.Time{}), extra)
		if err != nil {
			return fmt.Errorf("update progress of %q: %w", id, err)
		}
		return nil
	})
	return prog, err
}

// SaveChunkResult implements backend.Store.
func (s *Store) SaveChunkResult(ctx context.Context, c backend.ChunkResult) (backend.Progress, error) {
	body, err := backend.EncodeChunkResult(c.Result)
	if err != nil {
		return backend.Progress{}, fmt.Errorf("encode chunk %d of job %q: %w", c.Seq, c.JobID, err)
	}
	var prog backend.Progress
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lock(ctx, tx, c.RequestID); err != nil {
			return err
		}
		var job []sql.NullInt64
		if err := tx.SelectContext(ctx, &job, `SELECT chunks FROM request_jobs WHERE request_id = $1 AND job_id = $2`, c.RequestID, text(c.JobID)); err != nil {
			return fmt.Errorf("read job %q: %w", c.JobID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO chunk_results (request_id, job_id, seq, first_line, result)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id, job_id, seq) DO NOTHING`,
			c.RequestID, text(c.JobID), c.Seq, c.FirstLine, body)
		if err != nil {
			return fmt.Errorf("store chunk %d of job %q: %w", c.Seq, c.JobID, err)
		}
		inserted, _ := res.RowsAffected()
		counts := len(job) == 1 && (!job[0].Valid || int64(c.Seq) < job[0].Int64)
		if inserted == 0 || !counts {
			prog, err = s.readProgress(ctx, tx, c.RequestID)
			return err
		}
		prog, err = updateProgress(ctx, tx, c.RequestID, `chunks_done = chunks_done + 1, updated_at = $2`, s.stamp(time.Time{}))
		if err != nil {
			return fmt.Errorf("update progress of %q: %w", c.RequestID, err)
		}
		return nil
	})
	return prog, err
}

// ChunkResults implements backend.Store.
func (s *Store) ChunkResults(ctx context.Context, id string) ([]backend.ChunkResult, error) {
	if err := s.exists(ctx, id); err != nil {
		return nil, err
	}
	var rows []struct {
		JobID     string `db:"job_id"`
		Seq       int    `db:"seq"`
		FirstLine int    `db:"first_line"`
		Result    []byte `db:"result"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT job_id, seq, first_line, result FROM chunk_results
		WHERE request_id = $1 ORDER BY job_id COLLATE "C", seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read chunk results of %q: %w", id, err)
	}
	out := make([]backend.ChunkResult, 0, len(rows))
	for _, r := range rows {
		c := backend.ChunkResult{RequestID: id, JobID: r.JobID, Seq: r.Seq, FirstLine: r.FirstLine}
		if c.Result, err = backend.DecodeChunkResult(r.Result); err != nil {
			return nil, fmt.Errorf("chunk %d of job %q of request %s: %w", r.Seq, r.JobID, id, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// insertBatch is how many findings one INSERT carries.
const insertBatch = 500

// FinishRequest implements backend.Store.
func (s *Store) FinishRequest(ctx context.Context, id string, rep analysis.Report) (bool, error) {
	seen := map[string]bool{}
	var findings []analysis.Finding
	for _, f := range rep.Findings {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			findings = append(findings, f)
		}
	}
	rep.Findings = nil
	header, err := json.Marshal(rep)
	if err != nil {
		return false, fmt.Errorf("encode report: %w", err)
	}
	finished := false
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Terminal() {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE request_id = $1`, id); err != nil {
			return fmt.Errorf("clear findings of %q: %w", id, err)
		}
		for start := 0; start < len(findings); start += insertBatch {
			batch := findings[start:min(start+insertBatch, len(findings))]
			var sb strings.Builder
			sb.WriteString(`INSERT INTO findings (request_id, fingerprint, rank, confidence, body) VALUES `)
			args := make([]any, 0, 1+4*len(batch))
			args = append(args, id)
			for i, f := range batch {
				body, err := json.Marshal(f)
				if err != nil {
					return fmt.Errorf("encode finding %s: %w", f.Fingerprint, err)
				}
				if i > 0 {
					sb.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&sb, "($1, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
				args = append(args, text(f.Fingerprint), f.Rank, f.Confidence, body)
			}
			sb.WriteString(` ON CONFLICT (request_id, fingerprint) DO NOTHING`)
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("store findings of %q: %w", id, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET status = 'done', report = $2, findings = $3, updated_at = $4 WHERE id = $1`,
			id, header, len(findings), s.stamp(time.Time{}))
		if err != nil {
			return fmt.Errorf("finish request %q: %w", id, err)
		}
		finished = true
		return nil
	})
	return finished, err
}

// ListFindings implements backend.Store.
func (s *Store) ListFindings(ctx context.Context, id string) ([]analysis.Finding, error) {
	if err := s.exists(ctx, id); err != nil {
		return nil, err
	}
	var bodies [][]byte
	if err := s.db.SelectContext(ctx, &bodies, `SELECT body FROM findings WHERE request_id = $1 ORDER BY rank, fingerprint`, id); err != nil {
		return nil, fmt.Errorf("read findings of %q: %w", id, err)
	}
	out := make([]analysis.Finding, 0, len(bodies))
	for _, b := range bodies {
		var f analysis.Finding
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("decode a finding of %q: %w", id, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// SaveBaseline implements backend.Store.
func (s *Store) SaveBaseline(ctx context.Context, key string, model []byte) error {
	if err := s.check(); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO baselines (key, model) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET model = EXCLUDED.model, saved_at = now()`, key, model)
	if err != nil {
		return fmt.Errorf("save baseline %q: %w", key, err)
	}
	return nil
}

// LoadBaseline implements backend.Store.
func (s *Store) LoadBaseline(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var model []byte
	err := s.db.GetContext(ctx, &model, `SELECT model FROM baselines WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("baseline %q: %w", key, backend.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load baseline %q: %w", key, err)
	}
	return model, nil
}

// Close implements backend.Store: it closes the database handle.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}
