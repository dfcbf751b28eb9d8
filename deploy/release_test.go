package deploy

import (
	"debug/macho"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/deploy/deploytest"
)

// TestE2ERelease runs make release for this machine's platform and for
// darwin/arm64 (the full matrix only adds two more GOOS/GOARCH pairs of the
// same loop): static, version-stamped binaries and a SHA256SUMS that
// verifies.
func TestE2ERelease(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the binary")
	}
	deploytest.Need(t, "make", "apt-get install -y make")
	sha := deploytest.Need(t, "sha256sum", "apt-get install -y coreutils")
	dist := t.TempDir()
	host := runtime.GOOS + "/" + runtime.GOARCH
	out, errOut, err := run(t, repoRoot, []string{deploytest.PathWithGo()}, "make", "release",
		"VERSION=v1.2.3-test", "DIST="+dist, "PLATFORMS="+host+" darwin/arm64")
	require.NoError(t, err, out+errOut)

	hostBin := "destill-" + runtime.GOOS + "-" + runtime.GOARCH
	sums := readFile(t, filepath.Join(dist, "SHA256SUMS"))
	lines := strings.Split(strings.TrimSpace(sums), "\n")
	require.Len(t, lines, 2, sums)
	require.Regexp(t, `^[0-9a-f]{64}  `+hostBin+`$`, lines[0])
	require.Regexp(t, `^[0-9a-f]{64}  destill-darwin-arm64$`, lines[1])
	o, e, err := run(t, dist, nil, sha, "-c", "SHA256SUMS")
	require.NoError(t, err, o+e)

	o, e, err = run(t, ".", nil, filepath.Join(dist, hostBin), "--version")
	require.NoError(t, err, e)
	require.Equal(t, "destill version v1.2.3-test\n", o)
	if runtime.GOOS == "linux" {
		requireStatic(t, filepath.Join(dist, hostBin))
	}
	mf, err := macho.Open(filepath.Join(dist, "destill-darwin-arm64"))
	require.NoError(t, err)
	require.Equal(t, macho.CpuArm64, mf.Cpu)
	mf.Close()
	// The darwin binary carries the same stamp.
	b, err := os.ReadFile(filepath.Join(dist, "destill-darwin-arm64"))
	require.NoError(t, err)
	require.Contains(t, string(b), "v1.2.3-test")

	// A second release into the same directory replaces the first.
	out, errOut, err = run(t, repoRoot, []string{deploytest.PathWithGo()}, "make", "release", "VERSION=v1.2.4-test", "DIST="+dist, "PLATFORMS="+host)
	require.NoError(t, err, out+errOut)
	require.Len(t, strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dist, "SHA256SUMS"))), "\n"), 1)
	_, err = os.Stat(filepath.Join(dist, "destill-darwin-arm64"))
	require.True(t, os.IsNotExist(err), "stale binaries are removed")
}

func TestReleaseRejectsBadPlatform(t *testing.T) {
	_, errOut, err := run(t, repoRoot, []string{"PLATFORMS=linux", "DIST=" + t.TempDir()}, "deploy/release.sh")
	require.Error(t, err)
	require.Equal(t, "make release: platform 'linux' is not OS/ARCH (e.g. linux/amd64)\n", errOut)
}
