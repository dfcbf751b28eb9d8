package analysis

import "testing"

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
