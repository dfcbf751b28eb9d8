package kafka

import (
	"log/slog"
	"sync"
	"time"
)

// errorLog logs a subscription's joins and errors: an error at WARN the
// first time, when it changes, and again every LogEvery while it lasts,
// so a broker that stays away is reported without flooding the log.
type errorLog struct {
	log *slog.Logger // nil: silent

	mu      sync.Mutex
	last    string
	at      time.Time
	failing bool // errors were logged since the last join
}

func newErrorLog(log *slog.Logger, group, topic string) *errorLog {
	if log != nil {
		log = log.With("group", group, "topic", topic)
	}
	return &errorLog{log: log}
}

func (l *errorLog) warn(msg string, err error) {
	if l.log == nil {
		return
	}
	l.mu.Lock()
	text := err.Error()
	now := time.Now()
	if text == l.last && now.Sub(l.at) < LogEvery {
		l.mu.Unlock()
		return
	}
	l.last, l.at, l.failing = text, now, true
	l.mu.Unlock()
	l.log.Warn(msg, "error", text)
}

func (l *errorLog) joined(partitions int) {
	if l.log == nil {
		return
	}
	l.mu.Lock()
	recovered := l.failing
	l.last, l.failing = "", false
	l.mu.Unlock()
	if recovered {
		l.log.Info("kafka: consumer group joined again", "partitions", partitions)
		return
	}
	l.log.Debug("kafka: consumer group joined", "partitions", partitions)
}
