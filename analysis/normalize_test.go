package analysis

import (
	"strings"
	"testing"
)

// TestFingerprintTemplates: messages that differ only in a path, a number
// or an id share a fingerprint; messages that say different things, or
// name different tests, do not.
func TestFingerprintTemplates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		category string
		a, b     string
		same     bool
	}{
		{"the same write error for two files", CategoryDiskFull,
			"cp: error writing '/mnt/cache/site/assets/index-9c8b7a6d.js': No space left on device",
			"cp: error writing '/mnt/cache/site/assets/fonts-inter-700.woff2': No space left on device", true},
		{"one compile error in two files", CategoryCompileError,
			"src/net/client.c:40:5: error: too few arguments to function 'log_write'",
			"src/store/index.c:108:5: error: too few arguments to function 'log_write'", true},
		{"a bare file name with a line number", CategoryCompileError,
			"client.c:40:5: error: too few arguments to function 'log_write'",
			"server.c:57:5: error: too few arguments to function 'log_write'", true},
		{"MSBuild locations", CategoryCompileError,
			`src\Api\Orders.cs(57,31): error CS1061: 'Order' does not contain a definition for 'Total'`,
			`src\Api\Invoices.cs(12,9): error CS1061: 'Order' does not contain a definition for 'Total'`, true},
		{"Windows drive paths", CategoryFileNotFound,
			`C:\agent\_work\1\s\build.ps1: file not found`, `D:\a\repo\repo\build.ps1: file not found`, true},
		{"workspace paths of two runners", CategoryCompileError,
			"/home/runner/work/api/api/internal/db.go:12:2: undefined: sqlx",
			"/var/lib/jenkins/workspace/api@2/internal/db.go:14:2: undefined: sqlx", true},
		{"numbers, durations and hashes", CategoryTimeout,
			"context deadline exceeded after 30.5s (request 4f3a9c2e1b)", "context deadline exceeded after 12.0s (request 9e8d7c6b5a)", true},
		{"one diagnostic about two identifiers", CategoryCompileError,
			`pandas/core/arrays/mixins.py:114: error: Module has no attribute "utf8_lower"  [attr-defined]`,
			`pandas/core/arrays/mixins.py:117: error: Module has no attribute "utf8_upper"  [attr-defined]`, true},
		{"gcc's typographic quotes", CategoryCompileError,
			"src/app.c:12:3: error: \u2018len\u2019 undeclared", "src/app.c:14:3: error: \u2018buf\u2019 undeclared", true},
		{"different messages in one file", CategoryCompileError,
			"src/app.c:12:3: error: 'len' undeclared", "src/app.c:14:3: error: 'len' redeclared as a different kind of symbol", false},
		{"punctuation is not an identifier", CategoryCompileError,
			"src/a.c:1:1: error: expected ';' before '}' token", "src/a.c:1:1: error: expected ',' before ')' token", false},
		{"two panicking tests", CategoryPanic,
			"thread 'grid_reset' panicked at 'Ref test failed', tests/ref.rs:60:9",
			"thread 'csi_rep' panicked at 'Ref test failed', tests/ref.rs:60:9", false},
		{"different compile errors in different files", CategoryCompileError,
			"src/a.c:1:1: error: expected ';' before '}' token", "src/b.c:9:1: error: unknown type name 'size'", false},
		{"two failing tests", CategoryTestFailure, "--- FAIL: TestUpload (0.31s)", "--- FAIL: TestDownload (0.02s)", false},
		{"one test name in two test files", CategoryTestFailure,
			"FAILED tests/test_api.py::test_init - AssertionError", "FAILED tests/test_db.py::test_init - AssertionError", false},
		{"words with a slash are not paths", CategoryError, "error: and/or missing", "error: I/O missing", false},
		{"the category counts", CategoryError, "failed", "failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fa, fb := Fingerprint(tt.category, tt.a), Fingerprint(tt.category, tt.b)
			if (fa == fb) != tt.same {
				t.Errorf("same fingerprint = %v, want %v\n%q → %q\n%q → %q", fa == fb, tt.same,
					tt.a, Normalize(tt.category, tt.a), tt.b, Normalize(tt.category, tt.b))
			}
		})
	}
	if Fingerprint(CategoryError, "failed") == Fingerprint(CategoryLint, "failed") {
		t.Error("two categories share a fingerprint")
	}
}

