package backend

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/destill-dev/destill/analysis"
)

// ChunkRecordVersion is the version of ChunkRecord this destill writes, and
// the only one it reads. Change it with any change to what a record holds,
// including the meaning of its fingerprints (analysis.FingerprintVersion):
// chunks are merged by fingerprint, so two versions must never meet.
// Version 2: fingerprints of analysis.FingerprintVersion 2.
const ChunkRecordVersion = 2

// recordFingerprintVersion is the analysis.FingerprintVersion of the
// fingerprints in a record of ChunkRecordVersion; a test keeps them in step.
const recordFingerprintVersion = 2

// ErrRecordVersion is returned, wrapped, for a stored chunk result of a
// record version this destill does not read.
var ErrRecordVersion = errors.New("chunk result stored in another record version")

// ChunkRecord is a chunk's analysis result as a store keeps it (the result
// column of chunk_results): a document of its own, apart from analysis's
// in-memory types, with a version so that a result written by another
// destill is refused rather than misread. It is JSON.
type ChunkRecord struct {
	// Version is ChunkRecordVersion.
	Version int `json:"version"`
	// Job is the job whose log the chunk is part of, as the findings
	// document describes jobs.
	Job analysis.JobSummary `json:"job"`
	// Lines and Bytes count the lines and bytes of the log the chunk owns.
	Lines int   `json:"lines"`
	Bytes int64 `json:"bytes"`
	// TruncatedLines counts lines longer than analysis.MaxLineBytes.
	TruncatedLines int `json:"truncated_lines,omitempty"`
	// Dropped counts the occurrences of messages over the analyzer's
	// per-job cap of distinct messages.
	Dropped int `json:"dropped,omitempty"`
	// Candidates are the findings of the chunk before ranking.
	Candidates []CandidateRecord `json:"candidates"`
	// Sections are the step and group headers of the chunk's lines.
	Sections []analysis.Section `json:"sections"`
}

// CandidateRecord is one finding of a chunk before ranking.
type CandidateRecord struct {
	// Fingerprint identifies the message across lines, chunks and jobs.
	Fingerprint string `json:"fingerprint"`
	// Rule names the rule that matched the line; Category and Severity are
	// what it says of it.
	Rule     string            `json:"rule"`
	Category string            `json:"category"`
	Severity analysis.Severity `json:"severity"`
	// Score is the rule's score before ranking; Reasons say why.
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons,omitempty"`
	// Trailer is set on a line that reports a failure rather than explains
	// it: TrailerFollowOn, TrailerJobFailure or TrailerSummary.
	Trailer string `json:"trailer,omitempty"`
	// Noise is set on a line that looks like noise (an echoed command, a
	// retry, a deprecation).
	Noise bool `json:"noise,omitempty"`
	// InPassingTests counts occurrences printed by Go tests that then
	// passed.
	InPassingTests int `json:"in_passing_tests,omitempty"`
	// LineStart and LineEnd are 1-based and inclusive, in the job's log.
	LineStart int `json:"line_start"`
	LineEnd   int `json:"line_end"`
	// Message is the line the finding is about; Text the lines LineStart to
	// LineEnd; ContextBefore and ContextAfter the lines around them. All
	// are cleaned and redacted.
	Message       string   `json:"message"`
	Text          []string `json:"text"`
	ContextBefore []string `json:"context_before"`
	ContextAfter  []string `json:"context_after"`
	// Occurrences counts the lines of the chunk where the fingerprint
	// occurred; Lines lists them.
	Occurrences int   `json:"occurrences"`
	Lines       []int `json:"lines"`
	// Test is the test the finding belongs to, if known.
	Test *analysis.TestCase `json:"test,omitempty"`
}

// Trailer kinds of CandidateRecord.
const (
	// TrailerFollowOn restates an earlier failure ("make: *** Error 2").
	TrailerFollowOn = "follow-on"
	// TrailerJobFailure is the runner's verdict on the whole job ("Process
	// completed with exit code 1").
	TrailerJobFailure = "job-failure"
	// TrailerSummary sums a failure up with its details ("Tests run: 3,
	// Failures: 1").
	TrailerSummary = "summary"
)

