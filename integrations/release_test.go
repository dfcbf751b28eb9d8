package integrations

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/deploy/deploytest"
)

// releaseVersion is the version of the release the tests serve.
const releaseVersion = "v0.9.1-ci"

var (
	releaseOnce sync.Once
	releaseDir  string
	releaseErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if releaseDir != "" {
		os.RemoveAll(releaseDir)
	}
	os.Exit(code)
}

// release builds a release of the real binary for this machine with
// make release's script, once per test run, and returns its directory
// (destill-OS-ARCH and SHA256SUMS).
func release(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "destill-release-")
		if err != nil {
			releaseErr = err
			return
		}
		releaseDir = dir
		cmd := exec.Command("../deploy/release.sh")
		cmd.Env = append(os.Environ(), "VERSION="+releaseVersion, "DIST="+dir,
			"PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, deploytest.PathWithGo())
		if out, err := cmd.CombinedOutput(); err != nil {
			releaseErr = fmt.Errorf("make release: %w\n%s", err, out)
		}
	})
	require.NoError(t, releaseErr)
	return releaseDir
}

// asset is the release file for this machine.
func asset() string { return "destill-" + runtime.GOOS + "-" + runtime.GOARCH }

// releaseServer serves a release directory the way GitHub serves release
// downloads: BASE/latest/download/FILE and BASE/download/TAG/FILE.
type releaseServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	// tamper, when set, replaces the binary's bytes.
	tamper []byte
}

func newReleaseServer(t *testing.T, dir string) *releaseServer {
	t.Helper()
	rs := &releaseServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.requests = append(rs.requests, r.URL.Path)
		tamper := rs.tamper
		rs.mu.Unlock()
		p := strings.TrimPrefix(r.URL.Path, "/releases/")
		var file string
		switch {
		case strings.HasPrefix(p, "latest/download/"):
			file = strings.TrimPrefix(p, "latest/download/")
		case strings.HasPrefix(p, "download/"+releaseVersion+"/"):
			file = strings.TrimPrefix(p, "download/"+releaseVersion+"/")
		default:
			http.NotFound(w, r)
			return
		}
		if file != path.Base(file) {
			http.NotFound(w, r)
			return
		}
		if file == asset() && tamper != nil {
			http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(tamper))
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, file))
	}))
	t.Cleanup(rs.Close)
	return rs
}

// base is the download-url the scripts take.
func (rs *releaseServer) base() string { return rs.URL + "/releases" }

func (rs *releaseServer) paths() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.requests...)
}
