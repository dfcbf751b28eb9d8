package analysis

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"
)

func analyzeString(t testing.TB, log string, opts Options) []Finding {
	t.Helper()
	a := NewAnalyzer(opts)
	a.Write([]byte(log))
	res := a.Result()
	res.Job = JobSummary{ID: "job", Name: "job", Failed: true}
	return Rank([]JobResult{res})
}

func TestDedupCountsOccurrences(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i < 5; i++ {
		b.WriteString("compiling module\n")
		b.WriteString("Error: connection to cache-7f3a9c2e at 10.0.0." + string(rune('1'+i)) + " refused after 1" + string(rune('0'+i)) + "ms\n")
	}
	findings := analyzeString(t, b.String(), Options{})
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1 deduplicated finding: %+v", len(findings), findings)
	}
	f := findings[0]
	if f.Occurrences != 5 {
		t.Errorf("occurrences = %d, want 5", f.Occurrences)
	}
	if want := []int{2, 4, 6, 8, 10}; !slices.Equal(f.Lines, want) {
		t.Errorf("lines = %v, want %v", f.Lines, want)
	}
}

func TestContextAndLineNumbers(t *testing.T) {
	t.Parallel()
	log := "one\ntwo\nthree\nfour\nfatal: repository not found\nsix\nseven\neight\nnine\n"
	tests := []struct {
		before, after int
		wantBefore    []string
		wantAfter     []string
	}{
		{0, 0, []string{"two", "three", "four"}, []string{"six", "seven", "eight"}},
		{2, 1, []string{"three", "four"}, []string{"six"}},
		{-1, -1, []string{}, []string{}},
		{10, 10, []string{"one", "two", "three", "four"}, []string{"six", "seven", "eight", "nine"}},
	}
	for _, tt := range tests {
		f := analyzeString(t, log, Options{ContextBefore: tt.before, ContextAfter: tt.after})[0]
		if f.LineStart != 5 || f.LineEnd != 5 {
			t.Errorf("context %d,%d: lines %d-%d, want 5-5", tt.before, tt.after, f.LineStart, f.LineEnd)
		}
		if strings.Join(f.ContextBefore, "|") != strings.Join(tt.wantBefore, "|") {
			t.Errorf("context %d,%d: before = %q, want %q", tt.before, tt.after, f.ContextBefore, tt.wantBefore)
		}
		if strings.Join(f.ContextAfter, "|") != strings.Join(tt.wantAfter, "|") {
			t.Errorf("context %d,%d: after = %q, want %q", tt.before, tt.after, f.ContextAfter, tt.wantAfter)
		}
	}
}

// TestLineNumbersCountOriginalLines: cleaning never changes numbering, even
// with CR redraws, empty marker lines and a BOM.
func TestLineNumbersCountOriginalLines(t *testing.T) {
	t.Parallel()
	log := "\ufeff2026-03-04T09:24:20.4412203Z ##[group]Run make\r\n" +
		"2026-03-04T09:24:20.4412203Z ##[endgroup]\r\n" +
		"Downloading 10%\rDownloading 100%\r\n" +
		"\x1b[0Ksection_start:1:build\r\x1b[0KBuild\n" +
		"\x1b[31mfatal: unable to access 'https://example.com/repo.git/'\x1b[0m\r\n"
	f := analyzeString(t, log, Options{})[0]
	if f.LineStart != 5 {
		t.Errorf("finding at line %d, want 5", f.LineStart)
	}
	if f.Message != "fatal: unable to access 'https://example.com/repo.git/'" {
		t.Errorf("message = %q, want the cleaned line", f.Message)
	}
}

