package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// recordingScreen is a SimulationScreen that keeps, on each Show, the text
// it shows. Show runs on the UI's event loop, so reading the screen there
// does not race with drawing.
type recordingScreen struct {
	tcell.SimulationScreen
	mu    sync.Mutex
	text  string
	shown bool
}

func newRecordingScreen() *recordingScreen {
	return &recordingScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
}

func (r *recordingScreen) Show() {
	r.SimulationScreen.Show()
	w, h := r.Size()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var row strings.Builder
		for x := 0; x < w; x++ {
			s, _, cw := r.Get(x, y)
			if s == "" {
				s = " "
			}
			row.WriteString(s)
			x += max(cw, 1) - 1
		}
		b.WriteString(strings.TrimRight(row.String(), " ") + "\n")
	}
	r.mu.Lock()
	r.text, r.shown = b.String(), true
	r.mu.Unlock()
}

func (r *recordingScreen) screen() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text, r.shown
}

func (r *recordingScreen) waitFor(t *testing.T, text string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s, _ := r.screen(); strings.Contains(s, text) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	s, _ := r.screen()
	t.Fatalf("timed out waiting for %q; the screen shows:\n%s", text, s)
	return ""
}

func (r *recordingScreen) typeKeys(keys ...any) {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			for _, ch := range k {
				r.InjectKey(tcell.KeyRune, ch, tcell.ModNone)
			}
		case tcell.Key:
			r.InjectKey(k, 0, tcell.ModNone)
		}
	}
}

// tuiStreams are test streams on a terminal: the UI draws on scr.
func tuiStreams(scr tcell.Screen, env ...string) (*Streams, *syncBuffer, *syncBuffer) {
	streams, _, _ := TestStreams("", env...)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	streams.Out, streams.ErrOut = out, errOut
	streams.StdoutTTY = true
	streams.TUIScreen = scr
	return streams, out, errOut
}

// runMain runs destill with args in the background and returns its exit
// code on the channel.
func startMain(ctx context.Context, streams *Streams, args ...string) chan int {
	code := make(chan int, 1)
	go func() { code <- Main(ctx, append([]string{"destill"}, args...), streams) }()
	return code
}

func waitExit(t *testing.T, code chan int) int {
	t.Helper()
	select {
	case c := <-code:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("destill did not exit")
		return 0
	}
}

func TestAnalyzeOpensTheUIOnATerminalAndLeavesASummary(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr, "NO_COLOR", "1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // on failure: end the UI before goleak looks
	code := startMain(ctx, streams, "analyze", sampleLog)

	e := expectSample(t)
	top := e.rep.Findings[0]
	s := scr.waitFor(t, e.done())
	require.Contains(t, s, rowText(top))
	require.Contains(t, selectedRow(s), rowText(top), "the best finding is selected")
	require.Contains(t, s, "> "+detailLine(top), "the detail pane shows the top finding's line")

	st := e.view("connection", 0, 0)
	require.Positive(t, st.VisibleCount(), "the search term must match something in the sample log")
	scr.typeKeys("/connection", tcell.KeyEnter)
	scr.waitFor(t, headerCount(st.VisibleCount(), e.n)+" · all · by confidence · /connec")
	scr.typeKeys("/", tcell.KeyEscape, "ff")
	scr.waitFor(t, headerCount(e.view("", 2, 0).VisibleCount(), e.n)+" · errors")
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, code))

	require.Empty(t, errOut.String())
	summary := out.String()
	require.Contains(t, summary, fmt.Sprintf("destill: ../examples/logs/github-actions-go-test.log — %d finding(s)", e.n))
	require.Contains(t, summary, summaryHead(top, "github-actions-go-test.log"))
	require.Contains(t, summary, "#3  ")
	require.NotContains(t, summary, "#4  ", "the summary shows the top 3")
	require.Contains(t, summary, fmt.Sprintf("%d more finding(s)", e.n-3))
	require.NotContains(t, summary, "\x1b", "no colour with NO_COLOR")
}

