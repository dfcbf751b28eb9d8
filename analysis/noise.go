package analysis

import "bytes"

// Kinds of noise, indexes into noiseLiterals.
const (
	noiseZero = iota
	noiseDeprecation
	noiseRetry
	noiseIgnored
	noiseExpected
)

// noiseLiterals are the literals noiseReason looks for, by kind of noise.
var noiseLiterals = [][]string{
	noiseZero:        {"0 ", "no ", "zero ", ":0", ": 0", "=0", "= 0"},
	noiseDeprecation: {"deprecat"},
	noiseRetry:       {"retry", "retries", "trying again", "attempt "},
	noiseIgnored:     {"(ignored)", "ignoring", " ignored"},
	noiseExpected:    {"expected error", "error expected", "want error", "wanterr"},
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
	case l.hasAnyID(noiseIDs(noiseZero)) && onlyZeroCounts(lower):
		return "noise:zero-count", 0.1
	case l.hasAnyID(noiseIDs(noiseDeprecation)) && !structured:
		// A deprecation turned into an error (pytest -W error, a test's own
		// assertion) is structured output, not a passing warning.
		return "noise:deprecation", 0.3
	case l.hasAnyID(noiseIDs(noiseRetry)) && retryWords.Match(lower):
		return "noise:retry", 0.5
	case l.hasAnyID(noiseIDs(noiseIgnored)):
		return "noise:ignored", 0.4
	case l.hasAnyID(noiseIDs(noiseExpected)):
		return "noise:expected-error", 0.5
	}
	return "", 1
}

var (
	npmScriptEcho = re(`^> \S+@\S+ \S+`)
	retryWords    = re(`\bretry(ing)?\b|\bretries\b|will retry|trying again|\battempt \d+ ?(/|of) ?\d+`)
)

var countWords = []string{"error", "failure", "failed", "failing", "problem"}

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