// TestHugeLineDoesNotStopTheScan: a 10 MB line keeps a capped prefix and the
// lines after it are still analyzed with the right numbers.
func TestHugeLineDoesNotStopTheScan(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("start\n")
	b.WriteString(strings.Repeat("x", 10<<20))
	b.WriteString("\nfatal: the real error\n")
	a := NewAnalyzer(Options{})
	writeChunks(a, b.Bytes(), 32<<10)
	res := a.Result()
	if res.Lines != 3 {
		t.Errorf("lines = %d, want 3", res.Lines)
	}
	if res.TruncatedLines != 1 {
		t.Errorf("truncated lines = %d, want 1", res.TruncatedLines)
	}
	res.Job = JobSummary{ID: "j", Failed: true}
	f := Rank([]JobResult{res})
	if len(f) == 0 || f[0].LineStart != 3 {
		t.Fatalf("findings = %+v, want the error on line 3", f)
	}
	for _, c := range f[0].ContextBefore {
		if len(c) > maxShownLineBytes+len(LineCutMark) {
			t.Errorf("context line of %d bytes exceeds the display cap", len(c))
		}
	}
}

// TestBinaryInput: binary garbage is analyzed as far as it is text.
func TestBinaryInput(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	junk := make([]byte, 1<<20)
	rng.Read(junk)
	log := string(junk) + "\nerror: cannot open shared object file\n"
	findings := analyzeString(t, log, Options{})
	found := false
	for _, f := range findings {
		if strings.Contains(f.Message, "cannot open shared object file") {
			found = true
		}
		for _, s := range append(append([]string{f.Message}, f.Text...), f.ContextBefore...) {
			if strings.ContainsAny(s, "\x00\x1b") {
				t.Errorf("finding text holds control characters: %q", s)
			}
		}
	}
	if !found {
		t.Errorf("the error after the binary data was not found")
	}
}

func TestFollowOnRanksBelowCause(t *testing.T) {
	t.Parallel()
	log := "cc -c main.c\n" +
		"main.c:3:10: fatal error: zlib.h: No such file or directory\n" +
		"compilation terminated.\n" +
		"make: *** [Makefile:4: main.o] Error 1\n" +
		"Error: Process completed with exit code 2.\n"
	findings := analyzeString(t, log, Options{})
	if findings[0].LineStart != 2 {
		t.Fatalf("top finding is line %d (%q), want the compiler error on line 2", findings[0].LineStart, findings[0].Message)
	}
	for _, f := range findings[1:] {
		if f.Confidence >= findings[0].Confidence {
			t.Errorf("follow-on %q ranks as high as the cause", f.Message)
		}
	}
}

func TestNoiseNeverOutranksRealError(t *testing.T) {
	t.Parallel()
	log := "+ go build -o error_handler ./cmd/error_handler\n" +
		"gcc -Werror -c x.c\n" +
		"jest --fail-fast\n" +
		"Found 0 errors.\n" +
		"npm WARN deprecated left-pad@1.0.0: use String.prototype.padStart\n" +
		"retrying fetch (attempt 1/3): connection reset by peer\n" +
		"fetch ok\n" +
		"ERROR: relation \"users\" does not exist\n" +
		"exit status 1\n"
	findings := analyzeString(t, log, Options{})
	if findings[0].LineStart != 8 {
		t.Fatalf("top finding is line %d (%q), want line 8", findings[0].LineStart, findings[0].Message)
	}
}

func FuzzAnalyzer(f *testing.F) {
	f.Add([]byte("ok\n--- FAIL: TestX (0.01s)\n    x_test.go:3: boom\nFAIL\n"), uint8(3))
	f.Add([]byte("Traceback (most recent call last):\n  File \"a.py\", line 1\nValueError: x\n"), uint8(1))
	f.Add([]byte("\x1b[31merror\x1b[0m\r\n\x1b_bk;t=1\x07panic: x\n\ngoroutine 1 [running]:\n"), uint8(7))
	f.Add([]byte("╷\n│ Error: x\n│\n╵\n-----BEGIN RSA PRIVATE KEY-----\nabc\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("analysis of %q took over 10s", data)) })
		defer timer.Stop()
		a := NewAnalyzer(Options{ContextBefore: 2, ContextAfter: 2})
		step := int(chunk)%13 + 1
		writeChunks(a, data, step)
		res := a.Result()
		res.Job = JobSummary{ID: "j", Failed: true}
		findings := Rank([]JobResult{res})
		for i, fd := range findings {
			if fd.LineStart < 1 || fd.LineEnd < fd.LineStart || fd.LineEnd > res.Lines {
				t.Fatalf("finding %d covers %d-%d of a %d-line log", i, fd.LineStart, fd.LineEnd, res.Lines)
			}
			if len(fd.Text) != fd.LineEnd-fd.LineStart+1 {
				t.Fatalf("finding %d: %d text lines for range %d-%d", i, len(fd.Text), fd.LineStart, fd.LineEnd)
			}
			if i > 0 && findings[i-1].Confidence < fd.Confidence {
				t.Fatalf("findings not sorted by confidence")
			}
			if fd.Confidence < 0 || fd.Confidence > 1 {
				t.Fatalf("confidence %v out of [0,1]", fd.Confidence)
			}
		}
	})
}

