package analysis

import (
	"strings"
	"testing"
)

// TestJenkinsPipelineStages analyzes a declarative Pipeline's console: the
// Pipeline's own lines are never findings, the stage that failed holds the
// verdict printed after the skipped stage and the post actions, and its
// errors rank first.
func TestJenkinsPipelineStages(t *testing.T) {
	t.Parallel()
	log := strings.Join([]string{
		"Started by user Ada Lovelace",
		"[Pipeline] Start of Pipeline",
		"[Pipeline] node",
		"[Pipeline] {",
		"[Pipeline] stage",
		"[Pipeline] { (Lint)",
		"[Pipeline] sh",
		"[2026-03-04T09:12:03.118Z] + golangci-lint run",
		"[2026-03-04T09:12:04.118Z] level=error msg=\"Timeout exceeded: try increasing it by passing --timeout option\" (retried, passed)",
		"[Pipeline] }",
		"[Pipeline] // stage",
		"[Pipeline] stage",
		"[Pipeline] { (Test)",
		"[Pipeline] sh",
		"[2026-03-04T09:12:05.118Z] + go test ./...",
		"[2026-03-04T09:12:06.118Z] === RUN   TestUploadRetry",
		"[2026-03-04T09:12:06.218Z]     retry_test.go:88: got 2 attempts, want 3",
		"[2026-03-04T09:12:06.318Z] --- FAIL: TestUploadRetry (0.31s)",
		"[2026-03-04T09:12:06.418Z] FAIL",
		"[Pipeline] }",
		"[Pipeline] // stage",
		"[Pipeline] stage",
		"[Pipeline] { (Deploy)",
		`Stage "Deploy" skipped due to earlier failure(s)`,
		"[Pipeline] }",
		"[Pipeline] // stage",
		"[Pipeline] stage",
		"[Pipeline] { (Declarative: Post Actions)",
		"[Pipeline] error",
		"[Pipeline] }",
		"[Pipeline] // stage",
		"[Pipeline] End of Pipeline",
		"ERROR: script returned exit code 1",
		"Finished: FAILURE",
	}, "\n") + "\n"
	findings := analyzeString(t, log, Options{})
	if len(findings) == 0 {
		t.Fatal("no findings")
	}
	top := findings[0]
	if !strings.Contains(top.Message, "--- FAIL: TestUploadRetry") || top.Step != "Test" || !hasReason(top, "in-failed-step") {
		t.Errorf("top finding %q in step %q with %v; want the test failure in the failed step Test", top.Message, top.Step, top.Reasons)
	}
	if len(top.Text) < 2 || top.Text[0] != "    retry_test.go:88: got 2 attempts, want 3" {
		t.Errorf("the test's output keeps its indentation under a Timestamper prefix: %q", top.Text)
	}
	for _, f := range findings {
		if strings.HasPrefix(f.Message, "[Pipeline]") || strings.Contains(f.Message, "skipped due to") {
			t.Errorf("Pipeline chatter became finding %q", f.Message)
		}
		if strings.HasPrefix(f.Message, "ERROR: script returned exit code") && f.Step != "Test" {
			t.Errorf("the verdict belongs to step %q, want Test (not the skipped stage or the post actions)", f.Step)
		}
	}
}

func hasReason(f Finding, reason string) bool {
	for _, r := range f.Reasons {
		if r == reason {
			return true
		}
	}
	return false
}
