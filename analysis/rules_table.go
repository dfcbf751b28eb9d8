package analysis

import "bytes"

// trailerKind marks lines that report a failure rather than explain it.
type trailerKind uint8

const (
	notTrailer trailerKind = iota
	// followOn lines restate an earlier failure: "make: *** Error 2",
	// "npm ERR! A complete log ...", "FAIL pkg".
	followOn
	// jobFailure lines are the runner's verdict on the whole job or step:
	// "Process completed with exit code 1", "Finished: FAILURE".
	jobFailure
	// summary lines sum up a failure with its details ("Failed to execute
	// goal ...: Compilation failure", Gradle's "What went wrong"): the best
	// explanation when nothing more specific came before, a cascade otherwise.
	summary
)

// rule recognizes one failure shape.
type rule struct {
	name     string // the reason reported for findings it makes
	category string
	severity Severity
	score    float64
	trailer  trailerKind
	// block says how the finding continues past the trigger line (see the
	// specs after the rules); nil: the finding is the trigger line alone.
	block *blockSpec
	// need lists lower-case literals; the rule is tried only when the
	// lower-cased line contains one of them. Empty: always tried.
	need []string
	// re must match the cleaned line (after indentation is removed when
	// trimmed is set). Nil: need alone decides.
	re      *pattern
	trimmed bool
	// lead, when set, lists the bytes the trimmed line may start with.
	lead string
	// pre, when set, is a cheap necessary condition for re, checked first:
	// for patterns whose bounded repeats make Go's matcher slow on long lines.
	pre func(l *lineView) bool
	// fn, when set, must also accept the line.
	fn func(l *lineView) bool
}

const (
	sevE = SeverityError
	sevW = SeverityWarning
	sevI = SeverityInfo
)

// buildExitRule names the runner's verdict on a whole build, printed after
// its last step: it says nothing of where the failure was.
const buildExitRule = "build-exit-code"

