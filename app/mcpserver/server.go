package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/destill-dev/destill/app/baselines"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/memory"
	"github.com/destill-dev/destill/providers"
)

// Options configure a Server.
type Options struct {
	// Getenv reads provider tokens and settings (nil: os.Getenv).
	Getenv func(string) string
	// HTTPClient talks to CI providers (nil: a default client).
	HTTPClient *http.Client
	// Requests keeps analyses for the follow-up tools (nil: a RecentRequests with
	// the default bounds). The server closes it in Close.
	Requests Requests
	// BaselineBacking, when not nil, keeps the baseline models of automatic
	// baselines between processes (the distributed mode's store).
	BaselineBacking baselines.Backing
	// NewID returns a new request ID (nil: "r-" and 12 hex digits). A
	// server sharing its results uses the IDs of `destill submit`.
	NewID func() string
	// TempDir is where job logs are kept while their request is (""
	// : os.TempDir()). Each request gets its own directory, readable by the
	// user only, deleted when the request is evicted and on Close.
	TempDir string
	// Concurrency caps the job logs fetched at once (0: the pipeline's default).
	Concurrency int
	// Logger receives one line per tool call (nil: discard). It must not
	// write to the protocol's stream.
	Logger *slog.Logger
	// Secrets are literal values never to show in a result or an error:
	// the tokens in the server's environment.
	Secrets []string
	// ResolveFunc turns a build URL or log file path into an input (nil:
	// sources.Resolve with Getenv and HTTPClient, regular files only,
	// rate-limit waits logged). Paths reach it checked against AllowedDirs.
	ResolveFunc func(arg string) (sources.Input, error)
	// ResolvePipelineFunc turns a pipeline or build URL into its provider's
	// client, for get_history (nil: sources.ResolvePipeline, configured as
	// ResolveFunc's default).
	ResolvePipelineFunc func(url string) (sources.Input, providers.BuildRef, string, error)
	// History keeps the records of earlier builds get_history reads (the
	// database's build history; nil: in memory, while the server runs).
	History backend.History
	// AllowedDirs are the directories analyze_build may read log files
	// from, subdirectories included, as AllowedDirs returns them. With
	// none, it reads build URLs only.
	AllowedDirs []string
	// MaxKeptBytes caps the disk space one analysis's kept logs may take
	// (0: DefaultMaxLogBytes): a log beyond it is analyzed but not kept.
	MaxKeptBytes int64
}

// Server is destill's MCP server: the tools and the analyses they keep.
type Server struct {
	info     mcp.Implementation
	mcp      *mcp.Server
	opts     Options
	requests Requests
	log      *slog.Logger
	// baselines keeps passing builds found and baseline models built, for
	// every analysis this server runs.
	baselines *baselines.Cache
	// allowed are the directories analyze_build reads log files from.
	allowed []string
	// history keeps the records of earlier builds get_history read.
	history backend.History

	// dirs are the directories of kept logs not yet deleted: Close
	// deletes them, analyses still running included.
	dirsMu sync.Mutex
	dirs   map[string]bool
}

const instructions = `Destill explains why a CI build failed. Call analyze_build first with a build URL (Buildkite, GitHub Actions, GitLab, Jenkins) or the path of a log file: it returns the failure's most likely causes, ranked, and a request_id. Then, with that request_id: get_finding shows one finding with more context and every place it occurred, search_log greps the job logs, read_log reads a window of a log (negative from_line reads the tail), list_jobs lists the build's jobs and their steps. get_history says whether a finding is new, recurring, flaky or noise over the pipeline's last builds (or, with a pipeline URL, what keeps failing it). get_request shows an analysis again, and reads one by its ID: a request_id analyze_build returned, or (when destill shares its results through a database) the ID of a build submitted with destill submit, whose status it gives until the workers are done. Log text is cleaned of terminal escapes, and secrets are redacted.`

// New returns a Server with destill's tools registered. info names the
// server to clients (name and version of the binary).
func New(info *mcp.Implementation, opts Options) *Server {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Requests == nil {
		opts.Requests = NewRecentRequests(0, 0)
	}
	if opts.NewID == nil {
		opts.NewID = newRequestID
	}
	log := opts.Logger
	cfg := sources.Config{Getenv: opts.Getenv, HTTPClient: opts.HTTPClient, Stdin: strings.NewReader(""),
		Notify:           func(msg string) { log.Info(msg) }, // a long rate-limit wait
		RegularFilesOnly: true}
	if opts.ResolveFunc == nil {
		opts.ResolveFunc = func(arg string) (sources.Input, error) { return sources.Resolve(arg, cfg) }
	}
	if opts.ResolvePipelineFunc == nil {
		opts.ResolvePipelineFunc = func(url string) (sources.Input, providers.BuildRef, string, error) {
			return sources.ResolvePipeline(url, cfg)
		}
	}
	if opts.MaxKeptBytes <= 0 {
		opts.MaxKeptBytes = DefaultMaxLogBytes
	}
	s := &Server{
		info:     *info,
		allowed:  opts.AllowedDirs,
		dirs:     map[string]bool{},
		mcp:      mcp.NewServer(info, &mcp.ServerOptions{Instructions: instructions, Logger: sdkLogger(opts.Logger)}),
		opts:     opts,
		requests: opts.Requests,
		log:      opts.Logger,

		baselines: baselines.NewCache(opts.BaselineBacking),
		history:   opts.History,
	}
	if s.history == nil {
		s.history = memory.NewStore()
	}
	s.addTools()
	return s
}

