package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
	"github.com/destill-dev/destill/backend/postgres"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/providertest"
)

// e2eBuilds is the number of builds the end-to-end test submits.
const e2eBuilds = 20

// e2eLogLines is a failing job's log: progress noise with failures spread
// through it (some repeated, some multi-line), about size bytes.
func e2eLogLines(seed, size int) []string {
	var lines []string
	n := 0
	for i := 0; n < size; i++ {
		var add []string
		switch {
		case i%900 == 450:
			add = []string{
				fmt.Sprintf("panic: runtime error: index out of range [%d] with length %d", seed%7+3, seed%7+3),
				"",
				"goroutine 1 [running]:",
			}
			for f := range 8 {
				add = append(add, fmt.Sprintf("main.step%d(...)", f), fmt.Sprintf("\t/src/svc/step.go:%d +0x%x", 10+f, 0x40+f))
			}
		case i%700 == 123:
			add = []string{fmt.Sprintf("--- FAIL: TestCheckout/case_%d (0.%02ds)", i%4, i%100), fmt.Sprintf("    checkout_test.go:%d: expected 200, got 500", 40+i%5)}
		case i%1500 == 999:
			add = []string{"npm ERR! code ERESOLVE", "npm ERR! ERESOLVE could not resolve peer dependency react@18"}
		default:
			add = []string{fmt.Sprintf("[%06d] building module svc%d/pkg%d ... ok", i, seed, i%29)}
		}
		for _, l := range add {
			n += len(l) + 30
		}
		lines = append(lines, add...)
	}
	return append(lines, "FAIL\tgithub.com/acme/svc\t42.0s", "error: make: *** [Makefile:12: test] Error 1")
}

// e2eScenario is e2eBuilds builds over the three providers, each with a
// passing job, two or three failed jobs with logs of 150-750 KB (several
// chunks each), and now and then a soft failure, a retried attempt or a
// JUnit report.
func e2eScenario() providertest.Scenario {
	var sc providertest.Scenario
	kinds := []providers.Kind{providers.KindBuildkite, providers.KindGitHubActions, providers.KindGitLab}
	for i := range e2eBuilds {
		kind := kinds[i%3]
		format := map[providers.Kind]func(...string) string{
			providers.KindBuildkite: providertest.BuildkiteLog, providers.KindGitHubActions: providertest.GitHubLog, providers.KindGitLab: providertest.GitLabLog,
		}[kind]
		b := providertest.Build{Provider: kind, Org: "acme", Repo: fmt.Sprintf("svc%d", i), Number: int64(4000 + i)}
		if kind == providers.KindGitLab {
			b.Repo = fmt.Sprintf("acme/svc%d", i)
		}
		b.Jobs = append(b.Jobs, providertest.Job{Name: "lint", State: "passed", Log: format("running lint", "warning: unused variable x", "0 issues.")})
		failed := 2 + i%2
		for j := range failed {
			size := 150<<10 + ((i*7+j*13)%7)*100<<10
			b.Jobs = append(b.Jobs, providertest.Job{Name: fmt.Sprintf("test shard %d", j), State: "failed", Log: format(e2eLogLines(i*10+j, size)...)})
		}
		if i%4 == 1 {
			b.Jobs = append(b.Jobs, providertest.Job{Name: "flaky e2e", State: "failed", SoftFailed: true, Log: format("Error: browser crashed", "exit status 2")})
		}
		if i%5 == 2 && kind != providers.KindGitLab {
			junit := `<testsuite name="svc"><testcase name="TestRefund" classname="svc/billing"><failure message="refund total 0, want 12">billing_test.go:31: refund total 0, want 12</failure></testcase></testsuite>`
			if kind == providers.KindBuildkite {
				b.Jobs[1].Artifacts = []providertest.Artifact{{Path: "reports/junit.xml", Content: junit}}
			} else {
				b.Artifacts = []providertest.Artifact{{Path: "junit-report", Files: map[string]string{"report.xml": junit}}}
			}
		}
		sc.Builds = append(sc.Builds, b)
	}
	return sc
}

// proc is a process the test started.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan error
}

func startProc(t *testing.T, dir, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = f, f
	require.NoError(t, p.cmd.Start())
	go func() {
		p.done <- p.cmd.Wait()
		f.Close()
	}()
	t.Cleanup(func() { p.stop(t, syscall.SIGKILL) })
	return p
}

