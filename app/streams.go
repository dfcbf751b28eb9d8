package app

import (
	"bytes"
	"io"
	"net/http"
	"os"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/term"
)

// Streams are the standard streams and environment a command runs with.
// Tests build their own with TestStreams.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads the environment (os.Getenv unless a test replaces it).
	Getenv func(string) string
	// UserCacheDir finds the user's cache folder (os.UserCacheDir). Nil
	// (as in TestStreams) means none: the log cache is off unless
	// DESTILL_CACHE_DIR names a folder.
	UserCacheDir func() (string, error)

	StdinTTY  bool
	StdoutTTY bool
	StderrTTY bool
	// OutWidth returns the width of the terminal stdout is, or 0 (nil: 0).
	OutWidth func() int

	// HTTPClient talks to CI providers (nil: a default client). Tests
	// route hosts with it.
	HTTPClient *http.Client

	// TUIScreen is the screen the interactive UI draws on (nil: the
	// terminal). Tests set a tcell.SimulationScreen.
	TUIScreen tcell.Screen

	// LimitMemory sets the process's soft memory limit to limit and holds
	// the garbage collector off until its memory first reaches quiet
	// (limitMemory); nil, as in TestStreams, leaves both alone.
	LimitMemory func(quiet, limit int64)

	// LargeRun prepares the process's memory for a run found to be large
	// (largeRun: the heap in huge pages); nil, as in TestStreams, does
	// nothing.
	LargeRun func()
}

// SystemStreams returns the process's own streams and environment.
func SystemStreams() *Streams {
	return &Streams{
		In:           os.Stdin,
		Out:          os.Stdout,
		ErrOut:       os.Stderr,
		Getenv:       os.Getenv,
		UserCacheDir: os.UserCacheDir,
		StdinTTY:     term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY:    term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		OutWidth: func() int {
			w, _, err := term.GetSize(int(os.Stdout.Fd()))
			if err != nil {
				return 0
			}
			return w
		},

		LimitMemory: limitMemory,
		LargeRun:    largeRun,
	}
}

// textWidth is the width text output wraps at: the terminal's, when stdout
// is one; 0 (no wrapping) for a pipe or a file.
func (s *Streams) textWidth() int {
	if !s.StdoutTTY || s.OutWidth == nil {
		return 0
	}
	return s.OutWidth()
}

// TestStreams returns streams backed by buffers, with an empty environment
// except for env ("KEY", "value", ...).
func TestStreams(stdin string, env ...string) (*Streams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	vars := map[string]string{}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	return &Streams{
		In:     bytes.NewBufferString(stdin),
		Out:    out,
		ErrOut: errOut,
		Getenv: func(k string) string { return vars[k] },
	}, out, errOut
}

// ColorEnabled reports whether output to stdout may use colour: stdout is
// a terminal and NO_COLOR is not set.
func (s *Streams) ColorEnabled() bool {
	return s.StdoutTTY && s.Getenv("NO_COLOR") == "" && s.Getenv("TERM") != "dumb"
}
