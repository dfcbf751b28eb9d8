package pipeline

import (
	"strings"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/providers"
)

// RedactTestReports returns a copy of reports with secrets (the token
// formats analysis.Redactor knows and the given literal ones) redacted from
// every string, for keeping them: in a cache, in the database.
func RedactTestReports(reports []providers.TestReport, secrets []string) []providers.TestReport {
	if reports == nil {
		return nil
	}
	red := analysis.NewRedactor(secrets...)
	text := func(s string) string {
		if !strings.Contains(s, "\n") {
			return red.Redact(s)
		}
		return strings.Join(red.RedactLines(strings.Split(s, "\n")), "\n")
	}
	out := make([]providers.TestReport, len(reports))
	for i, r := range reports {
		r.Path = text(r.Path)
		failed := make([]providers.TestCase, len(r.Failed))
		for j, tc := range r.Failed {
			failed[j] = providers.TestCase{Name: text(tc.Name), Classname: text(tc.Classname), File: text(tc.File),
				Message: text(tc.Message), Details: text(tc.Details)}
		}
		r.Failed = failed
		out[i] = r
	}
	return out
}
