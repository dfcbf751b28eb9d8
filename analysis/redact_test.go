package analysis

import (
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

// TestMayHaveURLCreds checks the pre-check against the pattern it guards
// on URLs built from the pieces that matter to it.
func TestMayHaveURLCreds(t *testing.T) {
	t.Parallel()
	pieces := []string{"https://", "git+ssh://", "://", "bob", ":", "pw1", "@", "/", " ", "\t", "host", "x"}
	rng := rand.New(rand.NewSource(1))
	matched := 0
	for range 200_000 {
		var b strings.Builder
		for k := rng.Intn(8); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		s := b.String()
		if urlCreds.MatchString(s) {
			matched++
			if !mayHaveURLCreds(s) {
				t.Fatalf("urlCreds matches %q but mayHaveURLCreds says no", s)
			}
		}
	}
	if matched == 0 {
		t.Fatal("no generated URL had credentials")
	}
	for _, s := range []string{"https://registry.npmjs.org/@babel/core", "git@github.com:acme/app.git", "see https://x.io/a@b"} {
		if mayHaveURLCreds(s) {
			t.Errorf("mayHaveURLCreds(%q) = true, want false", s)
		}
	}
}

// TestHasKeyAssignment checks the pre-check against the pattern it guards
// on strings built from the pieces that matter to it.
func TestHasKeyAssignment(t *testing.T) {
	t.Parallel()
	pieces := []string{"password", "PASSWD", "Pwd", "secret", "client_secret", "TOKEN", "auth-token", "api_key", "ApiKey",
		"private_key", "key", "PASS", "tok", "\"", "'", " ", "\t", "=", ":", "x", "abc123", "$", "${"}
	rng := rand.New(rand.NewSource(2))
	matched := 0
	for range 300_000 {
		var b strings.Builder
		for k := rng.Intn(6); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		s := b.String()
		if keyedSecret.MatchString(s) {
			matched++
			if !hasKeyAssignment(s) {
				t.Fatalf("keyedSecret matches %q but hasKeyAssignment says no", s)
			}
		}
	}
	if matched == 0 {
		t.Fatal("no generated string had a keyed secret")
	}
	for _, s := range []string{"--- PASS: TestX (0.01s)", "level=info msg=ready", "09:24:20 tokens: 3 left", "key_id=7"} {
		if hasKeyAssignment(s) {
			t.Errorf("hasKeyAssignment(%q) = true, want false", s)
		}
	}
}
