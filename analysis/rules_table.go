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
		re: re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno -?\d|Exit status \d|Failed at the|This is probably not a problem with npm|Tell the author|Make sure you have|You can get information on how|not with npm itself|\s*$|\s+/\S+\.log$|.*-debug(-\d+)?\.log$|Lifecycle script .* failed|command failed$|command sh -c|path /)`)},
	{name: "noise:rust-boilerplate", category: CategoryError, severity: sevI, score: 0.02, need: []string{"for more information about this error"},
		re: re(`^For more information about this error, try`)},
	{name: "noise:yarn-boilerplate", category: CategoryError, severity: sevI, score: 0.05, need: []string{"yarnpkg.com"},
		re: re(`^info Visit https://yarnpkg\.com`)},

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
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"your build exited with"},
		re: re(`^Done\. Your build exited with [1-9]\d*\.`)},
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"exited with"},
		re: re(`^The command ".*" (failed and )?exited with [1-9]\d*`)}, // Travis CI's verdict on a script command
	{name: "exit-code", category: CategoryExitCode, severity: sevE, score: 0.2, trailer: jobFailure, need: []string{"script returned exit code"},
		re: re(`^ERROR: script returned exit code \d+`)},
	{name: "build-verdict", category: CategoryBuildFailure, severity: sevE, score: 0.15, trailer: followOn, need: []string{"build failure", "build failed"},
		re: re(`^(\[(INFO|ERROR)\] )?(BUILD FAILURE|BUILD FAILED( in .*)?)$`)},

	// Follow-ons: they restate a failure that was printed earlier.
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
		re: re(`(?i)^\s*(test result: FAILED|=+ .*\b\d+ (failed|errors?)\b.*=+$|FAILED \((failures|errors)=\d+|\d+ failing$|FAILURES!$|\d+ examples?, [1-9]\d* failures?|✖ \d+ problems? \(\d+ errors?|Tests: \d+, Assertions: \d+, (Failures|Errors): \d+|Test Run Failed\.|Failed!\s+- Failed:\s+\d+|Test Suites: \d+ failed|Tests: +\d+ failed|\d+ tests completed, \d+ failed|Found \d+ errors? in \d+ files?|\d+ (tests? )?failed, \d+ passed)`)},
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
	{name: "maven-test-summary", category: CategorySummary, severity: sevE, trailer: summary, score: 0.3, need: []string{"tests run:"},
		re: re(`^(\[ERROR\] )?Tests run: \d+, Failures: \d+, Errors: \d+(, Skipped: \d+)?$`)},
	{name: "junit-summary", category: CategorySummary, severity: sevE, trailer: summary, score: 0.35, need: []string{"[error] failures:", "[error] errors:", "tests in error", "failed tests:"},
		re: re(`^(\[ERROR\] )?(Failures|Errors|Tests in error|Failed tests):\s*$`)},

	// Test failures.
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
	{name: "jest-failure", category: CategoryTestFailure, severity: sevE, score: 0.75, block: jestBlock, lead: "\xe2",
		re: re(`^\s*● \S`)},
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
	{name: "compiler-error", category: CategoryCompileError, severity: sevE, score: 0.85, block: compilerBlock, need: []string{"error: "},
		re: re(`^\S+?:\d+(:\d+)?: (fatal )?error: `)},
	{name: "compiler-error", category: CategoryCompileError, severity: sevE, score: 0.8, block: compilerBlock, need: []string{"): error", "): fatal error"},
		re: re(`^\S+\(\d+(,\d+)?\): (fatal )?error [A-Z]*\d*:?`)},
	{name: "dotnet-build-error", category: CategoryCompileError, severity: sevE, score: 0.8, need: []string{": error ", ": fatal error "},
		re: re(`: (fatal )?error [A-Z]{1,6}\d{2,5}\s*:`)},
	{name: "linker-error", category: CategoryCompileError, severity: sevE, score: 0.8, need: []string{"undefined reference", "undefined symbol", "ld: "},
		re: re(`(undefined reference to|undefined symbols? for architecture|^ld(\.\w+)?: .*(error|cannot find)|ld: symbol\(s\) not found)`)},
	{name: "cmake-error", category: CategoryBuildFailure, severity: sevE, score: 0.75, block: indentedBlock, need: []string{"cmake error"},
		re: re(`^CMake Error`)},
	{name: "go-compile-error", category: CategoryCompileError, severity: sevE, score: 0.75, block: compilerBlock, need: []string{".go:"},
		re: re(`^(\.{0,2}/)?[\w./@-]+\.go:\d+(:\d+)?: \S`)},
	{name: "go-module-error", category: CategoryDependency, severity: sevE, score: 0.6, lead: "g", fn: goModuleError},
	{name: "python-syntax-error", category: CategoryCompileError, severity: sevE, score: 0.75, need: []string{"syntaxerror", "indentationerror"},
		re: re(`^\s*(SyntaxError|IndentationError|TabError): `)},
	{name: "lint-violation", category: CategoryLint, severity: sevE, score: 0.6, need: []string{".py:", ".rb:", ".pyi:"},
		re: re(`^\S+\.(py|pyi|rb):\d+:\d+: ([A-Z]\d{3,4}|[CWEF]:|[A-Z]{1,3}\d{3}) `)},
	{name: "lint-violation", category: CategoryLint, severity: sevE, score: 0.6, need: []string{" line "},
		re: re(`^In \S+ line \d+:$`)}, // shellcheck
	{name: "formatting-check", category: CategoryLint, severity: sevE, score: 0.65, need: []string{"would reformat", "would be reformatted", "code style issues", "forgot to run prettier", "not formatted", "needs formatting"},
		re: re(`(?i)(would reformat|would be reformatted|code style issues found|forgot to run prettier|files? (are|is) not formatted|needs? formatting)`)},
	{name: "coverage-threshold", category: CategoryLint, severity: sevE, score: 0.7, need: []string{"threshold", "coverage"},
		re:  re(`(?i)(coverage.{0,60}\b(threshold|minimum)\b.{0,60}\b(not met|not reached|below|fail)|does not meet.{0,40}threshold|coverage.{0,40}\bis below\b|required test coverage of .* not reached)`),
		pre: coverageWords},
	{name: "merge-conflict", category: CategoryError, severity: sevE, score: 0.7, need: []string{"conflict"},
		re: re(`^(CONFLICT \(|Automatic merge failed|error: could not apply)`)},
	{name: "bazel-test-failure", category: CategoryTestFailure, severity: sevE, score: 0.65, need: []string{"failed in"},
		re: re(`^//\S+ +FAILED in `)},
	{name: "elixir-error", category: CategoryException, severity: sevE, score: 0.75, block: indentedBlock, need: []string{"error)"},
		re: re(`^\s*\*\* \(\w+(\.\w+)*Error\)`)},
	{name: "eslint-error", category: CategoryLint, severity: sevE, score: 0.6, need: []string{"  error  "},
		re: re(`^\s+\d+:\d+\s+error\s+\S`)},

	// Infrastructure.
	{name: "disk-full", category: CategoryDiskFull, severity: sevE, score: 0.85, need: []string{"no space left", "enospc", "quota exceeded", "not enough space", "insufficient disk"},
		re: re(`(?i)\b(no space left on device|enospc|disk quota exceeded|not enough space on the disk|insufficient disk space)\b`)},
	{name: "timeout", category: CategoryTimeout, severity: sevE, score: 0.6, need: []string{"timed out", "timeout", "time-out", "time out", "deadline exceeded", "etimedout"},
		re: re(`(?i)\b(timed out|time-?out (after|of|expired|exceeded|reached|waiting)|deadline exceeded|etimedout|timeout\b.{0,30}\b(exceeded|expired|elapsed|reached))\b`)},
	{name: "cancelled", category: CategoryCancelled, severity: sevE, score: 0.5, need: []string{"cancel", "abort", "sigterm", "sigint", "interrupt"},
		re: re(`(?i)(the operation was cancell?ed|job was cancell?ed|cancell?ed by|(build|job) was aborted|aborted by|received (sigterm|sigint)|canceling since a higher priority|was interrupted)`)},
	{name: "dns-failure", category: CategoryNetwork, severity: sevE, score: 0.7, need: []string{"resolve", "name resolution", "name or service", "no such host", "enotfound", "eai_again"},
		re: re(`(?i)\b(could not resolve host|temporary failure in name resolution|name or service not known|no such host|enotfound|eai_again|could not resolve hostname|failed to resolve)\b`)},
	{name: "connection-failure", category: CategoryNetwork, severity: sevE, score: 0.6, need: []string{"connection", "econn", "broken pipe", "unreachable", "no route", "unexpected eof", "failed to connect", "unable to access"},
		re: re(`(?i)\b(connection refused|econnrefused|connection reset|econnreset|connection timed out|connection closed|broken pipe|network is unreachable|no route to host|unexpected eof|remote end closed connection|failed to connect|unable to access '[^']*':)`)},
	{name: "tls-failure", category: CategoryTLS, severity: sevE, score: 0.7, need: []string{"x509", "certificate", "ssl", "tls handshake"},
		re: re(`(?i)\b(x509:|certificate verify failed|ssl certificate problem|certificate has expired|unable to get local issuer certificate|tls handshake|ssl routines|self[- ]signed certificate)`)},
	{name: "rate-limited", category: CategoryRateLimit, severity: sevE, score: 0.7, need: []string{"429", "too many requests", "rate limit", "toomanyrequests"},
		re: re(`(?i)\b(429|too many requests|rate limit(ed)?( exceeded)?|toomanyrequests)\b`)},
	{name: "http-5xx", category: CategoryHTTPError, severity: sevE, score: 0.65, need: []string{"internal server error", "bad gateway", "service unavailable", "gateway time", "error: 5", "status code: 5", "status code 5", "status: 5", "status 5", "http/1.1 5", "http/2 5", "http/1.0 5"},
		re: re(`(?i)(internal server error|bad gateway|service unavailable|gateway time-?out|returned error: 5\d\d|status( code)?:? 5\d\d\b|http/\d(\.\d)? 5\d\d|response status code: 5\d\d)`)},
	{name: "http-4xx", category: CategoryHTTPError, severity: sevE, score: 0.55, need: []string{"error: 4", "status code: 4", "status code 4", "status: 4", "status 4", "404", "401", "403"},
		re: re(`(?i)(returned error: 40[0-9]|status( code)?:? 40[134]\b|\b404 not found|\b401 unauthorized|\b403 forbidden|\be404\b)`)},
	{name: "permission-denied", category: CategoryPermission, severity: sevE, score: 0.6, need: []string{"denied", "eacces", "not permitted", "forbidden", "unauthorized", "authentication failed", "bad credentials", "not authorized", "requires authentication"},
		re: re(`(?i)\b(permission denied|eacces|operation not permitted|access (is )?denied|forbidden|unauthorized|authentication failed|bad credentials|not authorized|requires authentication)\b`)},

	// Dependencies and tools.
	{name: "missing-module", category: CategoryDependency, severity: sevE, score: 0.75, need: []string{"no module named", "cannot find module", "can't resolve", "module not found", "could not find a version", "no matching distribution", "resolutionimpossible", "could not find gem", "gemnotfound", "requirements could not be resolved", "unable to resolve dependency", "eresolve", "could not resolve dependencies", "cannot find package", "no required module provides", "package not found", "couldn't find package", "failed to resolve import"},
		re: re(`(?i)(no module named|cannot find module|can't resolve|module not found|could not find a version that satisfies|no matching distribution found|resolutionimpossible|could not find gem|gemnotfound|requirements could not be resolved|unable to resolve dependency|eresolve|could not resolve dependencies|cannot find package|no required module provides|package .* not found|couldn't find package|failed to resolve import)`)},
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
	{name: "ruby-exception", category: CategoryException, severity: sevE, score: 0.7, block: javaBlock, need: []string{"error)", "exception)"},
		re: re(`\((\w+::)*\w+(Error|Exception)\)$`)},

	// Warnings: mentioned, never ranked high.
	{name: "warning", category: CategoryWarning, severity: sevW, score: 0.1, need: []string{"warn", "w: ", "deprecat"},
		re: re(`(?i)^\s*(\[?warn(ing)?\]?[:\s!]|w: |npm warn|\S+:\d+(:\d+)?: warning:|.*deprecat)`)},

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
		head: func(b *block, l *lineView) bool { return l.indent <= b.indent && len(l.trim) > 0 }}

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
	pytestBlock = &blockSpec{rangeCap: maxRangeLines, structured: true,
		continues: func(_ *block, l *lineView) join {
			t := l.text
			return joinIf(len(t) >= 1 && t[0] == 'E' && (len(t) == 1 || t[1] == ' '))
		},
		head: func(b *block, l *lineView) bool { return b.head == 0 && isExceptionLine(l.trim) }}

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
	npmBoilerplate  = re(`^npm (ERR!|error) ?(A complete log of this run|code ELIFECYCLE|errno |Exit status|Failed at the|This is probably not|\s*$)`)
	goFrameRe       = re(`^[\w./*()\[\]-]+\(.*\)$`)
)

func goFrame(t []byte) bool { return goFrameRe.Match(t) }

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
	"there was", "there were", "tests run:", "problems (",
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
