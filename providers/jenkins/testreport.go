package jenkins

import (
	"context"
	"fmt"
	"net/url"

	"github.com/destill-dev/destill/providers"
	"github.com/destill-dev/destill/providers/junit"
)

// testReportTree is the part of a test report Jenkins sends: the cases of
// each suite, in a JUnit report or in each module's report of a Maven
// build.
const testReportTree = "suites[name,cases[className,name,status,errorDetails,errorStackTrace]]," +
	"childReports[result[suites[name,cases[className,name,status,errorDetails,errorStackTrace]]]]"

type suiteJSON struct {
	Name  string `json:"name"`
	Cases []struct {
		ClassName       string `json:"className"`
		Name            string `json:"name"`
		Status          string `json:"status"`
		ErrorDetails    string `json:"errorDetails"`
		ErrorStackTrace string `json:"errorStackTrace"`
	} `json:"cases"`
}

// maxFailedCases bounds the failed cases kept from one report.
const maxFailedCases = 500

// TestReports reads the test report Jenkins aggregated for each job's
// build (testReport/api/json), when the build has one with failures: its
// failed and regressed cases.
func (s *Source) TestReports(ctx context.Context, jobs []providers.Job) ([]providers.TestReport, error) {
	var out []providers.TestReport
	for _, j := range jobs {
		s.mu.Lock()
		b := s.builds[j.ID]
		s.mu.Unlock()
		if !b.tests {
			continue
		}
		var rep struct {
			Suites       []suiteJSON `json:"suites"`
			ChildReports []struct {
				Result struct {
					Suites []suiteJSON `json:"suites"`
				} `json:"result"`
			} `json:"childReports"`
		}
		if _, err := s.api.GetJSON(ctx, s.buildURL(j.ID)+"testReport/api/json?tree="+url.QueryEscape(testReportTree), &rep); err != nil {
			if notFound(err) {
				continue
			}
			return out, fmt.Errorf("build #%s: %w", j.ID, err)
		}
		suites := rep.Suites
		for _, c := range rep.ChildReports {
			suites = append(suites, c.Result.Suites...)
		}
		out = append(out, providers.TestReport{JobID: j.ID, Path: "testReport", Failed: failedCases(suites)})
	}
	return out, nil
}

func failedCases(suites []suiteJSON) []providers.TestCase {
	var out []providers.TestCase
	for _, su := range suites {
		for _, c := range su.Cases {
			if c.Status != "FAILED" && c.Status != "REGRESSION" {
				continue
			}
			if len(out) == maxFailedCases {
				return out
			}
			details := c.ErrorStackTrace
			if len(details) > junit.MaxDetails {
				details = details[:junit.MaxDetails]
			}
			out = append(out, providers.TestCase{Name: c.Name, Classname: c.ClassName, Message: c.ErrorDetails, Details: details})
		}
	}
	return out
}
