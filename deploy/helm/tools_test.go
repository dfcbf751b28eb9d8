package helm

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/destill-dev/destill/deploy/deploytest"
)

// kubeVersion is the cluster version the chart is rendered for. helm built
// with `go install` (as CI does) would otherwise assume v1.20, older than the
// chart's kubeVersion.
const kubeVersion = "1.31.0"

// chartDir is the chart under test.
const chartDir = "destill"

// helmPath finds the helm binary: $HELM, else PATH. Without one the tests
// skip, or fail when CI is set (.ci/run installs helm).
func helmPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELM"); p != "" {
		return p
	}
	return deploytest.Need(t, "helm", "go install helm.sh/helm/v3/cmd/helm@v3.22.0, or set HELM")
}

// helm runs helm with args and returns stdout and stderr.
func helm(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(helmPath(t), args...)
	// A clean helm home: no user repositories, plugins or caches.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+home, "HELM_CACHE_HOME="+home, "HELM_DATA_HOME="+home)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// template renders the chart with a values file and extra helm flags.
func template(t *testing.T, valuesFile string, extra ...string) (string, string, error) {
	t.Helper()
	args := []string{"template", "rel", chartDir, "--namespace", "ci", "--kube-version", kubeVersion}
	if valuesFile != "" {
		args = append(args, "-f", valuesFile)
	}
	return helm(t, append(args, extra...)...)
}
