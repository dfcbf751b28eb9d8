// Package analysistest generates logs for tests and benchmarks of destill's
// analysis.
package analysistest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"time"
)

// WriteRealisticLog writes about size bytes of CI log: GitHub Actions
// timestamps, groups, colored tool output, passing tests with their noise
// (warnings, deprecations, retries, "0 errors"), and a few real failures
// with stack traces, in the proportions of real build logs.
func WriteRealisticLog(w io.Writer, size int64, seed int64) error {
	rng := rand.New(rand.NewSource(seed))
	bw := bufio.NewWriterSize(w, 1<<20)
	var written int64
	t := time.Date(2026, 3, 4, 9, 24, 20, 0, time.UTC)
	line := func(s string) {
		t = t.Add(time.Duration(rng.Intn(40)) * time.Millisecond)
		n, _ := fmt.Fprintf(bw, "%s %s\n", t.Format("2006-01-02T15:04:05.0000000Z"), s)
		written += int64(n)
	}
	pkgs := []string{"internal/auth", "internal/billing", "internal/cache", "internal/config", "internal/httpapi", "pkg/client", "cmd/server"}
	words := []string{"request", "handler", "cache", "user", "session", "token", "queue", "worker", "config", "storage", "index", "payload"}
	for step := 0; written < size; step++ {
		line(fmt.Sprintf("##[group]Run make test SHARD=%d", step))
		line("\x1b[36;1mmake test\x1b[0m")
		line("shell: /usr/bin/bash -e {0}")
		line("##[endgroup]")
		for i := 0; i < 2000 && written < size; i++ {
			switch r := rng.Intn(1000); {
			case r < 250:
				line(fmt.Sprintf("ok  \tgithub.com/acme/app/%s\t%.3fs", pkgs[rng.Intn(len(pkgs))], rng.Float64()*3))
			case r < 450:
				line(fmt.Sprintf("=== RUN   Test%s%s/case_%d", words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Intn(50)))
			case r < 600:
				line(fmt.Sprintf("--- PASS: Test%s%s (%.2fs)", words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Float64()))
			case r < 700:
				line(fmt.Sprintf("    %s_test.go:%d: %s %s processed in %dms", words[rng.Intn(len(words))], rng.Intn(400), words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Intn(900)))
			case r < 780:
				line(fmt.Sprintf("\x1b[32m[INFO]\x1b[0m Downloading https://repo.maven.apache.org/maven2/org/acme/%s/%d.%d/%s-%d.%d.jar (%d kB at %d kB/s)", words[rng.Intn(len(words))], rng.Intn(9), rng.Intn(20), words[rng.Intn(len(words))], rng.Intn(9), rng.Intn(20), rng.Intn(900), rng.Intn(9000)))
			case r < 850:
				line(fmt.Sprintf("time=\"2026-03-04T09:24:%02dZ\" level=info msg=\"%s %s ready\" component=%s latency=%dms", rng.Intn(60), words[rng.Intn(len(words))], words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Intn(100)))
			case r < 900:
				line(fmt.Sprintf("go: downloading github.com/acme/%s v1.%d.%d", words[rng.Intn(len(words))], rng.Intn(30), rng.Intn(10)))
			case r < 930:
				line(fmt.Sprintf("npm WARN deprecated %s@%d.%d.0: this version is no longer supported", words[rng.Intn(len(words))], rng.Intn(5), rng.Intn(9)))
			case r < 950:
				line(fmt.Sprintf("Tests run: %d, Failures: 0, Errors: 0, Skipped: %d, Time elapsed: %.3f s - in com.acme.%sTest", rng.Intn(40)+1, rng.Intn(3), rng.Float64()*5, words[rng.Intn(len(words))]))
			case r < 965:
				line(fmt.Sprintf("warning: unused variable '%s' [-Wunused-variable]", words[rng.Intn(len(words))]))
			case r < 975:
				line(fmt.Sprintf("retrying request to %s (attempt %d/3): connection reset by peer", words[rng.Intn(len(words))], rng.Intn(3)+1))
			case r < 980:
				line(fmt.Sprintf("level=error msg=\"%s failed, will retry\" err=\"context deadline exceeded\"", words[rng.Intn(len(words))]))
			case r < 985:
				line("[INFO] BUILD SUCCESS")
			case r < 990:
				line(fmt.Sprintf("Progress: %d%% \r Progress: %d%% \r Progress: 100%%", rng.Intn(50), 50+rng.Intn(50)))
			case r < 994:
				line(fmt.Sprintf("--- FAIL: Test%s%s (0.%02ds)", words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Intn(99)))
				line(fmt.Sprintf("    %s_test.go:%d: got %d, want %d", words[rng.Intn(len(words))], rng.Intn(400), rng.Intn(9), rng.Intn(9)))
			case r < 997:
				line(fmt.Sprintf("java.lang.IllegalStateException: %s not initialized", words[rng.Intn(len(words))]))
				for f := 0; f < 12; f++ {
					line(fmt.Sprintf("\tat com.acme.%s.%s(%s.java:%d)", words[rng.Intn(len(words))], words[rng.Intn(len(words))], words[rng.Intn(len(words))], rng.Intn(500)))
				}
			default:
				line(fmt.Sprintf("src/%s.ts(%d,%d): error TS2322: Type 'string' is not assignable to type 'number'.", words[rng.Intn(len(words))], rng.Intn(300), rng.Intn(80)))
			}
		}
	}
	line("##[error]Process completed with exit code 2.")
	return bw.Flush()
}
