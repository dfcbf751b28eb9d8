package app

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
)

// browserOpener returns how the UI's o key opens a URL: with $BROWSER, or
// the desktop's opener when there is a graphical session. It returns nil
// when there is none (over SSH, in CI): the UI then only shows the URL.
func browserOpener(getenv func(string) string) func(ctx context.Context, url string) error {
	var argv []string
	switch {
	case getenv("BROWSER") != "":
		argv = strings.Fields(getenv("BROWSER"))
	case runtime.GOOS == "darwin":
		argv = []string{"open"}
	case getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "":
		argv = []string{"xdg-open"}
	default:
		return nil
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil
	}
	return func(ctx context.Context, url string) error {
		// No stdin, stdout or stderr: nothing may write over the UI.
		cmd := exec.CommandContext(ctx, path, append(argv[1:], url)...)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", argv[0], err)
		}
		return nil
	}
}
