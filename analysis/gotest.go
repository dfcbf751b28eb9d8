package analysis

import "bytes"

const maxGoRunLines = 15

// trackGoRun follows "=== RUN" / "=== CONT" sections of verbose go test output.
func (a *Analyzer) trackGoRun(l *lineView) {
	t := l.text
	if len(t) > 8 && t[0] == '=' && (bytes.HasPrefix(t, []byte("=== RUN ")) || bytes.HasPrefix(t, []byte("=== CONT "))) {
		rest := t[len("=== RUN"):]
		if t[4] == 'C' {
			rest = t[len("=== CONT"):]
		}
		name := bytes.TrimSpace(rest)
		a.goRunName = append(a.goRunName[:0], name...)
		a.goRunStart = a.line
		a.goRun = a.goRun[:0]
		a.goRunBuf = a.goRunBuf[:0]
		a.goRunCands = a.goRunCands[:0]
		return
	}
	if a.goRunStart == 0 {
		return
	}
	if l.indent > 0 && a.line-a.goRunStart <= maxAbsorbLines {
		if len(a.goRun) < maxGoRunLines && a.line == a.goRunStart+len(a.goRun)+1 {
			n := len(a.goRunBuf)
			a.goRunBuf = append(a.goRunBuf, t[:min(len(t), maxShownLineBytes)]...)
			a.goRun = append(a.goRun, a.goRunBuf[n:len(a.goRunBuf):len(a.goRunBuf)])
		}
		return
	}
	// "--- PASS: TestX": whatever TestX printed was not a failure.
	if (bytes.HasPrefix(t, []byte("--- PASS: ")) || bytes.HasPrefix(t, []byte("--- SKIP: "))) &&
		bytes.HasPrefix(t[len("--- PASS: "):], a.goRunName) {
		for _, c := range a.goRunCands {
			c.InPassingTests++
		}
	}
	a.goRunStart = 0
	a.goRunCands = a.goRunCands[:0]
}

// inGoRun notes that c occurred in the output of the Go test running now.
func (a *Analyzer) inGoRun(c *Candidate) {
	if a.goRunStart > 0 && len(a.goRunCands) < 64 {
		a.goRunCands = append(a.goRunCands, c)
	}
}

// goRunOutput returns the output lines of test name, if they are the lines
// just before the current one.
func (a *Analyzer) goRunOutput(name []byte) [][]byte {
	if a.goRunStart == 0 || len(a.goRun) == 0 || !bytes.Equal(name, a.goRunName) || a.goRunStart+len(a.goRun) != a.line-1 {
		return nil
	}
	return a.goRun
}
