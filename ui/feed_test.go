package ui

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFeedNeverBlocksAndKeepsTheNewestSnapshot(t *testing.T) {
	t.Parallel()
	f := NewFeed()
	_, ok := f.Latest()
	require.False(t, ok, "nothing sent yet")
	events, ended := f.take()
	require.Empty(t, events)
	require.False(t, ended)

	for i := 1; i <= 1000; i++ { // nobody takes anything yet: must not block
		f.Snapshot(Snapshot{Progress: Progress{JobsTotal: 3, JobsFetched: i}})
	}
	f.Notice("first")
	f.Notice("second")
	f.Finish(Finished{Err: errors.New("boom")})
	f.Finish(Finished{}) // only the first end counts
	f.Snapshot(Snapshot{Progress: Progress{JobsFetched: -1}})

	events, ended = f.take()
	require.True(t, ended)
	require.Len(t, events, 4)
	require.Equal(t, Notice{Message: "first"}, events[0])
	require.Equal(t, Notice{Message: "second"}, events[1])
	require.Equal(t, -1, events[2].(Snapshot).Progress.JobsFetched, "only the newest snapshot")
	require.EqualError(t, events[3].(Finished).Err, "boom")

	latest, ok := f.Latest()
	require.True(t, ok)
	require.Equal(t, -1, latest.Progress.JobsFetched, "the newest snapshot stays readable once shown")
	events, _ = f.take()
	require.Len(t, events, 1, "a shown snapshot is not shown again")
	require.IsType(t, Finished{}, events[0])
}

func TestFeedSignalsReadyOnce(t *testing.T) {
	t.Parallel()
	f := NewFeed()
	f.Snapshot(Snapshot{})
	f.Notice("a")
	require.Len(t, f.ready, 1, "one wake-up for everything waiting")
	<-f.ready
	events, _ := f.take()
	require.Len(t, events, 2)
	require.Len(t, f.ready, 0)
}

func TestFeedTakeNotices(t *testing.T) {
	t.Parallel()
	f := NewFeed()
	f.Notice("waiting for the rate limit")
	f.Snapshot(Snapshot{})
	require.Equal(t, []string{"waiting for the rate limit"}, f.TakeNotices())
	require.Empty(t, f.TakeNotices())
	events, _ := f.take()
	require.Equal(t, []Event{Snapshot{}}, events, "taken notices are not shown")
}

func TestFeedConcurrentSenders(t *testing.T) {
	t.Parallel()
	f := NewFeed()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				f.Snapshot(Snapshot{Progress: Progress{JobsFetched: i}})
				f.Notice("n")
			}
		}()
	}
	notices := 0
	done := make(chan struct{})
	go func() { wg.Wait(); f.Finish(Finished{}); close(done) }()
	for ended := false; !ended; {
		<-f.ready
		var events []Event
		events, ended = f.take()
		for _, ev := range events {
			if _, ok := ev.(Notice); ok {
				notices++
			}
		}
	}
	<-done
	require.Equal(t, 800, notices, "no notice lost")
}
