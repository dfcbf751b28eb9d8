package analysis

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/findings/*.golden.json")

func analyzeTestLog(t *testing.T, name string) []Finding {
	t.Helper()
	return Rank([]JobResult{jobResult(t, name, name, true)})
}

// jobResult analyzes one of testdata/logs as the log of job id.
func jobResult(t *testing.T, log, id string, failed bool) JobResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "logs", log))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(Options{})
	a.Write(data)
	res := a.Result()
	res.Job = JobSummary{ID: id, Name: id, Failed: failed}
	return res
}

// TestTopFinding checks, for realistic failing logs of many ecosystems,
// that the first finding is the line a person would point at.
func TestTopFinding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		log       string
		from, to  int // the top finding must overlap these lines
		category  string
		inMessage string
	}{
		{"c-link-error.log", 13, 13, CategoryCompileError, "undefined reference"},
		{"composer-error.log", 3, 7, CategoryDependency, ""},
		{"disk-full.log", 5, 5, CategoryDiskFull, "No space left"},
		{"docker-build-error.log", 14, 16, "", "no required module"},
		{"dotnet-build-error.log", 4, 4, CategoryCompileError, "CS0103"},
		{"gcc-compile-error.log", 3, 3, CategoryCompileError, "no member named"},
		{"go-build-error.log", 5, 5, CategoryCompileError, "cannot use total"},
		{"go-panic.log", 4, 5, "", ""},
		{"gradle-test-failure.log", 9, 13, CategoryTestFailure, "refundsPartialOrders"},
		{"java-exception.log", 3, 11, CategoryException, ""},
		{"jest-failure.log", 7, 20, CategoryTestFailure, "applies the discount once"},
		{"maven-compile-error.log", 16, 18, CategoryCompileError, "cannot find symbol"},
		{"network-failure.log", 6, 6, CategoryNetwork, "Could not resolve host"},
		{"npm-install-error.log", 4, 12, CategoryDependency, "ERESOLVE"},
		{"oom-killed.log", 9, 9, CategoryOOM, "heap out of memory"},
		{"phpunit-failure.log", 12, 13, CategoryTestFailure, "testTotalIncludesShipping"},
		{"pytest-failure.log", 18, 20, CategoryTestFailure, "AssertionError"},
		{"python-module-not-found.log", 7, 7, "", "No module named 'redis'"},
		{"python-traceback.log", 8, 15, CategoryException, "KeyError"},
		{"rspec-failure.log", 6, 13, CategoryTestFailure, ""},
		{"rust-compile-error.log", 11, 11, CategoryCompileError, "mismatched types"},
		{"rust-test-failure.log", 10, 16, "", "rejects_negative"},
		{"secrets.log", 10, 10, "", "Authentication failed"},
		{"shell-command-not-found.log", 6, 6, CategoryCommandNotFound, "yq: command not found"},
		{"terraform-error.log", 9, 15, CategoryTerraform, "creating IAM Role"},
		{"timeout.log", 6, 6, CategoryTimeout, "maximum execution time"},
		{"typescript-error.log", 3, 3, CategoryCompileError, "TS2322"},
		{"travis-rspec.log", 30, 36, CategoryTestFailure, "charges shipping for remote regions"},
		{"github-long-go-test.log", 7110, 7113, CategoryTestFailure, "want ErrReadOnly"},
		{"python-lint.log", 5, 6, CategoryLint, "orders.py"},
		{"pytest-collection-error.log", 14, 14, CategoryTestFailure, "DeprecationWarning: pkg_resources"},
		{"coverage-threshold.log", 11, 11, CategoryLint, "coverage threshold"},
		{"playwright-failure.log", 4, 19, CategoryTestFailure, "pays with a saved card"},
		// A failed command's last output, without an error word, before
		// the runner's verdict; an earlier command that succeeded printed
		// "Error pages: …".
		{"travis-lint-no-error-word.log", 25, 26, "", "Line longer than 80 characters"},
		// A failed test beats the errors its program logged while it ran.
		{"go-test-app-log-errors.log", 10, 14, CategoryTestFailure, "TestPreferChainedOverFronted"},
		// A link checker's report beats the network error of a link it
		// printed while checking.
		{"link-check-network-progress.log", 15, 21, CategoryLint, "Issues"},
		// The first failed test beats an exception a test logged before it.
		{"scalatest-exception-before-failure.log", 15, 20, CategoryTestFailure, "symmetric reader"},
		{"ct-console-failure.log", 20, 21, CategoryTestFailure, "{badmatch,{error,not_found}}"},
		{"minitest-error.log", 9, 13, CategoryTestFailure, "undefined method `total_cents'"},
		{"mocha-epilogue.log", 15, 33, CategoryTestFailure, "strictly equal"},
		{"xcpretty-summary.log", 15, 21, CategoryTestFailure, "NoteStoreTests.swift:41"},
	}
	for _, tt := range tests {
		t.Run(tt.log, func(t *testing.T) {
			t.Parallel()
			findings := analyzeTestLog(t, tt.log)
			if len(findings) == 0 {
				t.Fatal("no findings")
			}
			f := findings[0]
			if f.LineStart > tt.to || f.LineEnd < tt.from {
				t.Errorf("top finding covers lines %d-%d (%q), want it to overlap %d-%d", f.LineStart, f.LineEnd, f.Message, tt.from, tt.to)
			}
			if tt.category != "" && f.Category != tt.category {
				t.Errorf("top finding category = %q, want %q", f.Category, tt.category)
			}
			if tt.inMessage != "" && !strings.Contains(strings.Join(f.Text, "\n"), tt.inMessage) {
				t.Errorf("top finding text %q does not contain %q", f.Text, tt.inMessage)
			}
			if f.Confidence < 0.6 {
				t.Errorf("top finding confidence = %.2f, want >= 0.6 for a clear failure", f.Confidence)
			}
		})
	}
}

// TestPassingLogHasNoConfidentFinding: words like "error" in passing
// output (file names, zero counts, retries that succeeded, deprecations)
// must not look like a failure.
func TestPassingLogHasNoConfidentFinding(t *testing.T) {
	t.Parallel()
	for _, f := range analyzeTestLog(t, "noise-only.log") {
		if f.Confidence >= 0.3 {
			t.Errorf("finding %q has confidence %.2f, want < 0.3 in a passing log", f.Message, f.Confidence)
		}
	}
}

// TestSecretsNeverLeave checks that no credential of the log survives in
// any field of any finding.
func TestSecretsNeverLeave(t *testing.T) {
	t.Parallel()
	findings := analyzeTestLog(t, "secrets.log")
	out, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{
		"ghp_abcdefghijklmnopqrstuvwxyz0123456789", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t-pa55", "AKIAIOSFODNN7EXAMPLE",
		"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw", "hunter2hunter2",
	} {
		if strings.Contains(string(out), secret) {
			t.Errorf("secret %q appears in the findings", secret)
		}
	}
}

// TestGolden compares the findings of every test log with its golden file.
// Run with -update after a deliberate change and review the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	logs, err := filepath.Glob(filepath.Join("testdata", "logs", "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no test logs: %v", err)
	}
	for _, path := range logs {
		name := filepath.Base(path)
		got, err := json.MarshalIndent(analyzeTestLog(t, name), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		golden := filepath.Join("testdata", "findings", strings.TrimSuffix(name, ".log")+".golden.json")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./analysis -run TestGolden -update)", err)
		}
		if string(got) != string(want) {
			t.Errorf("findings of %s differ from %s; if the change is intended, run go test ./analysis -run TestGolden -update and review the diff", name, golden)
		}
	}
}
