package analysis

import (
	"bytes"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every secret in destill's output.
const Redacted = "[REDACTED]"

// Redactor removes credentials from log text: the token formats of
// gitleaks' rule set and destill's own rules for CI logs (secretrules/),
// "password=" style pairs, Authorization headers, credentials in URLs,
// private key blocks, and any literal secret it is given (the tokens
// destill itself was started with).
type Redactor struct {
	secrets []string
}

// NewRedactor returns a Redactor that also removes the given literal
// secrets. Values shorter than 6 bytes are ignored: they would match
// ordinary text.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= 6 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

var (
	keyedSecret = re(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key|aws_secret_access_key)["']?\s*[:=]\s*["']?)([^\s"'&,;]{3,})`)
	authHeader  = re(`(?i)(authorization\s*[:=]\s*(?:bearer\s+|basic\s+|token\s+|bot\s+)?)([^\s"',;]+)`)
	urlCreds    = re(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@`)
	pemInline   = re(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)`)
)

// mayNeedRedaction reports, without copying b, whether Redact could
// change it: whether it holds a literal secret, a keyword of a rule (or of
// the patterns written in code), a key assignment or credentials in a URL.
func (r *Redactor) mayNeedRedaction(b []byte) bool { return mayNeedRedaction(r, b) }

// mayNeedRedaction is Redactor.mayNeedRedaction for a string or bytes.
func mayNeedRedaction[T ~string | ~[]byte](r *Redactor, b T) bool {
	for _, sec := range r.secrets {
		if index(b, sec) >= 0 {
			return true
		}
	}
	if mayHaveURLCreds(b) {
		return true
	}
	var st scanState
	return scanKeywords(rulesForRedaction().index, b, &st) || st.weak && hasKeyAssignment(b)
}

// hasLiteral reports whether b contains one of the literal secrets.
func (r *Redactor) hasLiteral(b []byte) bool {
	for _, sec := range r.secrets {
		if bytes.Contains(b, []byte(sec)) {
			return true
		}
	}
	return false
}

// RedactLiterals returns s with only the secrets given to NewRedactor
// replaced. It suits destill's own messages (errors, notes), where the log
// patterns would also cut actionable words ("token: set GITHUB_TOKEN").
func (r *Redactor) RedactLiterals(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}

// RedactLiteralBytes is RedactLiterals for raw log bytes; data comes back
// unchanged when it holds none of the secrets.
func (r *Redactor) RedactLiteralBytes(data []byte) []byte {
	for _, sec := range r.secrets {
		if bytes.Contains(data, []byte(sec)) {
			data = bytes.ReplaceAll(data, []byte(sec), []byte(Redacted))
		}
	}
	return data
}

// Redact returns s with secrets replaced by [REDACTED].
func (r *Redactor) Redact(s string) string {
	if !mayNeedRedaction(r, s) {
		return s // most lines: one scan, no copy
	}
	return r.redactAll(s)
}

// redactAll is Redact without its screen: every pattern is tried.
func (r *Redactor) redactAll(s string) string {
	s = r.RedactLiterals(s)
	if spans := rulesForRedaction().find(s, nil); len(spans) > 0 {
		s = redactSpans(s, spans)
	}
	if strings.Contains(s, "PRIVATE KEY") {
		s = pemInline.compiled().ReplaceAllString(s, Redacted)
	}
	if containsFold(s, "authorization") {
		s = authHeader.compiled().ReplaceAllStringFunc(s, func(m string) string {
			sub := authHeader.compiled().FindStringSubmatch(m)
			if sub[2] == Redacted || sub[2] == "***" {
				return m
			}
			return sub[1] + Redacted
		})
	}
	if !hasKeyAssignment(s) {
		return redactURLCreds(s)
	}
	s = replaceKeyedSecrets(s, func(m string) string {
		sub := keyedSecret.compiled().FindStringSubmatch(m)
		if strings.HasPrefix(sub[2], Redacted) || strings.Trim(sub[2], "*") == "" || strings.HasPrefix(sub[2], "${") || strings.HasPrefix(sub[2], "$(") {
			return m
		}
		return sub[1] + Redacted
	})
	return redactURLCreds(s)
}

func redactURLCreds(s string) string {
	if mayHaveURLCreds(s) {
		s = urlCreds.compiled().ReplaceAllString(s, "${1}"+Redacted+"@")
	}
	return s
}

// mayHaveURLCreds is urlCreds's necessary condition: after some "://", a
// user, ':', a password and '@' before any '/' or blank. Most URLs with an
// '@' in them (npm scopes, git remotes) fail it without the pattern.
func mayHaveURLCreds[T ~string | ~[]byte](s T) bool {
	if indexByte(s, '@') < 0 {
		return false
	}
	for off := 0; ; {
		i := index(s[off:], "://")
		if i < 0 {
			return false
		}
		off += i + 3
		user := indexAny(s[off:], "/:@ \t\n\f\r")
		if user <= 0 || s[off+user] != ':' {
			continue
		}
		pass := indexAny(s[off+user+1:], "/@ \t\n\f\r")
		if pass > 0 && s[off+user+1+pass] == '@' {
			return true
		}
	}
}

// index is strings.Index for a string or a byte slice.
func index[T ~string | ~[]byte](s T, sub string) int {
	if b, ok := any(s).([]byte); ok {
		return bytes.Index(b, []byte(sub))
	}
	return strings.Index(string(s), sub)
}

// indexAny is strings.IndexAny for a string or a byte slice, with ASCII chars.
func indexAny[T ~string | ~[]byte](s T, chars string) int {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(chars, s[i]) >= 0 {
			return i
		}
	}
	return -1
}

// containsFold reports whether s contains w (lower case ASCII) in any case.
func containsFold[T ~string | ~[]byte](s T, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if foldByte(s[i]) == w[0] && hasFoldedPrefix(s[i:], w) {
			return true
		}
	}
	return false
}

