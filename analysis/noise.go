package analysis

import "bytes"

// Kinds of noise, indexes into noiseLiterals.
const (
	noiseZero = iota
	noiseDeprecation
	noiseRetry
	noiseIgnored
	noiseExpected
	noisePassing
	noiseSkipped
	noiseAppLog
	noiseLicence
)

// noiseLiterals are the literals noiseReason looks for, by kind of noise.
var noiseLiterals = [][]string{
	noiseZero:        {"0 ", "no ", "zero ", ":0", ": 0", "=0", "= 0", "fail 0", "failed 0", "errors 0"},
	noiseDeprecation: {"deprecat"},
	noiseRetry:       {"retry", "retries", "trying again", "attempt "},
	noiseIgnored:     {"(ignored)", "ignoring", " ignored"},
	noiseExpected:    {"expected error", "error expected", "want error", "wanterr"},
	noisePassing:     {"ok", "pass", "\u2713", "\u2714", "\u221a", ".py::"},
	noiseSkipped:     {"skip"},
	noiseAppLog:      {"error", "warn", "info", "debug"},
	noiseLicence:     {"license", "licence", "warrant", "liable", "liability", "copyright", "terms of use", "export administration"},
}

// noiseReason returns why a classified line is probably not the cause,
// with the factor its score is multiplied by.
func noiseReason(l *lineView, r *rule, inEcho bool) (string, float64) {
	t := l.trim
	structured := r.block.structured
	lower := l.lower
	if len(lower) > maxMatchBytes {
		lower = lower[:maxMatchBytes]
	}
	switch {
	case l.mark == MarkCommand, inEcho,
		bytes.HasPrefix(t, []byte("+ ")), bytes.HasPrefix(t, []byte("++ ")), bytes.HasPrefix(t, []byte("$ ")),
		len(t) > 2 && t[0] == '>' && npmScriptEcho.Match(t):
		return "noise:echoed-command", 0.25
	case l.hasAnyID(noiseIDs(noiseZero)) && !structured && onlyZeroCounts(lower):
		// A structured block's trigger is a failure whatever its words
		// count ("not ok 6 no errors" is a failed test named so).
		return "noise:zero-count", 0.1
	case l.hasAnyID(noiseIDs(noiseDeprecation)) && !structured:
		// A deprecation turned into an error (pytest -W error, a test's own
		// assertion) is structured output, not a passing warning.
		return "noise:deprecation", 0.3
	case structured && (l.hasAnyID(noiseIDs(noiseRetry)) || l.hasAnyID(noiseIDs(noiseIgnored)) || l.hasAnyID(noiseIDs(noiseExpected))):
		// A test failure or diagnostic that names retries or expected
		// errors ("'retries' is assigned a value but never used") is
		// still one.
	case l.hasAnyID(noiseIDs(noiseRetry)) && retryWords.Match(lower) && !retriesExhausted.Match(lower):
		return "noise:retry", 0.5
	case l.hasAnyID(noiseIDs(noiseIgnored)):
		return "noise:ignored", 0.4
	case l.hasAnyID(noiseIDs(noiseExpected)):
		return "noise:expected-error", 0.5
	case l.hasAnyID(noiseIDs(noisePassing)) && passingTest.Match(t):
		// A test runner's line for a test that passed, whose name holds a
		// failure word ("ok 5 - error on NULL input", "--- PASS: TestPanic").
		return "noise:passing-test", 0.15
	case l.hasAnyID(noiseIDs(noiseSkipped)) && skippedTest.Match(t):
		// A skipped test and its reason ("SKIPPED (No module named 'cupy')").
		return "noise:skipped-test", 0.2
	case r == &genericRule && l.hasAnyID(noiseIDs(noiseLicence)):
		// Licence and warranty text printed by an installer or a tool's
		// banner ("not liable for any failure", "License Exception TSU").
		return "noise:licence", 0.3
	case !structured && l.hasAnyID(noiseIDs(noiseAppLog)) && len(t) > 0 && t[0] >= '0' && t[0] <= 'Z' && appLogRecord.Match(t):
		// A record the program under test logged ("Apr 12 14:46:55.119
		// ERROR pkg: ..."): what it did, weaker evidence than a tool's
		// own report of the failure.
		return "noise:app-log", 0.6
	}
	return "", 1
}

