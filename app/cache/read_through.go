package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/providers"
)

// Config configures Wrap.
type Config struct {
	Folder *Folder
	// Scope names the provider and the API the build is read from
	// ("github-actions https://api.github.com"): build and job IDs are
	// unique within it.
	Scope string
	// BuildKey identifies, within Scope, the build the user named (its
	// canonical URL): the key of its metadata.
	BuildKey string
	// Offline serves everything from the cache and never calls the
	// provider.
	Offline bool
	// Refresh ignores what is cached; what is fetched replaces it.
	Refresh bool
	// AnalyzerVersion identifies the analysis code; results are reused
	// only by the same version ("": results are not cached).
	AnalyzerVersion string
	// Secrets are literal values redacted from the logs kept, besides the
	// token formats analysis.Redactor knows: a log is kept redacted.
	Secrets []string
	// WarnFunc receives one-line messages about cache problems (a full
	// disk, a damaged entry). Nil: silent. Cache problems never fail an
	// analysis.
	WarnFunc func(string)
}

// ReadThrough is a pipeline.Source that serves finished jobs' logs, and the
// analysis of them, from a Folder, and keeps what it fetches there (a
// read-through cache). A build
// that is still running, and jobs that have not finished, always come
// from the provider and are never kept. Build metadata is always read from
// the provider (it is cheap, and a build can be retried) unless Offline.
type ReadThrough struct {
	inner pipeline.Source
	cfg   Config

	mu        sync.Mutex
	build     providers.Build
	haveBuild bool
	logSums   map[string]string // job ID → Sum of its log entry, as served or committed
	warned    map[string]bool
}

// Wrap returns src with cfg.Folder in front of it. The result also
// implements pipeline.TestReporter when src does, and pipeline.ResultCache.
func Wrap(src pipeline.Source, cfg Config) pipeline.Source {
	s := &ReadThrough{inner: src, cfg: cfg, logSums: map[string]string{}, warned: map[string]bool{}}
	if tr, ok := src.(pipeline.TestReporter); ok {
		return &reportingReadThrough{ReadThrough: s, tr: tr}
	}
	return s
}

func (s *ReadThrough) warn(format string, args ...any) {
	msg := "cache: " + fmt.Sprintf(format, args...)
	s.mu.Lock()
	seen := s.warned[msg]
	s.warned[msg] = true
	s.mu.Unlock()
	if !seen && s.cfg.WarnFunc != nil {
		s.cfg.WarnFunc(msg)
	}
}

// Build returns the build from the provider, keeping it when it has
// finished; Offline, it returns the kept one.
func (s *ReadThrough) Build(ctx context.Context) (providers.Build, error) {
	var b providers.Build
	if s.cfg.Offline {
		data, _, err := s.cfg.Folder.Get(KindBuild, s.buildMetaKey())
		if err == nil {
			err = json.Unmarshal(data, &b)
		}
		if err != nil {
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
				return b, fmt.Errorf("--offline: %s is not in the cache (only finished builds are kept); run once without --offline to fetch it", s.cfg.BuildKey)
			}
			return b, fmt.Errorf("--offline: read cached build: %w", err)
		}
	} else {
		var err error
		b, err = s.inner.Build(ctx)
		if err != nil {
			return b, err
		}
		if !b.Running {
			s.putJSON(Meta{Kind: KindBuild, Key: s.buildMetaKey(), Provider: string(b.Provider), Build: b.URL}, b)
		}
	}
	s.mu.Lock()
	s.build, s.haveBuild = b, true
	s.mu.Unlock()
	return b, nil
}

func (s *ReadThrough) buildMetaKey() string { return s.cfg.Scope + " " + s.cfg.BuildKey }

func (s *ReadThrough) logKey(job providers.Job) string {
	s.mu.Lock()
	id := s.build.ID
	s.mu.Unlock()
	return fmt.Sprintf("%s build %s job %s", s.cfg.Scope, id, job.ID)
}

// cacheable reports whether job's log is final: the build and the job
// have finished.
func (s *ReadThrough) cacheable(job providers.Job) bool {
	s.mu.Lock()
	running, have := s.build.Running, s.haveBuild
	s.mu.Unlock()
	if !have || running || !job.HasLog {
		return false
	}
	switch job.State {
	case providers.JobPassed, providers.JobFailed, providers.JobTimedOut, providers.JobCancelled:
		return true
	}
	return false
}

func (s *ReadThrough) logMeta(job providers.Job) Meta {
	s.mu.Lock()
	b := s.build
	s.mu.Unlock()
	return Meta{Kind: KindLog, Key: s.logKey(job), Provider: string(b.Provider), Build: b.URL, Job: job.ID, JobName: job.Name}
}

