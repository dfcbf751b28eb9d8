package worker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/sources"
	"github.com/destill-dev/destill/providers"
)

// fakeSource serves a build and its logs from memory, like a provider.
type fakeSource struct {
	build providers.Build
	logs  map[string][]byte
	// broken: job ID → error returned after that many bytes of the log
	// (negative: when opening it).
	broken map[string]int
	err    error // returned by Build
	// reports are the build's test reports; reportsErr fails fetching them.
	reports    []providers.TestReport
	reportsErr error

	mu     sync.Mutex
	opened map[string]int
}

func (s *fakeSource) Build(ctx context.Context) (providers.Build, error) {
	if s.err != nil {
		return providers.Build{}, s.err
	}
	return s.build, nil
}

func (s *fakeSource) OpenLog(ctx context.Context, job providers.Job) (io.ReadCloser, error) {
	s.mu.Lock()
	if s.opened == nil {
		s.opened = map[string]int{}
	}
	s.opened[job.ID]++
	s.mu.Unlock()
	data := s.logs[job.ID]
	if n, ok := s.broken[job.ID]; ok {
		if n < 0 {
			return nil, fmt.Errorf("log of job %s expired (HTTP 410)", job.ID)
		}
		return io.NopCloser(io.MultiReader(bytes.NewReader(data[:n]), errReader{})), nil
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (s *fakeSource) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	if s.reportsErr != nil {
		return nil, s.reportsErr
	}
	return s.reports, nil
}

func (s *fakeSource) openCount(job string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened[job]
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// sourceSet resolves submitted inputs to fake sources.
type sourceSet map[string]*fakeSource

func (s sourceSet) resolve(input string) (sources.Input, error) {
	src, ok := s[input]
	if !ok {
		return sources.Input{}, &sources.InputError{Err: fmt.Errorf("not a build URL destill can read: %s", input)}
	}
	return sources.Input{
		Source:   src,
		Describe: sourcesDescribe(input),
		Secrets:  []string{testToken},
	}, nil
}

// testToken is the credential the fake sources were "fetched" with.
const testToken = "bkua_0123456789abcdefTOKENVALUE"

func sourcesDescribe(url string) analysis.Origin {
	return analysis.Origin{Kind: "buildkite", URL: url}
}

// generatedLog is a failing job's log of about size bytes: sections,
// noise, and failures placed so that some cross chunk boundaries, some
// repeat across the log and across jobs.
func generatedLog(seed, size int) []byte {
	var b bytes.Buffer
	step := 0
	for i := 0; b.Len() < size; i++ {
		switch {
		case i%400 == 0:
			step++
			fmt.Fprintf(&b, "~~~ Running step %d\n", step)
		case i%977 == 13:
			fmt.Fprintf(&b, "panic: runtime error: invalid memory address or nil pointer dereference [seed %d]\n", seed)
			b.WriteString("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a5b6c]\n\n")
			b.WriteString("goroutine 1 [running]:\n")
			for f := 0; f < 12; f++ {
				fmt.Fprintf(&b, "main.handler%d(0xc000010000)\n\t/src/app/handler.go:%d +0x%x\n", f, 40+f, 0x20+f)
			}
		case i%613 == 7:
			fmt.Fprintf(&b, "--- FAIL: TestCheckout/case_%d (0.%02ds)\n", i%5, i%100)
			fmt.Fprintf(&b, "    checkout_test.go:%d: expected status 200, got 500\n", 100+i%7)
		case i%1511 == 99:
			b.WriteString("npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\n")
		case i%2203 == 5:
			fmt.Fprintf(&b, "Authorization: Bearer %s\n", testToken)
			fmt.Fprintf(&b, "error: upload failed with token %s (HTTP 401)\n", testToken)
		default:
			fmt.Fprintf(&b, "[%06d] compiling package github.com/acme/pkg%d ... ok\n", i, i%37)
		}
	}
	b.WriteString("FAIL\tgithub.com/acme/app\t12.345s\n")
	b.WriteString("🚨 Error: The command exited with status 1\n")
	return b.Bytes()
}

func exampleLog() []byte {
	b, err := os.ReadFile("../../examples/logs/github-actions-go-test.log")
	if err != nil {
		panic(err)
	}
	return b
}

// newBuild is a Buildkite-like build with failed, passed, soft-failed,
// retried and broken jobs.
func newBuild(n int, sizes ...int) *fakeSource {
	exit1, exit0 := 1, 0
	url := fmt.Sprintf("https://buildkite.com/acme/app/builds/%d", n)
	src := &fakeSource{logs: map[string][]byte{}, build: providers.Build{
		Provider: providers.KindBuildkite, ID: fmt.Sprintf("b-%d", n), Number: int64(n),
		Pipeline: "acme/app", State: "failed", Branch: "main", URL: url,
	}}
	add := func(id, name string, state providers.JobState, exit *int, log []byte, mod func(*providers.Job)) {
		j := providers.Job{ID: id, Name: name, Step: name, StepKey: name, State: state, ExitStatus: exit,
			URL: url + "#" + id, LineURL: url + "#" + id + "/L{line}", HasLog: log != nil}
		if mod != nil {
			mod(&j)
		}
		src.build.Jobs = append(src.build.Jobs, j)
		if log != nil {
			src.logs[id] = log
		}
	}
	add("lint", "lint", providers.JobPassed, &exit0, generatedLog(n, 3000), nil)
	for i, size := range sizes {
		add(fmt.Sprintf("test-%d", i), fmt.Sprintf("test shard %d", i), providers.JobFailed, &exit1, generatedLog(n+i, size), nil)
	}
	add("example", "go test", providers.JobFailed, &exit1, exampleLog(), nil)
	add("old", "go test (retried)", providers.JobFailed, &exit1, exampleLog(), func(j *providers.Job) { j.Retried = true })
	add("soft", "flaky e2e", providers.JobFailed, &exit1, generatedLog(n+99, 2000), func(j *providers.Job) { j.SoftFailed = true })
	add("deploy", "deploy", providers.JobBroken, nil, nil, nil)
	add("empty", "empty log", providers.JobFailed, &exit1, []byte{}, nil)
	return src
}

// Strings naming credentials must never show up in messages or output.
func containsToken(b []byte) bool { return strings.Contains(string(b), testToken) }