var (
	npmScriptEcho = re(`^> \S+@\S+ \S+`)
	// passingTest is a test runner's report of one test that passed, in
	// the formats of TAP ("ok 5 - x"), go test, nextest, cargo test and
	// unittest ("... ok"), eunit ("...ok"), prove ("t/x.t .. ok"), pytest
	// -v ("::x PASSED"), the check marks of mocha, Jest, Vitest, AVA,
	// xcpretty and testdox, tasty ("x:  OK"), hspec ("x [✔]"), GoogleTest,
	// ctest, XCTest, Gradle, automake, dotnet test and meson; pytest-xdist's
	// "[gw0] [ 93%] PASSED x" and pytest -v's bare node id of a test that
	// is starting.
	passingTest = re(`^(ok \d+\b|--- PASS: |PASS \[|PASS: |Passed \S|\[ +OK \] |Test Case '.*' passed \(|(✓|✔|√|✔︎) |(\[gw\d+\] )?\[ *\d+%\] (PASSED|XFAIL|XPASS) |\S+\.py::\S+$)|` +
		`(\.\.\.? ?ok|\S::\S.* PASSED( +\[ *\d+%\])?|:\s+OK( \(\d+(\.\d+)?m?s\))?|\[✔\]|\s\*{0,3}Passed +\d+(\.\d+)? sec|\S > .+ PASSED|\s OK +\d+(\.\d+)?s)$`)
	// appLogRecord is a timestamped log record with a level: a date or a
	// time of day first, the level within the next few words.
	appLogRecord = re(`^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d|[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d\d:\d\d:\d\d)[^ ]* (\S+ ){0,3}\[?(ERROR|WARN|WARNING|INFO|DEBUG|error|warn|warning|info|debug)\b`)
	// skippedTest is a test runner's report of a skipped test: pytest
	// ("x SKIPPED (reason)", "SKIPPED [1] file:8: reason"), unittest
	// ("... skipped 'reason'"), TAP ("# SKIP reason") and go test.
	skippedTest = re(`(^SKIPPED \[\d+\] |\S SKIPPED\b|\.\.\. skipped\b|# (SKIP|skip)\b|^--- SKIP: |^(\[gw\d+\] )?\[ *\d+%\] SKIPPED )`)
	retryWords  = re(`\bretry(ing)?\b|\bretries\b|will retry|trying again|\battempt \d+ ?(/|of) ?\d+`)
	// retriesExhausted is the give-up after the retries ("Max retries
	// exceeded with url", urllib3's): the failure, not a retry.
	retriesExhausted = re(`max retries exceeded|retries exhausted|(after|all) \d+ (retries|attempts)|giving up|gave up`)
)

var countWords = []string{"error", "fail", "problem"}

// onlyZeroCounts reports whether lower counts failures and every count is
// zero: "0 errors", "no failures", "Failures: 0, Errors: 0".
func onlyZeroCounts(lower []byte) bool {
	zero := false
	for _, w := range countWords {
		for off := 0; ; {
			i := bytes.Index(lower[off:], []byte(w))
			if i < 0 {
				break
			}
			i += off
			off = i + len(w)
			if i > 0 && isWordByte(lower[i-1]) {
				continue
			}
			end := off
			for end < len(lower) && lower[end] >= 'a' && lower[end] <= 'z' {
				end++
			}
			after := countAfter(lower[end:])
			if after < 0 {
				// "failed checks: 0", "fail 0" (node:test's closing counts)
				after = countAfterNoun(lower[end:])
			}
			if end-i == len("error") && w == "error" {
				after = -1 // "error: 0 is not a valid port" is a message, not a count
			}
			switch after {
			case 0:
				zero = true
			case 1:
				return false
			}
			switch countBefore(lower[:i]) {
			case 0:
				zero = true
			case 1:
				return false
			}
		}
	}
	return zero
}

// countAfter reads ": N" or "=N" after a count word: 0 for zero, 1 for a
// positive count, -1 for none.
func countAfter(b []byte) int {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i >= len(b) || (b[i] != ':' && b[i] != '=') {
		return -1
	}
	i++
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return digitsValue(b[i:])
}

// countAfterNoun reads " noun: N" after a count word ("failed checks: 0"),
// or " N" ending the line ("fail 0"): 0 for zero, 1 for a positive count,
// -1 for none.
func countAfterNoun(b []byte) int {
	if len(b) < 2 || b[0] != ' ' {
		return -1
	}
	if b[1] >= '0' && b[1] <= '9' {
		n := 1
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		if n != len(b) {
			return -1
		}
		return digitsValue(b[1:])
	}
	i := 1
	for i < len(b) && b[i] >= 'a' && b[i] <= 'z' {
		i++
	}
	if i == 1 {
		return -1
	}
	return countAfter(b[i:])
}

// countBefore reads "N " or "no "/"zero " before a count word.
func countBefore(b []byte) int {
	j := len(b)
	if j == 0 || b[j-1] != ' ' {
		return -1
	}
	j--
	k := j
	for k > 0 && isWordByte(b[k-1]) {
		k--
	}
	tok := b[k:j]
	switch string(tok) {
	case "no", "zero":
		return 0
	}
	if len(tok) == 0 || (k > 0 && (b[k-1] == '.' || b[k-1] == ',')) {
		return -1
	}
	return digitsValue(tok)
}

func digitsValue(b []byte) int {
	n := 0
	nonzero := false
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		if b[n] != '0' {
			nonzero = true
		}
		n++
	}
	if n == 0 || (n < len(b) && isWordByte(b[n])) {
		return -1
	}
	if nonzero {
		return 1
	}
	return 0
}