// RedactLines redacts a block of consecutive lines, including the lines
// of private key blocks that span several lines.
func (r *Redactor) RedactLines(lines []string) []string {
	return redactLines(lines, r.Redact)
}

// redactLines replaces the lines of private key blocks with Redacted and
// every other line with what redact makes of it.
func redactLines(lines []string, redact func(string) string) []string {
	out := make([]string, len(lines))
	inKey := false
	for i, l := range lines {
		switch {
		case inKey:
			out[i] = Redacted
			if isPEMEnd([]byte(l)) {
				inKey = false
			}
		case isPEMBegin([]byte(l)) && !isPEMEnd([]byte(l)):
			out[i] = Redacted
			inKey = true
		default:
			out[i] = redact(l)
		}
	}
	return out
}

// IsKeyBlockBegin reports whether a line opens a private key block: PEM
// ("-----BEGIN RSA PRIVATE KEY-----", OpenSSH's) or PGP ("-----BEGIN PGP
// PRIVATE KEY BLOCK-----").
func IsKeyBlockBegin(b []byte) bool { return isPEMBegin(b) }

// IsKeyBlockEnd reports whether a line closes a private key block.
func IsKeyBlockEnd(b []byte) bool { return isPEMEnd(b) }

func isPEMBegin(b []byte) bool { return isKeyMarker(b, "-----BEGIN ") }

func isPEMEnd(b []byte) bool { return isKeyMarker(b, "-----END ") }

// isKeyMarker reports whether b holds head, which is five dashes and a
// word, followed by a private key's trailer. Every line with a trigger word
// is asked, so it finds the dashes with IndexByte, which on most lines
// (none) is about three times as fast as Index: in a run of dashes head can
// only start five before its end.
func isKeyMarker(b []byte, head string) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '-')
		if j < 0 {
			return false
		}
		i += j
		end := i + 1
		for end < len(b) && b[end] == '-' {
			end++
		}
		if at := end - 5; at >= i && bytes.HasPrefix(b[at:], []byte(head)) {
			b = b[at:]
			return bytes.Contains(b, []byte("PRIVATE KEY-----")) || bytes.Contains(b, []byte("PRIVATE KEY BLOCK-----"))
		}
		i = end
	}
	return false
}

