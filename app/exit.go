package app

import (
	"errors"
	"fmt"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed: unreadable input, provider error, ...
	exitUsage   = 2 // the command line was wrong
)

// usageError marks an error in how destill was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errInterrupted is what a command stopped by SIGINT or SIGTERM returns.
var errInterrupted = errors.New("interrupted")

// errSilent fails the command without printing anything more.
var errSilent = errors.New("silent failure")

func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitFailure
}
