package junit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/destill-dev/destill/providers"
)

// ReadEach reads the reports in at most max of sources (a build's
// artifacts), in order, with read. It returns the reports read, and one
// error naming (with name) each source that failed and, counted as noun
// ("artifacts"), the sources past max; a source that fails adds no report.
// The error does not say "test reports": its callers' callers do.
func ReadEach[S any](sources []S, max int, noun string, name func(S) string, read func(S) ([]providers.TestReport, error)) ([]providers.TestReport, error) {
	var out []providers.TestReport
	var errs []string
	n := min(len(sources), max)
	for _, src := range sources[:n] {
		reports, err := read(src)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name(src), err))
			continue
		}
		out = append(out, reports...)
	}
	if len(sources) > n {
		errs = append(errs, fmt.Sprintf("%d more %s not read", len(sources)-n, noun))
	}
	if len(errs) > 0 {
		return out, errors.New(strings.Join(errs, "; "))
	}
	return out, nil
}
