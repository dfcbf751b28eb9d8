package analysis

import "unicode/utf8"

// maxShownLineBytes caps each line kept for display.
const maxShownLineBytes = 2048

// shown turns a cleaned line into the text a finding shows: at most
// maxShownLineBytes, valid UTF-8, without control characters other than TAB.
func shown(b []byte) string {
	cut := len(b) > maxShownLineBytes
	if cut {
		b = b[:maxShownLineBytes]
	}
	s := printable(b)
	if cut {
		s += "…"
	}
	return s
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