// stop signals the process and waits for it; it returns its exit error.
func (p *proc) stop(t *testing.T, sig syscall.Signal) error {
	if p.cmd.ProcessState != nil || p.done == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		p.done = nil
		return err
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("%s did not stop within 60s of %v", p.name, sig)
		return nil
	}
}

func (p *proc) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// TestE2EDistributed runs distributed mode as it is deployed: a
// standalone Kafka-protocol broker (kfakesrv), PostgreSQL, fake CI APIs,
// two ingest-workers and two analyze-workers as processes of the real
// binary. It submits 20 builds, kills one analyze-worker with SIGKILL
// mid-way and starts it again; every build must reach done with the
// findings `destill analyze` gives in memory mode.
func TestE2EDistributed(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: runs four workers and a broker")
	}
	dsn := postgrestest.NewSchema(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	kfakesrv := goBuild(t, "../internal/tools/kfakesrv", filepath.Join(dir, "kfakesrv"))

	sc := e2eScenario()
	sc.Token = secretToken
	fake := providertest.New(t, sc)

	broker, brokers := startBroker(t, dir, kfakesrv, 3, 6)

	env := append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir,
		"DESTILL_KAFKA_BROKERS=" + brokers,
		"DESTILL_DATABASE_URL=" + dsn,
	}, fake.Environ()...)
	kafkaTuning := []string{"--backend", "kafka", "--kafka-session-timeout", "2s", "--kafka-heartbeat", "200ms",
		"--kafka-max-wait", "100ms", "--retry-backoff", "100ms", "--log-format", "json"}
	worker := func(kind string, n int, extra ...string) *proc {
		return startProc(t, dir, fmt.Sprintf("%s-%d", kind, n), env, bin, append(append([]string{kind}, kafkaTuning...), extra...)...)
	}
	ingest := []*proc{worker("ingest-worker", 1, "--metrics-addr", "127.0.0.1:0"), worker("ingest-worker", 2, "--metrics-addr", "127.0.0.1:0")}
	analyzers := []*proc{worker("analyze-worker", 1), worker("analyze-worker", 2)}

	// Submit builds with the binary: the request ID is the last line.
	ids := make([]string, e2eBuilds)
	submit := func(from, to int) {
		for i := from; i < to; i++ {
			cmd := exec.Command(bin, "submit", "--backend", "kafka", fake.WebURL(i))
			cmd.Env = env
			out, err := cmd.Output()
			require.NoError(t, err, "submit %s: %s", fake.WebURL(i), exitStderr(err))
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			ids[i] = lines[len(lines)-1]
			require.Regexp(t, `^[0-9a-f-]{36}$`, ids[i])
		}
	}
	started := time.Now()
	submit(0, e2eBuilds/2)

	db, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	store := postgres.NewStore(db)
	defer store.Close()
	status := func() (done, chunks int, failed []string) {
		reqs, err := store.ListRequests(context.Background(), 0)
		require.NoError(t, err)
		for _, r := range reqs {
			chunks += r.Progress.ChunksDone
			switch r.Status {
			case backend.StatusDone:
				done++
			case backend.StatusFailed:
				failed = append(failed, r.Input+": "+r.Error)
			}
		}
		return done, chunks, failed
	}

	// Kill an analyze-worker while chunks are flowing, submit the rest,
	// then start it again.
	require.Eventually(t, func() bool { _, chunks, _ := status(); return chunks >= 1 }, 2*time.Minute, 5*time.Millisecond)
	doneAtKill, chunksAtKill, _ := status()
	require.NoError(t, analyzers[0].cmd.Process.Kill())
	<-analyzers[0].done
	analyzers[0].done = nil
	t.Logf("killed analyze-worker-1 with %d of %d requests done, %d chunks stored", doneAtKill, e2eBuilds, chunksAtKill)
	require.Less(t, doneAtKill, e2eBuilds/2, "every request finished before the kill: make the builds bigger")
	submit(e2eBuilds/2, e2eBuilds)
	analyzers[0] = worker("analyze-worker", 3)

	deadline := time.Now().Add(4 * time.Minute)
	for {
		done, chunks, failed := status()
		require.Empty(t, failed, "requests failed")
		if done == e2eBuilds {
			var logBytes int
			for _, b := range sc.Builds {
				for _, j := range b.Jobs {
					logBytes += len(j.Log)
				}
			}
			t.Logf("all %d requests done, %d chunks, %.1f MB of logs, %v after the first submit (SIGKILL and restart included)",
				done, chunks, float64(logBytes)/1e6, time.Since(started).Round(100*time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests done after 4 minutes\n%s\n%s", done, e2eBuilds, analyzers[1].output(), ingest[0].output())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Every request's findings are those of analyze in memory mode.
	for i, id := range ids {
		cmd := exec.Command(bin, "view", id, "--format", "json")
		cmd.Env = env
		out, err := cmd.Output()
		require.NoError(t, err, "view %s: %s", id, exitStderr(err))
		var got analysis.Report
		require.NoError(t, json.Unmarshal(out, &got))
		require.Equal(t, id, got.RequestID)
		require.Equal(t, "done", got.Status)
		require.NotContains(t, string(out), secretToken)

		streams, aout, aerr := TestStreams("", fake.Env()...)
		code := Main(context.Background(), []string{"destill", "analyze", "--json", fake.WebURL(i)}, streams)
		require.Equal(t, 0, code, aerr.String())
		var want analysis.Report
		require.NoError(t, json.Unmarshal(aout.Bytes(), &want))
		require.NotEmpty(t, want.Findings)
		require.Equal(t, fingerprintCounts(want.Findings), fingerprintCounts(got.Findings), "build %d (%s): findings differ from analyze's", i, fake.WebURL(i))
		require.Equal(t, want.Findings, got.Findings, "build %d: findings equal in fingerprints and counts but not in every field", i)
		require.Equal(t, want.Summary, got.Summary)
	}

	// view by build URL and --list.
	cmd := exec.Command(bin, "view", fake.WebURL(3), "--format", "json")
	cmd.Env = env
	out, err := cmd.Output()
	require.NoError(t, err, exitStderr(err))
	require.Contains(t, string(out), `"request_id": "`+ids[3]+`"`)
	cmd = exec.Command(bin, "view", "--list", "--limit", "50")
	cmd.Env = env
	out, err = cmd.Output()
	require.NoError(t, err, exitStderr(err))
	require.Equal(t, e2eBuilds, strings.Count(string(out), " done "), string(out))

	// The metrics of an ingest-worker that served them: the consumer group
	// may have handed every request to one of the two.
	processed := regexp.MustCompile(`destill_messages_processed_total\{stage="ingest",topic="destill.requests"\} \d+`)
	var served, metrics string
	for _, p := range ingest {
		addr := regexp.MustCompile(`"addr":"(http://127\.0\.0\.1:\d+)"`).FindStringSubmatch(p.output())
		require.NotNil(t, addr, p.output())
		if m := httpGet(t, addr[1]+"/metrics"); processed.MatchString(m) {
			served, metrics = addr[1], m
			break
		}
	}
	require.NotEmpty(t, served, "no ingest-worker counts a processed request in its metrics")
	require.Contains(t, metrics, "destill_message_duration_seconds_bucket")
	require.Contains(t, metrics, "destill_consumer_lag")
	require.Equal(t, "ready\n", httpGet(t, served+"/readyz"))

	// SIGTERM: every worker drains, commits and exits 0.
	for _, p := range append(ingest, analyzers...) {
		require.NoError(t, p.stop(t, syscall.SIGTERM), "%s: %s", p.name, p.output())
		require.Contains(t, p.output(), `"msg":"worker stopped"`)
		require.NotContains(t, p.output(), secretToken)
	}
	require.NoError(t, broker.stop(t, syscall.SIGTERM))
}

// startBroker runs kfakesrv (built at bin) with n brokers and topics of
// partitions partitions, and returns it with its addresses.
func startBroker(t *testing.T, dir, bin string, n, partitions int) (*proc, string) {
	t.Helper()
	addrFile := filepath.Join(dir, "kafka.addrs")
	broker := startProc(t, dir, "kfakesrv", os.Environ(), bin, "-brokers", fmt.Sprint(n), "-partitions", fmt.Sprint(partitions), "-addr-file", addrFile)
	var brokers string
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(addrFile)
		brokers = strings.TrimSpace(string(b))
		return err == nil && brokers != ""
	}, 10*time.Second, 20*time.Millisecond, "kfakesrv never wrote its addresses: %s", broker.output())
	return broker, brokers
}

func fingerprintCounts(fs []analysis.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s x%d", f.Fingerprint, f.Occurrences))
	}
	return out
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(bufio.NewReader(resp.Body))
	require.NoError(t, err)
	return string(b)
}