func TestPrivateKeyAfterATriggerWordIsRedacted(t *testing.T) {
	t.Parallel()
	log := "error: leaked key: -----BEGIN OPENSSH PRIVATE KEY-----\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
		"-----END OPENSSH PRIVATE KEY-----\n" +
		"fatal: could not read from remote repository\n"
	for _, f := range analyzeString(t, log, Options{ContextBefore: 5, ContextAfter: 5}) {
		all := strings.Join(append(append(append([]string{f.Message}, f.Text...), f.ContextBefore...), f.ContextAfter...), "\n")
		if strings.Contains(all, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ") {
			t.Errorf("key material in finding %q: %q", f.Message, all)
		}
	}
}

// TestOutputOfPassingTestsIsNoise: what a Go test printed before it passed
// ("expected error ...", "failed to connect (as intended)") ranks as noise.
func TestOutputOfPassingTestsIsNoise(t *testing.T) {
	t.Parallel()
	log := "=== RUN   TestReconnect\n" +
		"    conn_test.go:40: dial failed: connection refused (server stopped on purpose)\n" +
		"--- PASS: TestReconnect (0.10s)\n" +
		"=== RUN   TestWrite\n" +
		"    write_test.go:12: write /data/x: permission denied\n" +
		"--- FAIL: TestWrite (0.00s)\n" +
		"FAIL\n"
	findings := analyzeString(t, log, Options{})
	for _, f := range findings {
		if strings.Contains(f.Message, "connection refused") {
			if !slices.Contains(f.Reasons, "noise:in-passing-test") || f.Confidence > 0.3 {
				t.Errorf("output of a passing test: confidence %.2f, reasons %v", f.Confidence, f.Reasons)
			}
		}
	}
	if f := findings[0]; f.LineStart > 5 || f.LineEnd < 6 || !strings.Contains(f.Message, "--- FAIL: TestWrite") {
		t.Errorf("top finding is %q (lines %d-%d), want the failing test", findings[0].Message, findings[0].LineStart, findings[0].LineEnd)
	}
}

// TestContextBeforeLongBlock checks the context before blocks longer than
// the ring of recent lines: it is read from the ring lazily and must still
// be the lines just before the block, for the first occurrence and for a
// stronger later one that replaces it.
func TestContextBeforeLongBlock(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "step %d\n", i)
	}
	b.WriteString("java.lang.IllegalStateException: cache not initialized\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "\tat com.acme.Cache.load%d(Cache.java:%d)\n", i, i+10)
	}
	for i := 11; i <= 20; i++ {
		fmt.Fprintf(&b, "step %d\n", i)
	}
	b.WriteString("java.lang.IllegalStateException: cache not initialized\n")
	b.WriteString("\tat com.acme.Cache.get(Cache.java:1)\n")
	for _, ctx := range []int{0, 10} {
		findings := analyzeString(t, b.String(), Options{ContextBefore: ctx})
		if len(findings) == 0 {
			t.Fatal("no findings")
		}
		f := findings[0]
		if f.LineStart != 11 || f.Occurrences != 2 {
			t.Fatalf("context %d: first finding at line %d with %d occurrences, want line 11 and 2", ctx, f.LineStart, f.Occurrences)
		}
		want := []string{"step 8", "step 9", "step 10"}
		if ctx == 10 {
			want = []string{"step 1", "step 2", "step 3", "step 4", "step 5", "step 6", "step 7", "step 8", "step 9", "step 10"}
		}
		if !slices.Equal(f.ContextBefore, want) {
			t.Errorf("context %d: before = %q, want %q", ctx, f.ContextBefore, want)
		}
	}
}

