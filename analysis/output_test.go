package analysis

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestFailedCommandOutput checks which lines become the candidate of a
// failed command's last output.
func TestFailedCommandOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		log      string
		from, to int    // the tail candidate's lines; 0: no tail candidate
		after    string // a line its context after must hold
	}{
		{
			name: "travis lint output before the verdict",
			log: "$ ./check-headings docs\n" +
				"docs/onboarding: 3 headings are not in title case\n" +
				"\n" +
				"The command \"gomali *.md\" exited with 1.\n",
			from: 2, to: 2, after: "exited with 1",
		},
		{
			name: "npm and make chatter is walked over",
			log: "$ npm test\n" +
				"pages/common/mat2: the description should end in a period\n" +
				"npm ERR! code ELIFECYCLE\n" +
				"npm ERR! errno 1\n" +
				"make: *** [test] Error 1\n" +
				"make: Leaving directory '/src'\n" +
				"##[error]Process completed with exit code 1.\n",
			from: 2, to: 2, after: "npm ERR! code ELIFECYCLE",
		},
		{
			name: "a shell's trace of the last command is skipped",
			log: "+ ./check-size.sh\n" +
				"  the bundle is 49 B over its budget\n" +
				"  budget:   104 KB\n" +
				"+ exit 1\n" +
				"ERROR: Job failed: exit code 1\n",
			from: 2, to: 3,
		},
		{
			name: "at most tailLines lines, the last ones",
			log: "$ ./lint\n" + strings.Repeat("src/a.c: style: something\n", 12) +
				"Error: The command exited with status 1\n",
			from: 13 - tailLines + 1, to: 13,
		},
		{
			name: "a verdict on a command of several lines",
			log: "$ case \"$BUILD\" in\n" +
				"Text.hs: no explicit implementation for mappend\n" +
				"The command \"case \"$BUILD\" in\n" +
				"  stack) stack test;;\n" +
				"esac\" exited with 1.\n",
			from: 2, to: 2,
		},
		{
			name: "progress dots are walked over, a ruler inside the output is kept",
			log: "$ ./score pkg\n" +
				"module pkg.loader\n" +
				"pkg/loader: 104 columns, at most 100\n" +
				"------------------------------------------------------------------\n" +
				"scored 9.71 of 10, 10 wanted\n" +
				".\n" +
				"..\n" +
				"The command \"./score pkg\" exited with 16.\n",
			from: 2, to: 5,
		},
		{
			name: "output after a tool's closing count is a wrapper's, not a tail",
			log: "$ ./sbt test\n" +
				"[error] Foo.scala:35:20: not found: value StringClient\n" +
				"[error] one error found\n" +
				"[error] (core / Test / compileIncremental) Compilation failed\n" +
				"The command \"./sbt test\" exited with 1.\n",
		},
		{
			name: "GitLab: the script's output, before after_script and the clean-up",
			log: "\x1b[32;1m$ terraform fmt -check -recursive\x1b[0;m\n" +
				"modules/network/main.tf\n" +
				"envs/prod/variables.tf\n" +
				"section_end:1700617592:step_script\r\x1b[0K\n" +
				"section_start:1700617592:after_script\r\x1b[0K\x1b[36;1mRunning after_script\x1b[0;m\n" +
				"\x1b[32;1m$ du -sh .cache || true\x1b[0;m\n" +
				"318M\t.cache\n" +
				"section_end:1700617594:after_script\r\x1b[0K\n" +
				"section_start:1700617594:cleanup_file_variables\r\x1b[0K\x1b[36;1mCleaning up project directory and file based variables\x1b[0;m\n" +
				"section_end:1700617595:cleanup_file_variables\r\x1b[0K\n" +
				"\x1b[31;1mERROR: Job failed: exit code 3\n",
			from: 2, to: 3,
		},
		{
			name: "Jenkins: the failed stage's output, before the post actions",
			log: "[Pipeline] { (Format)\n" +
				"[Pipeline] sh\n" +
				"+ ./gradlew ktlintCheck\n" +
				"app/src/main/kotlin/Sync.kt:12:1 Unexpected blank line(s) before \"}\"\n" +
				"[Pipeline] }\n" +
				"[Pipeline] // stage\n" +
				"[Pipeline] { (Declarative: Post Actions)\n" +
				"[Pipeline] junit\n" +
				"Recording test results\n" +
				"[Pipeline] }\n" +
				"[Pipeline] End of Pipeline\n" +
				"ERROR: script returned exit code 1\n",
			from: 4, to: 4,
		},
		{
			name: "GitHub: a step that printed nothing after its script has no tail",
			log: "##[group]Run [ -n \"\" ]\n" +
				"[ -n \"\" ]\n" +
				"shell: /usr/bin/bash -e {0}\n" +
				"##[endgroup]\n" +
				"##[error]Process completed with exit code 1.\n",
		},
		{
			name: "Jenkins' last line is on the build, not a command",
			log: "Build step 'Execute shell' marked build as failure\n" +
				"Sending e-mails to: dev@example.com\n" +
				"Finished: FAILURE\n",
		},
		{
			name: "Azure Pipelines' verdict on a script step",
			log: "##[section]Starting: Check the changelog\n" +
				"CHANGELOG.md has no entry for 2.4.0\n" +
				"##[error]Bash exited with code '1'.\n" +
				"##[section]Finishing: Check the changelog\n",
			from: 2, to: 2,
		},
		{
			name: "CircleCI's verdict",
			log: "#!/bin/bash -eo pipefail\n" +
				"./scripts/check-bundle-size\n" +
				"bundle.js is 312 kB, over the 300 kB budget\n" +
				"\n" +
				"Exited with code exit status 1\n",
			from: 1, to: 3, // CircleCI's echo of the step's script is part of it
		},
		{
			name: "TeamCity's verdict",
			log: "Step 2/3: check licences (Command Line)\n" +
				"vendor/acme/x: licence AGPL-3.0 not allowed\n" +
				"Process exited with code 1\n",
			from: 1, to: 2,
		},
		{
			name: "the build's own verdict has no tail",
			log: "$ ./after_script.sh\n" +
				"uploading coverage\n" +
				"Done. Your build exited with 1.\n",
		},
		{
			name: "a command that printed nothing has no tail",
			log: "$ make build\nall good\n$ ./deploy.sh\n" +
				"The command \"./deploy.sh\" exited with 2.\n",
		},
		{
			name: "no verdict, no tail",
			log:  "$ ./lint\nREADME.md:3: trailing space\n",
		},
		{
			name: "a tail that reaches back over a specific failure adds nothing",
			log: "$ go build ./...\n" +
				"internal/billing/invoice.go:57:21: cannot use total (variable of type float64) as int value\n" +
				"##[error]Process completed with exit code 1.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := NewAnalyzer(Options{})
			a.Write([]byte(tt.log))
			var tail *Candidate
			res := a.Result()
			for i := range res.Candidates {
				if res.Candidates[i].Rule == failedOutputRule.name {
					tail = &res.Candidates[i]
				}
			}
			if tt.from == 0 {
				if tail != nil {
					t.Fatalf("got a tail candidate at %d-%d (%q), want none", tail.LineStart, tail.LineEnd, tail.Message)
				}
				return
			}
			if tail == nil {
				t.Fatalf("no tail candidate; candidates: %+v", res.Candidates)
			}
			if tail.LineStart != tt.from || tail.LineEnd != tt.to {
				t.Errorf("tail covers %d-%d, want %d-%d (%q)", tail.LineStart, tail.LineEnd, tt.from, tt.to, tail.Text)
			}
			if tt.after != "" && !strings.Contains(strings.Join(tail.ContextAfter, "\n"), tt.after) {
				t.Errorf("context after %q lacks %q", tail.ContextAfter, tt.after)
			}
		})
	}
}

