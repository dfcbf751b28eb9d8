package analysis

import "bytes"

// Jenkins Pipeline console logs: the Pipeline's own lines ("[Pipeline] sh",
// "[Pipeline] }", "[Pipeline] // stage") are structure, never content, and
// a stage is a step unless Jenkins ran it for itself ("Declarative: Post
// Actions") or skipped it.

var (
	pipelinePrefix = []byte("[Pipeline] ")
	stageStart     = []byte("[Pipeline] { (")
	skippedStage   = []byte(`Stage "`)
	skippedDueTo   = []byte(`" skipped due to `)
)

// jenkinsMarker marks a Pipeline line other than a stage's start (which
// the analyzer reads as a section) like a group's end: a marker that
// closes what came before and is never a finding.
func jenkinsMarker(b []byte) Mark {
	if bytes.HasPrefix(b, pipelinePrefix) && !bytes.HasPrefix(b, stageStart) {
		return MarkGroupEnd
	}
	return MarkNone
}

// stageKind is the kind of the section a stage's title opens: Jenkins' own
// "Declarative: …" stages (checkout, tool install, post actions) are not
// steps that fail on their own.
func stageKind(title []byte) string {
	if bytes.HasPrefix(title, []byte("Declarative: ")) {
		return "group"
	}
	return "step"
}

// stageSkipped reads `Stage "Deploy" skipped due to earlier failure(s)`:
// the step that stage opened never ran, so it becomes a group, and the
// failed step before it stays the one holding the verdict. It reports
// whether t is such a line.
func (a *Analyzer) stageSkipped(t []byte) bool {
	if !bytes.HasPrefix(t, skippedStage) {
		return false
	}
	i := bytes.Index(t, skippedDueTo)
	if i < 0 {
		return false
	}
	title := string(t[len(skippedStage):i])
	for j := len(a.sections.list) - 1; j >= 0; j-- {
		if s := &a.sections.list[j]; s.Kind == "step" {
			if s.Title == a.sectionTitle(title) {
				s.Kind = "group"
			}
			break
		}
	}
	return true
}