// rules are tried in order; the first that matches classifies the line.
// Specific shapes come first, then runner verdicts and follow-ons, then
// infrastructure, then the generic vocabulary.
var rules = [...]rule{
	// Noise that contains failure words but never explains a failure.
	{name: "noise:maven-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"[error]"},
		re: re(`^\[ERROR\] ?(-> \[Help 1\]|To see the full stack trace|Re-run Maven using|For more information about the errors|\[Help \d+\] http|After correcting the problems|\s+mvn .*-rf :|Please refer to .* for the individual test results|Please refer to dump files|$)`)},
	{name: "noise:gradle-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"try:", "--stacktrace", "more help"},
		re: re(`^(\* Try:|> Run with --(stacktrace|info|debug|scan)|\* Get more help at|> Get more help at)`)},
	{name: "noise:npm-boilerplate", category: CategoryError, severity: sevI, score: 0.05, trailer: followOn, need: []string{"npm err!", "npm error"},
		re: re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno -?\d|Exit status \d|Failed at the|This is probably not a problem with npm|Tell the author|Make sure you have|You can get information on how|not with npm itself|\s*$|\s+/\S+\.log$|.*-debug(-\d+)?\.log$|Lifecycle script .* failed|command failed$|command sh -c|path /|Test failed\.\s+See above|\S*@\S* [\w:.-]+: |\s+in workspace: |\s+at location: )`)},
	{name: "noise:sbt-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"[error] total time:"},
		re: re(`^\[error\] Total time: `)},
	{name: "noise:ctest-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"--rerun-failed"},
		re: re(`^Use "--rerun-failed --output-on-failure" to re-run`)},
	{name: "noise:valgrind-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"memory error detector", "rerun with: -s"},
		re: re(`^==\d+== (Memcheck, a memory error detector|For lists of detected and suppressed errors, rerun with: -s)`)},
	{name: "noise:latexmk-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"warnings treated as errors", "collected error summary", "use the -f option"},
		re: re(`^\s*(unless error was exceeding maximum runs, or warnings treated as errors|Collected error summary|Latexmk: Use the -f option)`)},
	{name: "noise:eslint-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"potentially fixable with"},
		re: re(`^\s*\d+ errors? and \d+ warnings? potentially fixable with`)},
	{name: "noise:rust-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"for more information about this error"},
		re: re(`^For more information about this error, try`)},
	{name: "noise:yarn-boilerplate", category: CategoryError, severity: sevI, score: 0.05, need: []string{"yarnpkg.com"},
		re: re(`^info Visit https://yarnpkg\.com`)},

	// Sanitizer and valgrind reports: the error, its stack and the
	// allocation's, up to the report's SUMMARY line.
	{name: "sanitizer-report", category: CategoryCrash, severity: sevE, score: 0.85, block: sanitizerBlock, need: []string{"sanitizer:"},
		re: re(`^(==\d+==\s*)?(ERROR|WARNING): (Address|Leak|Thread|Memory|UndefinedBehavior|Hardware|Type)Sanitizer: `)},
	{name: "sanitizer-report", category: CategoryCrash, severity: sevE, score: 0.85, block: sanitizerBlock, need: []string{"runtime error: "},
		re: re(`^\S+:\d+(:\d+)?: runtime error: `)},
	{name: "sanitizer-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"sanitizer"},
		re: re(`^(SUMMARY: \w+Sanitizer: |\w+Sanitizer: reported \d+ warnings?)`)},
	{name: "valgrind-error", category: CategoryCrash, severity: sevE, score: 0.8, block: valgrindBlock,
		need: []string{"invalid ", "conditional jump", "uninitialised", "mismatched free", "syscall param", "overlap in", "definitely lost", "process terminating"},
		re:   re(`^==\d+== (Invalid (read|write|free|realloc|delete)|Conditional jump or move depends|Use of uninitialised value|Mismatched free|Syscall param|Source and destination overlap|[\d,]+ bytes in [\d,]+ blocks are (definitely|possibly) lost|Process terminating with default action)`)},
	{name: "valgrind-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"error summary:"},
		re: re(`^==\d+== ERROR SUMMARY: [1-9]`)},

	// Resource exhaustion and crashes: the cause even when they come with an exit code.
	{name: "out-of-memory", category: CategoryOOM, severity: sevE, score: 0.85, need: []string{"memory", "oom", "killed", "137", "sigkill"},
		re: re(`(?i)\b(out of memory|outofmemoryerror|cannot allocate memory|heap out of memory|oomkilled|oom-kill|oom killer|killed process \d+|memory limit exceeded|exit (code|status)[: ]+137|signal: killed|^killed$|sigkill)\b`)},
	{name: "crash", category: CategoryCrash, severity: sevE, score: 0.85, need: []string{"segmentation", "sigsegv", "core dumped", "sigabrt", "signal: ", "stack smashing", "bus error", "illegal instruction"},
		re: re(`(?i)\b(segmentation fault|sigsegv|core dumped|sigabrt|signal: (aborted|segmentation|bus error|illegal)|stack smashing detected|^bus error|illegal instruction)\b`)},

	// Runner verdicts on the whole job or step.
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"process completed with exit code"},
		re: re(`(?i)^(error: )?process completed with exit code -?\d+`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"exited with status"},
		re: re(`(?i)error: the command exited with status -?\d+`)},
	{name: "job-timeout", category: CategoryTimeout, severity: sevE, score: 0.85, trailer: jobFailure, need: []string{"job failed", "maximum execution time", "timed out"},
		re: re(`(?i)(job failed: execution took longer than|has exceeded the maximum execution time|the job (has )?timed out|job timed out|exceeded the timeout of)`)},
	{name: "runner-system-failure", category: CategoryError, severity: sevE, score: 0.7, trailer: jobFailure, need: []string{"system failure"},
		re: re(`(?i)^ERROR: Job failed \(system failure\)`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"job failed"},
		re: re(`^ERROR: Job failed: (exit code|exit status|command terminated with exit code) -?\d+`)},
	{name: "build-verdict", category: CategoryBuildFailure, severity: sevE, score: 0.15, trailer: jobFailure, need: []string{"marked build as failure", "finished: "},
		re: re(`^(Build step '.*' marked build as failure|Finished: (FAILURE|ABORTED|UNSTABLE))`)},
	// Travis CI's verdict on the whole build, after after_script and the
	// cache upload: no step of its own (see buildExitRule).
	{name: buildExitRule, category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"your build exited with"},
		re: re(`^Done\. Your build exited with [1-9]\d*\.`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"exited with"},
		re: re(`^The command ".*" (failed and )?exited with [1-9]\d*`)}, // Travis CI's verdict on a script command
	// The last line of Travis CI's verdict on a command of several lines
	// ("The command "case $X in" ... "esac" exited with 1."), and
	// npm-run-all's ('ERROR: "lint" exited with 1.').
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"exited with"},
		re: re(`" (failed and )?exited with [1-9]\d*( during \S*)?\.$`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"script returned exit code"},
		re: re(`^ERROR: script returned exit code \d+`)},
	// Azure Pipelines' verdicts on a script step ("##[error]Bash exited
	// with code '1'.", "##[error]Script failed with exit code: 1"), the
	// tool runner's of GitHub's and Azure's JavaScript steps ("The process
	// '/usr/bin/git' failed with exit code 128"), CircleCI's ("Exited with
	// code exit status 1") and TeamCity's ("Process exited with code 1").
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"exited with code", "failed with exit code"},
		re: re(`^((Bash|Cmd\.exe|PowerShell|pwsh|sh) exited with code '?-?[1-9]\d*'?\.?$|Script failed with exit code: ?-?[1-9]|The process '[^']*' failed with exit code -?[1-9]|Exited with code (exit status )?-?[1-9]\d*$|Process exited with code -?[1-9]\d*)`)},
	{name: "build-verdict", category: CategoryBuildFailure, severity: sevE, score: 0.15, trailer: followOn, need: []string{"build failure", "build failed"},
		re: re(`^(\[(INFO|ERROR)\] )?(BUILD FAILURE|BUILD FAILED( in .*)?)$`)},

	// Follow-ons: they restate a failure that was printed earlier.
	{name: "xcodebuild-verdict", trimmed: true, category: CategoryBuildFailure, severity: sevE, score: 0.15, trailer: followOn, need: []string{"failed **", "build commands failed", "failure)"},
		re: re(`^(\*\* ([A-Z]+ )*FAILED \*\*$|The following build commands failed:$|\(\d+ failures?\)$)`)},
	{name: "ctest-failed", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"***failed", "***exception", "***timeout", "tests failed:", "while running ctest", "(failed)", "(segfault)", "(timeout)", "(not run)", "(exception)", "tests failed out of"},
		re: re(`(^\d+/\d+ Test +#\d+: \S+ \.*\*\*\*(Failed|Exception|Timeout)|^The following tests FAILED:$|^Errors while running CTest|^\d+ - \S+ \((Failed|SEGFAULT|Timeout|Not Run|Exception)\)$|^\d+% tests passed, \d+ tests? failed out of \d+)`)},
	{name: "bazel-test-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"failed in", "fail: //", "test failed", "tests failed", "fails locally"},
		re: re(`^(//\S+ +FAILED in |FAIL: //\S+ \(see |INFO: Build completed, \d+ tests? FAILED|Executed \d+ out of \d+ tests?: .* fails? locally)`)},
	{name: "gtest-failed", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"[  failed  ]", "failed test"},
		re: re(`^(\[  FAILED  \] |\d+ FAILED TESTS?$)`)},
	{name: "sbt-failed", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"[error]", "test failed", "tests failed"},
		re: re(`^(\[error\] (Failed: Total \d+|Failed tests:|Error during tests:|\([^)]*\) sbt\.TestsFailedException|\s+[\w.]+$)|\[info\] \*\*\* \d+ TESTS? FAILED \*\*\*)`)},
	{name: "make-error", category: CategoryExitCode, severity: sevE, score: 0.25, trailer: followOn, need: []string{"***"},
		re: re(`^(g?make|mingw32-make|gmake)(\[\d+\])?: \*\*\* .*(Error -?\d+|Stop\.)`)},
	{name: "go-fail-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"fail"},
		re: re(`^FAIL\s+\S+\s+(\d+(\.\d+)?s|\[build failed\]|\[setup failed\]|\(cached\))`)},
	{name: "go-fail-summary", category: CategorySummary, severity: sevE, score: 0.15, trailer: followOn, need: []string{"fail"},
		re: re(`^FAIL$`)},
	{name: "exit-status", category: CategoryExitCode, severity: sevE, score: 0.15, trailer: followOn, need: []string{"exit status"},
		re: re(`^exit status \d+$`)},
	{name: "rust-summary", category: CategorySummary, severity: sevE, score: 0.25, trailer: followOn, need: []string{"error: "},
		re: re(`^error: (could not compile|aborting due to|test failed, to rerun pass|build failed|failed to compile|\d+ targets? failed)`)},
	{name: "test-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"failed", "failing", "failure", "problems (", "errors in"},
		re: re(`(?i)^\s*(test result: FAILED|=+ .*\b\d+ (failed|errors?)\b.*=+$|FAILED \((failures|errors)=\d+|FAILURES!$|\d+ examples?, [1-9]\d* failures?|✖ \d+ problems? \(\d+ errors?|Tests: \d+, Assertions: \d+, (Failures|Errors): \d+|Test Run Failed\.|Failed!\s+- Failed:\s+\d+|Test Suites: \d+ failed|Tests: +\d+ failed|\d+ tests completed, \d+ failed|\d+ (tests? )?failed, \d+ passed)`)},
	{name: "link-summary", category: CategoryExitCode, severity: sevE, score: 0.3, trailer: followOn, need: []string{"ld returned"},
		re: re(`collect2: error: ld returned \d+ exit status`)},
	{name: "msbuild-exec", category: CategoryExitCode, severity: sevE, score: 0.3, trailer: followOn, need: []string{"msb3073", "build failed."},
		re: re(`(error MSB3073:|^\s*Build FAILED\.)`)},
	{name: "docker-step-exit", category: CategoryExitCode, severity: sevE, score: 0.35, trailer: followOn, need: []string{"did not complete successfully", "returned a non-zero code", "executor failed running"},
		re: re(`(did not complete successfully: exit code: \d+|returned a non-zero code: \d+|executor failed running)`)},
	{name: "package-manager-exit", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: followOn, need: []string{"command failed with exit code", "err_pnpm_recursive"},
		re: re(`(?i)(^error Command failed with exit code \d+|ELIFECYCLE.*Command failed with exit code \d+|ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL)`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.25, trailer: followOn, need: []string{"exit code", "exit status", "exited with", "non-zero", "nonzero", "error code"},
		re: re(`(?i)\b(exited with (exit )?(code|status)|exit (code|status)|returned (a )?non-?zero( exit)?( code| status)?|failed with exit code|terminated with exit code|returned with error code)[: =]*-?[1-9]\d*`)},
	// Surefire's count line for a test class that passed (a failing class's
	// line ends "<<< FAILURE!", a junit-failure).
	{name: "maven-class-count", category: CategorySummary, severity: sevI, score: 0.03, trailer: followOn, need: []string{"tests run:"},
		re: re(`^(\[INFO\] )?Tests run: \d+, Failures: 0, Errors: 0, Skipped: \d+, Time elapsed: `)},
	{name: "maven-test-summary", category: CategorySummary, severity: sevE, trailer: summary, score: 0.3, need: []string{"tests run:"},
		re: re(`^(\[ERROR\] )?Tests run: \d+, Failures: \d+, Errors: \d+(, Skipped: \d+)?$`)},
	{name: "junit-summary", category: CategorySummary, severity: sevE, trailer: summary, score: 0.35, need: []string{"[error] failures:", "[error] errors:", "tests in error", "failed tests:"},
		re: re(`^(\[ERROR\] )?(Failures|Errors|Tests in error|Failed tests):\s*$`)},

	// Test failures.
	// TAP (tape, node-tap, bats, Test::More, libtap, vim-themis): "not
	// ok N" and its YAML block or "#" diagnostics; "not ok N # TODO" is
	// an expected failure.
	{name: "tap-not-ok", category: CategoryTestFailure, severity: sevE, score: 0.7, block: tapBlock, need: []string{"not ok "},
		re: re(`^not ok \d+\b`), fn: func(l *lineView) bool {
			return !bytes.Contains(l.lower, []byte("# todo")) && !bytes.Contains(l.lower, []byte("# skip"))
		}},
	{name: "tap-bail-out", category: CategoryTestFailure, severity: sevE, score: 0.75, need: []string{"bail out!"},
		re: re(`(^|\.\. )Bail out!`)},
	{name: "testmore-failed", category: CategoryTestFailure, severity: sevE, score: 0.65, block: tapBlock, need: []string{"failed test"},
		re: re(`^#\s+Failed (\(TODO\) )?test\b`), fn: func(l *lineView) bool { return !bytes.Contains(l.lower, []byte("(todo)")) }},
	{name: "prove-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"wstat", "further testing stopped", "failed test"},
		re: re(`^(\S+ +\(Wstat: \d+|FAILED--Further testing stopped|\s+Failed tests?: +\d)`)},
	// Vim's own test runner: under summarize.vim's "Failures:", test.log's
	// lines, each indented by a tab ("\tFound errors in Test_x():" and
	// the reasons after it); the old-style tests' "test72 FAILED".
	{name: "vim-test-failures", category: CategoryTestFailure, severity: sevE, score: 0.75, block: tabIndentedBlock, need: []string{"found errors in "},
		re: re(`^\tFound errors in \S+\(\):$`)},
	{name: "vim-test-failures", category: CategoryTestFailure, severity: sevE, score: 0.6, trimmed: true, need: []string{"failed"},
		re: re(`^test\w+ FAILED$`)},
	// vader.vim: "(2/8) [ EXPECT] (X) desc" and its Expected/Got lines.
	{name: "vader-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: deeperBlock, need: []string{" (x) "},
		re: re(`^\s*\(\s*\d+/\d+\) \[[ A-Z]+\] \(X\) `)},
	// common_test's console report of a failed case: "Mod:Func failed
	// [on line N]" and its "Reason:" between "- - -" dividers
	// (cte_default_stdout); "*** FAILED test case N of M ***" restates it.
	{name: "ct-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: ctBlock, need: []string{" failed", "could not be executed", "error detected: "},
		re: re(`^(\w+:\w+ (failed( on line \d+)?|could not be executed)$|Error (in suite )?detected: )`)},
	{name: "ct-failed-case", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"*** failed "},
		re: re(`\*\*\* FAILED (test case \d+|\{)`)},
	// ScalaTest: "- should x *** FAILED ***" (sbt prefixes "[info] ") and
	// the reason indented under it.
	{name: "scalatest-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: sbtIndentedBlock, need: []string{"*** failed ***"},
		re: re(`^(\[info\] )?\s*- .+ \*\*\* FAILED \*\*\*$`)},
	// xcpretty's closing summary: "  testName, reason", the file path and
	// the source between backquote fences; its compile errors start "❌".
	{name: "xcpretty-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: untilBlankBlock, need: []string{"failed", "error", "exception"},
		re: re(`^  \w+(\(\))?, \S`)},
	{name: "xcpretty-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: compilerBlock, need: []string{"❌"},
		re: re(`^❌ +\S+:\d+(:\d+)?: \S`)},
	// xUnit's console runner: "Ns.Class.Test [FAIL]" and the assertion,
	// expected/actual and stack trace indented under it.
	{name: "xunit-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: deeperGapBlock, need: []string{"[fail]"},
		re: re(`^\s*(\[xUnit\.net [\d:.]+\]\s+)?[\w.+]+(\(.*\))? \[FAIL\]$`)},
	// testthat: "── Failure (file:l:c): desc ──" / "── Error (...)" and its
	// message, actual/expected and backtrace.
	{name: "testthat-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: testthatBlock, trimmed: true, need: []string{"── "},
		re: re(`^── (\d+\. )?(Failure|Error)\b.* ─{3,}$`)},
	// R CMD check: "Running the tests in 'x' failed." and the last lines
	// of their output; rcmdcheck's "E  checking x ..." / "W  checking x
	// ..." and their details (its "❯ checking x ... WARNING" recap too);
	// R CMD check's own "* checking x ... ERROR".
	{name: "r-check-tests-failed", category: CategoryTestFailure, severity: sevE, score: 0.75, block: rTestsBlock, need: []string{"running the tests in "},
		re: re(`^Running the tests in .+ failed\.$`)},
	{name: "r-check-problem", category: CategoryLint, severity: sevE, score: 0.65, block: deeperGapBlock, need: []string{"  checking "},
		re: re(`^[EW]  checking .+ \.\.\.( \[[\w.]+\])?$`)},
	{name: "r-check-problem", category: CategoryLint, severity: sevE, score: 0.5, block: deeperGapBlock, need: []string{" checking "},
		re: re(`^(❯|\*) checking .+ \.\.\. (ERROR|WARNING)$`)},
	// cpanm's "! Configure failed for X", "! Installing the dependencies
	// failed", "! Bailing out the installation for X".
	{name: "cpanm-error", category: CategoryDependency, severity: sevE, score: 0.7, lead: "!",
		re: re(`^! (Configure failed|Installing the dependencies failed|Bailing out the installation|Finding \S+ .* failed|Couldn't find module|Installing \S+ failed)`)},
	// TeX: "! Undefined control sequence." and the "l.42 ..." context
	// under it; "!  ==> Fatal error occurred" restates it.
	{name: "tex-error", category: CategoryCompileError, severity: sevE, score: 0.75, block: texBlock, lead: "!",
		re: re(`^! [A-Z]`)},
	{name: "tex-fatal", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, lead: "!",
		re: re(`^!  ==> Fatal error occurred`)},
	// GoogleTest: "file:line: Failure" and the values under it, up to the
	// test's "[  FAILED  ]" line.
	{name: "gtest-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: gtestBlock, need: []string{": failure"},
		re: re(`^\S+(:\d+|\(\d+\)): Failure$`)},
	// Ant's <junit> task: "[junit] Testcase: x(Class):	FAILED" and its
	// message and trace; the suite's count and "Test x FAILED" restate it,
	// and Ant's "build.xml:88: Test x failed" sums it up.
	{name: "ant-junit-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: antJunitBlock, need: []string{"[junit] testcase:"},
		re: re(`^\s*\[junit\] Testcase: .+:\s*(FAILED|Caused an ERROR)$`)},
	{name: "ant-junit-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"[junit] test"},
		re: re(`^\s*\[junit\] (Tests run: \d+, Failures: \d+, Errors: \d+|Test \S+ FAILED$)`)},
	{name: "ant-build-reason", category: CategoryBuildFailure, severity: sevE, score: 0.45, trailer: summary, need: []string{".xml:"},
		re: re(`^\S*build\.xml:\d+: `)},
	// AVA's failure detail: "Difference (- actual, + expected):" and the
	// diff under it, up to the "─" rule.
	{name: "ava-difference", category: CategoryTestFailure, severity: sevE, score: 0.7, block: avaBlock, need: []string{"difference"},
		re: re(`^\s*Difference( \(- actual, \+ expected\))?:$`)},
	// SBCL: "Unhandled X in thread #<...>:" and the condition's message;
	// the backtrace after "Backtrace for:" is frames, not errors.
	{name: "sbcl-unhandled", category: CategoryException, severity: sevE, score: 0.75, block: deeperGapBlock, need: []string{"unhandled ", "debugger invoked on"},
		re: re(`^(Unhandled|debugger invoked on an?) [\w/:.-]+ in thread #<`)},
	{name: "noise:sbcl-backtrace", category: CategoryException, severity: sevI, score: 0.03, block: sbclBacktraceBlock, need: []string{"backtrace for: "},
		re: re(`^Backtrace for: #<`)},
	{name: "sbcl-compile-error", category: CategoryCompileError, severity: sevE, score: 0.7, block: semicolonBlock, need: []string{"; caught error"},
		re: re(`^; caught ERROR:$`)},
	// dart test's compact reporter: "00:07 +41 -1: file: name [E]" and the
	// failure indented under it.
	{name: "dart-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: deeperGapBlock, need: []string{" [e]"},
		re: re(`^\d\d:\d\d \+\d+( ~\d+)? -\d+: .+ \[E\]$`)},
	{name: "formatting-check", category: CategoryLint, severity: sevE, score: 0.5, block: lintListBlock, need: []string{"changed "},
		re: re(`^Changed \S+\.dart$`)},
	// Ansible: "fatal: [host]: FAILED! => {...}", unless "...ignoring"
	// follows it.
	{name: "ansible-fatal", category: CategoryError, severity: sevE, score: 0.7, block: ansibleBlock, need: []string{"failed! =>", "unreachable! =>"},
		re: re(`^fatal: \[[^\]]+\]: (FAILED|UNREACHABLE)! =>`)},
	// minitest: a "Failure:" or "Error:" header and the test, file and
	// message under it.
	{name: "minitest-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: headerBlock, need: []string{"failure:", "error:"},
		re: re(`^(Failure|Error):$`)},
	// cargo-nextest's result line of a failed test.
	{name: "nextest-failure", category: CategoryTestFailure, severity: sevE, score: 0.6, trimmed: true, need: []string{"fail [", "sigsegv [", "sigabrt [", "timeout ["},
		re: re(`^(FAIL|SIGSEGV|SIGABRT|TIMEOUT) \[\s*[\d.]+s\] `)},
	// eunit: "mod: name_test...*failed*" and the function, error and
	// output under it.
	{name: "eunit-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: untilBlankBlock, need: []string{"*failed*"},
		re: re(`\.\.\.\*failed\*$`)},
	// clojure.test: "FAIL in (test) (file.clj:21)" / "ERROR in ..." and its
	// expected/actual lines.
	{name: "clojure-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: untilBlankBlock, need: []string{"fail in (", "error in ("},
		re: re(`^(FAIL|ERROR) in \(\S+\) \(\S+:\d+\)`)},
	// busted's "Failure → spec/x_spec.lua @ 22" / "Error → ..." and the
	// test name and message under it.
	{name: "busted-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: untilBlankBlock, need: []string{"failure →", "error →"},
		re: re(`^(Failure|Error) → \S+ @ \d+$`)},
	// zig: "error: 'mod.test.name' failed:" and its expected/found and
	// trace; the build runner's "the following command failed" lines
	// restate it.
	{name: "zig-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: deeperBlock, need: []string{"' failed:"},
		re: re(`^error: '\S[^']*' failed:$`)},
	{name: "zig-wrapper", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"the following", "while executing test"},
		re: re(`^error: (the following (build )?command failed|while executing test )`)},
	// linkinator's and broken-link-checker's "[404] url".
	{name: "link-check", category: CategoryLint, severity: sevE, score: 0.55, lead: "[",
		re: re(`^\[([45]\d\d|0)\] https?://\S+`)},
	// markdown-link-check's "[✖] url → Status: 404".
	{name: "link-check", category: CategoryLint, severity: sevE, score: 0.6, need: []string{"[✖]"},
		re: re(`^\s*\[✖\] \S+`)},
	// Karma: "<browser> (<os>) <suite> <test> FAILED" or "<browser>
	// (<os>) ERROR" and the message indented under it.
	{name: "karma-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: deeperGapBlock, need: []string{") error", " failed"},
		re: re(`^[A-Z][\w ]*\d+\.\d+[\w.]* \([^)]*\)( .+)? (FAILED|ERROR)$`)},
	// mocha's epilogue: "N failing", then each failure numbered with its
	// suite, title, error and stack (the spec reporter's inline "1) title"
	// during the run has none of them).
	{name: "mocha-failures", category: CategoryTestFailure, severity: sevE, score: 0.75, block: epilogueBlock, need: []string{" failing"},
		re: re(`^\s*\d+ failing$`)},
	// tasty: "name:  FAIL (0.06s)" in the test tree, the reason indented
	// under it.
	{name: "tasty-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: deeperGapBlock, need: []string{"fail"},
		re: re(`^\s+\S.*:\s+FAIL( \(\d+(\.\d+)?m?s\))?$`)},
	{name: "go-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: goTestBlock, need: []string{"--- fail:"},
		re: re(`^\s*--- FAIL: `)},
	{name: "go-panic", category: CategoryPanic, severity: sevE, score: 0.85, block: goPanicBlock, need: []string{"panic: ", "fatal error: "},
		re: re(`^(panic: |fatal error: (all goroutines|concurrent map|runtime|stack overflow|out of memory|unexpected signal))`)},
	{name: "go-data-race", category: CategoryTestFailure, severity: sevE, score: 0.75, block: goPanicBlock, need: []string{"data race"},
		re: re(`^WARNING: DATA RACE`)},
	{name: "junit-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: javaBlock, need: []string{"<<< failure!", "<<< error!"},
		re: re(`<<< (FAILURE|ERROR)!`)},
	{name: "pytest-assertion", category: CategoryTestFailure, severity: sevE, score: 0.7, block: pytestBlock, lead: "E",
		re: re(`^E\s{2,}\S`)},
	// Jest's "● Console" block holds what tests printed (console.error
	// included), passing tests as much as failing ones.
	{name: "noise:jest-console", category: CategoryTestFailure, severity: sevI, score: 0.03, block: jestBlock, need: []string{"● console"},
		re: re(`^\s*● Console$`)},
	{name: "jest-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: jestBlock, lead: "\xe2",
		re: re(`^\s*● \S`)},
	// ESLint's and stylelint's closing count: warnings only, or a count of
	// the errors listed above it.
	{name: "lint-summary", category: CategoryLint, severity: sevW, score: 0.05, trailer: followOn, need: []string{"problem (", "problems ("},
		re: re(`^✖ \d+ problems? \(0 errors?, \d+ warnings?\)`)},
	{name: "lint-summary", category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn, need: []string{"problem (", "problems ("},
		re: re(`^✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)`)},
	{name: "test-marked-failed", category: CategoryTestFailure, severity: sevE, score: 0.5, lead: "\xe2\xc3",
		re: re(`^\s*(✕|✖|×|✗|✘|⨯) +\S`)},
	{name: "gradle-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: indentedBlock, need: []string{" failed"},
		re: re(`^[\w.$]+ > .+ FAILED$`)},
	{name: "test-file-failed", category: CategoryTestFailure, severity: sevE, score: 0.45, need: []string{"fail "},
		re: re(`^FAIL \S+\.(test|spec)\.[cm]?[jt]sx?\b`)},
	{name: "rust-panic", category: CategoryPanic, severity: sevE, score: 0.85, block: numberedBlock, need: []string{"panicked at"},
		re: re(`^thread '[^']*' panicked at`)},
	{name: "noise:test-section", category: CategorySummary, severity: sevI, score: 0.03, need: []string{"failures", "errors", "short test summary", "failed examples"},
		re: re(`^(=+ (FAILURES|ERRORS|short test summary info) =+|Failures:|failures:|Failed examples:|Errors:)$`)},
	{name: "noise:pytest-source", category: CategoryTestFailure, severity: sevI, score: 0.03, lead: ">",
		re: re(`^>\s{3,}\S`)},
	{name: "rust-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.55, need: []string{"... failed"},
		re: re(`^test \S+ \.\.\. FAILED$`)},
	{name: "rust-test-output", category: CategoryTestFailure, severity: sevE, score: 0.6, block: rustBlock, need: []string{" stdout ----"},
		re: re(`^---- \S+ stdout ----$`)},
	{name: "python-unittest-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, need: []string{"fail: ", "error: "},
		re: re(`^(FAIL|ERROR): \w+ \([\w.]+\)`)},
	{name: "pytest-summary", category: CategoryTestFailure, severity: sevE, trailer: summary, score: 0.45, need: []string{"failed ", "error "},
		re: re(`^(FAILED|ERROR) \S+::\S+`)},
	{name: "rspec-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: indentedBlock, need: []string{"failure/error:"},
		re: re(`^\s*Failure/Error: `)},
	{name: "rspec-rerun", category: CategoryTestFailure, severity: sevE, trailer: summary, score: 0.4, need: []string{"rspec ./"},
		re: re(`^rspec \./\S+:\d+ # `)},
	{name: "dotnet-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.7, block: indentedBlock, need: []string{"failed "},
		re: re(`^\s*Failed \S+ \[[\d.]+ ?(ms|s|m)\]`)},
	{name: "numbered-failure", category: CategoryTestFailure, severity: sevE, score: 0.55, block: numberedBlock, lead: "0123456789",
		re: re(`^\s*\d+\) (\[[\w -]+\] › \S|[\w\\]+(::|\.|#| )\S)`)},
	{name: "test-failure-header", category: CategorySummary, severity: sevE, trailer: summary, score: 0.4, need: []string{"there was", "there were"},
		re: re(`^There (was|were) \d+ (failure|error)s?:`)},

	// A wrapper header and the reason printed right under it: one finding
	// whose message is the reason.
	{name: "rake-aborted", category: CategoryBuildFailure, severity: sevE, score: 0.7, block: rakeBlock, need: []string{"rake aborted!"},
		re: re(`^rake aborted!$`)},
	{name: "rebar3-compile-failed", category: CategoryCompileError, severity: sevE, score: 0.7, block: headerBlock, need: []string{"===> compiling "},
		re: re(`^===> Compiling \S+ failed$`)},
	{name: "sphinx-warning-error", category: CategoryLint, severity: sevE, score: 0.7, block: headerBlock, need: []string{"treated as error"},
		re: re(`^Warning, treated as error:$`)},
	{name: "xcodebuild-testing-failed", category: CategoryTestFailure, severity: sevE, score: 0.45, trailer: summary, block: indentedBlock, need: []string{"testing failed:"},
		re: re(`^Testing failed:$`)},

	// Compilers and type checkers.
	{name: "maven-compile-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: mavenBlock, need: []string{"[error]"},
		re: re(`^\[ERROR\] \S+\.(java|kt|scala|groovy):(\[\d+(,\d+)?\]|\d+:?) `)},
	{name: "maven-compile-error", category: CategoryCompileError, severity: sevE, score: 0.45, need: []string{"compilation error"},
		re: re(`^\[ERROR\] COMPILATION ERROR`)},
	{name: "maven-goal-failed", category: CategoryBuildFailure, severity: sevE, trailer: summary, score: 0.6, block: mavenBlock, need: []string{"failed to execute goal"},
		re: re(`^\[ERROR\] Failed to execute goal `)},
	{name: "maven-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.65, need: []string{"[error]"},
		re: re(`^\[ERROR\]\s+[\w$.]+[.:#]\w+:\d+ `)},
	{name: "maven-dependency", category: CategoryDependency, severity: sevE, score: 0.75, block: mavenBlock, need: []string{"could not resolve", "could not find artifact", "could not transfer", "non-resolvable"},
		re: re(`(?i)(could not resolve dependencies|could not find artifact|could not transfer artifact|non-resolvable (parent|import))`)},
	{name: "gradle-failure", category: CategoryBuildFailure, severity: sevE, trailer: summary, score: 0.75, block: gradleBlock, need: []string{"failure: build failed", "what went wrong"},
		re: re(`^(FAILURE: Build failed with an exception|\* What went wrong:)`)},
	{name: "gradle-task-failed", category: CategoryBuildFailure, severity: sevE, trailer: summary, score: 0.45, need: []string{"failed"},
		re: re(`^> Task \S+ FAILED$`)},
	{name: "kotlin-compile-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: compilerBlock, trimmed: true, lead: "e",
		re: re(`^e: (file://)?\S+\.kts?(:\d+:\d+|: \(\d+, \d+\)):? `)},
	{name: "typescript-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: compilerBlock, need: []string{"error ts"},
		re: re(`(?i)error TS\d+:`)},
	{name: "rust-compile-error", category: CategoryCompileError, severity: sevE, score: 0.85, block: rustBlock, need: []string{"error["},
		re: re(`^error\[E\d+\]: `)},
	{name: "compiler-error", category: CategoryCompileError, severity: sevE, score: 0.85, block: compilerBlock, need: []string{"error:"},
		re: re(`^\S+?:\d+(:\d+)?: (fatal )?error:( |$)`)},
	{name: "compiler-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: compilerBlock, need: []string{"): error", "): fatal error"},
		re: re(`^\S+\(\d+(,\d+)?\): (fatal )?error [A-Z]*\d*:?`)},
	{name: "dotnet-build-error", category: CategoryCompileError, severity: sevE, score: 0.8, need: []string{": error ", ": fatal error "},
		re: re(`: (fatal )?error [A-Z]{1,6}\d{2,5}\s*:`)},
	{name: "linker-error", category: CategoryCompileError, severity: sevE, score: 0.8, need: []string{"undefined reference", "undefined symbol", "ld: "},
		re: re(`(undefined reference to|undefined symbols? for architecture|^ld(\.\w+)?: .*(error|cannot find)|ld: symbol\(s\) not found|^ld: (library|framework) .* not found)`)},
	{name: "cmake-error", category: CategoryBuildFailure, severity: sevE, score: 0.75, block: indentedBlock, need: []string{"cmake error"},
		re: re(`^CMake Error`)},
	{name: "go-compile-error", category: CategoryCompileError, severity: sevE, score: 0.75, block: compilerBlock, need: []string{".go:"},
		re: re(`^(\.{0,2}/)?[\w./@-]+\.go:\d+(:\d+)?: \S`)},
	{name: "go-module-error", category: CategoryDependency, severity: sevE, score: 0.6, lead: "g", fn: goModuleError},
	{name: "python-syntax-error", category: CategoryCompileError, severity: sevE, score: 0.75, need: []string{"syntaxerror", "indentationerror"},
		re: re(`^\s*(SyntaxError|IndentationError|TabError): `)},
	{name: "lint-violation", category: CategoryLint, severity: sevE, score: 0.6, need: []string{".py:", ".rb:", ".pyi:"},
		re: re(`^\S+\.(py|pyi|rb):\d+:\d+: ([A-Z]\d{3,4}:?|[CWEF]:|[A-Z]{1,3}\d{3}) `)},
	{name: "lint-violation", category: CategoryLint, severity: sevE, score: 0.6, need: []string{" line "},
		re: re(`^In \S+ line \d+:$`)}, // shellcheck
	{name: "formatting-check", category: CategoryLint, severity: sevE, score: 0.65, need: []string{"would reformat", "would be reformatted", "code style issues", "forgot to run prettier", "not formatted", "needs formatting", "formatted properly", "incorrect formatting", "incorrectly sorted"},
		re: re(`(?i)(would reformat|would be reformatted|code style issues found|forgot to run prettier|files? (are|is) not formatted|needs? formatting|isn't formatted properly|has incorrect formatting$|imports are incorrectly sorted)`)},
	// Formatters' diffs: rustfmt --check, cljfmt, gofmt -d, shfmt -d,
	// clang-format or go mod tidy + git diff --exit-code.
	{name: "formatting-check", category: CategoryLint, severity: sevE, score: 0.55, block: diffBlock, need: []string{"diff in "},
		re: re(`^Diff in \S+ at line \d+:$`)},
	{name: "diff-output", category: CategoryLint, severity: sevE, score: 0.45, block: diffBlock, need: []string{"diff --git", "@@ -"},
		re: re(`^(diff --git a/\S+ b/\S+$|@@ -\d+(,\d+)? \+\d+(,\d+)? @@)`)},
	{name: "formatting-check", category: CategoryLint, severity: sevE, score: 0.45, need: []string{"changed)"},
		re: re(`^Formatted \d+ files? \([1-9]\d* changed\)`)},
	{name: "size-limit", trimmed: true, category: CategoryLint, severity: sevE, score: 0.7, block: untilBlankBlock, need: []string{"size limit has exceeded", "size limit exceeded"},
		re: re(`(?i)^(package )?size limit (has )?exceeded\b`)},
	{name: "link-check", category: CategoryLint, severity: sevE, score: 0.7, block: untilBlankBlock, need: []string{"issues :-("},
		re: re(`^Issues :-\($`)},
	{name: "cargo-audit-advisory", category: CategoryDependency, severity: sevE, score: 0.6, block: untilBlankBlock, need: []string{"crate:    "},
		re: re(`^Crate:\s+\S+$`)},
	{name: "coverage-threshold", category: CategoryLint, severity: sevE, score: 0.7, need: []string{"threshold", "coverage"},
		re:  re(`(?i)(coverage.{0,60}\b(threshold|minimum)\b.{0,60}\b(not met|not reached|below|fail)|does not meet.{0,40}threshold|coverage.{0,40}\bis below\b|required test coverage of .* not reached)`),
		pre: coverageWords},
	{name: "merge-conflict", category: CategoryError, severity: sevE, score: 0.7, need: []string{"conflict"},
		re: re(`^(CONFLICT \(|Automatic merge failed|error: could not apply)`)},
	// Elixir's "** (Kind) message" for raised errors, throws, exits and
	// Mix errors, its stacktrace indented under it.
	{name: "elixir-error", category: CategoryException, severity: sevE, score: 0.75, block: indentedBlock, need: []string{"** ("},
		re: re(`^\s*\*\* \((throw|exit|EXIT( from [^)]*)?|Mix|[A-Z]\w*(\.\w+)*(Error|Exception|Exit))\) `)},
	// ESLint's stylish report: "  14:7  error  msg  rule" rows under each
	// file's path, one finding up to the "✖ N problems" count.
	{name: "eslint-error", category: CategoryLint, severity: sevE, score: 0.6, block: eslintBlock, need: []string{"  error  "},
		re: re(`^\s+\d+:\d+\s+error\s+\S`)},

	// Infrastructure.
	{name: "disk-full", category: CategoryDiskFull, severity: sevE, score: 0.85, need: []string{"no space left", "enospc", "quota exceeded", "not enough space", "insufficient disk"},
		re: re(`(?i)\b(no space left on device|enospc|disk quota exceeded|not enough space on the disk|insufficient disk space)\b`)},
	{name: "timeout", category: CategoryTimeout, severity: sevE, score: 0.6, need: []string{"timed out", "timeout", "time-out", "time out", "deadline exceeded", "etimedout"},
		re: re(`(?i)\b(timed out|time-?out (after|of|expired|exceeded|reached|waiting)|deadline exceeded|etimedout|timeout\b.{0,30}\b(exceeded|expired|elapsed|reached))\b`)},
	{name: "cancelled", category: CategoryCancelled, severity: sevE, score: 0.5, need: []string{"cancel", "abort", "sigterm", "sigint", "interrupt"},
		re: re(`(?i)(the operation was cancell?ed|job was cancell?ed|\b(was|been|build|job|run|workflow|pipeline|stage) cancell?ed by|(build|job) was aborted|aborted by|received (sigterm|sigint)|canceling since a higher priority|was interrupted)`)},
	{name: "dns-failure", category: CategoryNetwork, severity: sevE, score: 0.7, need: []string{"resolve", "name resolution", "name or service", "no such host", "enotfound", "eai_again"},
		re: re(`(?i)\b(could not resolve host|temporary failure in name resolution|name or service not known|no such host|enotfound|eai_again|could not resolve hostname|failed to resolve (host|hostname|address)\b|failed to resolve '?[\w-]+(\.[\w-]+)+'?( |:|$))`)},
	{name: "connection-failure", category: CategoryNetwork, severity: sevE, score: 0.6, need: []string{"connection", "econn", "broken pipe", "unreachable", "no route", "unexpected eof", "failed to connect", "unable to access"},
		re: re(`(?i)\b(connection refused|econnrefused|connection reset|econnreset|connection timed out|connection closed|broken pipe|network is unreachable|no route to host|unexpected eof|remote end closed connection|failed to connect|unable to access '[^']*':)`)},
	{name: "tls-failure", category: CategoryTLS, severity: sevE, score: 0.7, need: []string{"x509", "certificate", "ssl", "tls handshake"},
		re: re(`(?i)\b(x509:|certificate verify failed|ssl certificate problem|certificate has expired|unable to get local issuer certificate|tls handshake|ssl routines|self[- ]signed certificate)`)},
	{name: "rate-limited", category: CategoryRateLimit, severity: sevE, score: 0.7, need: []string{"429", "too many requests", "rate limit", "toomanyrequests"},
		re: re(`(?i)(\b(too many requests|rate limit(ed)?( exceeded)?|toomanyrequests)\b|\b(status|code|error|http/[\d.]+|response)\W{1,3}429\b|\b429 too)`)},
	{name: "http-5xx", category: CategoryHTTPError, severity: sevE, score: 0.65, need: []string{"internal server error", "bad gateway", "service unavailable", "gateway time", "error: 5", "status code: 5", "status code 5", "status: 5", "status 5", "http/1.1 5", "http/2 5", "http/1.0 5"},
		re: re(`(?i)(internal server error|bad gateway|service unavailable|gateway time-?out|returned error: 5\d\d|status( code)?:? 5\d\d\b|http/\d(\.\d)? 5\d\d|response status code: 5\d\d)`)},
	{name: "http-4xx", category: CategoryHTTPError, severity: sevE, score: 0.55, need: []string{"error: 4", "status code: 4", "status code 4", "status: 4", "status 4", "404", "401", "403"},
		re: re(`(?i)(returned error: 40[0-9]|status( code)?:? 40[134]\b|\b404 not found|\b401 unauthorized|\b403 forbidden|\be404\b)`)},
	{name: "permission-denied", category: CategoryPermission, severity: sevE, score: 0.6, need: []string{"denied", "eacces", "not permitted", "authentication failed", "bad credentials", "not authorized", "requires authentication"},
		re: re(`(?i)\b(permission denied|eacces|operation not permitted|access (is )?denied|authentication failed|bad credentials|not authorized|requires authentication)\b`)},
	// "Forbidden" and "Unauthorized" only as a status: "403 Forbidden",
	// "(Forbidden)", "is forbidden: ", "error: unauthorized", not a file,
	// branch or licence text that names them.
	{name: "permission-denied", category: CategoryPermission, severity: sevE, score: 0.6, need: []string{"forbidden", "unauthorized"}, fn: statusWord},

	// Dependencies and tools.
	{name: "missing-module", category: CategoryDependency, severity: sevE, score: 0.75, need: []string{"no module named", "cannot find module", "can't resolve", "module not found", "could not find a version", "no matching distribution", "resolutionimpossible", "could not find gem", "gemnotfound", "requirements could not be resolved", "unable to resolve dependency", "eresolve", "could not resolve dependencies", "cannot find package", "no required module provides", "package not found", "couldn't find package", "failed to resolve import"},
		re: re(`(?i)(no module named|cannot find module|can't resolve|module not found|could not find a version that satisfies|no matching distribution found|resolutionimpossible|could not find gem|gemnotfound|requirements could not be resolved|unable to resolve dependency|\beresolve\b|could not resolve dependencies|cannot find package|no required module provides|package .* not found|couldn't find package|failed to resolve import)`)},
	{name: "npm-error", category: CategoryDependency, severity: sevE, score: 0.55, block: npmBlock, need: []string{"npm err!", "npm error"},
		re: re(`^npm (ERR!|error) `)},
	{name: "pnpm-error", category: CategoryDependency, severity: sevE, score: 0.55, need: []string{"err_pnpm_"},
		re: re(`ERR_PNPM_\w+`)},
	{name: "composer-problem", category: CategoryDependency, severity: sevE, score: 0.7, block: indentedBlock, need: []string{"problem "},
		re: re(`^\s*Problem \d+$`)},
	{name: "php-fatal", category: CategoryCrash, severity: sevE, score: 0.85, need: []string{"fatal error", "parse error"},
		re: re(`^(PHP )?(Fatal|Parse) error: `)},
	{name: "command-not-found", category: CategoryCommandNotFound, severity: sevE, score: 0.75, need: []string{"not found", "not recognized", "executable file not found"},
		re: re(`(?i)(: command not found|^(\S+: )+(\d+: )?[\w.+-]+: not found$|is not recognized as an internal or external command|executable file not found in \$path)`)},
	{name: "shell-syntax", category: CategoryError, severity: sevE, score: 0.7, need: []string{"syntax error", "unexpected end of file", "bad substitution", "unbound variable"},
		re: re(`(syntax error near unexpected token|syntax error: unexpected|unexpected end of file|bad substitution|unbound variable)`)},
	{name: "file-not-found", category: CategoryFileNotFound, severity: sevE, score: 0.55, need: []string{"no such file", "cannot stat", "cannot open", "cannot access", "enoent", "file not found", "filenotfounderror"},
		re: re(`(?i)(no such file or directory|cannot stat|cannot open|cannot access|enoent|file not found|filenotfounderror)`)},

	// Docker and Terraform.
	{name: "docker-build-error", category: CategoryDocker, severity: sevE, score: 0.7, block: indentedBlock, need: []string{" error", "error:", "error ["},
		re: re(`^(#\d+ (\[[^\]]*\] )?\d*\.?\d* ?ERROR:? |ERROR: failed to solve: |ERROR \[|Error response from daemon: )`)},
	{name: "docker-pull-error", category: CategoryDocker, severity: sevE, score: 0.75, need: []string{"manifest unknown", "pull access denied", "error pulling image", "failed to pull"},
		re: re(`(?i)(manifest unknown|pull access denied|error pulling image|failed to pull image)`)},
	{name: "terraform-error", category: CategoryTerraform, severity: sevE, score: 0.8, block: terraformBlock, need: []string{"│ error: "},
		re: re(`^│ Error: `)},

	// Exceptions and tracebacks.
	{name: "python-traceback", category: CategoryException, severity: sevE, score: 0.8, block: pyTracebackBlock, need: []string{"traceback"},
		re: re(`^\s*Traceback \(most recent call last\):`)},
	{name: "caused-by", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"caused by"},
		re: re(`^\s*Caused by: `)},
	{name: "exception", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"exception", "error", "throwable"},
		re: re(`^\s*(Exception in thread "[^"]*" |Uncaught |Unhandled |\w+: )?([a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(Exception|Error|Throwable)\b(:.*|\s*$)`)},
	{name: "exception", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"error", "exception", "exit", "interrupt"},
		re: re(`^\s*(Uncaught |Unhandled )?[A-Z][\w$]*(Error|Exception|Exit|Interrupt)(\s?\[\w+\])?: \S`)},
	{name: "exception", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"error:", "exception:"},
		re: re(`^\s*([A-Z]\w*::)+[A-Z]\w*(Error|Exception):`)},
	{name: "ruby-exception", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"error)", "exception)"},
		re: re(`\((\w+::)*\w+(Error|Exception)\)$`)},

	// Linters' own report formats. A linter that fails the build on
	// warnings prints them in these shapes, often with no failure word.
	{name: "pylint-module", category: CategoryLint, severity: sevE, score: 0.55, block: rustBlock, need: []string{"* module "},
		re: re(`^\*{5,} Module \S+$`)},
	{name: "hlint-hint", category: CategoryLint, severity: sevE, score: 0.5, block: rustBlock, need: []string{": warning: ", ": suggestion: ", ": error: "},
		re: re(`^\S+\.l?hs:\d+:\d+(-\d+)?: (Warning|Suggestion|Error): `)},
	{name: "lintr-lint", category: CategoryLint, severity: sevE, score: 0.55, block: compilerBlock, need: []string{": style: ", ": warning: ", ": error: "},
		re: re(`^\S+\.[Rr](md)?:\d+:\d+: (style|warning|error): `)},
	{name: "markdownlint", category: CategoryLint, severity: sevE, score: 0.55, block: lintListBlock, need: []string{" md0"},
		re: re(`^\S+\.(md|markdown): ?\d+(:\d+)?:? MD\d{3}\b`)},
	{name: "credo-issue", category: CategoryLint, severity: sevE, score: 0.5, block: credoBlock, need: []string{"┃ ["},
		re: re(`^┃ \[[A-Z]\] \S+ \S`)},
	{name: "phpstan-table", category: CategoryLint, severity: sevE, score: 0.6, block: tableBlock, need: []string{"line   "},
		re: re(`^\s*Line {2,}\S+\.php$`)},
	{name: "htmlhint-issue", category: CategoryLint, severity: sevE, score: 0.55, block: deeperBlock, lead: "L", trimmed: true,
		re: re(`^L\d+ \|`)},
	{name: "perlcritic-violation", category: CategoryLint, severity: sevE, score: 0.5, need: []string{"(severity: "},
		re: re(`^(\S+: )?.+ at line \d+, column \d+\.\s+.*\(Severity: \d\)$`)},
	// A tool's closing count of the failures it listed above, in four
	// rules by the literal each needs.
	{name: "closing-count", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn,
		need: []string{"found"},
		re: re(`(?i)^(\[error\] )?(found \d+ errors?\b|(\d+|one|two|three|four|five) errors? found|(error: )?\d+ vulnerabilit(y|ies) found|` +
			`error: (lints|r cmd check) found|scanned \d+ files?, found \d+ errors?|done linting! found \d+ violations?|html-proofer found \d+ failures?)`)},
	{name: "closing-count", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn,
		need: []string{"tests failed", "test failed", "failed:", "failed)", "test programs", "looks like you failed", "result: fail",
			"is detected", "are detected", "ℹ fail"},
		re: re(`(?i)^(\d+ out of \d+ tests failed|× \d+ of \d+ tests? failed|\d+ tests? failed$|some tests failed\.?$|tests failed\.$|` +
			`failed: \d+\.\s+skipped: \d+\.\s+passed: \d+|failed: +\d+ tests?$|executed \d+ of \d+ .*\(\d+ failed\)|total: \d+ failed|` +
			`error: cabal: tests failed|tests failed for test:|failed \d+/\d+ test programs|# looks like you failed \d+ tests? of|(overall )?result: fail|` +
			`\*\*\* \d+ failures? (is|are) detected in the test module|ℹ fail [1-9])`)},
	{name: "closing-count", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn,
		need: []string{"failure"},
		re:   re(`(?i)^(\d+ (tests|examples|specs), \d+ failures?|executed \d+ tests?, with \d+ failures?|\d+ failures?, \d+ errors?\.$|error: test failures$)`)},
	{name: "closing-count", trimmed: true, category: CategorySummary, severity: sevE, score: 0.3, trailer: followOn,
		need: []string{"generated", "passed", "occurred running", "test files", "dubious", "[ fail ", "treated as errors", "werror",
			"weighted", "checkstyle violation", "chart(s) linted", "lint! »", "build summary", "status: ", "build stopped",
			"did not complete", "linting took", "success/total", "test suite ", "failed to build", "treated as error", "aborted due to warnings", "too many warnings"},
		re: re(`(?i)^(\d+ errors? generated|failed \d+ tests?\. passed \d+|===> (failures|errors|warnings) occurred running|test files +\d+ failed|` +
			`dubious, test returned|\[ fail \d+ \| warn \d+|cc1\w*: (some |all )?warnings being treated as errors|failing due to -werror|` +
			`analysis failed with \d+ weighted|you have \d+ checkstyle violations?|error: \d+ chart\(s\) linted, \d+ chart\(s\) failed|` +
			`✗ lint! » \d+ errors?|build summary: \d+/\d+ steps succeeded; \d+ failed|status: \d+ errors?|ninja: build stopped|` +
			`latexmk: errors, so i did not complete|linting took .*, errors: \d+|success/total: \d+/\d+|test suite \S+: fail$|error: cabal: failed to build|` +
			`\d+ warnings? treated as errors?|aborted due to warnings|eslint found too many warnings)`)},

	// SwiftLint's "file.swift:l:c: warning: X Violation: msg (rule_id)":
	// a lint complaint even at warning level (--strict fails on it).
	{name: "swiftlint-violation", category: CategoryLint, severity: sevE, score: 0.45, block: lintListBlock, need: []string{" violation: "},
		re: re(`^\S+\.swift:\d+(:\d+)?: (warning|error): .+ Violation: .+ \(\w+\)$`)},

	// Warnings: mentioned, never ranked high.
	{name: "warning", category: CategoryWarning, severity: sevW, score: 0.1, need: []string{"warn", "w: "},
		re: re(`(?i)^\s*(\[?warn(ing)?\]?[:\s!]|w: |npm warn|\S+:\d+(:\d+)?: warning:|\S+\(\d+(,\d+)*\): warning [a-z]*\d+:|(latex|package \S+|class \S+|pdftex) warning)`)},
	// A deprecation anywhere in the line, apart: as an alternative of the
	// pattern above (".*deprecat") it made Go's matcher walk every line
	// that mentions a warning to its end, 2 µs a line.
	{name: "warning", category: CategoryWarning, severity: sevW, score: 0.1, need: []string{"deprecat"}, re: re(`(?i)deprecat`)},
	{name: "warning", category: CategoryWarning, severity: sevW, score: 0.1, need: []string{"failed to resolve"},
		re: re(`(?i)^\s*latex failed to resolve \d+ (reference|citation)`)}, // latexmk's summary of warnings
	// detekt's "file:l:c: msg [RuleId]" and ktlint's "(standard:rule)".
	{name: "kotlin-lint", category: CategoryLint, severity: sevE, score: 0.6, block: lintListBlock, need: []string{".kt:", ".kts:"},
		re: re(`^\S+\.kts?:\d+:\d+: .+ (\[\w+\]|\([\w-]+:[\w-]+\))$`)},
	{name: "yaml-lint", category: CategoryLint, severity: sevE, score: 0.45, block: lintListBlock, need: []string{".yml:", ".yaml:"},
		re: re(`^\S+\.ya?ml:\d+(:\d+)? \S`)},
	// A "file:line: message" diagnostic of a tool that prints no failure
	// word, after the warnings: not Python's "file:12: in <module>"
	// frames or "file:3: FooWarning".
	{name: "source-diagnostic", category: CategoryLint, severity: sevE, score: 0.5, block: lintListBlock, trimmed: true, fn: diagnosticMessage,
		need: append([]string{".go:", ".py:", ".rb:"}, diagnosticExts...),
		re:   re(`^(\./)?[\w./@+-]*\w\.(kt|kts|hs|lhs|vim|lua|exs?|erl|clj[sc]?|md|rst|pm|pl|sh|bash|coffee|swift|php|scala|java|[cm]?jsx?|tsx?|rs|dart|zig|ya?ml|s?css|less|html|tex|cpp|cc|hpp|cs|elm|nim|jl|ml|sql|proto|tf|py|pyi|rb):\d+(:\d+)?(-\d+)?:( \S|[A-Za-z])`)},

	// The generic vocabulary, last.
	{name: "git-fatal", category: CategoryError, severity: sevE, score: 0.65, need: []string{"fatal:"},
		re: re(`^(fatal|error): \S`)},
	{name: "error-prefix", category: CategoryError, severity: sevE, score: 0.55, block: indentedBlock, need: []string{"error", "fatal", "fail", "critical", "severe"},
		re: re(`^(\[?(ERROR|FATAL|FAIL|FAILED|FAILURE|CRITICAL|SEVERE|Error|Fatal|error|fatal)\]?)(:|\s|$)`), trimmed: true},
}

