package render

import (
	"fmt"
	"strings"

	"github.com/destill-dev/destill/analysis"
)

// BaselineText describes in one line which passing logs a report was
// compared with, "previous-build URL (note)", or, for none, what that
// means for the findings and why there is none.
func BaselineText(b *analysis.BaselineInfo) string {
	desc := b.Kind
	if b.Kind == "none" {
		desc += " — the findings are ranked without a passing log to compare with"
		if b.Note != "" {
			desc += "; " + b.Note
		}
		return desc
	}
	switch {
	case b.URL != "":
		desc += " " + b.URL
	case b.Build != "":
		desc += " " + b.Build
	case len(b.Paths) > 0:
		desc += " " + strings.Join(b.Paths, ", ")
	}
	if b.Note != "" {
		desc += " (" + b.Note + ")"
	}
	return desc
}

// maxBaselineLines caps the per-job baseline lines a text report shows.
const maxBaselineLines = 5

// JobBaselines describes, one line per distinct baseline, which analyzed
// jobs were compared with what ("job a, job b: sibling-jobs URL (note)"),
// when the jobs were not all compared with the same passing logs. At most
// max lines; the last says how many more there are.
func JobBaselines(rep analysis.Report, max int) []string {
	var order []string
	jobs := map[string][]string{}
	for _, j := range rep.Jobs {
		if !j.Analyzed || j.Baseline == nil {
			continue
		}
		t := BaselineText(j.Baseline)
		if _, ok := jobs[t]; !ok {
			order = append(order, t)
		}
		jobs[t] = append(jobs[t], j.Name)
	}
	if len(order) < 2 {
		return nil
	}
	var out []string
	for i, t := range order {
		if i == max-1 && len(order) > max {
			out = append(out, fmt.Sprintf("… %d more", len(order)-i))
			break
		}
		names := jobs[t]
		if len(names) > 3 {
			names = append(names[:3:3], fmt.Sprintf("%d more", len(names)-3))
		}
		out = append(out, strings.Join(names, ", ")+": "+t)
	}
	return out
}