// TestNormalize pins the template of each kind of masked text.
func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ category, in, want string }{
		{CategoryDiskFull, "cp: error writing '/mnt/x/a.js': No space left", "cp: error writing '<path>': No space left"},
		{CategoryCompileError, "./cmd/main.go:12:3: undefined: x", "<path>:N:N: undefined: x"},
		{CategoryCompileError, "main.go:12:3: undefined: x", "<path>:N:N: undefined: x"},
		{CategoryError, "see ~/build/log.txt.", "see <path>."},
		{CategoryError, "fetch https://example.com/a/b failed", "fetch https:<path> failed"},
		{CategoryError, "version 1.2.3 of node_modules/x in acme/api", "version N.N.N of <path> in acme/api"},
		{CategoryError, "ratio 3/4 and/or I/O", "ratio N/N and/or I/O"},
		{CategoryError, "cc -c -o build/test_hash", "cc -c -o <path>"},
		{CategoryLint, "'x' is assigned a value but never used  no-unused-vars", "'<id>' is assigned a value but never used no-unused-vars"},
		{CategoryCompileError, "Property 'totl' does not exist on type 'Order'.", "Property '<id>' does not exist on type '<id>'."},
		{CategoryCompileError, "expected ';' before '}' token", "expected ';' before '}' token"},
		{CategoryError, "no such key 'totl'", "no such key 'totl'"},
		{CategoryError, "lib.so not found", "lib.so not found"},
		{CategoryError, "id 123e4567-e89b-12d3-a456-426614174000 at 0x7ffd1c2e", "id <uuid> at <hex>"},
		{CategoryTestFailure, "FAILED tests/test_a.py::test_x[3] - /tmp/pytest-9/f.txt", "FAILED tests/test_a.py::test_x[N] - <tmp>"},
		{CategoryError, "  two   spaces\tand a tab ", "two spaces and a tab"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.category, tt.in); got != tt.want {
			t.Errorf("Normalize(%q, %q) = %q, want %q", tt.category, tt.in, got, tt.want)
		}
	}
}

// TestFingerprintIsStable pins fingerprints of FingerprintVersion: they are
// stored and compared across builds, machines and releases. When this test
// fails, the change must bump FingerprintVersion (and then these values).
func TestFingerprintIsStable(t *testing.T) {
	t.Parallel()
	if FingerprintVersion != 2 {
		t.Fatalf("FingerprintVersion = %d: refresh the values below for the new version", FingerprintVersion)
	}
	tests := []struct{ category, message, want string }{
		{CategoryDiskFull, "cp: error writing '/mnt/cache/a.js': No space left on device", "7cbd2cdd8210ae53"},
		{CategoryTestFailure, "--- FAIL: TestUpload (0.31s)", "3c37313874c085e0"},
		{CategoryCompileError, "src/app.c:12:3: error: 'len' undeclared", "270e392dec33a0b6"},
	}
	for _, tt := range tests {
		got := Fingerprint(tt.category, tt.message)
		if len(got) != 16 {
			t.Errorf("Fingerprint(%q) = %q, want 16 hex digits", tt.message, got)
		}
		if got != tt.want {
			t.Errorf("Fingerprint(%q, %q) = %q, want %q", tt.category, tt.message, got, tt.want)
		}
	}
}

// TestFingerprintHash holds the analyzer's fingerprint path (a hash
// built in a reused buffer, spelled only for a kept candidate) to
// Fingerprint, and the byte kinds Normalize tests to their definitions.
func TestFingerprintHash(t *testing.T) {
	t.Parallel()
	if got := fingerprintString(0xab); got != "00000000000000ab" {
		t.Errorf("fingerprintString(0xab) = %q", got)
	}
	buf := []byte("left over from the last message, longer than the next")
	for _, msg := range []string{"x", "  error: 3 tests failed in /tmp/go-build123/a.go", strings.Repeat("ab 12 ", 200)} {
		var h uint64
		h, buf = fingerprintOf(buf, CategoryError, msg)
		if got, want := fingerprintString(h), Fingerprint(CategoryError, msg); got != want {
			t.Errorf("%q: %s, want %s", msg, got, want)
		}
	}
	for c := range 256 {
		b := byte(c)
		alnum := b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		path := alnum || strings.IndexByte(`/\._-~@+`, b) >= 0
		if isAlnum(b) != alnum || pathByte(b) != path {
			t.Errorf("byte %q: alnum %v path %v, want %v %v", b, isAlnum(b), pathByte(b), alnum, path)
		}
	}
}