func TestAnalyzeNoSummaryAndTop(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want func(t *testing.T, out string)
	}{
		{args: []string{"--no-summary"}, want: func(t *testing.T, out string) { require.Empty(t, out) }},
		{args: []string{"--top", "1"}, want: func(t *testing.T, out string) {
			require.Contains(t, out, "#1  ")
			require.NotContains(t, out, "#2  ")
			require.Contains(t, out, "\x1b[31m", "colour on a terminal")
		}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			scr := newRecordingScreen()
			streams, out, _ := tuiStreams(scr)
			code := startMain(context.Background(), streams, append(append([]string{"analyze"}, tt.args...), sampleLog)...)
			scr.waitFor(t, expectSample(t).done())
			scr.typeKeys(tcell.KeyCtrlC)
			require.Equal(t, exitOK, waitExit(t, code))
			tt.want(t, out.String())
		})
	}
}

func TestAnalyzeFormatChoice(t *testing.T) {
	tests := []struct {
		name     string
		tty      bool
		stdinTTY bool
		args     []string
		log      string
		want     string
	}{
		{name: "terminal: the UI", tty: true, want: formatTUI},
		{name: "a log piped into a terminal session: the UI", tty: true, log: "-", want: formatTUI},
		{name: "a log typed into the terminal: text", tty: true, stdinTTY: true, log: "-", want: formatText},
		{name: "not a terminal: text", tty: false, want: formatText},
		{name: "--format text on a terminal", tty: true, args: []string{"--format", "text"}, want: formatText},
		{name: "--json on a terminal", tty: true, args: []string{"--json"}, want: formatJSON},
		{name: "--format tui forces the UI", tty: false, args: []string{"--format", "tui"}, want: formatTUI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _ := TestStreams("")
			streams.StdoutTTY, streams.StdinTTY = tt.tty, tt.stdinTTY
			log := sampleLog
			if tt.log != "" {
				log = tt.log
			}
			got, err := parseCommand(newAnalyzeCommand, streams, append(append([]string{"analyze"}, tt.args...), log)...)
			require.NoError(t, err)
			require.Equal(t, tt.want, got.output.format)
		})
	}
}

func TestAnalyzeFailsFastWithoutTheUI(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr)
	code := startMain(context.Background(), streams, "analyze", "no/such/file.log")
	require.Equal(t, exitFailure, waitExit(t, code))
	require.Contains(t, errOut.String(), "no/such/file.log does not exist; check the path")
	require.Empty(t, out.String())
	_, shown := scr.screen()
	require.False(t, shown, "an error at once prints a line, without opening the UI")
}

func TestAnalyzeWithoutAUsableTerminal(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Setenv("TERM", "no-such-terminal-xyz") // tcell reads it from the process

	streams, out, _ := tuiStreams(nil)
	require.Equal(t, exitOK, waitExit(t, startMain(context.Background(), streams, "analyze", sampleLog)))
	n := expectSample(t).n
	require.Contains(t, out.String(), fmt.Sprintf("%d finding(s)", n), "without --format, fall back to text")
	require.Contains(t, out.String(), fmt.Sprintf("#%d  ", n), "the text report, not the summary")

	streams, _, errOut := tuiStreams(nil)
	require.Equal(t, exitFailure, waitExit(t, startMain(context.Background(), streams, "analyze", "--format", "tui", sampleLog)))
	require.Contains(t, errOut.String(), "cannot start the interactive UI on this terminal")
	require.Contains(t, errOut.String(), "use --format text")
}

// slowBuild is a build whose job logs arrive when the test releases them,
// analyzed by the real pipeline.
type slowBuild struct {
	jobs     []providers.Job
	logs     map[string]string
	release  map[string]chan struct{}
	buildErr error
	notify   func(string) // a provider's message to the user, sent from Build
}

func newSlowBuild() *slowBuild {
	exit1 := 1
	b := &slowBuild{
		logs: map[string]string{
			"unit":  "=== RUN   TestLargeUpload\n    upload_test.go:88: allocating buffer\nfatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nFAIL\tgithub.com/acme/app/upload\t3.2s\nexit status 2\n",
			"lint":  "Running golangci-lint\nupload.go:12:2: \"os\" imported and not used (typecheck)\nError: Process completed with exit code 1.\n",
			"build": "Step 3/7 : RUN make\nmake: *** [Makefile:12: all] Error 2\nError: Process completed with exit code 2.\n",
		},
		release: map[string]chan struct{}{},
	}
	for _, id := range []string{"unit", "lint", "build"} {
		b.jobs = append(b.jobs, providers.Job{ID: id, Name: id + " job", State: providers.JobFailed, ExitStatus: &exit1, HasLog: true, URL: "https://ci.example.com/build/42/" + id})
		b.release[id] = make(chan struct{})
	}
	return b
}