// EncodeChunkResult returns res as a ChunkRecord in JSON, what a store
// keeps. The baseline model res may carry is not part of it.
func EncodeChunkResult(res analysis.JobResult) ([]byte, error) {
	rec := ChunkRecord{
		Version:        ChunkRecordVersion,
		Job:            res.Job,
		Lines:          res.Lines,
		Bytes:          res.Bytes,
		TruncatedLines: res.TruncatedLines,
		Dropped:        res.Dropped,
		Sections:       res.Sections,
	}
	if res.Candidates != nil {
		rec.Candidates = make([]CandidateRecord, len(res.Candidates))
	}
	for i, c := range res.Candidates {
		var trailer string
		// analysis numbers its trailer kinds 0 (none) to 3 without naming
		// them outside; TestChunkRecordTrailers pins the numbers.
		switch c.Trailer {
		case 0:
		case 1:
			trailer = TrailerFollowOn
		case 2:
			trailer = TrailerJobFailure
		case 3:
			trailer = TrailerSummary
		default:
			return nil, fmt.Errorf("encode candidate %s: unknown trailer kind %d", c.Fingerprint, c.Trailer)
		}
		rec.Candidates[i] = CandidateRecord{
			Fingerprint: c.Fingerprint, Rule: c.Rule, Category: c.Category, Severity: c.Severity,
			Score: c.Score, Reasons: c.Reasons, Trailer: trailer, Noise: c.Noise, InPassingTests: c.InPassingTests,
			LineStart: c.LineStart, LineEnd: c.LineEnd, Message: c.Message, Text: c.Text,
			ContextBefore: c.ContextBefore, ContextAfter: c.ContextAfter,
			Occurrences: c.Occurrences, Lines: c.Lines, Test: c.Test,
		}
	}
	return json.Marshal(rec)
}

// DecodeChunkResult reads a ChunkRecord that EncodeChunkResult wrote. A
// record of another version fails with ErrRecordVersion.
func DecodeChunkResult(data []byte) (analysis.JobResult, error) {
	// The version first: another version's fields may not even decode.
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return analysis.JobResult{}, fmt.Errorf("decode chunk record: %w", err)
	}
	if head.Version != ChunkRecordVersion {
		return analysis.JobResult{}, fmt.Errorf("%w: it is version %d, this destill reads version %d; "+
			"run one destill version on every worker, then submit the build again", ErrRecordVersion, head.Version, ChunkRecordVersion)
	}
	var rec ChunkRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return analysis.JobResult{}, fmt.Errorf("decode chunk record: %w", err)
	}
	res := analysis.JobResult{
		Job:            rec.Job,
		Lines:          rec.Lines,
		Bytes:          rec.Bytes,
		TruncatedLines: rec.TruncatedLines,
		Dropped:        rec.Dropped,
		Sections:       rec.Sections,
	}
	if rec.Candidates != nil {
		res.Candidates = make([]analysis.Candidate, len(rec.Candidates))
	}
	for i, c := range rec.Candidates {
		res.Candidates[i] = analysis.Candidate{
			Fingerprint: c.Fingerprint, Rule: c.Rule, Category: c.Category, Severity: c.Severity,
			Score: c.Score, Reasons: c.Reasons, Noise: c.Noise, InPassingTests: c.InPassingTests,
			LineStart: c.LineStart, LineEnd: c.LineEnd, Message: c.Message, Text: c.Text,
			ContextBefore: c.ContextBefore, ContextAfter: c.ContextAfter,
			Occurrences: c.Occurrences, Lines: c.Lines, Test: c.Test,
		}
		switch c.Trailer {
		case "":
		case TrailerFollowOn:
			res.Candidates[i].Trailer = 1
		case TrailerJobFailure:
			res.Candidates[i].Trailer = 2
		case TrailerSummary:
			res.Candidates[i].Trailer = 3
		default:
			return analysis.JobResult{}, fmt.Errorf("decode chunk record: candidate %s has an unknown trailer %q", c.Fingerprint, c.Trailer)
		}
	}
	return res, nil
}
