package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// goBuild builds pkg, a package of this module named by its path from
// app/, into the file bin as `make build` does (CGO off), with args added
// to go build, and returns bin. The Go build cache makes every build after
// the first one a link.
func goBuild(t testing.TB, pkg, bin string, args ...string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, append(append([]string{"build", "-o", bin}, args...), pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// buildBinary builds destill for a test that runs it as a subprocess,
// with a version stamped the way `make build` does.
func buildBinary(t *testing.T) string {
	t.Helper()
	return goBuild(t, "..", filepath.Join(t.TempDir(), "destill"), "-ldflags", "-X github.com/destill-dev/destill/app.Version=e2e-test")
}
