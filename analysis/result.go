package analysis

// Candidate is a finding in one job before ranking: where it is, what it
// says, and the local evidence (rule, base score, reasons).
type Candidate struct {
	Fingerprint string      `json:"fingerprint"`
	Rule        string      `json:"rule"`
	Category    string      `json:"category"`
	Severity    Severity    `json:"severity"`
	Score       float64     `json:"score"`
	Reasons     []string    `json:"reasons,omitempty"`
	Trailer     trailerKind `json:"trailer,omitempty"`
	// Noise is set when the line looks like noise (an echoed command, a
	// retry, a deprecation); such candidates never earn position bonuses.
	Noise bool `json:"noise,omitempty"`
	// shownDropped: a ShownBudget took the lines it would show; it makes
	// no finding. (Beside the other small fields: a build keeps thousands
	// of candidates.)
	shownDropped bool
	// novelty is what the novelty of its message against the job's
	// baseline said, kept when a ShownBudget forgot the message.
	novelty noveltyClass
	// InPassingTests counts occurrences printed by Go tests that then passed.
	InPassingTests int       `json:"in_passing_tests,omitempty"`
	LineStart      int       `json:"line_start"`
	LineEnd        int       `json:"line_end"`
	Message        string    `json:"message"`
	Text           []string  `json:"text"`
	ContextBefore  []string  `json:"context_before"`
	ContextAfter   []string  `json:"context_after"`
	Occurrences    int       `json:"occurrences"`
	Lines          []int     `json:"lines"`
	Test           *TestCase `json:"test,omitempty"`
}

// Section is a step or group header of a log: a GitHub Actions step, a
// GitLab section, a Buildkite group, a Maven goal, a Gradle task.
type Section struct {
	Line  int    `json:"line"`
	Title string `json:"title"`
	// Kind is "step" (a unit of work that can fail on its own), "group"
	// (a header inside a step) or "reopen" (Buildkite's "^^^ +++": the
	// previous group is where the failure is).
	Kind string `json:"kind"`
}

// JobResult is what an Analyzer found in one job's log.
type JobResult struct {
	Job        JobSummary  `json:"job"`
	Lines      int         `json:"lines"`
	Bytes      int64       `json:"bytes"`
	Candidates []Candidate `json:"candidates"`
	Sections   []Section   `json:"sections"`
	// TruncatedLines counts lines longer than MaxLineBytes.
	TruncatedLines int `json:"truncated_lines,omitempty"`
	// Dropped counts the occurrences of messages not kept because the job's
	// distinct messages were at their cap (see CapNotes).
	Dropped int `json:"dropped,omitempty"`
	// Baseline, when set, is a model of passing logs of the same job that
	// Rank compares each candidate with.
	Baseline *Baseline `json:"-"`
	// packed holds the candidates a ShownBudget packed away (see
	// packedCandidates); allCandidates returns them with Candidates.
	packed *packedCandidates
	// sections, when set, holds the Sections a ShownBudget packed away
	// (PackSections); Sections is then nil.
	sections *packedSections
}
