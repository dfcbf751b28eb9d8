package analysis

import "testing"

func TestOnlyZeroCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"0 errors, 0 warnings", true},
		{"tests run: 10, failures: 0, errors: 0, skipped: 1", true},
		{"no errors found", true},
		{"tests run: 10, failures: 1, errors: 0", false},
		{"1 error", false},
		{"build failed with 2 errors", false},
		{"error: 0 is not a valid port", false},
		{"error in module", false},
		{"checked 120 files: 0 problems", true},
		{"v1.0 errors", false},
		{"passed checks: 12, failed checks: 0, skipped checks: 1", true},
		{"failed checks: 2", false},
		{"ℹ fail 0", true},
		{"ℹ fail 2", false},
		{"fail 0 times out of 3 runs", false},
	}
	for _, tt := range tests {
		if got := onlyZeroCounts([]byte(tt.in)); got != tt.want {
			t.Errorf("onlyZeroCounts(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
