package analysis

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := NewRedactor("  hunter2-secret  ", "short")
	tests := []struct {
		name, in, full, literal string
	}{
		{"literal secret", "login with hunter2-secret now", "login with [REDACTED] now", "login with [REDACTED] now"},
		{"too short to redact", "a short word", "a short word", "a short word"},
		{"pattern only in full", "token: set GITHUB_TOKEN", "token: [REDACTED] GITHUB_TOKEN", "token: set GITHUB_TOKEN"},
		{"github token", "using ghp_abcdefghijklmnopqrstuvwxyz0123", "using [REDACTED]", "using ghp_abcdefghijklmnopqrstuvwxyz0123"},
		{"url credentials", "git clone https://bob:pw1234@example.com/r.git", "git clone https://[REDACTED]@example.com/r.git", "git clone https://bob:pw1234@example.com/r.git"},
		{"pwd with blanks", "export PWD = hunter22", "export PWD = [REDACTED]", "export PWD = hunter22"},
		{"quoted pwd", "{'pwd' : 'hunter22'}", "{'pwd' : '[REDACTED]'}", "{'pwd' : 'hunter22'}"},
		{"key and a tab", "API_KEY\t= abc123xyz", "API_KEY\t= [REDACTED]", "API_KEY\t= abc123xyz"},
		{"stripe test key", "using sk_test_abcdefghijklmnop1234", "using [REDACTED]", "using sk_test_abcdefghijklmnop1234"},
		{"buildkite token", "BUILDKITE=bkua_abcdefghijklmnopqrstuvwxyz", "BUILDKITE=[REDACTED]", "BUILDKITE=bkua_abcdefghijklmnopqrstuvwxyz"},
		{"no token in ordinary words", "cloning github.com/acme/app through the proxy; my_test_case passed", "cloning github.com/acme/app through the proxy; my_test_case passed", "cloning github.com/acme/app through the proxy; my_test_case passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.full {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.full)
			}
			if got := r.RedactLiterals(tt.in); got != tt.literal {
				t.Errorf("RedactLiterals(%q) = %q, want %q", tt.in, got, tt.literal)
			}
			if got := string(r.RedactLiteralBytes([]byte(tt.in))); got != tt.literal {
				t.Errorf("RedactLiteralBytes(%q) = %q, want %q", tt.in, got, tt.literal)
			}
		})
	}
}

// TestPreChecks holds each pre-check to the pattern it guards, on strings
// built from the pieces that matter to it: whatever the pattern matches,
// the pre-check lets through; the ordinary lines listed it stops.
func TestPreChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pattern  *pattern
		pre      func(string) bool
		pieces   []string
		ordinary []string
	}{
		{"mayHaveURLCreds", urlCreds, mayHaveURLCreds[string],
			[]string{"https://", "git+ssh://", "://", "bob", ":", "pw1", "@", "/", " ", "\t", "host", "x"},
			[]string{"https://registry.npmjs.org/@babel/core", "git@github.com:acme/app.git", "see https://x.io/a@b"}},
		{"hasKeyAssignment", keyedSecret, hasKeyAssignment[string],
			[]string{"password", "PASSWD", "Pwd", "secret", "client_secret", "TOKEN", "auth-token", "api_key", "ApiKey",
				"private_key", "key", "PASS", "tok", "\"", "'", " ", "\t", "=", ":", "x", "abc123", "$", "${"},
			[]string{"--- PASS: TestX (0.01s)", "level=info msg=ready", "09:24:20 tokens: 3 left", "key_id=7"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(i + 1)))
			matched := 0
			for range 200_000 {
				var b strings.Builder
				for k := rng.Intn(8); k >= 0; k-- {
					b.WriteString(tt.pieces[rng.Intn(len(tt.pieces))])
				}
				if s := b.String(); tt.pattern.compiled().MatchString(s) {
					matched++
					if !tt.pre(s) {
						t.Fatalf("the pattern matches %q but %s says no", s, tt.name)
					}
				}
			}
			if matched == 0 {
				t.Fatal("no generated string matched the pattern")
			}
			for _, s := range tt.ordinary {
				if tt.pre(s) {
					t.Errorf("%s(%q) = true, want false", tt.name, s)
				}
			}
		})
	}
}

