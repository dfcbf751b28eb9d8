package analysis

import "unicode/utf8"

// maxShownLineBytes caps each line shown, after redaction: lines are kept
// whole (up to MaxLineBytes) until then, so a secret across the cut is
// still recognized.
const maxShownLineBytes = 2048

// shown turns a cleaned line into the text a finding shows: redacted,
// then cut to maxShownLineBytes (the cut comes last, so that a secret
// across it is recognized whole), without control characters other than
// TAB. The analyzer's class cache remembers the lines shown last.
func (a *Analyzer) shown(b []byte) string {
	return a.classes.shown.shown(a.redactor, b)
}

// shownLines is shown for a block of consecutive printable lines, with
// the lines of private key blocks redacted whole.
func (a *Analyzer) shownLines(lines []string) []string {
	return a.classes.shown.shownLines(a.redactor, lines)
}

// LineCutMark ends a line a finding shows that was cut at the display cap:
// every output (text, JSON, the UI) shows that the log line goes on.
const LineCutMark = " …[line cut at 2 KiB]"

// clipShown cuts s to at most maxShownLineBytes on a character boundary,
// marking the cut with LineCutMark.
func clipShown(s string) string {
	if len(s) <= maxShownLineBytes {
		return s
	}
	return s[:runeStartBefore(s, maxShownLineBytes)] + LineCutMark
}

// runeStartBefore returns the largest offset up to n (< len(s)) where a
// character of s starts.
func runeStartBefore(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// printable returns b as a string without control characters other than
// TAB, with invalid UTF-8 replaced by U+FFFD.
func printable(b []byte) string {
	ok := utf8.Valid(b)
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		case r < 0x20 && r != '\t', r == 0x7f:
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}