// OpenLog serves job's log from the cache when it holds it whole, else
// streams it from the provider, keeping a copy that is committed only
// when the stream ends cleanly and the job has finished.
func (s *ReadThrough) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	if !s.cacheable(job) {
		if s.cfg.Offline {
			return nil, fmt.Errorf("--offline: the log of an unfinished job is never cached")
		}
		return s.inner.OpenLog(ctx, job)
	}
	key := s.logKey(job)
	if !s.cfg.Refresh {
		r, err := s.cfg.Folder.Open(KindLog, key)
		switch {
		case err == nil:
			s.mu.Lock()
			s.logSums[job.ID] = r.Entry.Sum
			s.mu.Unlock()
			return r, nil
		case errors.Is(err, ErrCorrupt):
			s.warn("the cached log of job %q was damaged (%v); it is fetched again", job.Name, err)
		case !errors.Is(err, ErrNotFound):
			s.warn("%v", err)
		}
	}
	if s.cfg.Offline {
		return nil, fmt.Errorf("--offline: log not in the cache")
	}
	rc, err := s.inner.OpenLog(ctx, job)
	if err != nil {
		return nil, err
	}
	w, err := s.cfg.Folder.Create(s.logMeta(job))
	if err != nil {
		s.warn("%v", err)
		return rc, nil
	}
	return &teeLog{rc: rc, w: w, red: analysis.NewRedactWriter(w, s.cfg.Secrets...), s: s, job: job}, nil
}

// teeLog copies a log stream, redacted, into a cache entry as it is read.
type teeLog struct {
	rc  io.ReadCloser
	w   *Writer
	red *analysis.RedactWriter // writes to w
	s   *ReadThrough
	job providers.Job
	eof bool
}

func (t *teeLog) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	if n > 0 && t.w != nil {
		if _, werr := t.red.Write(p[:n]); werr != nil {
			t.s.warn("%v", werr)
			t.w.Abort()
			t.w = nil
		}
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}

// Close commits the copy if the whole log was read, drops it otherwise.
func (t *teeLog) Close() error {
	err := t.rc.Close()
	if t.w == nil {
		return err
	}
	if !t.eof {
		t.w.Abort()
		return err
	}
	if rerr := t.red.Close(); rerr != nil {
		t.s.warn("log of job %q not kept: %v", t.job.Name, rerr)
		t.w.Abort()
		return err
	}
	commit := t.w.CommitIfAbsent // another run may have kept it meanwhile: use that one
	if t.s.cfg.Refresh {
		commit = t.w.Commit // what is fetched replaces what is kept
	}
	e, cerr := commit()
	if cerr != nil {
		t.s.warn("log of job %q not kept: %v", t.job.Name, cerr)
		return err
	}
	t.s.mu.Lock()
	t.s.logSums[t.job.ID] = e.Sum
	t.s.mu.Unlock()
	return err
}

// resultKey names the analysis, with opts, of job's log: one entry per
// log, whatever log entry it was made from (cachedResult says which), so
// a log kept anew replaces its result rather than orphaning it. The
// secrets to redact are not part of it: cachedResult says which were
// redacted, so a result redacted of more secrets than asked for serves
// (an --offline run without a token reuses what a run with one found).
func (s *ReadThrough) resultKey(job providers.Job, opts analysis.Options) string {
	opts.Secrets = nil
	js, _ := json.Marshal(opts)
	h := sha256.Sum256(js)
	return fmt.Sprintf("%s analyzer %s options %s", s.logKey(job), s.cfg.AnalyzerVersion, hex.EncodeToString(h[:16]))
}

// cachedResult is a result entry's content.
type cachedResult struct {
	// Log is the Sum of the log entry analyzed; the result serves only
	// while that entry is the one kept.
	Log string `json:"log"`
	// Redacted holds, for each secret the analysis redacted, a hash of it
	// salted with the log's sum (never the secret).
	Redacted []string           `json:"redacted"`
	Result   analysis.JobResult `json:"result"`
}

func secretHash(sum, secret string) string {
	h := sha256.Sum256([]byte(sum + "\x00" + secret))
	return hex.EncodeToString(h[:])
}

// covers reports whether every one of secrets was redacted.
func (c cachedResult) covers(sum string, secrets []string) bool {
	have := map[string]bool{}
	for _, h := range c.Redacted {
		have[h] = true
	}
	for _, sec := range secrets {
		if sec != "" && !have[secretHash(sum, sec)] {
			return false
		}
	}
	return true
}

