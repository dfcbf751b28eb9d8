package analysis

import "testing"

// classifyText classifies one cleaned line as the analyzer does: the rule
// that matches it (nil for none) and the noise reason, if any.
func classifyText(text string) (*rule, string) {
	l := &lineView{text: []byte(text)}
	l.trim, l.indent = leadingSpace(l.text)
	var cc classCache
	c := cc.lookup(l, false)
	return c.r, c.noise
}

// TestRuleShapes checks how single lines of the documented failure and
// noise formats of tools classify: which rule takes them ("" for none at
// all, "error-word" for the generic vocabulary) and which noise reason
// marks them.
func TestRuleShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, rule, noise string
	}{
		// Point 1: passing and skipped tests whose names hold failure words.
		{"ok 5 - error on NULL input is reported", "error-word", "noise:passing-test"},
		{"not ok 7 - append_fmt grows past initial capacity", "tap-not-ok", ""},
		{"tests/test_io.py::test_open[FileNotFoundError] PASSED                 [ 12%]", "file-not-found", "noise:passing-test"},
		{"tests/test_gpu.py::test_checksum_gpu SKIPPED (No module named 'cupy')    [ 50%]", "missing-module", "noise:skipped-test"},
		{"SKIPPED [1] tests/test_gpu.py:8: No module named 'cupy'", "missing-module", "noise:skipped-test"},
		{"        PASS [   0.005s] backtrace tests::panic_caller", "", ""},
		{"--- PASS: TestParse/error_on_eof (0.00s)", "", ""},
		{"test_error_is_raised (tests.test_cli.CliTest) ... ok", "", ""},
		{"  mod_tests: bad input is an error...ok", "error-word", "noise:passing-test"},
		{"    error on unbalanced:   OK", "error-prefix", "noise:passing-test"},
		{"    errors on pop from empty with a message [✔]", "error-word", "noise:passing-test"},
		{"  ✓ reports required error when empty (14 ms)", "error-word", "noise:passing-test"},
		{"  ✔ error in handler does not stop other handlers (0.6ms)", "error-word", "noise:passing-test"},
		{"[       OK ] Parser.Rejects error input (0 ms)", "error-word", "noise:passing-test"},
		{"  Test Case '-[ErrorTests testReportsError]' passed (0.001 seconds).", "", ""},
		{"1/5 Test #1: error handling .............   Passed    0.01 sec", "error-word", "noise:passing-test"},
		{"passed checks: 12, failed checks: 0, skipped checks: 0", "error-word", "noise:zero-count"},
		{"ℹ fail 0", "error-word", "noise:zero-count"},
		{"  ● Console", "noise:jest-console", ""},
		{"✖ 1 problem (0 errors, 1 warning)", "lint-summary", ""},
		// Point 2: failure words inside other words and out of context.
		{"Routing/Trie/RouteResolverTrie.cs(20,16): warning CS1591: Missing XML comment [/src/Nancy.csproj]", "warning", ""},
		{"npm ERR! code ERESOLVE", "missing-module", ""},
		{"Latexmk: Summary of warnings: Latex failed to resolve 606 reference(s)", "error-word", ""},
		{"fatal: unable to access 'https://github.com/x/y/': Failed to resolve 'github.com'", "dns-failure", ""},
		{"pip._vendor.urllib3: Failed to resolve 'pypi.org' ([Errno -3] Temporary failure in name resolution)", "dns-failure", ""},
		{"08:24:29.429 [info] (tcp|<0.5690.0>) Accepted c2s PLAIN authentication", "", ""},
		{"OK (429 tests, 637 assertions)", "", ""},
		{"error: received HTTP status 429 from registry", "rate-limited", ""},
		{"   * [new branch]      fix/403-forbidden-on-upload -> origin/fix/403-forbidden-on-upload", "", ""},
		{"tests/fixtures/responses/403_forbidden.json", "", ""},
		{"Spaces are forbidden border chars:                           OK", "", ""},
		{"   controls; unauthorized or forbidden use terminates this licence.", "", ""},
		{"Error from server (Forbidden): pods is forbidden: User \"ci\" cannot list resource \"pods\"", "permission-denied", ""},
		{"remote: HTTP Basic: Access denied", "permission-denied", ""},
		{"requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://x/y", "permission-denied", ""},
		{"Error response from daemon: unauthorized: authentication required", "permission-denied", ""},
		// Point 6: wrappers and closing counts restate what a block above
		// (or right under) them says.
		{"** TEST BUILD FAILED **", "xcodebuild-verdict", ""},
		{"The following build commands failed:", "xcodebuild-verdict", ""},
		{"npm ERR! Test failed.  See above for more details.", "noise:npm-boilerplate", ""},
		{"npm ERR! airbnb-style@2.0.0 lint: `markdownlint README.md`", "noise:npm-boilerplate", ""},
		{"[error] Total time: 41 s, completed Feb 2, 2021 10:44:12 AM", "noise:sbt-boilerplate", ""},
		{"[error] Failed: Total 16, Failed 1, Errors 0, Passed 15", "sbt-failed", ""},
		{"[error] (core / Test / test) sbt.TestsFailedException: Tests unsuccessful", "sbt-failed", ""},
		{"2/6 Test #2: test_pager .......................***Failed    0.38 sec", "ctest-failed", ""},
		{"[  FAILED  ] Parser.HandlesEmptyArray (0 ms)", "gtest-failed", ""},
		{"Found 3 errors in 2 files.", "closing-count", ""},
		{" [ERROR] Found 1 error", "closing-count", ""},
		{"Found 2 errors in 1 file (checked 12 source files)", "closing-count", ""},
		{"error: 1 vulnerability found!", "closing-count", ""},
		{"Error: Test failures", "closing-count", ""},
		{"Error: cabal: Tests failed for test:spec from fifo-1.2.0.", "closing-count", ""},
		{"cc1: some warnings being treated as errors", "closing-count", ""},
		{"Done linting! Found 1 violation, 0 serious in 48 files.", "closing-count", ""},
		{"1 out of 6 tests failed (0.04s)", "closing-count", ""},
		{"===> Failures occurred running tests: 1", "closing-count", ""},
		{"rake aborted!", "rake-aborted", ""},
		{"===> Compiling src/router_handler.erl failed", "rebar3-compile-failed", ""},
		{"Warning, treated as error:", "sphinx-warning-error", ""},
		{"ActiveRecord::PendingMigrationError: ", "exception", ""},
		// Point 5: linters' report formats, most without a failure word.
		{"************* Module pkg.loader", "pylint-module", ""},
		{"pkg/loader.py:41:8: W0612: Unused variable 'stat' (unused-variable)", "lint-violation", ""},
		{"src/Telemetry/Sink.hs:58:11-38: Warning: Use fmap", "hlint-hint", ""},
		{"R/read.R:14:3: style: [object_name_linter] Variable and function name style should match snake_case.", "lintr-lint", ""},
		{"docs/setup.md:12 MD013/line-length Line length [Expected: 80; Actual: 97]", "markdownlint", ""},
		{"react/README.md: 750: MD034/no-bare-urls Bare URL used", "markdownlint", ""},
		{"┃ [R] ↗ Modules should have a @moduledoc tag.", "credo-issue", ""},
		{"  Line   src/Http/Kernel.php", "phpstan-table", ""},
		{"      L14 |    <img src=\"img/logo.png\" class=\"logo\">", "htmlhint-issue", ""},
		{"lib/Config/Tiny2.pm: Code before strictures are enabled at line 3, column 1.  See page 429 of PBP.  (Severity: 5)", "perlcritic-violation", ""},
		{"roles/db/tasks/main.yml:12 Task/Handler: install packages", "yaml-lint", ""},
		{"src/main/kotlin/com/acme/App.kt:30:5: Missing newline before \")\" (standard:wrapping)", "kotlin-lint", ""},
		{"app/src/main/kotlin/Sync.kt:41:9: The function sync is too long (72). The maximum length is 60. [LongMethod]", "kotlin-lint", ""},
		{"autoload/fmt.vim:33:5: Use the full option name instead of the abbreviation (see :help option-summary)", "source-diagnostic", ""},
		{"    src/config.lua:14:7: unused variable 'tmp'", "source-diagnostic", ""},
		{"pages/common/mat2.md:3: TLDR004 Command descriptions should end in a period", "source-diagnostic", ""},
		{"src/X.hs:42:15: error:", "compiler-error", ""},
		// ... but not warnings, notes and traceback frames in that shape.
		{"/app/models/user.rb:5: warning: method redefined; discarding old name", "warning", ""},
		{"pandas/tests/io/test_sas.py:336: DeprecationWarning", "warning", "noise:deprecation"},
		// A deprecation anywhere in the line is a warning (a rule of its own).
		{"The signature of open() is deprecated and will change in 3.0", "warning", "noise:deprecation"},
		{"  Use of DEPRECATED option --legacy", "warning", "noise:deprecation"},
		{"pandas/tests/arrays/test_indexing.py:11: in <module>", "", ""},
		{"deps/coveralls/src/rebar3_coveralls.erl:35: Warning: behaviour provider undefined", "warning", ""},
		// Point 5: formatters' diffs and reports, size and link checks.
		{"Diff in /builds/acme/ingest-rs/src/pipeline.rs at line 12:", "formatting-check", ""},
		{"src/api/handler.clj has incorrect formatting", "formatting-check", ""},
		{"[warn] /workdir/core/src/main/scala/events/Bus.scala isn't formatted properly!", "formatting-check", ""},
		{"ERROR: /src/notify/api.py Imports are incorrectly sorted and/or formatted.", "formatting-check", ""},
		{"Formatted 38 files (1 changed) in 0.42 seconds.", "formatting-check", ""},
		{"Formatted 38 files (0 changed) in 0.42 seconds.", "", ""},
		{"diff --git a/go.mod b/go.mod", "diff-output", ""},
		{"@@ -3,7 +3,7 @@", "diff-output", ""},
		{"  Package size limit has exceeded by 143 B", "size-limit", ""},
		{"Issues :-(", "link-check", ""},
		{"Crate:     time", "cargo-audit-advisory", ""},
		// Point 5: sanitizers, valgrind, TAP and Test::More.
		{"==4182==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000b30 at pc 0x55d4c8e2a1f4", "sanitizer-report", ""},
		{"WARNING: ThreadSanitizer: data race (pid=9127)", "sanitizer-report", ""},
		{"==77==WARNING: MemorySanitizer: use-of-uninitialized-value", "sanitizer-report", ""},
		{"src/hash.c:88:21: runtime error: left shift of 1 by 31 places cannot be represented in type 'int'", "sanitizer-report", ""},
		{"SUMMARY: AddressSanitizer: heap-use-after-free src/pager.c:218:17 in pager_release", "sanitizer-summary", ""},
		{"==31337== Invalid read of size 8", "valgrind-error", ""},
		{"==31337== Conditional jump or move depends on uninitialised value(s)", "valgrind-error", ""},
		{"==31337== 72 bytes in 1 blocks are definitely lost in loss record 1 of 1", "valgrind-error", ""},
		{"==31337== Memcheck, a memory error detector", "noise:valgrind-boilerplate", ""},
		{"==31337== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)", "error-word", "noise:zero-count"},
		{"not ok 6 no errors", "tap-not-ok", ""},
		{"not ok 3 - parses dates # TODO timezone support", "", ""},
		{"t/01-connect.t .. Bail out!  Cannot connect to test database", "tap-bail-out", ""},
		{"#   Failed test 'append_fmt grows past initial capacity'", "testmore-failed", ""},
		{"t/02-parse.t (Wstat: 256 (exited 1) Tests: 18 Failed: 1)", "prove-summary", ""},
		// Point 5: Vim's test runner, vader.vim, markdown linters' "file:line:msg".
		{"\tFound errors in Test_format_lines():", "vim-test-failures", ""},
		{"\ttest72 FAILED", "vim-test-failures", ""},
		{"    (2/8) [ EXPECT] (X) keeps indent", "vader-failure", ""},
		{"    (3/8) [EXECUTE] (X) Vim(call):E121: Undefined variable: width", "vader-failure", ""},
		{"  Success/Total: 7/8", "closing-count", ""},
		{"README.md:2186:Line longer than 80 characters.", "source-diagnostic", ""},
		{"/workdir/docs/guide/errors.rst:14:undefined label: 'config-reference'", "source-diagnostic", ""},
		// Point 5: test runners' own failure reports.
		{"  2 failing", "mocha-failures", ""},
		{"      tables:                                                        FAIL (0.06s)", "tasty-failure", ""},
		{"Use IO::Interactive::is_interactive() instead of -t at line 69, column 28.  See page 218 of PBP.  (Severity: 5)", "perlcritic-violation", ""},
		{"ejabberd_SUITE:init_per_group failed", "ct-failure", ""},
		{"suite:send_recv failed on line 593", "ct-failure", ""},
		{"Testing processone.ejabberd: *** FAILED test case 89 of 1470 ***", "ct-failed-case", ""},
		{"** (throw) \"Words not in order\"", "elixir-error", ""},
		{"** (exit) exited in: GenServer.call(Cache, :get, 5000)", "elixir-error", ""},
		{"** (Mix) Could not find a Mix.Project", "elixir-error", ""},
		{"[info] - should reject negative withdrawals *** FAILED ***", "scalatest-failure", ""},
		{"  testCompactOnLaunch, ((sizeBefore) equal to (sizeAfter)) failed: (\"12288\") is not equal to (\"16384\")", "xcpretty-failure", ""},
		{"❌  /Users/ci/App/Sources/Login.swift:12:5: cannot find 'x' in scope", "xcpretty-error", ""},
		{"❌ examples/with-jest/__tests__/index.test.tsx output:", "", ""},
		{"Test suite test-pandoc: FAIL", "closing-count", ""},
		// A record the program under test logged is weaker than a tool's report.
		{"Apr 12 14:46:55.119 - 0m6s ERROR flashlight: pac.go:217 Unable to set proxy", "error-word", "noise:app-log"},
		{"08:18:46.300 [warning] (tls|<0.2734.0>) Failed c2s EXTERNAL authentication: self signed certificate", "tls-failure", "noise:app-log"},
		// Point 5: xUnit, ESLint's report, testthat, R CMD check, TeX.
		{"Nancy.Testing.Tests.BrowserFixture.Should_return_JSON_serialized_form [FAIL]", "xunit-failure", ""},
		{"[xUnit.net 00:00:01.21]     Acme.Tests.CartTests.AddsTax [FAIL]", "xunit-failure", ""},
		{"   14:7  error  'retries' is assigned a value but never used  no-unused-vars", "eslint-error", ""},
		{"1 error and 0 warnings potentially fixable with the `--fix` option.", "noise:eslint-boilerplate", ""},
		{"── Failure (test-summarise.R:18:3): summarise drops NA groups ──────────────────", "testthat-failure", ""},
		{"  ── Error ('test-quantile.R:9:3'): weighted quantile handles zero weights ───────", "testthat-failure", ""},
		{"Running the tests in ‘tests/testthat.R’ failed.", "r-check-tests-failed", ""},
		{"W  checking Rd \\usage sections ...", "r-check-problem", ""},
		{"* checking for code/documentation mismatches ... WARNING", "r-check-problem", ""},
		{"! Undefined control sequence.", "tex-error", ""},
		{"! LaTeX Error: File `minted.sty' not found.", "tex-error", ""},
		{"!  ==> Fatal error occurred, no output PDF file produced!", "tex-fatal", ""},
		{"LaTeX Warning: Citation `knuth1984' on page 12 undefined on input line 33.", "warning", ""},
		{"Latex failed to resolve 606 reference(s)", "warning", ""},
		{" unless error was exceeding maximum runs, or warnings treated as errors.", "noise:latexmk-boilerplate", ""},
		// pytest-xdist's results and pytest -v's bare node ids; a give-up
		// after retries is not a retry.
		{"[gw0] [ 93%] PASSED tests/functional/test_uninstall.py::test_uninstall_without_record_fails[FileNotFoundError]", "file-not-found", "noise:passing-test"},
		{"tests/functional/test_uninstall.py::test_uninstall_without_record_fails[FileNotFoundError]", "file-not-found", "noise:passing-test"},
		{"[gw1] [ 12%] SKIPPED tests/test_gpu.py::test_cuda - No module named 'cupy'", "missing-module", "noise:skipped-test"},
		{"ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='github.com', port=443): Max retries exceeded with url: /x.zip", "error-prefix", ""},
		{"WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError'", "warning", "noise:retry"},
		// Point 5: GoogleTest, Bazel, Ant, AVA, SBCL, dart, Ansible, detekt.
		{"src/core/codec_test.cc:88: Failure", "gtest-failure", ""},
		{"//src/core:codec_test                                  FAILED in 0.4s", "bazel-test-summary", ""},
		{"INFO: Build completed, 1 test FAILED, 14 total actions", "bazel-test-summary", ""},
		{"    [junit] Testcase: testBackslashEscapes(org.textkit.ParserTest):\tFAILED", "ant-junit-failure", ""},
		{"    [junit] Test org.textkit.ParserTest FAILED", "ant-junit-summary", ""},
		{"/home/travis/build/legacy/textkit/build.xml:88: Test org.textkit.ParserTest failed", "ant-build-reason", ""},
		{"  Difference (- actual, + expected):", "ava-difference", ""},
		{"Unhandled ASDF/FIND-COMPONENT:MISSING-DEPENDENCY in thread #<SB-THREAD:THREAD \"main thread\" RUNNING", "sbcl-unhandled", ""},
		{"Backtrace for: #<SB-THREAD:THREAD \"main thread\" RUNNING {1001878103}>", "noise:sbcl-backtrace", ""},
		{"; caught ERROR:", "sbcl-compile-error", ""},
		{"00:07 +41 -1: /workdir/test/cart_test.dart: Cart total includes tax [E]", "dart-test-failure", ""},
		{"00:05 +13: /workdir/test/cart_test.dart: Cart shows error when stock runs out", "error-word", ""},
		{"Changed lib/src/money.dart", "formatting-check", ""},
		{"fatal: [web-02]: FAILED! => {\"changed\": false, \"msg\": \"AnsibleUndefinedVariable\"}", "ansible-fatal", ""},
		{"app/src/main/kotlin/Sync.kt:88:30: This expression contains a magic number. [MagicNumber]", "kotlin-lint", ""},
		// Point 5: minitest, nextest, eunit, clojure.test, busted, zig,
		// cpanm, link checkers, Boost.Test/clang-tidy/node:test counts.
		{"Failure:", "minitest-failure", ""},
		{"Error:", "minitest-failure", ""},
		{"        FAIL [   0.120s] ingest pipeline::tests::rejects_empty", "nextest-failure", ""},
		{"  codec_tests: decode_test...*failed*", "eunit-failure", ""},
		{"FAIL in (balance-test) (core_test.clj:21)", "clojure-test-failure", ""},
		{"Failure → spec/queue_spec.lua @ 22", "busted-failure", ""},
		{"error: 'tokenizer.test.parse nested' failed:", "zig-test-failure", ""},
		{"error: the following build command failed with exit code 1:", "exit-code", ""},
		{"error: while executing test 'x.test.y', the following test command failed:", "zig-wrapper", ""},
		{"! Configure failed for DBD-Pg-3.18.0. See /root/.cpanm/work/1/build.log for details.", "cpanm-error", ""},
		{"  [✖] https://example.org/old → Status: 404", "link-check", ""},
		{"ld: library 'Pods-LegacyTests' not found", "linker-error", ""},
		{"*** 1 failure is detected in the test module \"codec\"", "closing-count", ""},
		{"2 warnings treated as errors", "closing-count", ""},
		{"ℹ fail 1", "closing-count", ""},
		{"Aborted due to warnings.", "closing-count", ""},
		// Point 5: Karma's browser errors, SwiftLint's violations; npm 6's
		// lifecycle line for a package without a name is boilerplate.
		{"Chrome 75.0.3770 (Mac OS X 10.13.6) ERROR", "karma-failure", ""},
		{"Chrome Headless 120.0.6099.109 (Linux x86_64) CartService applies the coupon once FAILED", "karma-failure", ""},
		{"/Users/ci/App/Sources/Login.swift:156:13: warning: Redundant Discardable Let Violation: Prefer `_ = foo()` (redundant_discardable_let)", "swiftlint-violation", ""},
		{"npm ERR! @ lint: `eslint '.' --ignore-path .gitignore`", "noise:npm-boilerplate", ""},
		// Point 1: licence and warranty text in installers' banners.
		{"\tthe USA under License Exception TSU of the U.S. Export", "error-word", "noise:licence"},
		{"2. Acme is not liable for any failure, loss of data, or damage arising", "error-word", "noise:licence"},
		// Point 2: "cancelled by" only of a build, job or run.
		{"> 80th column phantom linefeed phantom cancelled by explicit cursor move", "", ""},
		{"Build was cancelled by user admin", "cancelled", ""},
		// Point 5: linkinator's "[404] url", ESLint's --max-warnings count.
		{"[404] http://localhost:5422/docs/4.3/x.html", "link-check", ""},
		{"ESLint found too many warnings (maximum: 0).", "closing-count", ""},
	}
	for _, tt := range tests {
		r, noise := classifyText(tt.line)
		name := ""
		if r != nil {
			name = r.name
		}
		if name != tt.rule || noise != tt.noise {
			t.Errorf("%q: rule %q, noise %q; want rule %q, noise %q", tt.line, name, noise, tt.rule, tt.noise)
		}
	}
}