// TestRecovered checks the "recovered" reason: an error followed by a
// build tool's success, before the job's verdict, is marked; an error
// after the last success is not, nor is a success after the verdict.
func TestRecovered(t *testing.T) {
	t.Parallel()
	log := strings.Join([]string{
		"> Task :app:compileJava",
		"error: cannot find symbol Foo in Bar.java",
		"BUILD SUCCESSFUL in 3s",
		"> Task :app:test",
		"fatal: unable to access 'https://example.com/repo.git/': Could not resolve host: example.com",
		"##[error]Process completed with exit code 1.",
		"BUILD SUCCESSFUL in 1s",
	}, "\n") + "\n"
	reasons := map[int][]string{}
	for _, f := range analyzeString(t, log, Options{}) {
		reasons[f.LineStart] = f.Reasons
	}
	if !slices.Contains(reasons[2], "recovered") {
		t.Errorf("line 2 reasons %q, want recovered (success on line 3)", reasons[2])
	}
	if slices.Contains(reasons[5], "recovered") {
		t.Errorf("line 5 reasons %q: the only later success comes after the verdict", reasons[5])
	}
}

// writeChunks feeds data to w in pieces of at most size bytes, as a reader
// with a buffer of that size would.
func writeChunks(w io.Writer, data []byte, size int) {
	for len(data) > 0 {
		n := min(size, len(data))
		w.Write(data[:n])
		data = data[n:]
	}
}

// TestUnendedKeyBlockEnds: a key block whose end line never comes (cut
// off by a long line) hides maxKeyLines lines, not the rest of the log.
func TestUnendedKeyBlockEnds(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for i := range maxKeyLines + 50 {
		fmt.Fprintf(&b, "MIIEowIBAAKCAQEA%04d\n", i)
	}
	b.WriteString("error: deploy failed: connection reset\n")
	findings := analyzeString(t, b.String(), Options{ContextBefore: 5})
	var seen bool
	for _, f := range findings {
		if strings.Contains(f.Message, "deploy failed") {
			seen = true
			for _, l := range f.ContextBefore {
				if strings.Contains(l, "MIIEowIBAAKCAQEA00") { // the first lines are key lines
					t.Errorf("key line in context: %q", l)
				}
			}
		}
	}
	if !seen {
		t.Fatal("the error after an unended key block is hidden")
	}
}

// TestLongBlocksEndAtFixedLines: a run of lines that each continue the
// block before them is cut into blocks that end at multiples of
// maxAbsorbLines, wherever the run began, so a chunk that starts inside
// the run cuts it where the whole log does.
func TestLongBlocksEndAtFixedLines(t *testing.T) {
	t.Parallel()
	for _, lead := range []int{0, 7, 133} {
		var b strings.Builder
		for range lead {
			b.WriteString("ok\n")
		}
		for i := range 3 * maxAbsorbLines {
			name := []byte{byte('a' + i%26), byte('a' + i/26%26)} // distinct messages, no digits
			fmt.Fprintf(&b, "\tFound errors in Test_%s():\n", name)
		}
		a := NewAnalyzer(Options{})
		a.Write([]byte(b.String()))
		res := a.Result()
		if len(res.Candidates) < 3 {
			t.Fatalf("lead %d: %d blocks, want the run cut into at least 3", lead, len(res.Candidates))
		}
		for _, c := range res.Candidates[1:] {
			if c.LineStart%maxAbsorbLines != 0 {
				t.Errorf("lead %d: a block starts at line %d, not at a multiple of %d", lead, c.LineStart, maxAbsorbLines)
			}
		}
	}
}