// keyedSecretAt is keyedSecret anchored at the start of the text.
var keyedSecretAt = re(`^(?:` + keyedSecret.src + `)`)

// maxKeyName is the length of the longest name keyedSecret knows
// ("aws_secret_access_key").
const maxKeyName = 21

// replaceKeyedSecrets is keyedSecret.ReplaceAllStringFunc(s, repl), with
// the pattern tried only where a match can start. Unanchored, Go's
// matcher walks every byte of the line with all the names' threads alive
// ((?i) at that): a 2 KB line cost a millisecond. A match is a name, an
// optional quote, blanks and '=' or ':', so it starts a name's length
// (at most maxKeyName) before where hasKeyAssignment's look back from a
// separator ends; the pattern has no assertion, so a match found at such
// a start with the anchored pattern is the one the unanchored search
// finds there, and trying the starts in order finds the same matches.
// Outside ASCII, (?i) folds 'ſ' and the Kelvin sign into names too: such
// lines take the unanchored pattern.
func replaceKeyedSecrets(s string, repl func(string) string) string {
	if !isASCII(s) {
		return keyedSecret.compiled().ReplaceAllStringFunc(s, repl)
	}
	var out strings.Builder
	last := 0
	for _, c := range keyNameStarts(s) {
		if c < last {
			continue
		}
		m := keyedSecretAt.compiled().FindStringIndex(s[c:])
		if m == nil {
			continue
		}
		out.WriteString(s[last:c])
		out.WriteString(repl(s[c : c+m[1]]))
		last = c + m[1]
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// keyNameStarts returns, in order, the offsets of s where a name of
// keyedSecret may start: up to maxKeyName bytes before the end of a
// keyWords word that an optional quote and blanks separate from an '='
// or ':'.
func keyNameStarts(s string) []int {
	var starts []int
	for j := range keyNameEnds(s) {
		for c := max(0, j-maxKeyName); c <= j-len("pwd"); c++ {
			starts = append(starts, c)
		}
	}
	slices.Sort(starts)
	return slices.Compact(starts)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// keyWords end every name keyedSecret knows.
var keyWords = []string{"password", "passwd", "pwd", "secret", "token", "key"}

// hasKeyAssignment is keyedSecret's necessary condition: a name ending in
// one of keyWords (in any case), an optional quote and blanks, then '=' or
// ':' ("password=", "API_KEY: ", "token\":"). It looks back from each '='
// and ':', allocating nothing: "--- PASS:" and "level=info" fail it
// without running the pattern.
func hasKeyAssignment[T ~string | ~[]byte](s T) bool {
	for range keyNameEnds(s) {
		return true
	}
	return false
}

// keyNameEnds yields, for each '=' and ':' of s (all the '=' first) that
// a name ending in one of keyWords (in any case), an optional quote and
// blanks precede, where that name ends.
func keyNameEnds[T ~string | ~[]byte](s T) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, sep := range []byte{'=', ':'} {
			for off := 0; ; {
				i := indexByte(s[off:], sep)
				if i < 0 {
					break
				}
				j := off + i
				off = j + 1
				for j > 0 && isRegexpSpace(s[j-1]) {
					j--
				}
				if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
					j--
				}
				for _, w := range keyWords {
					if j >= len(w) && hasFoldedPrefix(s[j-len(w):j], w) {
						if !yield(j) {
							return
						}
						break
					}
				}
			}
		}
	}
}

// indexByte is strings.IndexByte for a string or a byte slice.
func indexByte[T ~string | ~[]byte](s T, c byte) int {
	if b, ok := any(s).([]byte); ok {
		return bytes.IndexByte(b, c)
	}
	return strings.IndexByte(string(s), c)
}

// isRegexpSpace reports whether c matches \s in Go's regexp.
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v'
}