// Blocks: which lines after a trigger line belong to its finding. The
// rules above name them; rangeCap is in lines.
var (
	// singleLine is the block of a rule that names none.
	singleLine = &blockSpec{rangeCap: maxRangeLines}

	// indentedBlock: the lines indented deeper than the trigger (an error
	// line and its details), unless one opens a structured block.
	indentedBlock = &blockSpec{rangeCap: 25, promotes: true, continues: func(b *block, l *lineView) join {
		switch {
		case len(l.trim) == 0 || l.indent <= b.indent:
			return joinNo
		case b.score >= 0.6:
			return joinYes
		}
		return joinUnlessOwn
	}}

	// javaBlock: a JVM stack trace: "at ..." frames, "... N more",
	// "Suppressed:" and deeper indentation; "Caused by:" is a finding of
	// its own.
	javaBlock = &blockSpec{rangeCap: 12, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		if len(t) == 0 || bytes.HasPrefix(t, []byte("Caused by:")) {
			return joinNo
		}
		return joinIf(bytes.HasPrefix(t, []byte("at ")) || bytes.HasPrefix(t, []byte("... ")) ||
			bytes.HasPrefix(t, []byte("Suppressed: ")) || l.indent > b.indent)
	}}

	// pyTracebackBlock: indented frames, then the exception line, which
	// ends the traceback and is its message.
	pyTracebackBlock = &blockSpec{rangeCap: 20, structured: true, keepTail: true,
		continues: func(b *block, l *lineView) join {
			switch {
			case len(l.trim) == 0:
				return joinNo
			case l.indent > b.indent:
				return joinYes
			}
			return joinLast
		},
		head:  func(b *block, l *lineView) bool { return l.indent <= b.indent && len(l.trim) > 0 },
		wraps: func(_ *block, msg []byte) bool { return pythonWrapper(msg) }, wrapper: &pythonWrapperRule}

	// headerBlock: a header that only says something failed ("===>
	// Compiling x failed", "Warning, treated as error:") and the lines
	// right under it, up to a blank line; the first of them is the message.
	headerBlock = &blockSpec{rangeCap: 12, structured: true,
		continues: func(_ *block, l *lineView) join { return joinIf(len(l.trim) > 0) },
		head:      firstUnderHeader}

	// rakeBlock: "rake aborted!", the error under it (blank lines
	// included) and its backtrace, up to "Tasks: TOP => ...".
	rakeBlock = &blockSpec{rangeCap: 12, structured: true, head: firstUnderHeader,
		wraps: func(_ *block, msg []byte) bool { return bytes.HasPrefix(msg, []byte("Command failed with status")) }, wrapper: &rakeWrapperRule,
		continues: func(b *block, l *lineView) join {
			switch {
			case bytes.HasPrefix(l.trim, []byte("Tasks: ")) || bytes.HasPrefix(l.trim, []byte("(See full trace")):
				return joinNo
			case len(l.trim) == 0:
				return joinIf(b.blanks < 1)
			}
			return joinYes
		}}

	// goPanicBlock: a Go panic or data race and its goroutine dumps, up to
	// the next unrelated line.
	goPanicBlock = &blockSpec{rangeCap: 20, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		if len(t) == 0 {
			return joinIf(b.blanks == 0)
		}
		return joinIf(l.indent > 0 || bytes.HasPrefix(t, []byte("goroutine ")) || bytes.HasPrefix(t, []byte("created by ")) ||
			goFrame(t) || bytes.HasPrefix(t, []byte("[signal ")) || bytes.HasPrefix(t, []byte("Previous ")) ||
			bytes.HasPrefix(t, []byte("Write at ")) || bytes.HasPrefix(t, []byte("Read at ")) ||
			bytes.HasPrefix(t, []byte("Goroutine ")) || bytes.HasPrefix(t, []byte("==================")))
	}}

	// goTestBlock: "--- FAIL: TestX" and everything indented under it, with
	// what TestX printed before it.
	goTestBlock = &blockSpec{rangeCap: 25, structured: true, testOutput: true, continues: deeperIndented}

	// compilerBlock: a compiler diagnostic's source excerpt, caret and note
	// lines, up to the next diagnostic.
	compilerBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0 || b.absorbed >= 12:
			return joinNo
		case compilerNote.Match(t):
			return joinYes
		}
		return joinIf(l.indent > b.indent && !diagnosticStart.Match(t))
	}}

	// credoBlock: a Credo issue and the "┃" lines under it.
	credoBlock = &blockSpec{rangeCap: 8, structured: true, continues: func(_ *block, l *lineView) join {
		return joinIf(bytes.HasPrefix(l.trim, []byte("┃ ")) && !bytes.HasPrefix(l.trim, []byte("┃ [")))
	}}

	// tableBlock: a table of findings (PHPStan's) up to the next blank
	// line; its first row is the message.
	tableBlock = &blockSpec{rangeCap: 20, structured: true,
		continues: func(_ *block, l *lineView) join { return joinIf(len(l.trim) > 0) },
		head: func(b *block, l *lineView) bool {
			return b.head == 0 && len(l.trim) > 0 && l.trim[0] >= '0' && l.trim[0] <= '9'
		}}

	// lintListBlock: a linter's list of "file:line" complaints, with the
	// source and caret lines under them: one finding for the list.
	lintListBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(b *block, l *lineView) join {
		return joinIf(len(l.trim) > 0 && (l.indent > b.indent || fileLineStart.Match(l.trim)))
	}}

	// diffBlock: a unified diff: its header, hunks and their lines.
	diffBlock = &blockSpec{rangeCap: 25, structured: true, continues: func(b *block, l *lineView) join {
		t := l.text
		if len(t) == 0 {
			return joinIf(b.blanks == 0)
		}
		switch t[0] {
		case ' ', '+', '-', '\\':
			return joinYes
		}
		return joinIf(bytes.HasPrefix(t, []byte("@@ ")) || bytes.HasPrefix(t, []byte("index ")) ||
			bytes.HasPrefix(t, []byte("diff ")) || bytes.HasPrefix(t, []byte("new file mode")) || bytes.HasPrefix(t, []byte("deleted file mode")))
	}}

	// untilBlankBlock: the trigger and the lines after it up to a blank
	// line (a report's header and its items).
	untilBlankBlock = &blockSpec{rangeCap: 15, structured: true,
		continues: func(_ *block, l *lineView) join { return joinIf(len(l.trim) > 0) }}

	// sanitizerBlock: a sanitizer's report: its access, stack frames and
	// the allocation's, blank lines included, up to its SUMMARY line.
	sanitizerBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0:
			return joinIf(b.blanks == 0)
		case bytes.HasPrefix(t, []byte("SUMMARY: ")):
			return joinLast
		}
		return joinIf(l.indent > b.indent || t[0] == '#' || bytes.HasPrefix(t, []byte("==")) ||
			sanitizerDetail.Match(t))
	}}

	// valgrindBlock: a valgrind error and its "==PID==" stack lines, up to
	// the empty "==PID==" line.
	valgrindBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(_ *block, l *lineView) join {
		t := l.trim
		if !bytes.HasPrefix(t, []byte("==")) {
			return joinNo
		}
		i := bytes.Index(t[2:], []byte("=="))
		return joinIf(i >= 0 && len(bytes.TrimSpace(t[2+i+2:])) > 0)
	}}

	// tapBlock: a TAP failure and its YAML block ("  ---" ... "  ...") or
	// "#" diagnostics, up to the next test line.
	tapBlock = &blockSpec{rangeCap: 20, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0:
			return joinNo
		case t[0] == '#':
			return joinIf(!bytes.HasPrefix(t, []byte("# Looks like")) && !bytes.HasPrefix(t, []byte("# Subtest")))
		}
		return joinIf(l.indent > b.indent)
	}}

	// epilogueBlock: a runner's closing list of failures under its count:
	// blank lines and lines indented at least as deep as the count; the
	// first numbered failure is the message.
	epilogueBlock = &blockSpec{rangeCap: 25, structured: true,
		continues: func(b *block, l *lineView) join {
			if len(l.trim) == 0 {
				return joinIf(b.blanks < 2)
			}
			return joinIf(l.indent >= b.indent && b.absorbed < 60)
		},
		head: func(b *block, l *lineView) bool {
			return b.head == 0 && len(l.trim) > 2 && l.trim[0] >= '1' && l.trim[0] <= '9' && bytes.Contains(l.trim[:min(len(l.trim), 5)], []byte(") "))
		}}

	// eslintBlock: ESLint's rows and the file paths between them.
	eslintBlock = &blockSpec{rangeCap: 20, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0:
			return joinIf(b.blanks == 0)
		case l.indent > 0:
			return joinIf(t[0] >= '0' && t[0] <= '9')
		}
		return joinIf(bytes.IndexByte(t, ' ') < 0 && bytes.IndexByte(t, '.') > 0)
	}}

	// testthatBlock: a testthat failure up to the next "──"/"══" rule or
	// the closing "[ FAIL ... ]" count.
	testthatBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0:
			return joinIf(b.blanks == 0)
		case bytes.HasPrefix(t, []byte("──")) || bytes.HasPrefix(t, []byte("══")) || bytes.HasPrefix(t, []byte("[ FAIL")):
			return joinNo
		}
		return joinYes
	}}

	// rTestsBlock: R CMD check's failed tests: "Last N lines of output:"
	// and the indented output; its first error line is the message.
	rTestsBlock = &blockSpec{rangeCap: 25, structured: true,
		continues: func(b *block, l *lineView) join {
			switch {
			case len(l.trim) == 0:
				return joinIf(b.blanks == 0)
			case l.indent > 0:
				return joinYes
			}
			return joinIf(bytes.HasPrefix(l.trim, []byte("Last ")))
		},
		head: func(b *block, l *lineView) bool {
			return b.head == 0 && (bytes.HasPrefix(l.trim, []byte("Error")) || bytes.HasPrefix(l.trim, []byte("── ")))
		}}

	// texBlock: TeX's error context: "l.42 ..." and its continuation,
	// "<*>"/"<argument>" lines, the help text.
	texBlock = &blockSpec{rangeCap: 8, structured: true, continues: func(_ *block, l *lineView) join {
		t := l.trim
		return joinIf(len(t) > 0 && (l.indent > 0 || texContext.Match(t)))
	}}

	// gtestBlock: a GoogleTest failure's values, up to its "[  FAILED  ]".
	gtestBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(_ *block, l *lineView) join {
		t := l.trim
		switch {
		case len(t) == 0, bytes.HasPrefix(t, []byte("[ RUN")), bytes.HasPrefix(t, []byte("[       OK")):
			return joinNo
		case bytes.HasPrefix(t, []byte("[  FAILED  ]")):
			return joinLast
		}
		return joinYes
	}}

	// antJunitBlock: the "[junit] " lines of one failed test case.
	antJunitBlock = &blockSpec{rangeCap: 12, structured: true, continues: func(_ *block, l *lineView) join {
		t := l.trim
		if !bytes.HasPrefix(t, []byte("[junit] ")) {
			return joinNo
		}
		t = bytes.TrimSpace(t[len("[junit] "):])
		return joinIf(len(t) > 0 && !bytes.HasPrefix(t, []byte("Testcase:")) && !bytes.HasPrefix(t, []byte("Test ")) &&
			!bytes.HasPrefix(t, []byte("Testsuite:")))
	}}

	// avaBlock: AVA's diff, up to its "─" rule or two blank lines.
	avaBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(b *block, l *lineView) join {
		switch {
		case len(l.trim) == 0:
			return joinIf(b.blanks == 0)
		case bytes.HasPrefix(l.trim, []byte("─")):
			return joinNo
		}
		return joinYes
	}}

	// sbclBacktraceBlock: SBCL's numbered backtrace frames.
	sbclBacktraceBlock = &blockSpec{rangeCap: 2, structured: true, continues: func(_ *block, l *lineView) join {
		t := l.trim
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		return joinIf(i > 0 && i+1 < len(t) && t[i] == ':' && t[i+1] == ' ' || l.indent > 0 && len(t) > 0)
	}}

	// semicolonBlock: SBCL's compiler notes, each line starting "; ".
	semicolonBlock = &blockSpec{rangeCap: 10, structured: true, continues: func(_ *block, l *lineView) join {
		return joinIf(bytes.HasPrefix(l.trim, []byte("; ")) && len(bytes.TrimSpace(l.trim[1:])) > 0)
	}}

	// ansibleBlock: a fatal task result and the "...ignoring" that may
	// follow it, which makes it noise (ansibleIgnored).
	ansibleBlock = &blockSpec{rangeCap: 2, structured: true,
		continues: func(_ *block, l *lineView) join {
			if bytes.Equal(l.trim, []byte("...ignoring")) {
				return joinLast
			}
			return joinNo
		},
		wraps: func(b *block, _ []byte) bool {
			return len(b.lines) > 1 && bytes.Equal(bytes.TrimSpace(b.lines[len(b.lines)-1]), []byte("...ignoring"))
		},
		wrapper: &ansibleIgnoredRule}

	// deeperGapBlock: deeperBlock across single blank lines.
	deeperGapBlock = &blockSpec{rangeCap: 20, structured: true, continues: func(b *block, l *lineView) join {
		if len(l.trim) == 0 {
			return joinIf(b.blanks == 0)
		}
		return joinIf(l.indent > b.indent)
	}}

	// ctBlock: common_test's failure report up to its "- - -" divider.
	ctBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(_ *block, l *lineView) join {
		return joinIf(len(l.trim) > 0 && !bytes.HasPrefix(l.trim, []byte("- - - ")))
	}}

	// sbtIndentedBlock: deeperIndented, read after sbt's "[info] " or
	// "[error] " prefix.
	sbtIndentedBlock = &blockSpec{rangeCap: 15, structured: true, continues: func(b *block, l *lineView) join {
		body, _ := leadingSpace(sbtBody(l.text))
		_, indent := leadingSpace(sbtBody(l.text))
		_, trigger := leadingSpace(sbtBody(b.lines[0]))
		return joinIf(len(body) > 0 && indent > trigger)
	}}

	// tabIndentedBlock: the lines after the trigger that start with a tab.
	tabIndentedBlock = &blockSpec{rangeCap: 20, structured: true, continues: func(_ *block, l *lineView) join {
		return joinIf(len(l.text) > 1 && l.text[0] == '\t')
	}}

	// deeperBlock: the lines indented deeper than the trigger (a source
	// line and the caret under it), whatever they say.
	deeperBlock = &blockSpec{rangeCap: 8, structured: true, continues: deeperIndented}

	// rustBlock: a Rust diagnostic or test output, up to the next blank line.
	rustBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(_ *block, l *lineView) join {
		return joinIf(len(l.trim) > 0)
	}}

	// terraformBlock: Terraform's │ box, up to its closing ╵.
	terraformBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(_ *block, l *lineView) join {
		if bytes.HasPrefix(l.trim, []byte("╵")) {
			return joinLast
		}
		return joinIf(bytes.HasPrefix(l.trim, []byte("│")))
	}}

	// gradleBlock: "FAILURE: ..." or "* What went wrong:" up to "* Try:".
	gradleBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(b *block, l *lineView) join {
		t := l.trim
		if bytes.HasPrefix(t, []byte("* Try:")) || bytes.HasPrefix(t, []byte("BUILD FAILED")) || bytes.HasPrefix(t, []byte("* Get more help")) {
			return joinNo
		}
		return joinIf(b.absorbed < 30)
	}}

	// jestBlock: a Jest "●" failure, blank lines included, until dedent.
	jestBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(b *block, l *lineView) join {
		if len(l.trim) == 0 {
			return joinIf(b.blanks < 2)
		}
		return joinIf(l.indent > b.indent)
	}}

	// pytestBlock: consecutive pytest "E   " lines; the first exception
	// among them is the message.
	// The failure's location line ("tests/x.py:88: AssertionError"),
	// after a blank line, ends it.
	pytestBlock = &blockSpec{rangeCap: maxRangeLines, structured: true,
		continues: func(b *block, l *lineView) join {
			t := l.text
			switch {
			case len(t) >= 1 && t[0] == 'E' && (len(t) == 1 || t[1] == ' '):
				return joinIf(b.blanks == 0)
			case len(l.trim) == 0:
				return joinIf(b.blanks == 0)
			case b.blanks == 1 && pytestLocation.Match(t):
				return joinLast
			}
			return joinNo
		},
		head: func(b *block, l *lineView) bool {
			return b.head == 0 && len(l.text) > 0 && l.text[0] == 'E' && isExceptionLine(l.trim)
		}}

	// mavenBlock: "[ERROR]   indented" lines and unprefixed indented lines.
	mavenBlock = &blockSpec{rangeCap: 25, structured: true, promotes: true, continues: func(_ *block, l *lineView) join {
		if bytes.HasPrefix(l.text, []byte("[ERROR] ")) {
			rest := l.text[len("[ERROR] "):]
			return joinIf(len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t'))
		}
		return joinIf(len(l.trim) > 0 && l.indent > 0 && l.trim[0] != '[')
	}}

	// npmBlock: consecutive "npm ERR!" lines, up to npm's boilerplate.
	npmBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, promotes: true, continues: func(_ *block, l *lineView) join {
		return joinIf((bytes.HasPrefix(l.text, []byte("npm ERR! ")) || bytes.HasPrefix(l.text, []byte("npm error "))) &&
			!npmBoilerplate.Match(l.text))
	}}

	// numberedBlock: "1) test name", its message lines and deeper-indented
	// details.
	numberedBlock = &blockSpec{rangeCap: maxRangeLines, structured: true, continues: func(b *block, l *lineView) join {
		switch {
		case len(l.trim) == 0:
			return joinIf(b.blanks < 1)
		case l.indent > b.indent:
			return joinYes
		case b.indent == 0 && b.blanks == 0 && b.absorbed < 6:
			// PHPUnit prints the message unindented right under "1) Test::name".
			return joinUnlessOwn
		}
		return joinNo
	}}
)

