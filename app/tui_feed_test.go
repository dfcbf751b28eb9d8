package app

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/app/pipeline"
	"github.com/destill-dev/destill/ui"
)

func TestUIFeedTurnsUpdatesIntoSnapshots(t *testing.T) {
	t.Parallel()
	f := newUIFeed()
	require.Empty(t, f.lastReport().Jobs)
	require.Zero(t, f.jobsSelected())
	select {
	case <-f.first:
		t.Fatal("first is closed before any update")
	default:
	}

	started := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	rep := analysis.Report{Jobs: []analysis.JobSummary{{ID: "1", Name: "test"}}}
	for i := 1; i <= 1000; i++ { // nobody reads yet: must not block
		f.update(pipeline.Update{Report: rep, JobsSelected: 3, JobsFetched: 2, JobsAnalyzed: 1, Bytes: int64(i), Started: started})
	}
	<-f.first
	require.Equal(t, rep, f.lastReport())
	require.Equal(t, 3, f.jobsSelected())
	s, ok := f.Latest()
	require.True(t, ok)
	require.Equal(t, ui.Progress{JobsTotal: 3, JobsFetched: 2, JobsAnalyzed: 1, Bytes: 1000, Started: started}, s.Progress, "the newest update")
}

func TestUIFeedDivertsNoticesWhenThereIsNoUI(t *testing.T) {
	t.Parallel()
	f := newUIFeed()
	f.notify("queued")
	var mu sync.Mutex
	var diverted []string
	f.divertNotices(func(m string) {
		mu.Lock()
		defer mu.Unlock()
		diverted = append(diverted, m)
	})
	f.notify("later")
	require.Equal(t, []string{"queued", "later"}, diverted)
	require.Empty(t, f.TakeNotices(), "nothing left for a UI")
}