// TestBuildVerdictHasNoStep: Travis CI's "Done. Your build exited with 1."
// comes after after_script and the cache upload; it does not make the
// steps before it "earlier steps" that succeeded.
func TestBuildVerdictHasNoStep(t *testing.T) {
	t.Parallel()
	log := "travis_time:start:1\r\x1b[0K$ stack test\n" +
		"src/Text.hs:94:10: error: Variable not in scope: mappend\n" +
		"travis_fold:start:cache.2\r\x1b[0Kstore build cache\n" +
		"cache uploaded\n" +
		"Done. Your build exited with 1.\n"
	a := NewAnalyzer(Options{})
	a.Write([]byte(log))
	res := a.Result()
	res.Job = JobSummary{ID: "j", Name: "j", Failed: true}
	findings := Rank([]JobResult{res})
	if len(findings) == 0 || findings[0].LineStart != 2 {
		t.Fatalf("top finding %+v, want line 2", findings)
	}
	for _, r := range findings[0].Reasons {
		if r == "in-earlier-step" {
			t.Errorf("reasons %v: the build's verdict made line 2 an earlier step's", findings[0].Reasons)
		}
	}
}

// TestDiffHeaderIsNoStep: the file lines of a unified diff printed by a
// formatter check are not Buildkite groups.
func TestDiffHeaderIsNoStep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		step bool
	}{
		{"+++ b/src/main/java/org/assertj/core/api/AbstractAssert.java", false},
		{"--- a/src/main/java/org/assertj/core/api/AbstractAssert.java", false},
		{"--- /home/runner/work/notify/src/notify/api.py:before\t2024-04-11 08:12:01.221930", false},
		{"+++ /dev/null", false},
		{"--- ./docs/index.md", false},
		{"--- expected", false},
		{"+++ actual", false},
		{"--- :hammer: Build", true},
		{"+++ Running tests", true},
		{"~~~ a/b", true},
		{"--- /etc is mounted read-only, skipping", true},
	}
	for _, tt := range tests {
		a := NewAnalyzer(Options{})
		a.Write([]byte(tt.line + "\n"))
		res := a.Result()
		if got := len(res.Sections) == 1 && res.Sections[0].Kind == "step"; got != tt.step {
			t.Errorf("%q: step %v, want %v (sections %+v)", tt.line, got, tt.step, res.Sections)
		}
	}
}