// CachedResult returns what analyzing job's log with opts found, when the
// log is cached and was analyzed so by this version of destill; the log is
// then not read at all.
func (s *ReadThrough) CachedResult(ctx context.Context, job providers.Job, opts analysis.Options) (analysis.JobResult, bool) {
	if s.cfg.Refresh || s.cfg.AnalyzerVersion == "" || !s.cacheable(job) {
		return analysis.JobResult{}, false
	}
	log, err := s.cfg.Folder.Lookup(KindLog, s.logKey(job))
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			s.warn("the cached log of job %q was damaged (%v); it is fetched again", job.Name, err)
		}
		return analysis.JobResult{}, false
	}
	data, _, err := s.cfg.Folder.Get(KindResult, s.resultKey(job, opts))
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			s.warn("a cached analysis of job %q was damaged; the log is analyzed again", job.Name)
		}
		return analysis.JobResult{}, false
	}
	var c cachedResult
	if err := json.Unmarshal(data, &c); err != nil || c.Log != log.Sum || !c.covers(log.Sum, opts.Secrets) {
		return analysis.JobResult{}, false
	}
	res := c.Result
	s.cfg.Folder.Touch(log) // the result is only reachable through its log
	s.mu.Lock()
	s.logSums[job.ID] = log.Sum
	s.mu.Unlock()
	return res, true
}

// SaveResult keeps res, the analysis with opts of the log of job that
// OpenLog served from or committed to the cache.
func (s *ReadThrough) SaveResult(job providers.Job, opts analysis.Options, res analysis.JobResult) {
	if s.cfg.AnalyzerVersion == "" {
		return
	}
	s.mu.Lock()
	sum := s.logSums[job.ID]
	s.mu.Unlock()
	if sum == "" || !validUTF8(res) {
		return
	}
	meta := s.logMeta(job)
	meta.Kind, meta.Key = KindResult, s.resultKey(job, opts)
	c := cachedResult{Log: sum, Redacted: []string{}, Result: res}
	for _, sec := range opts.Secrets {
		if sec != "" {
			c.Redacted = append(c.Redacted, secretHash(sum, sec))
		}
	}
	s.putJSON(meta, c)
}

// validUTF8 reports whether every string of res is valid UTF-8. JSON
// would replace invalid bytes, so such a result would not read back
// exactly as analyzed; it is not kept (the log still is).
func validUTF8(res analysis.JobResult) bool {
	ok := func(ss ...string) bool {
		for _, s := range ss {
			if !utf8.ValidString(s) {
				return false
			}
		}
		return true
	}
	for _, c := range res.Candidates {
		if !ok(c.Fingerprint, c.Rule, c.Category, c.Message) || !ok(c.Reasons...) || !ok(c.Text...) ||
			!ok(c.ContextBefore...) || !ok(c.ContextAfter...) {
			return false
		}
		if c.Test != nil && !ok(c.Test.Name, c.Test.Classname, c.Test.File, c.Test.Report) {
			return false
		}
	}
	for _, sec := range res.Sections {
		if !ok(sec.Title, sec.Kind) {
			return false
		}
	}
	return ok(res.Job.ID, res.Job.Name, res.Job.Step, res.Job.State, res.Job.URL, res.Job.LineURL, res.Job.Error)
}

func (s *ReadThrough) putJSON(meta Meta, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.warn("%v", err)
		return
	}
	if _, err := s.cfg.Folder.Put(meta, data); err != nil {
		s.warn("%v", err)
	}
}

// reportingReadThrough is a ReadThrough over a provider that has test reports.
type reportingReadThrough struct {
	*ReadThrough
	tr pipeline.TestReporter
}

// TestReports serves the test reports of a finished build's jobs from the
// cache, or fetches and keeps them.
func (r *reportingReadThrough) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	ids := make([]string, 0, len(jobs))
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	sort.Strings(ids)
	r.mu.Lock()
	b := r.build
	r.mu.Unlock()
	key := fmt.Sprintf("%s build %s attempt %d jobs %s", r.cfg.Scope, b.ID, b.Attempt, strings.Join(ids, ","))
	if !r.cfg.Refresh {
		data, _, err := r.cfg.Folder.Get(KindTests, key)
		if err == nil {
			var reports []providers.TestReport
			if json.Unmarshal(data, &reports) == nil {
				return reports, nil
			}
		}
	}
	if r.cfg.Offline {
		return nil, fmt.Errorf("--offline: not in the cache")
	}
	reports, err := r.tr.TestReports(ctx, jobs)
	if err == nil && !b.Running {
		r.putJSON(Meta{Kind: KindTests, Key: key, Provider: string(b.Provider), Build: b.URL}, pipeline.RedactTestReports(reports, r.cfg.Secrets))
	}
	return reports, err
}
