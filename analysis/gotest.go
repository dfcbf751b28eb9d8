package analysis

import "bytes"

// maxGoRunLines caps the output lines kept of the Go test running now.
const maxGoRunLines = 15

// goTestTracker follows the "=== RUN" / "=== CONT" sections of verbose go
// test output. It keeps the output of the test running now (the indented
// lines after its "=== RUN TestX"), so that a later "--- FAIL: TestX" can
// show it: in verbose mode a test's messages come before its verdict. And
// it keeps the candidates seen in that output, which are noise when the
// test then passes.
type goTestTracker struct {
	name   []byte       // the test running now
	start  int          // the line of its "=== RUN"; 0 when none is running
	output [][]byte     // its first output lines, up to maxGoRunLines
	buf    []byte       // the bytes behind output
	cands  []*Candidate // candidates seen in its output
}

// track follows the Go test sections through line l, number line.
func (g *goTestTracker) track(l *lineView, line int) {
	t := l.text
	if len(t) > 8 && t[0] == '=' && (bytes.HasPrefix(t, []byte("=== RUN ")) || bytes.HasPrefix(t, []byte("=== CONT "))) {
		rest := t[len("=== RUN"):]
		if t[4] == 'C' {
			rest = t[len("=== CONT"):]
		}
		name := bytes.TrimSpace(rest)
		g.name = append(g.name[:0], name...)
		g.start = line
		g.output = g.output[:0]
		g.buf = g.buf[:0]
		g.cands = g.cands[:0]
		return
	}
	if g.start == 0 {
		return
	}
	if l.indent > 0 && line-g.start <= maxAbsorbLines {
		if len(g.output) < maxGoRunLines && line == g.start+len(g.output)+1 {
			n := len(g.buf)
			g.buf = append(g.buf, t...)
			g.output = append(g.output, g.buf[n:len(g.buf):len(g.buf)])
		}
		return
	}
	// "--- PASS: TestX": whatever TestX printed was not a failure.
	if (bytes.HasPrefix(t, []byte("--- PASS: ")) || bytes.HasPrefix(t, []byte("--- SKIP: "))) &&
		bytes.HasPrefix(t[len("--- PASS: "):], g.name) {
		for _, c := range g.cands {
			c.InPassingTests++
		}
	}
	g.start = 0
	g.cands = g.cands[:0]
}

// saw notes that c occurred in the output of the Go test running now.
func (g *goTestTracker) saw(c *Candidate) {
	if g.start > 0 && len(g.cands) < 64 {
		g.cands = append(g.cands, c)
	}
}

// outputBefore returns what the test a "--- FAIL: TestX (0.01s)" verdict
// names printed, if those are the lines just before the verdict's line.
func (g *goTestTracker) outputBefore(verdict []byte, line int) [][]byte {
	name := verdict[len("--- FAIL: "):]
	if i := bytes.LastIndex(name, []byte(" (")); i > 0 {
		name = name[:i]
	}
	if g.start == 0 || len(g.output) == 0 || !bytes.Equal(name, g.name) || g.start+len(g.output) != line-1 {
		return nil
	}
	return g.output
}
