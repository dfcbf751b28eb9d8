package analysis

import (
	"bytes"
	"strings"
)

const (
	// maxEchoLines bounds a GitHub "##[group]Run" script echo: the analyzer's
	// state never depends on more than maxAbsorbLines earlier lines.
	maxEchoLines = 200
	maxSections  = 10000
	// maxTitleBytes caps a section's title, after redaction.
	maxTitleBytes = 200
)

// sectionLog is the step and group headers of a log, in order.
type sectionLog struct {
	list []Section
	// lastStep is the step column of the last line that had one (`gh run
	// view --log` output).
	lastStep []byte
	// lastTitle is the title of the last step or group: a Buildkite
	// "^^^ +++" reopens it.
	lastTitle string
}

// trackStructure records section headers and GitHub script echoes, and
// reports whether the line is a structural marker rather than content.
func (a *Analyzer) trackStructure(l *lineView, step []byte) bool {
	if len(step) > 0 && !bytes.Equal(step, a.sections.lastStep) {
		a.sections.lastStep = append(a.sections.lastStep[:0], step...)
		a.addSection(string(step), "step")
	}
	if l.mark != MarkNone {
		if structural, ok := a.markSection(l); ok {
			return structural
		}
	}
	// Headers in the text: a Buildkite "--- group", a Jenkins "[Pipeline]
	// { (stage)", a Maven "[INFO] --- goal", a Gradle "> Task :x", a build
	// tool's success verdict.
	t := l.text
	if len(t) < 4 {
		return false
	}
	switch t[0] { // most lines start with none of these
	case '-', '+', '~':
		if t[1] != t[0] || t[2] != t[0] || t[3] != ' ' {
			return false
		}
		// Buildkite groups; "--- FAIL: TestX" and "--- PASS" are Go test output.
		title := bytes.TrimSpace(t[4:])
		if t[0] == '-' && (bytes.HasPrefix(title, []byte("FAIL")) || bytes.HasPrefix(title, []byte("PASS")) || bytes.HasPrefix(title, []byte("SKIP"))) {
			return false
		}
		if len(title) == 0 || bytes.HasSuffix(title, []byte("---")) {
			return false // a ruler or a Maven "--- plugin ---" without prefix
		}
		if t[0] != '~' && diffHeader(title) {
			return false // "--- a/x.go" / "+++ b/x.go": a diff, not a group
		}
		a.addSection(string(title), "step")
		return true
	case '^':
		if bytes.HasPrefix(t, []byte("^^^ +++")) {
			a.addSection(a.sections.lastTitle, "reopen")
			return true
		}
	case '[':
		switch {
		case bytes.HasPrefix(t, stageStart):
			title := bytes.TrimSuffix(t[len(stageStart):], []byte(")"))
			a.addSection(string(title), stageKind(title))
			return true
		case bytes.HasPrefix(t, []byte("[INFO] --- ")):
			a.addSection(string(bytes.TrimSuffix(t[len("[INFO] --- "):], []byte(" ---"))), "group")
			return true
		case buildSucceededLine(t):
			a.addSection(string(t), "success")
		}
	case '>':
		if bytes.HasPrefix(t, []byte("> Task :")) && !bytes.HasSuffix(t, []byte(" FAILED")) {
			a.addSection(string(t[2:]), "group")
		}
	case 'B':
		if buildSucceededLine(t) {
			a.addSection(string(t), "success")
		}
	case 'S':
		return a.stageSkipped(t)
	case 'P':
		if bytes.Equal(t, []byte("Post job cleanup.")) {
			a.addSection("Post job cleanup", "step")
			a.spans.echo = 0
			return true
		}
	}
	return false
}

// markSection records the section a cleaner's mark opens, and reports
// whether the line is structure; ok is false for a mark that leaves that to
// the line's text (an annotation).
func (a *Analyzer) markSection(l *lineView) (structural, ok bool) {
	switch l.mark {
	case MarkGroupStart:
		title := string(l.trim)
		if strings.HasPrefix(title, "Run ") {
			a.addSection(title, "step")
			a.spans.echo = maxEchoLines
		} else {
			a.addSection(title, "group")
		}
		return true, true
	case MarkStepStart:
		a.addSection(string(l.trim), "step")
		a.spans.echo = 0
		return true, true
	case MarkGroupEnd:
		a.spans.echo = 0
		return true, true
	case MarkCommand, MarkNotice:
		return false, true
	}
	return false, false
}

// addSection records a section of this kind starting at the current line.
func (a *Analyzer) addSection(title, kind string) {
	if kind != "reopen" {
		a.sections.lastTitle = title
	}
	a.output.noteSection(title, kind, a.context.pushes)
	if !a.owns(a.line) || len(a.sections.list) >= maxSections {
		return
	}
	a.sections.list = append(a.sections.list, Section{Line: a.line, Title: a.sectionTitle(title), Kind: kind})
}

// sectionTitle is the title a section shows: redacted, then cut to
// maxTitleBytes on a character boundary (the cut comes last, so that a
// secret across it is recognized whole).
func (a *Analyzer) sectionTitle(title string) string {
	title = a.redactor.Redact(title)
	if len(title) > maxTitleBytes {
		title = title[:runeStartBefore(title, maxTitleBytes)]
	}
	return title
}

// diffHeader reports whether the title of a "--- " or "+++ " line is a
// file of a unified diff: "a/src/x.go", "b/src/x.go", "/dev/null", an
// absolute or relative path, a path followed by a tab and a time, or the
// sides of an assertion's diff ("--- expected", "+++ actual").
func diffHeader(title []byte) bool {
	if bytes.IndexByte(title, '\t') > 0 {
		return true
	}
	switch string(bytes.ToLower(title)) {
	case "expected", "actual", "expected:", "actual:", "old", "new", "original", "modified":
		return true // minitest's and other assertion libraries' diffs
	}
	if bytes.HasPrefix(title, []byte("a/")) || bytes.HasPrefix(title, []byte("b/")) || bytes.HasPrefix(title, []byte("./")) ||
		title[0] == '/' || bytes.HasPrefix(title, []byte("../")) {
		return bytes.IndexByte(title, ' ') < 0 || bytes.IndexByte(title, ':') > 0
	}
	return false
}

// buildSucceededLine recognizes a build tool's success verdict: Maven's
// "BUILD SUCCESS", Gradle's "BUILD SUCCESSFUL in 3s", MSBuild's "Build succeeded.".
func buildSucceededLine(t []byte) bool {
	if len(t) < 13 || (t[0] != 'B' && t[0] != '[') {
		return false
	}
	t = bytes.TrimPrefix(t, []byte("[INFO] "))
	return bytes.Equal(t, []byte("BUILD SUCCESS")) || bytes.HasPrefix(t, []byte("BUILD SUCCESSFUL in ")) ||
		bytes.Equal(t, []byte("Build succeeded."))
}
