package analysis

import (
	"crypto/sha256"
	"encoding/hex"
)

// Normalize masks what varies between two occurrences of the same message:
// numbers, hex ids and hashes, UUIDs, temporary paths, and runs of white
// space. Durations and timestamps are numbers, so they are masked too.
func Normalize(s string) string {
	out := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			space = true
			i++
			continue
		case c == '/' || c == '\\':
			if n := tempPathLen(s[i:]); n > 0 {
				out = appendSpace(out, &space)
				out = append(out, "<tmp>"...)
				i += n
				continue
			}
		case isAlnum(c):
			out = appendSpace(out, &space)
			j := i
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			if n := uuidLen(s[i:]); n > 0 {
				out = append(out, "<uuid>"...)
				i += n
				continue
			}
			out = appendToken(out, s[i:j])
			i = j
			continue
		}
		out = appendSpace(out, &space)
		out = append(out, c)
		i++
	}
	return string(out)
}

func appendSpace(out []byte, space *bool) []byte {
	if *space && len(out) > 0 {
		out = append(out, ' ')
	}
	*space = false
	return out
}

// appendToken appends an alphanumeric run with ids masked: "<hex>" for
// hashes and addresses, "N" for each run of digits inside a word.
func appendToken(out []byte, tok string) []byte {
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

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

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

// Fingerprint identifies a message across lines, jobs and builds: a hash of
// its category and normalized text.
func Fingerprint(category, message string) string {
	n := Normalize(message)
	if len(n) > 512 {
		n = n[:512]
	}
	sum := sha256.Sum256([]byte(category + "\x00" + n))
	return hex.EncodeToString(sum[:8])
}
