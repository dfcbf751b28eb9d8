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
// last segment and the part after it) is cut into pieces for all workers;
// a log shorter than the first segment (an eighth of a segment) is read
// whole, and one read by a single worker as it was cut.
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
		{"less than an eighth of a segment", 7 << 10, 2, 0, true},
		{"five eighths of a segment", 40 << 10, 2, 2, false},
		{"three and three quarters segments", 240 << 10, 2, 6, false},
		{"one worker", 240 << 10, 1, 0, false},
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
		case tt.workers == 1 && p.started != p.cuts:
			t.Errorf("%s: %d segments handed out, want the %d cut (no pieces)", tt.name, p.started, p.cuts)
		case p.started < tt.wantAtLeast:
			t.Errorf("%s: %d segments and pieces handed out, want at least %d", tt.name, p.started, tt.wantAtLeast)
		}
	}
}

// TestParallelFirstSegmentsGrow: the first segments are an eighth, a
// quarter and a half of a segment, so that the workers start early.
func TestParallelFirstSegmentsGrow(t *testing.T) {
	t.Parallel()
	const seg, write = 64 << 10, 1000
	data := []byte(strings.Repeat("a line of the log, error: at times\n", 300<<10/35))
	p := NewParallelAnalyzer(Options{}, 2)
	p.segSize = seg
	var sizes []int64
	last := int64(0)
	for len(data) > 0 {
		n := min(write, len(data))
		p.Write(data[:n])
		data = data[n:]
		if p.cuts > len(sizes) {
			sizes = append(sizes, p.bytes-last-int64(p.partial))
			last = p.bytes - int64(p.partial)
		}
	}
	p.Result()
	want := []int64{seg / 8, seg / 4, seg / 2, seg, seg}
	if len(sizes) < len(want) {
		t.Fatalf("%d segments cut, want at least %d", len(sizes), len(want))
	}
	for i, w := range want {
		if sizes[i] < w || sizes[i] > w+write {
			t.Errorf("segment %d: %d bytes, want %d to %d", i+1, sizes[i], w, w+write)
		}
	}
}

// TestParallelStartsBeforeTheNextCut: a segment goes to a worker as soon as
// the lines after it that it needs are read, before the next one is cut.
func TestParallelStartsBeforeTheNextCut(t *testing.T) {
	t.Parallel()
	const seg = 1 << 20
	line := "a line of the log, error: at times\n"
	p := NewParallelAnalyzer(Options{}, 2)
	p.segSize = seg
	p.Write([]byte(strings.Repeat(line, (seg/8)/len(line)+1)))
	if p.cuts != 1 || p.started != 0 {
		t.Fatalf("after the first segment: %d cut, %d started; want 1, 0", p.cuts, p.started)
	}
	more := afterLines - 1 - p.bufNL // (the first segment's last write went on past its end)
	p.Write([]byte(strings.Repeat(line, more)))
	if p.started != 0 {
		t.Fatalf("%d started with %d lines after the first segment, want 0", p.started, afterLines-1)
	}
	p.Write([]byte(line))
	if p.cuts != 1 || p.started != 1 {
		t.Errorf("with %d lines after the first segment: %d cut, %d started; want 1, 1", afterLines, p.cuts, p.started)
	}
	whole := NewAnalyzer(Options{})
	whole.Write([]byte(strings.Repeat(line, (seg/8)/len(line)+1+more+1)))
	sameFindings(t, "started early", Rank([]JobResult{withJob(p.Result())}), Rank([]JobResult{withJob(whole.Result())}))
}

// TestParallelLinesBefore: the lines before a segment are copied, so that
// the worker keeps no other segment, unless they are long.
func TestParallelLinesBefore(t *testing.T) {
	t.Parallel()
	short := []byte(strings.Repeat("a short line\n", StateWindow+10))
	long := []byte(strings.Repeat(strings.Repeat("x", 400<<10)+"\n", 3))
	for _, tt := range []struct {
		name      string
		before    []byte
		wantLines int
		wantKept  bool
	}{
		{"short lines", short, StateWindow, false},
		{"long lines", long, 3, true},
	} {
		p := &ParallelAnalyzer{segs: []*segment{{data: tt.before}, {data: []byte("the segment\n")}}}
		pieces, n, kept := p.linesBefore(1)
		if n != tt.wantLines {
			t.Errorf("%s: %d lines before, want %d", tt.name, n, tt.wantLines)
		}
		if got := bytes.Join(pieces, nil); !bytes.HasSuffix(tt.before, got) || bytes.Count(got, []byte{'\n'}) != tt.wantLines {
			t.Errorf("%s: the lines before are not the last %d lines", tt.name, tt.wantLines)
		}
		if (len(kept) > 0) != tt.wantKept {
			t.Errorf("%s: %d segments kept, want kept %v", tt.name, len(kept), tt.wantKept)
		}
		if !tt.wantKept && len(pieces) > 0 && within(pieces[0], tt.before) {
			t.Errorf("%s: the lines before are not copied", tt.name)
		}
	}
	if pieces, n, kept := (&ParallelAnalyzer{segs: []*segment{{data: short}}}).linesBefore(0); len(pieces) != 0 || n != 0 || kept != nil {
		t.Errorf("first segment: %d pieces, %d lines, %d kept; want none", len(pieces), n, len(kept))
	}
}

// TestParallelReaderWaitsForAWorker: once a segment has gone to a worker,
// every read is for a segment a worker's slot is held for, so the reader
// never fills a segment while every worker is busy.
func TestParallelReaderWaitsForAWorker(t *testing.T) {
	t.Parallel()
	data := []byte(strings.Repeat("a line of the log, error: at times\n", 2<<20/35))
	p := NewParallelAnalyzer(Options{}, 2)
	p.segSize = 64 << 10
	reads, unheld := 0, 0
	r := &watchedReads{r: &smallReads{data: data, n: 4 << 10}, watch: func() {
		if p.started > 0 {
			reads++
			if !p.held {
				unheld++
			}
		}
	}}
	if _, err := p.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	res := p.Result()
	if reads == 0 || unheld > 0 {
		t.Errorf("%d of %d reads after the first segment held no worker's slot", unheld, reads)
	}
	if len(p.slots) != 0 {
		t.Errorf("%d slots still taken after Result", len(p.slots))
	}
	whole := NewAnalyzer(Options{})
	whole.Write(data)
	sameFindings(t, "reader waits", Rank([]JobResult{withJob(res)}), Rank([]JobResult{withJob(whole.Result())}))
}

// watchedReads calls watch before each read of r.
type watchedReads struct {
	r     io.Reader
	watch func()
}

func (w *watchedReads) Read(b []byte) (int, error) {
	w.watch()
	return w.r.Read(b)
}
