package analysis

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// loadShapeCases reads the shape corpus (testdata/shapes/cases.jsonl) once.
var loadShapeCases = sync.OnceValues(func() ([]shapeCase, error) {
	f, err := os.Open(filepath.Join("testdata", "shapes", "cases.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []shapeCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var c shapeCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
})

// shapeRank analyzes the log of c as one failed job and returns the rank
// (1-based) of the first of the top 10 findings that overlaps the
// annotated lines, or 0 when none does: the scoring of destill eval.
func shapeRank(t *testing.T, c shapeCase) (int, []Finding) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "shapes", c.Log))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(Options{})
	a.Write(data)
	res := a.Result()
	res.Job = JobSummary{ID: c.ID, Name: c.ID, Failed: true}
	findings := Rank([]JobResult{res})
	for i, f := range findings {
		if i >= 10 {
			break
		}
		for _, r := range c.ExpectedLines {
			if f.LineStart <= r[1] && f.LineEnd >= r[0] {
				return i + 1, findings
			}
		}
	}
	return 0, findings
}

func shapeCaseByID(t *testing.T, id string) shapeCase {
	t.Helper()
	cases, err := loadShapeCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no case %q in testdata/shapes/cases.jsonl", id)
	return shapeCase{}
}

// TestShapeCorpusFloor ranks the whole shape corpus and fails when hit@1
// or hit@5 falls below what the rules reach today (minus a point): a
// change that loses shapes shows here, not only in destill eval.
func TestShapeCorpusFloor(t *testing.T) {
	t.Parallel()
	const minTop1, minTop5 = 0.97, 0.98
	cases, err := loadShapeCases()
	if err != nil {
		t.Fatal(err)
	}
	top1, top5 := 0, 0
	for _, c := range cases {
		rank, _ := shapeRank(t, c)
		if rank == 1 {
			top1++
		}
		if rank >= 1 && rank <= 5 {
			top5++
		}
	}
	n := float64(len(cases))
	t.Logf("shape corpus: %d cases, hit@1 %.1f%%, hit@5 %.1f%%", len(cases), 100*float64(top1)/n, 100*float64(top5)/n)
	if float64(top1)/n < minTop1 {
		t.Errorf("hit@1 %.1f%% is below the floor %.1f%%", 100*float64(top1)/n, 100*minTop1)
	}
	if float64(top5)/n < minTop5 {
		t.Errorf("hit@5 %.1f%% is below the floor %.1f%%", 100*float64(top5)/n, 100*minTop5)
	}
}

// TestShapeCases checks, for shapes the rules know, that the annotated
// block of the case ranks at or above maxRank.
func TestShapeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id      string
		maxRank int
	}{
		// Point 1: passing and skipped tests, Jest's console blocks.
		{"c-tap-prove", 1},
		{"hs-hspec-failure", 1},
		{"py-pytest-passed-error-params-skips", 1},
		{"js-jest-passing-error-names-then-coverage", 1},
		{"ts-prettier-check-warn-only", 1},
		// Point 6: the block with the specifics ranks above its wrapper.
		{"rb-rake-aborted-pending-migration", 1},
		{"py-calledprocesserror-wraps-sphinx", 1},
		{"objc-test-build-failed-linker", 1},
		{"erl-compile-unbound-var", 1},
		{"cpp-gtest-expected-equality", 1},
		{"c-asan-heap-use-after-free", 1},
		{"scala-scalatest-failed", 1},
		{"hs-tasty-fail", 1},
		{"ctest-failed-no-output", 1},
		// Point 5: linters' report formats.
		{"py-pylint-rated", 1},
		{"hs-hlint-hints", 1},
		{"r-lintr-style", 1},
		{"md-markdownlint-rules", 1},
		{"ex-credo-issues", 1},
		{"php-phpstan-table", 1},
		{"html-htmlhint-alt-require", 1},
		{"perl-perlcritic-no-error-word", 1},
		{"ansible-lint-violations", 1},
		{"kt-ktlint-no-error-word", 1},
		{"vim-vint-lint", 1},
		{"lua-luacheck-warnings", 1},
		// Point 5: formatters, size and link checks, advisories.
		{"c-format-diff-no-error-word", 1},
		{"clj-cljfmt-check-diff", 1},
		{"go-mod-tidy-diff", 1},
		{"rs-rustfmt-check-diff", 1},
		{"sh-shfmt-diff", 1},
		{"scala-scalafmt-check-wrapper", 1},
		{"md-awesome-bot-issues", 1},
		{"rs-cargo-audit-vuln", 1},
		{"py-isort-check", 2},
		{"js-size-limit-exceeded", 1},
		// Point 5: sanitizers, valgrind, TAP.
		{"c-valgrind-invalid-read", 1},
		{"cpp-tsan-data-race", 1},
		{"c-ubsan-shift", 1},
		{"perl-tap-bail-out", 1},
		{"perl-prove-failed-test", 1},
		{"sh-bats-not-ok", 1},
		{"js-tape-tap-yaml", 1},
		// Point 5: Vim's test runner and vader.vim.
		{"vim-runtest-found-errors", 1},
		{"vim-vader-expect-x", 1},
		// Point 5: testthat, R CMD check, TeX, ESLint.
		{"r-testthat-failure", 1},
		{"r-cmd-check-tests-wrapper", 1},
		{"r-cmd-check-warning-no-error-word", 1},
		{"r-cmd-check-examples-error", 1},
		{"tex-undefined-control-sequence", 1},
		{"tex-missing-sty", 1},
		{"js-eslint-stylish", 1},
		// Point 5: GoogleTest under Bazel, Ant, AVA, SBCL, dart, Ansible, detekt.
		{"bazel-test-output-errors", 1},
		{"java-ant-junit", 1},
		{"js-ava-difference", 1},
		{"cl-asdf-missing-component", 1},
		{"flutter-test-expected-actual", 1},
		{"dart-format-changed", 1},
		{"ansible-fatal-after-ignored-fatals", 1},
		{"kt-detekt-after-licence-banner", 1},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			rank, findings := shapeRank(t, shapeCaseByID(t, tt.id))
			if rank == 0 || rank > tt.maxRank {
				for i, f := range findings {
					if i >= 5 {
						break
					}
					t.Logf("#%d %.2f %s %d-%d %q %v", i+1, f.Confidence, f.Category, f.LineStart, f.LineEnd, f.Message, f.Reasons)
				}
				t.Errorf("annotated lines rank %d, want 1..%d", rank, tt.maxRank)
			}
		})
	}
}
