package analysis

import "sort"

// HistorySchema names the version of the document `destill history`
// prints.
const HistorySchema = "destill.history/v1"

// HistoryReport is what `destill history` shows: the failures of a
// pipeline's last builds on one branch, the most frequent first.
type HistoryReport struct {
	Schema string `json:"schema"`
	Tool   Tool   `json:"tool"`
	// URL is what was asked about (a pipeline, workflow or build URL).
	URL    string        `json:"url"`
	Window HistoryWindow `json:"window"`
	// FingerprintVersion is the version of every fingerprint listed:
	// builds analyzed with another are not counted.
	FingerprintVersion int                `json:"fingerprint_version"`
	Failures           []RecurringFailure `json:"failures"`
	Notes              []string           `json:"notes,omitempty"`
}

// RecurringFailure is one fingerprint of a HistoryReport: a message that
// failed jobs of the window, and its history there.
type RecurringFailure struct {
	Fingerprint string   `json:"fingerprint"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity"`
	Message     string   `json:"message"`
	// Confidence is the best ranking it got in a failed job of the window.
	Confidence float64 `json:"confidence"`
	History    History `json:"history"`
}

// listedBelow is the confidence under which a fingerprint is not listed by
// RecurringFailures: follow-on lines ("exit code 1") that every failed
// build prints, ranked below their cause in each.
const listedBelow = strongError

// RecurringFailures lists the fingerprints that occurred in failed jobs of
// window (one pipeline's builds on branch), with the confidence ranking
// gave them there of at least 0.3, each with its history as seen from the
// window's newest build: the most failed builds first, then the most
// confident.
func RecurringFailures(window []BuildRecord, branch string) []RecurringFailure {
	best := map[string]SeenFingerprint{}
	var fps []string
	for _, b := range window {
		for _, j := range b.Jobs {
			if !j.Analyzed() || !j.Failed {
				continue
			}
			for _, s := range j.Fingerprints {
				prev, ok := best[s.Fingerprint]
				if !ok {
					fps = append(fps, s.Fingerprint)
				}
				if !ok || s.Confidence > prev.Confidence {
					best[s.Fingerprint] = s
				}
			}
		}
	}
	hist := HistoryOf(nil, window, branch, fps)
	var out []RecurringFailure
	for _, fp := range fps {
		s := best[fp]
		if s.Confidence < listedBelow {
			continue
		}
		out = append(out, RecurringFailure{Fingerprint: fp, Category: s.Category, Severity: s.Severity,
			Message: s.Message, Confidence: s.Confidence, History: hist[fp]})
	}
	sort.SliceStable(out, func(a, b int) bool {
		fa, fb := &out[a], &out[b]
		if fa.History.FailedBuilds != fb.History.FailedBuilds {
			return fa.History.FailedBuilds > fb.History.FailedBuilds
		}
		if fa.Confidence != fb.Confidence {
			return fa.Confidence > fb.Confidence
		}
		return fa.Fingerprint < fb.Fingerprint
	})
	return out
}