func (b *slowBuild) Build(ctx context.Context) (providers.Build, error) {
	if b.notify != nil {
		b.notify("buildkite: rate limited; waiting 1s before retrying")
	}
	if b.buildErr != nil {
		select {
		case <-time.After(2 * startGrace): // slower than the grace: the UI shows it
		case <-ctx.Done():
		}
		return providers.Build{}, b.buildErr
	}
	return providers.Build{Provider: providers.KindBuildkite, ID: "42", State: "failed", URL: "https://ci.example.com/build/42", Jobs: b.jobs}, nil
}

func (b *slowBuild) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	select {
	case <-b.release[job.ID]:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if job.ID == "build" && b.logs["build"] == "" {
		return nil, fmt.Errorf("download log of job %q: 404 Not Found", job.Name)
	}
	return io.NopCloser(strings.NewReader(b.logs[job.ID])), nil
}

// runSlow runs analyze's UI over b.
func runSlow(ctx context.Context, t *testing.T, b *slowBuild, opts analyzeOptions) (*recordingScreen, *syncBuffer, *syncBuffer, chan error) {
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr)
	in := sources.Input{Source: b, Describe: analysis.Origin{Kind: "buildkite", URL: "https://ci.example.com/build/42"}}
	popts := pipeline.Options{Concurrency: 3, Source: in.Describe}
	opts.output.format = formatTUI
	feed := newUIFeed()
	b.notify = feed.notify
	done := make(chan error, 1)
	go func() { done <- runAnalyzeTUI(ctx, streams, opts, in, popts, feed) }()
	return scr, out, errOut, done
}

func waitErr(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("analyze did not return")
		return nil
	}
}

func TestAnalyzeUIStreamsSlowJobs(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := newSlowBuild()
	b.logs["build"] = "" // its log download fails
	scr, out, _, done := runSlow(context.Background(), t, b, analyzeOptions{})

	scr.waitFor(t, "jobs 0/3 fetched, 0 analyzed")
	scr.waitFor(t, "no finding yet: waiting for job logs…")
	scr.waitFor(t, "buildkite: rate limited; waiting 1s before retrying")

	close(b.release["lint"])
	s := scr.waitFor(t, "jobs 1/3 fetched, 1 analyzed")
	require.Contains(t, s, "imported and not used")
	require.Contains(t, s, "lint job")

	close(b.release["unit"])
	s = scr.waitFor(t, "jobs 2/3 fetched, 2 analyzed")
	require.Contains(t, s, "out of memory")
	require.Contains(t, selectedRow(s), "imported and not used", "the selection stays on the finding being read")

	close(b.release["build"])
	s = scr.waitFor(t, "done · ")
	require.Contains(t, s, "2 of 3 jobs analyzed")
	require.Contains(t, s, "· job build job: download log")

	scr.typeKeys("o")
	scr.waitFor(t, "job URL: https://ci.example.com/build/42/lint")
	scr.typeKeys("q")
	require.NoError(t, waitErr(t, done))
	require.Contains(t, out.String(), "out of memory")
	require.Contains(t, out.String(), `note: job "build job" was not analyzed: `)
}

// TestAnalyzeUIOnAFakeBuildkiteBuild runs analyze on a build URL served by
// providertest, whose four job logs of 2 MiB arrive one after another.
func TestAnalyzeUIOnAFakeBuildkiteBuild(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
	fake := providertest.New(t, providertest.DemoSlow())
	scr := newRecordingScreen()
	streams, out, errOut := tuiStreams(scr, fake.Env()...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := startMain(ctx, streams, "analyze", fake.WebURL(0))

	s := scr.waitFor(t, "jobs 0/4 fetched")
	require.Contains(t, s, "destill https://buildkite.com/acme/slow/bu")
	scr.waitFor(t, "jobs 1/4 fetched, 1 analyzed")
	s = scr.waitFor(t, "done · ")
	require.Contains(t, s, "4 jobs analyzed")
	require.Contains(t, s, "--- FAIL: TestUploadRetry")
	require.Contains(t, s, "×4", "the same failure in the four shards is one finding")
	scr.typeKeys("o")
	scr.waitFor(t, "job URL: "+fake.WebURL(0))
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, code), errOut.String())
	require.Contains(t, out.String(), "destill: "+fake.WebURL(0))
	require.NotContains(t, out.String()+errOut.String(), fake.Token())
}

