package analysis

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// analyzeParallel feeds data to a ParallelAnalyzer in writes of write
// bytes, with segments of seg bytes.
func analyzeParallel(data []byte, opts Options, workers, seg, write int) JobResult {
	p := NewParallelAnalyzer(opts, workers)
	p.segSize = seg
	for len(data) > 0 {
		n := min(write, len(data))
		p.Write(data[:n])
		data = data[n:]
	}
	return p.Result()
}

// parallelCase is one way of feeding a ParallelAnalyzer.
type parallelCase struct{ workers, seg, write int }

// checkParallel compares the parallel analysis of data with the whole-log
// one: counts, sections and ranked findings.
func checkParallel(t *testing.T, name string, data []byte, opts Options, cases []parallelCase) {
	t.Helper()
	whole := NewAnalyzer(opts)
	whole.Write(data)
	want := whole.Result()
	wf := Rank([]JobResult{withJob(want)})
	for _, c := range cases {
		got := analyzeParallel(data, opts, c.workers, c.seg, c.write)
		if got.Lines != want.Lines || got.Bytes != want.Bytes || got.TruncatedLines != want.TruncatedLines || got.Dropped != want.Dropped {
			t.Errorf("%s %+v: lines/bytes/truncated/dropped %d/%d/%d/%d, want %d/%d/%d/%d", name, c,
				got.Lines, got.Bytes, got.TruncatedLines, got.Dropped, want.Lines, want.Bytes, want.TruncatedLines, want.Dropped)
		}
		if !reflect.DeepEqual(got.Sections, want.Sections) {
			t.Errorf("%s %+v: sections differ: got %v, want %v", name, c, got.Sections, want.Sections)
		}
		sameFindings(t, fmt.Sprintf("%s %+v: parallel", name, c), Rank([]JobResult{withJob(got)}), wf)
	}
}

// TestParallelAnalysisEqualsWhole: on every log at hand, cut into segments
// small and large and fed in writes of any size, a ParallelAnalyzer finds
// what one Analyzer finds, with default and with other options.
func TestParallelAnalysisEqualsWhole(t *testing.T) {
	t.Parallel()
	for _, f := range allLogFiles(t) {
		data := readLogFile(t, f)
		checkParallel(t, f, data, Options{}, []parallelCase{{2, 8 << 10, 1000}, {3, 96 << 10, 32 << 10}})
		checkParallel(t, f, data, Options{MaxLineBytes: 300, ContextBefore: 10}, []parallelCase{{2, 16 << 10, 4000}})
	}
}

// TestParallelAnalysisOddInput: logs with no final newline, one endless
// line, blank runs across segment ends and lines longer than a segment.
func TestParallelAnalysisOddInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 70<<10)
	var blanks bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&blanks, "step %d\n\n\n\r\n", i)
		if i%500 == 0 {
			blanks.WriteString("error: something broke here\n")
		}
	}
	for name, data := range map[string]string{
		"empty":                  "",
		"no final newline":       "ok\nerror: it broke\nFAILED",
		"long, no final newline": strings.Repeat("fine line\n", 5000) + "error: it broke\nFAILED",
		"one endless line":       "error: " + strings.Repeat("y", 300<<10),
		"long lines":             strings.Repeat("error: bad "+long+"\nfine\n", 20) + "error: last\n",
		"blank runs":             blanks.String(),
		"only newlines":          strings.Repeat("\n", 100<<10),
		"carriage returns":       strings.Repeat("progress 10%\rprogress 20%\rerror: disk full\r\n", 5000),
	} {
		checkParallel(t, name, []byte(data), Options{}, []parallelCase{{2, 4 << 10, 777}, {2, 64 << 10, 100 << 10}})
		checkParallel(t, name, []byte(data), Options{MaxLineBytes: 1000}, []parallelCase{{2, 4 << 10, 5000}})
	}
}

// TestParallelAnalyzerReadFrom: reading the log from a reader, in reads of
// any size, gives what writing it does.
func TestParallelAnalyzerReadFrom(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "line %d of the log\n", i)
		if i%3000 == 0 {
			b.WriteString("error: " + strings.Repeat("z", 100<<10) + "\n")
		}
	}
	b.WriteString("FAILED: the end")
	data := []byte(b.String())
	want := analyzeParallel(data, Options{}, 2, 64<<10, 1<<20)
	for _, read := range []int{1, 1000, 100 << 10} {
		p := NewParallelAnalyzer(Options{}, 2)
		p.segSize = 64 << 10
		n, err := p.ReadFrom(&smallReads{data: data, n: read})
		if err != nil || n != int64(len(data)) {
			t.Fatalf("reads of %d: ReadFrom = %d, %v; want %d, nil", read, n, err, len(data))
		}
		if got := p.Result(); !reflect.DeepEqual(Rank([]JobResult{withJob(got)}), Rank([]JobResult{withJob(want)})) || got.Bytes != want.Bytes || got.TruncatedLines != want.TruncatedLines {
			t.Errorf("reads of %d: findings differ from writes", read)
		}
	}
}

// smallReads returns data at most n bytes per Read.
type smallReads struct {
	data []byte
	n    int
}

func (r *smallReads) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

// TestParallelSpreadsTheEnd: what is left to read when the log ends (the
// last segment and the part after it) is cut into pieces for all workers,
// and so is a log of half a segment or more; a shorter log, or one read
// by a single worker, is read as it was cut.
func TestParallelSpreadsTheEnd(t *testing.T) {
	t.Parallel()
	line := "a line of the log, error: at times\n"
	tests := []struct {
		name        string
		bytes       int
		workers     int
		wantAtLeast int // segments and pieces analyzed
		wantWhole   bool
	}{
		{"a quarter of a segment", 16 << 10, 2, 0, true},
		{"over half a segment", 40 << 10, 2, 2, false},
		{"three and a half segments", 224 << 10, 2, 5, false},
		{"one worker", 224 << 10, 1, 0, false},
	}
	for _, tt := range tests {
		data := []byte(strings.Repeat(line, tt.bytes/len(line)))
		p := NewParallelAnalyzer(Options{}, tt.workers)
		p.segSize = 64 << 10
		p.Write(data)
		p.Result()
		switch {
		case tt.wantWhole && p.started > 0:
			t.Errorf("%s: %d segments handed out, want the log read whole", tt.name, p.started)
		case tt.workers == 1 && p.started != len(data)/(64<<10)+1:
			t.Errorf("%s: %d segments handed out, want %d (no pieces)", tt.name, p.started, len(data)/(64<<10)+1)
		case p.started < tt.wantAtLeast:
			t.Errorf("%s: %d segments and pieces handed out, want at least %d", tt.name, p.started, tt.wantAtLeast)
		}
	}
}
