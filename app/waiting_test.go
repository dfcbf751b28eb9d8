package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/internal/silenthttp"
)

// TestAnalyzeWaitsForASilentServerOutLoud: against an API that takes the
// connection and never answers, analyze says on the terminal what it is
// waiting for and which try it is on, gives up at --timeout, and ends with
// one line naming the host.
func TestAnalyzeWaitsForASilentServerOutLoud(t *testing.T) {
	srv := silenthttp.Server(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	streams, out, errOut := TestStreams("", "GITHUB_API_URL", srv.URL, "GITHUB_TOKEN", "ghp_test")
	streams.StderrTTY = true
	start := time.Now()
	code := Main(context.Background(), []string{"destill", "analyze", "--format", "text", "--timeout", "6500ms",
		"https://github.com/acme/app/actions/runs/1001"}, streams)
	took := time.Since(start)
	require.Equal(t, exitFailure, code)
	require.Empty(t, out.String())
	require.Less(t, took, 10*time.Second, "--timeout bounds the run")
	stderr := errOut.String()
	require.Contains(t, stderr, "\r\x1b[Kdestill: waiting for "+host+": no answer for 5 s (try 1 of 5)…")
	require.Contains(t, stderr, "\r\x1b[Kdestill: waiting for "+host+": no answer for 6 s (try 1 of 5)…")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	last = last[strings.LastIndex(last, "\r\x1b[K")+len("\r\x1b[K"):]
	require.Equal(t, "destill: gave up after 6.5s (--timeout): no answer from "+host+" for 6 s (try 1 of 5); try again later, or raise --timeout", last)
	require.Len(t, lines, 1, "one line, after the progress line it replaced")
}
