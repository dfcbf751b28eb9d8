package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// SaveHistory implements backend.Store: the build, its jobs and the
// fingerprints of its analyzed jobs, in one transaction.
func (s *Store) SaveHistory(ctx context.Context, pipeline string, rec analysis.BuildRecord) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO history_builds
			(pipeline, build_id, number, branch, commit_sha, state, url, revision, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (pipeline, build_id) DO UPDATE SET number = EXCLUDED.number, branch = EXCLUDED.branch,
				commit_sha = EXCLUDED.commit_sha, state = EXCLUDED.state, url = EXCLUDED.url,
				revision = EXCLUDED.revision, finished_at = EXCLUDED.finished_at, recorded_at = now()`,
			text(pipeline), text(rec.ID), rec.Number, text(rec.Branch), text(rec.Commit), text(rec.State), text(rec.URL),
			text(rec.Revision), text(rec.FinishedAt)); err != nil {
			return err
		}
		for _, j := range rec.Jobs {
			if err := saveHistoryJob(ctx, tx, pipeline, rec, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save the history of build %s: %w", rec.ID, err)
	}
	return nil
}

func saveHistoryJob(ctx context.Context, tx *sqlx.Tx, pipeline string, rec analysis.BuildRecord, j analysis.JobRecord) error {
	// A job not analyzed keeps the version and fingerprints recorded.
	if _, err := tx.ExecContext(ctx, `INSERT INTO history_jobs
		(pipeline, build_id, job_id, position, name, state, attempt, failed, passed, retried, fingerprint_version)
		VALUES ($1, $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM history_jobs WHERE pipeline = $1 AND build_id = $2),
			$4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (pipeline, build_id, job_id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state,
			attempt = EXCLUDED.attempt, failed = EXCLUDED.failed, passed = EXCLUDED.passed, retried = EXCLUDED.retried,
			fingerprint_version = CASE WHEN EXCLUDED.fingerprint_version = 0 THEN history_jobs.fingerprint_version
				ELSE EXCLUDED.fingerprint_version END`,
		text(pipeline), text(rec.ID), text(j.ID), text(j.Name), text(j.State), j.Attempt, j.Failed, j.Passed, j.Retried,
		j.FingerprintVersion); err != nil {
		return err
	}
	if j.FingerprintVersion == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM history_fingerprints WHERE pipeline = $1 AND build_id = $2 AND job_id = $3`,
		text(pipeline), text(rec.ID), text(j.ID)); err != nil {
		return err
	}
	if len(j.Fingerprints) == 0 {
		return nil
	}
	n := len(j.Fingerprints)
	fps, cats, sevs, msgs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	confs := make([]float64, n)
	for i, f := range j.Fingerprints {
		fps[i], cats[i], sevs[i], msgs[i], confs[i] = text(f.Fingerprint), text(f.Category), text(string(f.Severity)), text(f.Message), f.Confidence
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO history_fingerprints
		(pipeline, build_id, job_id, fingerprint_version, branch, number, fingerprint, category, severity, message, confidence)
		SELECT $1, $2, $3, $4, $5, $6, f, c, s, m, x
		FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::float8[]) AS t(f, c, s, m, x)
		ON CONFLICT DO NOTHING`,
		text(pipeline), text(rec.ID), text(j.ID), j.FingerprintVersion, text(rec.Branch), rec.Number,
		pq.Array(fps), pq.Array(cats), pq.Array(sevs), pq.Array(msgs), pq.Array(confs))
	return err
}

type historyBuildRow struct {
	ID         string `db:"build_id"`
	Number     int64  `db:"number"`
	Branch     string `db:"branch"`
	Commit     string `db:"commit_sha"`
	State      string `db:"state"`
	URL        string `db:"url"`
	Revision   string `db:"revision"`
	FinishedAt string `db:"finished_at"`
}

type historyJobRow struct {
	BuildID            string `db:"build_id"`
	ID                 string `db:"job_id"`
	Name               string `db:"name"`
	State              string `db:"state"`
	Attempt            int    `db:"attempt"`
	Failed             bool   `db:"failed"`
	Passed             bool   `db:"passed"`
	Retried            bool   `db:"retried"`
	FingerprintVersion int    `db:"fingerprint_version"`
}

type historyFingerprintRow struct {
	BuildID     string  `db:"build_id"`
	JobID       string  `db:"job_id"`
	Fingerprint string  `db:"fingerprint"`
	Category    string  `db:"category"`
	Severity    string  `db:"severity"`
	Message     string  `db:"message"`
	Confidence  float64 `db:"confidence"`
}

const historyBuildColumns = `build_id, number, branch, commit_sha, state, url, revision, finished_at`

// LoadHistory implements backend.Store: the builds (by ID, or the newest
// on a branch), their jobs, then their fingerprints of q.Version through
// the (pipeline, branch, version, fingerprint) index.
func (s *Store) LoadHistory(ctx context.Context, q backend.HistoryQuery) ([]analysis.BuildRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var builds []historyBuildRow
	var err error
	if len(q.BuildIDs) > 0 {
		err = s.db.SelectContext(ctx, &builds, `SELECT `+historyBuildColumns+` FROM history_builds
			WHERE pipeline = $1 AND build_id = ANY($2) ORDER BY number DESC`, q.Pipeline, pq.Array(q.BuildIDs))
	} else {
		limit := q.Limit
		if limit <= 0 {
			limit = 1000
		}
		err = s.db.SelectContext(ctx, &builds, `SELECT `+historyBuildColumns+` FROM history_builds
			WHERE pipeline = $1 AND branch = $2 AND ($3::bigint = 0 OR number < $3::bigint) ORDER BY number DESC LIMIT $4`,
			q.Pipeline, q.Branch, q.Before, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read the history of %s: %w", q.Pipeline, err)
	}
	if len(builds) == 0 {
		return nil, nil
	}
	ids := make([]string, len(builds))
	branches := map[string]bool{}
	var branchList []string
	for i, b := range builds {
		ids[i] = b.ID
		if !branches[b.Branch] {
			branches[b.Branch] = true
			branchList = append(branchList, b.Branch)
		}
	}
	var jobs []historyJobRow
	if err := s.db.SelectContext(ctx, &jobs, `SELECT build_id, job_id, name, state, attempt, failed, passed, retried, fingerprint_version
		FROM history_jobs WHERE pipeline = $1 AND build_id = ANY($2) ORDER BY build_id, position`, q.Pipeline, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read the history of %s: %w", q.Pipeline, err)
	}
	query := `SELECT build_id, job_id, fingerprint, category, severity, message, confidence FROM history_fingerprints
		WHERE pipeline = $1 AND branch = ANY($2) AND fingerprint_version = $3 AND build_id = ANY($4)`
	args := []any{q.Pipeline, pq.Array(branchList), q.Version, pq.Array(ids)}
	if q.Fingerprints != nil {
		query += ` AND fingerprint = ANY($5)`
		args = append(args, pq.Array(q.Fingerprints))
	}
	var fps []historyFingerprintRow
	if err := s.db.SelectContext(ctx, &fps, query+` ORDER BY build_id, job_id, fingerprint`, args...); err != nil {
		return nil, fmt.Errorf("read the history of %s: %w", q.Pipeline, err)
	}
	type jobKey struct{ build, job string }
	seen := map[jobKey][]analysis.SeenFingerprint{}
	for _, f := range fps {
		k := jobKey{f.BuildID, f.JobID}
		seen[k] = append(seen[k], analysis.SeenFingerprint{Fingerprint: f.Fingerprint, Category: f.Category,
			Severity: analysis.Severity(f.Severity), Message: f.Message, Confidence: f.Confidence})
	}
	byBuild := map[string][]analysis.JobRecord{}
	for _, j := range jobs {
		rec := analysis.JobRecord{ID: j.ID, Name: j.Name, State: j.State, Attempt: j.Attempt, Failed: j.Failed, Passed: j.Passed,
			Retried: j.Retried, FingerprintVersion: j.FingerprintVersion}
		if j.FingerprintVersion == q.Version {
			rec.Fingerprints = seen[jobKey{j.BuildID, j.ID}]
		}
		byBuild[j.BuildID] = append(byBuild[j.BuildID], rec)
	}
	out := make([]analysis.BuildRecord, 0, len(builds))
	for _, b := range builds {
		out = append(out, analysis.BuildRecord{ID: b.ID, Number: b.Number, URL: b.URL, Branch: b.Branch, Commit: b.Commit,
			State: b.State, Revision: b.Revision, FinishedAt: b.FinishedAt, Jobs: byBuild[b.ID]})
	}
	return out, nil
}