func TestAnalyzeUIQuitEarlyStopsTheAnalysis(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := newSlowBuild()
	scr, out, _, done := runSlow(context.Background(), t, b, analyzeOptions{})
	close(b.release["unit"])
	scr.waitFor(t, "jobs 1/3 fetched")
	scr.typeKeys("q") // lint and build never arrive
	require.NoError(t, waitErr(t, done), "quitting is not a failure")
	require.Contains(t, out.String(), "out of memory")
	require.Contains(t, out.String(), "you quit before the analysis finished: 1 of 3 job(s) analyzed")
}

func TestAnalyzeUIShowsAnErrorThatTakesTime(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := newSlowBuild()
	b.buildErr = errors.New("fetch build 42: 401 Unauthorized; set BUILDKITE_TOKEN")
	scr, out, _, done := runSlow(context.Background(), t, b, analyzeOptions{})
	scr.waitFor(t, "reading the build…")
	scr.waitFor(t, "error: fetch build 42: 401 Unauthorized; set BUILDKITE_TOKEN")
	scr.typeKeys("q")
	err := waitErr(t, done)
	require.EqualError(t, err, "fetch build 42: 401 Unauthorized; set BUILDKITE_TOKEN", "the error stays on the terminal after the UI")
	require.Empty(t, out.String())
}

func TestAnalyzeUIInterrupted(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	b := newSlowBuild()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scr, out, _, done := runSlow(ctx, t, b, analyzeOptions{})
	close(b.release["lint"])
	scr.waitFor(t, "jobs 1/3 fetched")
	cancel() // SIGINT or SIGTERM from outside the terminal
	require.EqualError(t, waitErr(t, done), "interrupted")
	require.Empty(t, out.String(), "no summary of an interrupted analysis")
}

func TestReportUIForStoredFindings(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rep := analysis.Report{
		Source:   analysis.Origin{Kind: "buildkite", URL: "https://ci.example.com/build/42"},
		Jobs:     []analysis.JobSummary{{ID: "j", Name: "unit", Failed: true, Analyzed: true}},
		Findings: []analysis.Finding{{Rank: 1, Fingerprint: "f", Confidence: 0.9, Severity: analysis.SeverityError, JobID: "j", JobName: "unit", LineStart: 3, LineEnd: 3, Message: "boom", Text: []string{"boom"}}},
		Summary:  analysis.Summary{JobsTotal: 1, JobsFailed: 1, JobsAnalyzed: 1, Findings: 1},
	}
	scr := newRecordingScreen()
	streams, out, _ := tuiStreams(scr)
	done := make(chan error, 1)
	go func() { done <- runReportTUI(context.Background(), streams, rep, outputOptions{}) }()
	scr.waitFor(t, "done · 1 finding · 1 job analyzed")
	scr.typeKeys("q")
	require.NoError(t, waitErr(t, done))
	require.Contains(t, out.String(), "#1  0.90")
}

// TestViewSavedResultOpensTheUI: view FILE on a terminal shows the saved
// findings in the interactive UI, offline.
func TestViewSavedResultOpensTheUI(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	saved := filepath.Join(t.TempDir(), "result.json")
	code, out, errOut := runMain(t, "", "analyze", "--json", sampleLog)
	require.Equal(t, exitOK, code, errOut)
	require.NoError(t, os.WriteFile(saved, []byte(out), 0o600))

	e := expectSample(t)
	scr := newRecordingScreen()
	streams, sum, stderr := tuiStreams(scr, "NO_COLOR", "1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startMain(ctx, streams, "view", saved)
	s := scr.waitFor(t, rowText(e.rep.Findings[0]))
	require.Contains(t, selectedRow(s), rowText(e.rep.Findings[0]))
	scr.typeKeys("q")
	require.Equal(t, exitOK, waitExit(t, done))
	require.Empty(t, stderr.String())
	require.Contains(t, sum.String(), summaryHead(e.rep.Findings[0], "github-actions-go-test.log"))
}
