package providers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSettle(t *testing.T) {
	jobs := func() []Job {
		return []Job{{State: JobPending}, {State: JobManual}, {State: JobRunning}, {State: JobFailed}}
	}
	b := Build{Running: true, Jobs: jobs()}
	b.Settle()
	require.Equal(t, jobs(), b.Jobs, "a running build's pending jobs may still start")
	b.Running = false
	b.Settle()
	require.Equal(t, JobNotRun, b.Jobs[0].State)
	require.Equal(t, JobManual, b.Jobs[1].State)
	require.True(t, b.Jobs[1].Finished(), "a manual job never makes a build running")
}
