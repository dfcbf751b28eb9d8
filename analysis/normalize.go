package analysis

import (
	"strings"

	"github.com/cespare/xxhash/v2"
)

// FingerprintVersion names the normalization and hash behind Fingerprint.
// It changes whenever the same message could get another fingerprint, so
// fingerprints of different versions are never compared (history, chunk
// records). Version 1 hashed with SHA-256 and kept paths; version 2 masks
// paths outside test failures and hashes with xxHash64.
const FingerprintVersion = 2

// maxNormalized caps the normalized text a fingerprint hashes.
const maxNormalized = 512

// Normalize returns the template of a message of the given category: what
// varies between two occurrences of the same message is masked. Numbers
// (durations, timestamps, line and column numbers), hex ids and hashes,
// UUIDs and temporary paths are masked always; file paths and URLs too,
// except in test failures, where a test's file is part of its name. Runs
// of white space become one space. See the README's "fingerprint" contract.
func Normalize(category, s string) string {
	return string(appendNormalized(make([]byte, 0, len(s)), category, s))
}

// appendNormalized appends the template of s (see Normalize) to out.
func appendNormalized(out []byte, category, s string) []byte {
	paths := category != CategoryTestFailure
	idents := category == CategoryCompileError || category == CategoryLint
	base := len(out) // out[:base] is not the template's
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if idents && (i == 0 || !isAlnum(s[i-1])) {
			if open, n := quotedIdentLen(s[i:]); n > 0 {
				out = appendSpace(out, base, &space)
				out = append(out, s[i:i+open]...)
				out = append(out, "<id>"...)
				out = append(out, s[i+n-open:i+n]...)
				i += n
				continue
			}
		}
		if paths && pathByte(c) && (i == 0 || !pathByte(s[i-1])) {
			if n := pathLen(s[i:]); n > 0 {
				out = appendSpace(out, base, &space)
				out = append(out, "<path>"...)
				i += n
				continue
			}
		}
		switch {
		case c == ' ' || c == '\t':
			space = true
			i++
			continue
		case c == '/' || c == '\\':
			if n := tempPathLen(s[i:]); n > 0 {
				out = appendSpace(out, base, &space)
				out = append(out, "<tmp>"...)
				i += n
				continue
			}
		case isAlnum(c):
			out = appendSpace(out, base, &space)
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			if j-i == 8 && uuidLen(s[i:]) > 0 { // (a UUID's first run is 8 long)
				out = append(out, "<uuid>"...)
				i += 36
				continue
			}
			out = appendToken(out, s[i:j])
			i = j
			continue
		}
		out = appendSpace(out, base, &space)
		out = append(out, c)
		i++
	}
	return out
}

// appendSpace appends the space a run of white space became, unless it
// starts the template (at base).
func appendSpace(out []byte, base int, space *bool) []byte {
	if *space && len(out) > base {
		out = append(out, ' ')
	}
	*space = false
	return out
}

// appendToken appends an alphanumeric run with ids masked: "<hex>" for
// hashes and addresses, "N" for each run of digits inside a word.
func appendToken(out []byte, tok string) []byte {
	if !anyDigit(tok) {
		return append(out, tok...) // a word: no id masked ("0x", hex with a digit, digit runs)
	}
	if len(tok) > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X') {
		return append(out, "<hex>"...)
	}
	if len(tok) >= 7 && isHexWithDigit(tok) {
		return append(out, "<hex>"...)
	}
	for i := 0; i < len(tok); {
		if tok[i] >= '0' && tok[i] <= '9' {
			for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
				i++
			}
			out = append(out, 'N')
			continue
		}
		out = append(out, tok[i])
		i++
	}
	return out
}

// anyDigit reports whether s holds an ASCII digit.
func anyDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if digit(s[i]) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool { return byteKinds[c]&kindAlnum != 0 }

// Kinds of bytes, for Normalize's tests one byte at a time.
const (
	kindAlnum uint8 = 1 << iota // an ASCII letter or digit
	kindPath                    // a byte of a path (pathByte)
)

// byteKinds holds the kinds of every byte.
var byteKinds = func() (t [256]uint8) {
	for c := range t {
		b := byte(c)
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			t[c] |= kindAlnum | kindPath
		}
		switch b {
		case '/', '\\', '.', '_', '-', '~', '@', '+':
			t[c] |= kindPath
		}
	}
	return t
}()

func isHexWithDigit(s string) bool {
	digit, letter := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			letter = true
		default:
			return false
		}
	}
	return digit && (letter || len(s) >= 12)
}

// uuidLen returns 36 when s starts with a UUID.
func uuidLen(s string) int {
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return 0
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return 0
		}
	}
	return 36
}

