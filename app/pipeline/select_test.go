package pipeline

import (
	"errors"
	"fmt"
	"testing"

	"github.com/destill-dev/destill/providers"
)

func TestSelectJobs(t *testing.T) {
	t.Parallel()
	build := providers.Build{Jobs: []providers.Job{
		{ID: "pass", State: providers.JobPassed, HasLog: true},
		{ID: "fail", State: providers.JobFailed, HasLog: true},
		{ID: "soft", State: providers.JobFailed, SoftFailed: true, HasLog: true},
		{ID: "retried", State: providers.JobFailed, Retried: true, HasLog: true},
		{ID: "timeout", State: providers.JobTimedOut, HasLog: true},
		{ID: "running", State: providers.JobRunning, HasLog: true},
		{ID: "broken", State: providers.JobBroken},
		{ID: "nolog", State: providers.JobFailed},
	}}
	tests := []struct {
		name    string
		allJobs bool
		ids     []string
		want    []int
		notes   int
	}{
		{"failed by default", false, nil, []int{1, 4}, 2},
		{"all jobs", true, nil, []int{0, 1, 2, 4}, 2},
		{"named jobs", false, []string{"pass", "running"}, []int{0}, 1},
		{"named retried job is still skipped", false, []string{"retried"}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel := SelectJobs(build, tc.allJobs, tc.ids)
			if fmt.Sprint(sel.Jobs) != fmt.Sprint(tc.want) || len(sel.Notes) != tc.notes {
				t.Errorf("jobs %v notes %q; want %v and %d notes", sel.Jobs, sel.Notes, tc.want, tc.notes)
			}
		})
	}
	waiting := providers.Build{Jobs: []providers.Job{
		{ID: "fail", State: providers.JobFailed, HasLog: true},
		{ID: "deploy", State: providers.JobManual},
		{ID: "approve", State: providers.JobBlocked},
		{ID: "smoke", State: providers.JobNotRun},
	}}
	sel := SelectJobs(waiting, false, nil)
	if fmt.Sprint(sel.Jobs) != "[0]" || fmt.Sprint(sel.Notes) != "[2 job(s) wait for someone to start or approve them (manual, blocked) 1 job(s) were created but never started]" {
		t.Errorf("jobs waiting for a person: %v %q", sel.Jobs, sel.Notes)
	}
	waiting.Jobs[0].State = providers.JobPassed
	if err := SelectJobs(waiting, false, nil).Err(waiting); !errors.Is(err, ErrNothingToAnalyze) {
		t.Errorf("passed build with a manual job: %v, want ErrNothingToAnalyze", err)
	}

	passed := providers.Build{Jobs: []providers.Job{{ID: "a", State: providers.JobPassed, HasLog: true}}}
	if err := SelectJobs(passed, false, nil).Err(passed); !errors.Is(err, ErrNothingToAnalyze) {
		t.Errorf("passed build: %v, want ErrNothingToAnalyze", err)
	}
	passed.Running = true
	if err := SelectJobs(passed, false, nil).Err(passed); err == nil || errors.Is(err, ErrNothingToAnalyze) {
		t.Errorf("running build: %v, want a still-running error", err)
	}
}
