package analysis

import (
	"bytes"
	"regexp"
	"strings"
)

// Redacted replaces every secret in destill's output.
const Redacted = "[REDACTED]"

// Redactor removes credentials from log text: well-known token formats
// (GitHub, Buildkite, GitLab, AWS, Slack, JWT, ...), "password=" style
// pairs, Authorization headers, credentials in URLs, private key blocks, and
// any literal secret it is given (the tokens destill itself was started with).
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
	tokenPatterns = regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|bk(ua|at)_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,}|(AKIA|ASIA)[A-Z0-9]{16}|xox[abposr]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|(sk|rk)_(live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36})`)
	keyedSecret   = regexp.MustCompile(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key|aws_secret_access_key)["']?\s*[:=]\s*["']?)([^\s"'&,;]{3,})`)
	authHeader    = regexp.MustCompile(`(?i)(authorization\s*[:=]\s*(?:bearer\s+|basic\s+|token\s+|bot\s+)?)([^\s"',;]+)`)
	urlCreds      = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@`)
	pemInline     = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)`)
	secretHints   = []string{"gh", "_pat_", "bkua_", "bkat_", "glpat-", "akia", "asia", "xox", "eyj", "_live_", "_test_", "aiza", "npm_",
		"pass", "pwd", "secret", "token", "key", "authorization", "://", "private key"}
)

// Redact returns s with secrets replaced by [REDACTED].
func (r *Redactor) Redact(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	lower := strings.ToLower(s)
	hint := false
	for _, h := range secretHints {
		if strings.Contains(lower, h) {
			hint = true
			break
		}
	}
	if !hint {
		return s
	}
	s = pemInline.ReplaceAllString(s, Redacted)
	s = tokenPatterns.ReplaceAllString(s, Redacted)
	s = authHeader.ReplaceAllStringFunc(s, func(m string) string {
		sub := authHeader.FindStringSubmatch(m)
		if sub[2] == Redacted || sub[2] == "***" {
			return m
		}
		return sub[1] + Redacted
	})
	s = keyedSecret.ReplaceAllStringFunc(s, func(m string) string {
		sub := keyedSecret.FindStringSubmatch(m)
		if sub[2] == Redacted || strings.Trim(sub[2], "*") == "" || strings.HasPrefix(sub[2], "${") || strings.HasPrefix(sub[2], "$(") {
			return m
		}
		return sub[1] + Redacted
	})
	s = urlCreds.ReplaceAllString(s, "${1}"+Redacted+"@")
	return s
}

// RedactLines redacts a block of consecutive lines, including the lines
// of private key blocks that span several lines.
func (r *Redactor) RedactLines(lines []string) []string {
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
			out[i] = r.Redact(l)
		}
	}
	return out
}

func isPEMBegin(b []byte) bool {
	i := bytes.Index(b, []byte("-----BEGIN "))
	return i >= 0 && bytes.Contains(b[i:], []byte("PRIVATE KEY-----"))
}

func isPEMEnd(b []byte) bool {
	i := bytes.Index(b, []byte("-----END "))
	return i >= 0 && bytes.Contains(b[i:], []byte("PRIVATE KEY-----"))
}