var tempPrefixes = []string{
	"/tmp/", "/var/tmp/", "/private/var/folders/", "/var/folders/", "/home/runner/work/_temp/",
	`\AppData\Local\Temp\`, `\Temp\`,
}

// tempPathLen returns the length of a temporary path at the start of s.
func tempPathLen(s string) int {
	for _, p := range tempPrefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			j := len(p)
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '"' && s[j] != '\'' && s[j] != ':' && s[j] != ')' {
				j++
			}
			return j
		}
	}
	return 0
}

// pathByte reports whether c can be part of a file path or URL path.
func pathByte(c byte) bool { return byteKinds[c]&kindPath != 0 }

// pathLen returns the length of the file path at the start of s, or 0 when
// the word there is not one. A path is a word of path bytes that has a
// directory separator and starts with one (or with ".", "~" or a Windows
// drive), has at least two, ends in a file name with an extension
// ("src/app.c") or has a "_" or "." ("build/test_hash"); or a file name
// with an extension followed by a line number ("app.c:12",
// "App.cs(57,31)"). "and/or", "I/O" and "3/4" are words, not paths.
func pathLen(s string) int {
	n := 0
	if len(s) >= 3 && isLetter(s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/') {
		n = 2 // a drive: "C:\"
	}
	seps, lastSep := 0, -1
	for n < len(s) && pathByte(s[n]) {
		if s[n] == '/' || s[n] == '\\' {
			seps++
			lastSep = n
		}
		n++
	}
	for n > 0 && s[n-1] == '.' {
		n-- // a sentence's full stop
	}
	word := s[:n]
	if seps == 0 {
		if n+1 < len(s) && (s[n] == ':' || s[n] == '(') && digit(s[n+1]) && hasExtension(word) {
			return n
		}
		return 0
	}
	switch {
	case word[0] == '/' || word[0] == '\\' || word[0] == '.' || word[0] == '~' || word[1] == ':':
	case seps >= 2:
	case hasExtension(word[lastSep+1:]):
	case strings.ContainsAny(word, "_."): // "build/test_hash"
	default:
		return 0
	}
	return n
}

// hasExtension reports whether name ends in a file extension: a dot after
// a non-empty stem, then one to six letters and digits, one a letter.
func hasExtension(name string) bool {
	dot := -1
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			dot = i
			break
		}
	}
	ext := name[dot+1:]
	if dot < 1 || len(ext) == 0 || len(ext) > 6 {
		return false
	}
	letter := false
	for i := 0; i < len(ext); i++ {
		switch {
		case isLetter(ext[i]):
			letter = true
		case !digit(ext[i]):
			return false
		}
	}
	return letter
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// quotes pairs the quotes a diagnostic puts around an identifier.
var quotes = [][2]string{{"'", "'"}, {`"`, `"`}, {"`", "`"}, {"\u2018", "\u2019"}, {"\u201c", "\u201d"}}

// quotedIdentLen returns, when s starts with an identifier in quotes
// ('log_write', "utf8_lower", ‘Order’), the length of its opening quote
// and of the whole; 0 otherwise. An identifier is letters, digits and
// "_$.:@-", at most 128 bytes: "';'" and "'expected a value'" are not.
func quotedIdentLen(s string) (open, n int) {
	for _, q := range quotes {
		if len(s) < len(q[0]) || s[:len(q[0])] != q[0] {
			continue
		}
		j := len(q[0])
		for j < len(s) && j <= 128 && identByte(s[j]) {
			j++
		}
		if j == len(q[0]) || !strings.HasPrefix(s[j:], q[1]) {
			return 0, 0
		}
		return len(q[0]), j + len(q[1])
	}
	return 0, 0
}

func identByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '$' || c == '.' || c == ':' || c == '@' || c == '-'
}

// Fingerprint identifies a message across lines, jobs and builds: 16 hex
// digits of the xxHash64 of its category and template (Normalize), cut at
// 512 bytes. It is the same on every machine, run and destill of one
// FingerprintVersion.
func Fingerprint(category, message string) string {
	h, _ := fingerprintOf(nil, category, message)
	return fingerprintString(h)
}

// fingerprintOf returns the hash Fingerprint spells, building what it
// hashes in buf (returned for reuse).
func fingerprintOf(buf []byte, category, message string) (uint64, []byte) {
	buf = append(append(buf[:0], category...), 0)
	start := len(buf)
	buf = appendNormalized(buf, category, message)
	if len(buf)-start > maxNormalized {
		buf = buf[:start+maxNormalized]
	}
	return xxhash.Sum64(buf), buf
}

// fingerprintString spells a fingerprint's hash: 16 hex digits.
func fingerprintString(h uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[h&15]
		h >>= 4
	}
	return string(b[:])
}