// TestRedactScreen: the screen in front of Redact (mayNeedRedaction) only
// lets through lines every pattern leaves alone, on the token corpus,
// the test logs and texts built from both.
func TestRedactScreen(t *testing.T) {
	t.Parallel()
	r := NewRedactor("hunter2hunter2", "s3cr3t-value")
	lines := append(secretTestLines(t), "pass hunter2hunter2 along", "x s3cr3t-value", "https://u:p@h/x", "Authorization: Bearer abc",
		"-----BEGIN RSA PRIVATE KEY----- abc", "api_key=abcdef123456")
	rng := rand.New(rand.NewSource(7))
	for range 20_000 {
		a, b := lines[rng.Intn(len(lines))], lines[rng.Intn(len(lines))]
		i, j := rng.Intn(len(a)+1), rng.Intn(len(b)+1)
		lines = append(lines, a[:i]+b[j:])
	}
	screened := 0
	for _, l := range lines {
		if !mayNeedRedaction(r, l) {
			screened++
		}
		if got, want := r.Redact(l), r.redactAll(l); got != want {
			t.Fatalf("Redact(%q) = %q, every pattern gives %q", l, got, want)
		}
	}
	if screened < len(lines)/2 {
		t.Errorf("the screen let only %d of %d lines skip the patterns", screened, len(lines))
	}
}

// TestReplaceKeyedSecrets holds the anchored search of key assignments to
// keyedSecret's unanchored ReplaceAllStringFunc on texts built from
// names, their near misses, separators, quotes, blanks and values, and
// letters (ſ, the Kelvin sign) that (?i) folds into names.
func TestReplaceKeyedSecrets(t *testing.T) {
	t.Parallel()
	pieces := []string{"password", "PassWd", "pwd", "SECRET", "token", "api_key", "api-KEY", "apikey", "access_key", "secret-key",
		"auth_token", "authtoken", "client_secret", "private_key", "aws_secret_access_key", "key", "monkey", "tok",
		"=", ":", " ", "\t", "\v", `"`, "'", "hunter22", "x", "&", ",", ";", "${X}", "***", "ſecret", "\u212aey", "é", "a_b", "-", "_"}
	repl := func(m string) string { return "<" + m + ">" }
	rng := rand.New(rand.NewSource(11))
	matched := 0
	for range 200_000 {
		var b strings.Builder
		for k := rng.Intn(10); k > 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		s := b.String()
		want := keyedSecret.compiled().ReplaceAllStringFunc(s, repl)
		if got := replaceKeyedSecrets(s, repl); got != want {
			t.Fatalf("replaceKeyedSecrets(%q) = %q, want %q", s, got, want)
		}
		if want != s {
			matched++
		}
	}
	if matched < 10_000 {
		t.Fatalf("only %d texts had a key assignment", matched)
	}
}

// TestKeyMarkers: a private key's first and last lines are told by five
// dashes, BEGIN or END and a key trailer after them, wherever they stand
// in the line; the same as finding the first "-----BEGIN " with Index, on
// every line of every log at hand.
func TestKeyMarkers(t *testing.T) {
	tests := []struct {
		line       string
		begin, end bool
	}{
		{"-----BEGIN RSA PRIVATE KEY-----", true, false},
		{"------BEGIN OPENSSH PRIVATE KEY-----", true, false},
		{"x: -----BEGIN PGP PRIVATE KEY BLOCK-----", true, false},
		{"--flag=1 -- -----BEGIN EC PRIVATE KEY-----", true, false},
		{"-----END RSA PRIVATE KEY-----", false, true},
		{"-----BEGIN CERTIFICATE-----", false, false},
		{"----BEGIN RSA PRIVATE KEY-----", false, false},
		{"PRIVATE KEY----- -----BEGIN X", false, false},
		{"-----BEGIN", false, false},
		{"-----", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := IsKeyBlockBegin([]byte(tt.line)); got != tt.begin {
			t.Errorf("IsKeyBlockBegin(%q) = %v, want %v", tt.line, got, tt.begin)
		}
		if got := IsKeyBlockEnd([]byte(tt.line)); got != tt.end {
			t.Errorf("IsKeyBlockEnd(%q) = %v, want %v", tt.line, got, tt.end)
		}
	}
	byIndex := func(b []byte, head string) bool {
		i := bytes.Index(b, []byte(head))
		return i >= 0 && (bytes.Contains(b[i:], []byte("PRIVATE KEY-----")) || bytes.Contains(b[i:], []byte("PRIVATE KEY BLOCK-----")))
	}
	for _, f := range allLogFiles(t) {
		for _, line := range bytes.Split(readLogFile(t, f), []byte{'\n'}) {
			for _, head := range []string{"-----BEGIN ", "-----END "} {
				if got, want := isKeyMarker(line, head), byIndex(line, head); got != want {
					t.Fatalf("%s: isKeyMarker(%q, %q) = %v, want %v", f, line, head, got, want)
				}
			}
		}
	}
}
