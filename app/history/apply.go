package history

import "github.com/destill-dev/destill/analysis"

// Apply gives each finding of rep its history over window, the records of
// the builds before the one rep is about (current: that build's record,
// nil when unknown), orders the findings by it (analysis.OrderByHistory:
// at equal confidence, new before recurring before flaky and noise), and
// describes the window as rep.History.
//
// With no earlier build, the findings get no history: the window says so.
func Apply(rep *analysis.Report, current *analysis.BuildRecord, window []analysis.BuildRecord, w analysis.HistoryWindow) {
	if len(window) == 0 {
		w.Builds, w.Oldest, w.Newest = 0, nil, nil
		if w.Note == "" {
			w.Note = "no earlier finished build"
			if w.Branch != "" {
				w.Note += " of " + w.Branch
			}
			w.Note += " to compare with"
		}
		rep.History = &w
		return
	}
	fps := make([]string, len(rep.Findings))
	for i, f := range rep.Findings {
		fps[i] = f.Fingerprint
	}
	hist := analysis.HistoryOf(current, window, w.Branch, fps)
	findings := append([]analysis.Finding(nil), rep.Findings...)
	for i := range findings {
		h := hist[findings[i].Fingerprint]
		findings[i].History = &h
	}
	rep.Findings = analysis.OrderByHistory(findings, rep.Jobs)
	Describe(&w, window)
	rep.History = &w
}

// Describe sets how many builds window holds, and its oldest and newest.
func Describe(w *analysis.HistoryWindow, window []analysis.BuildRecord) {
	w.Builds = len(window)
	w.Oldest, w.Newest = nil, nil
	for _, b := range window {
		hb := analysis.HistoryBuild{Number: b.Number, URL: b.URL, Time: b.FinishedAt}
		if w.Newest == nil || b.Number > w.Newest.Number {
			w.Newest = &hb
		}
		if w.Oldest == nil || b.Number < w.Oldest.Number {
			hb := hb
			w.Oldest = &hb
		}
	}
}