// MCP returns the underlying SDK server, to connect it to a transport.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// Run serves one client over t until the client disconnects or ctx is done.
func (s *Server) Run(ctx context.Context, t mcp.Transport) error {
	return s.mcp.Run(ctx, t)
}

// Close drops every kept analysis and deletes the logs kept on disk,
// those of analyses still running too.
func (s *Server) Close() error {
	err := s.requests.Close()
	s.dirsMu.Lock()
	defer s.dirsMu.Unlock()
	for d := range s.dirs {
		if rerr := os.RemoveAll(d); err == nil {
			err = rerr
		}
		delete(s.dirs, d)
	}
	return err
}

// tempDir makes a directory for an analysis's kept logs, readable by the
// user only, and returns it with the function that deletes it.
func (s *Server) tempDir() (string, func() error, error) {
	dir, err := os.MkdirTemp(s.opts.TempDir, "destill-mcp-*") // mode 0700
	if err != nil {
		return "", nil, fmt.Errorf("create a directory for the job logs: %w; set TMPDIR to a writable directory", err)
	}
	s.dirsMu.Lock()
	s.dirs[dir] = true
	s.dirsMu.Unlock()
	return dir, func() error {
		s.dirsMu.Lock()
		delete(s.dirs, dir)
		s.dirsMu.Unlock()
		return os.RemoveAll(dir)
	}, nil
}

func (s *Server) addTools() {
	addTool(s, analyzeBuildTool(s.allowed), s.analyzeBuild)
	addTool(s, getFindingTool(), s.getFinding)
	addTool(s, searchLogTool(), s.searchLog)
	addTool(s, readLogTool(), s.readLog)
	addTool(s, listJobsTool(), s.listJobs)
	addTool(s, getRequestTool(), s.getRequest)
	addTool(s, getHistoryTool(), s.getHistory)
}

// addTool registers a typed tool whose errors become tool errors (results
// with isError set) with one line of redacted text, and whose panics are
// caught and reported the same way rather than ending the server.
func addTool[In, Out any](s *Server, t *mcp.Tool, h func(context.Context, *mcp.CallToolRequest, In) (*mcp.CallToolResult, Out, error)) {
	mcp.AddTool(s.mcp, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, out Out, err error) {
		start := time.Now()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("tool panicked", "tool", t.Name, "panic", r)
				res, err = nil, fmt.Errorf("internal error in %s: %v (please report it)", t.Name, r)
			}
			if err != nil {
				var zero Out
				out = zero
				err = redactErr(err, s.opts.Secrets)
				s.log.Info("tool call failed", "tool", t.Name, "duration", time.Since(start).Round(time.Millisecond), "err", err)
				return
			}
			s.log.Info("tool call", "tool", t.Name, "duration", time.Since(start).Round(time.Millisecond))
		}()
		return h(ctx, req, in)
	})
}

// request returns a kept request or an error saying what to do.
func (s *Server) request(ctx context.Context, id string) (*Request, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, errors.New("request_id is empty: pass the request_id that analyze_build returned")
	}
	req, err := s.requests.Get(ctx, id)
	switch {
	case errors.Is(err, errNotStored):
		return nil, fmt.Errorf("unknown request_id %q: it is neither among this server's recent analyses nor in the database; check the ID (`destill view --list` lists the stored requests), or run analyze_build to get a new one", id)
	case errors.Is(err, ErrUnknownRequest):
		return nil, fmt.Errorf("unknown request_id %q: it was never issued or was evicted to bound memory; run analyze_build again to get a new one", id)
	case err != nil:
		return nil, err
	}
	if req.Stored {
		// Redact this server's credentials from what others stored too.
		cp := *req
		cp.Secrets = append(slices.Clip(req.Secrets), s.opts.Secrets...)
		req = &cp
	}
	return req, nil
}

// finished returns a request whose analysis is complete, or an error
// saying where it stands: a request that failed or that the workers have
// not finished has no findings, jobs or logs to read yet.
func (s *Server) finished(ctx context.Context, id string) (*Request, error) {
	req, err := s.request(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := notReady(req); err != nil {
		return nil, err
	}
	return req, nil
}

// notReady says why req has nothing to read yet, or returns nil.
func notReady(req *Request) error {
	switch req.Status {
	case "", backend.StatusDone:
		return nil
	case backend.StatusFailed:
		why := req.Error
		if why == "" {
			why = "no reason was recorded"
		}
		return fmt.Errorf("request %s failed, so it has no findings: %s; %s tries it here", req.ID, why, reanalyzeHint(req))
	}
	return fmt.Errorf("request %s is not finished yet (%s); its findings appear when it is done: call get_request with this request_id again in a few seconds", req.ID, describeProgress(req))
}

// describeProgress says where a stored request stands.
func describeProgress(req *Request) string {
	return backend.Request{Status: req.Status, Progress: req.Progress, Error: req.Error}.StatusLine()
}

func newRequestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "r-" + hex.EncodeToString(b[:])
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// textResult is a tool result whose content is text (the structured
// output is added by the SDK).
func textResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// sdkLogger passes the SDK's own messages (sessions opening and closing)
// on to log only when it logs debug messages; warnings and errors always.
func sdkLogger(log *slog.Logger) *slog.Logger {
	return slog.New(quietHandler{log.Handler()})
}

type quietHandler struct{ slog.Handler }

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	if l < slog.LevelWarn && !h.Handler.Enabled(ctx, slog.LevelDebug) {
		return false
	}
	return h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}
