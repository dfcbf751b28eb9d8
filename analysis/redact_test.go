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