// deeperIndented continues a block with the lines indented deeper than its
// trigger line.
func deeperIndented(b *block, l *lineView) join {
	return joinIf(len(l.trim) > 0 && l.indent > b.indent)
}

var (
	compilerNote    = re(`^(\S+:\d+(:\d+)?: note: |In file included from |\s*\d*\s*\|)`)
	diagnosticStart = re(`^\S+:\d+(:\d+)?: `)
	sanitizerDetail = re(`^((READ|WRITE) of size|(freed|previously allocated|allocated) by|Previous (read|write)|Location is|Thread T\d|Direct leak|Indirect leak|Address 0x|Shadow bytes|0x[0-9a-f]+ is located|Uninitialized value|[A-Z][a-z]+ of size \d+ at)`)
	fileLineStart   = re(`^\S+?\.\w+: ?\d+\b`)
	texContext      = re(`^(l\.\d+ |<[\w*]+> |\.\.\.|Type |See the |\? |\(That was another|You're in trouble|A funny symbol|The control sequence)`)
	pytestLocation  = re(`^\S+\.py:\d+: [\w.]+$`)
	npmBoilerplate  = re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno |Exit status|Failed at the|This is probably not|\s*$)`)
	goFrameRe       = re(`^[\w./*()\[\]-]+\(.*\)$`)
)

func goFrame(t []byte) bool { return goFrameRe.Match(t) }

// diagnosticMessage accepts a "file:line: message" line whose message is
// a complaint, not a warning, a note or a Python traceback frame.
func diagnosticMessage(l *lineView) bool {
	m := diagnosticRest.compiled().FindIndex(l.lower)
	if m == nil {
		return false
	}
	msg := l.lower[m[1]:]
	for _, p := range [...]string{"warning", "note", "info", "in ", "debug"} {
		if bytes.HasPrefix(msg, []byte(p)) {
			return false
		}
	}
	w := bytes.IndexAny(msg, " :")
	return w < 0 && !bytes.HasSuffix(msg, []byte("warning")) || w >= 0 && !bytes.HasSuffix(msg[:w], []byte("warning"))
}

var diagnosticRest = re(`:\d+(:\d+)?(-\d+)?: ?`)

// sbtBody returns a line without sbt's "[info] "/"[error] " prefix.
func sbtBody(t []byte) []byte {
	for _, p := range [...]string{"[info] ", "[error] ", "[warn] "} {
		if bytes.HasPrefix(t, []byte(p)) {
			return t[len(p):]
		}
	}
	return t
}

// statusWord reports whether "forbidden" or "unauthorized" stands in the
// line as an HTTP or API status: after a 401/403 and at most a few words
// (not across a path), in parentheses, before ": ", after "error",
// "fatal", "denied" or "failed" and a separator, or alone.
func statusWord(l *lineView) bool {
	s := l.lower
	if len(s) > maxMatchBytes {
		s = s[:maxMatchBytes]
	}
	for _, w := range [...]string{"forbidden", "unauthorized"} {
		for off := 0; off < len(s); {
			i := bytes.Index(s[off:], []byte(w))
			if i < 0 {
				break
			}
			i += off
			off = i + len(w)
			if i > 0 && isWordByte(s[i-1]) || off < len(s) && isWordByte(s[off]) {
				continue
			}
			before, after := s[max(0, i-40):i], s[off:]
			switch {
			case bytes.Equal(bytes.TrimSpace(s), []byte(w)),
				i > 0 && s[i-1] == '(' && len(after) > 0 && after[0] == ')',
				bytes.HasPrefix(after, []byte(": ")),
				statusBefore.Match(before):
				return true
			}
		}
	}
	return false
}

var statusBefore = re(`(\b40[13]\b[^/\n]*[ :(]|\b(error|fatal|denied|failed)\W{1,3})$`)

// firstUnderHeader makes the first non-blank line under a header block's
// trigger its message.
func firstUnderHeader(b *block, l *lineView) bool {
	return b.head == 0 && len(l.trim) > 0
}

// pythonWrapper reports whether a traceback's exception only says that a
// command failed: the command's own output above it is the reason.
func pythonWrapper(msg []byte) bool {
	for _, w := range [...]string{"CalledProcessError", "UnexpectedExit", "ProcessExecutionError", "ErrorReturnCode", "CommandFailed"} {
		if bytes.Contains(msg, []byte(w)) {
			return true
		}
	}
	return false
}

// rakeWrapperRule finds "rake aborted!" over "Command failed with status
// (1): [cmd]": the command's own output above it is the reason.
var rakeWrapperRule = rule{name: "rake-command-failed", category: CategoryExitCode, severity: sevE, score: 0.3, trailer: followOn}

// ansibleIgnoredRule finds a fatal task result that Ansible then ignored.
var ansibleIgnoredRule = rule{name: "noise:ansible-ignored", category: CategoryError, severity: sevI, score: 0.1}

// pythonWrapperRule finds a traceback that ends in a wrapper exception.
var pythonWrapperRule = rule{name: "python-command-failed", category: CategoryExitCode, severity: sevE, score: 0.35, trailer: summary}

func isExceptionLine(b []byte) bool {
	return bytes.Contains(b, []byte("Error")) || bytes.Contains(b, []byte("Exception"))
}

// genericWords are failure words that still count in a line no rule above
// recognized, with their score. They must stand as words: "error_handler",
// "-Werror", "--fail-fast" and "errors.New" do not count.
var genericWords = []struct {
	word  string
	score float64
}{
	{"fatal", 0.5}, {"panic", 0.55}, {"panicked", 0.6}, {"exception", 0.45},
	{"error", 0.4}, {"errors", 0.35}, {"failed", 0.4}, {"failure", 0.4}, {"failures", 0.35}, {"fail", 0.35}, {"failing", 0.3},
	{"aborted", 0.4}, {"abort", 0.35}, {"crashed", 0.5}, {"crash", 0.4},
	{"cannot", 0.35}, {"can't", 0.35}, {"couldn't", 0.35}, {"unable", 0.35}, {"could not", 0.35}, {"not found", 0.35},
	{"undefined", 0.3}, {"unresolved", 0.3}, {"unexpected", 0.3}, {"invalid", 0.25}, {"illegal", 0.3},
	{"incompatible", 0.3}, {"mismatch", 0.3}, {"conflict", 0.25}, {"violation", 0.3}, {"violations", 0.3},
	{"missing", 0.25}, {"assert", 0.4}, {"assertion", 0.45}, {"denied", 0.4}, {"refused", 0.4}, {"killed", 0.45},
}

// triggerWords gate classification: a line with none of them (and none of
// the leading markers in leadTrigger) is never classified.
var triggerWords = []string{
	"error", "err!", "err_", "fail", "fatal", "panic", "exception", "traceback", "abort", "killed",
	"memory", "oomkill", "segmentation", "sigsegv", "sigkill", "sigabrt", "core dumped", "crash",
	"timed out", "timeout", "time-out", "deadline exceeded", "execution time", "cancel", "interrupt", "sigterm",
	"denied", "refused", "not found", "no such", "undefined", "unable", "cannot", "can't", "couldn't", "could not",
	"unresolved", "assert", "exit code", "exit status", "exited with", "non-zero", "returned a non", "warn",
	"no space left", "enospc", "quota exceeded", "not enough space", "permission", "not permitted", "forbidden",
	"unauthorized", "authentication", "credentials", "not authorized", "too many requests", "rate limit",
	"unavailable", "bad gateway", "gateway time", "resolve", "name or service", "no such host", "enotfound",
	"econn", "etimedout", "eai_again", "connection", "broken pipe", "unreachable", "no route to host",
	"unexpected", "x509", "certificate", "handshake", "ssl routines", "*** ", "caused by",
	"problem", "conflict", "mismatch", "violation", "missing", "illegal", "incompatible", "invalid",
	"deprecat", "syntax", "unbound variable", "bad substitution", "manifest unknown", "not recognized",
	"executable file", "finished: ", "marked build as", "build fail", "your build exited", "stack smashing", "bus error",
	"illegal instruction", "what went wrong", "try:", "--stacktrace", "more help", "yarnpkg.com",
	"there was", "there were", "tests run:", "problems (", "diff --git", "diff in ", "size limit",
	"issues :-(", "crate:    ", "not ok ", "bail out!", "uninitialised", "definitely lost", "possibly lost", "syscall param",
	"conditional jump", "sanitizer", " (x) ", "unhandled ", "backtrace for: ",
	".py:", ".rb:", " line ", "reformat", "code style", "prettier", "formatted", "formatting", "threshold", "coverage",
}

// coverageWords is the coverage-threshold pattern's necessary condition:
// the words each of its alternatives needs, in the lower-cased line.
func coverageWords(l *lineView) bool {
	has := func(w string) bool { return bytes.Contains(l.lower, []byte(w)) }
	if has("coverage") && (has("below") ||
		(has("threshold") || has("minimum")) && (has("not met") || has("not reached") || has("fail"))) {
		return true
	}
	return has("does not meet") && has("threshold") || has("required test coverage of ") && has("not reached")
}

var genericRule = rule{name: "error-word", category: CategoryError, severity: sevE, block: indentedBlock}

var goModuleWords = []string{"error", "missing", "not found", "cannot", "needed", "unknown revision", "invalid", "conflict",
	"no matching", "inconsistent", "unrecognized", "malformed", "verifying", "must be", "not up-to-date", "checksum mismatch"}

// goModuleError recognizes the go command's module errors ("go: updates to
// go.mod needed", "go: x@v1: missing go.sum entry"), not its progress
// ("go: downloading x v1").
func goModuleError(l *lineView) bool {
	lower := l.lower[len(l.text)-len(l.trim):]
	if !bytes.HasPrefix(lower, []byte("go: ")) || bytes.HasPrefix(lower, []byte("go: downloading ")) ||
		bytes.HasPrefix(lower, []byte("go: finding ")) || bytes.HasPrefix(lower, []byte("go: extracting ")) {
		return false
	}
	for _, w := range goModuleWords {
		if hasWord(lower, w) {
			return true
		}
	}
	return false
}

var annotationRule = rule{name: "annotated-error", category: CategoryError, severity: sevE, score: 0.55, block: indentedBlock}