// TestBoundaryFlag checks which lines end a command's output.
func TestBoundaryFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want lineFlag
	}{
		{"$ make test", flagBoundary},
		{"+ make test", flagTrace},
		{"++ dirname /src", flagTrace},
		{"+++ b/src/main.go", flagContent}, // a diff's, not a trace at depth three
		{"  $ indented in output", flagContent},
		{"+1 more", flagContent},
		{"plain output", flagContent},
	}
	for _, tt := range tests {
		l := lineView{text: []byte(tt.line)}
		l.trim, l.indent = leadingSpace(l.text)
		if got := boundaryFlag(&l, false); got != tt.want {
			t.Errorf("boundaryFlag(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}

// TestTailsTakeInEqualsAllPairs compares tailsTakeIn, which looks for
// each tail's lines by binary search, with the check of every pair of
// candidates it replaced, on random jobs with overlapping tails, equal
// scores and candidates out of line order.
func TestTailsTakeInEqualsAllPairs(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	rulesOf := []string{failedOutputRule.name, genericRule.name, "error-prefix", "timeout"}
	for round := range 3000 {
		cands := make([]Candidate, rng.IntN(40))
		for i := range cands {
			start := 1 + rng.IntN(60)
			cands[i] = Candidate{
				Rule: rulesOf[rng.IntN(len(rulesOf))], Category: CategoryError,
				LineStart: start, LineEnd: start + rng.IntN(12),
				Score: float64(rng.IntN(4)) / 4, Occurrences: 1 + rng.IntN(2)/max(1, rng.IntN(3)),
				Noise: rng.IntN(8) == 0, Message: fmt.Sprintf("message %d", i),
			}
		}
		absorbed, tails := tailsTakeIn(cands)
		wantAbsorbed, wantTails := tailsTakeInAllPairs(cands)
		if !reflect.DeepEqual(absorbed, wantAbsorbed) || !reflect.DeepEqual(tails, wantTails) {
			t.Fatalf("round %d: tailsTakeIn = %v %v, every pair checked gives %v %v", round, absorbed, tails, wantAbsorbed, wantTails)
		}
	}
}

// tailsTakeInAllPairs is tailsTakeIn as it was: every tail checks every
// candidate.
func tailsTakeInAllPairs(cands []Candidate) (absorbed map[int]bool, tails map[int]int) {
	for ti := range cands {
		t := &cands[ti]
		if !isTail(t) {
			continue
		}
		best := -1
		for ci := range cands {
			c := &cands[ci]
			if ci == ti || !isGeneric(c) || c.Occurrences != 1 || c.Noise || c.LineStart < t.LineStart || c.LineEnd > t.LineEnd {
				continue
			}
			if absorbed == nil {
				absorbed, tails = map[int]bool{}, map[int]int{}
			}
			absorbed[ci] = true
			if best < 0 || c.Score > cands[best].Score {
				best = ci
			}
		}
		if best >= 0 {
			tails[ti] = best
		}
	}
	return absorbed, tails
}
