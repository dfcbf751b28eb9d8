package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/destill-dev/destill/backend/kafka/kafkatest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/deploy/deploytest"
	"github.com/destill-dev/destill/providers/providertest"
)

// TestE2EChartPodsRunTheRealBinary renders the chart for a test Kafka (kfake)
// and PostgreSQL, then runs the migration Job's container and both
// workers' containers as processes of the real binary, with the args and
// the environment their pods get (envFrom the ConfigMap and the Secret);
// their probes must pass, a submitted build must come back analyzed, and
// SIGTERM must stop them cleanly within terminationGracePeriodSeconds.
func TestE2EChartPodsRunTheRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the workers")
	}
	db := postgrestest.NewSchema(t)
	brokers := strings.Join(kafkatest.Brokers(t), ",")
	fake := providertest.New(t, providertest.DemoGitHubMatrix())
	values, err := yaml.Marshal(map[string]any{
		"kafka":      map[string]any{"brokers": brokers},
		"database":   map[string]any{"url": db},
		"tokens":     map[string]any{"github": fake.Token()},
		"config":     map[string]any{"GITHUB_API_URL": fake.GitHubURL()},
		"migrations": map[string]any{"onWorkerStart": false},
	})
	require.NoError(t, err)
	valuesFile := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(valuesFile, values, 0o600))
	out, errOut, err := template(t, "testdata/minimal.yaml", "-f", valuesFile)
	require.NoError(t, err, errOut)
	m, err := decodeManifests(out)
	require.NoError(t, err)
	bin := deploytest.Build(t, "../..")

	// env is what a pod's container sees: envFrom, then env.
	env := func(c corev1.Container) []string {
		vars := map[string]string{}
		for _, from := range c.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				for k, v := range m.ConfigMaps[from.ConfigMapRef.Name].Data {
					vars[k] = v
				}
			case from.SecretRef != nil:
				for k, v := range m.Secrets[from.SecretRef.Name].StringData {
					vars[k] = v
				}
			}
		}
		for _, e := range c.Env {
			vars[e.Name] = e.Value
		}
		return deploytest.Env(t, vars)
	}

	for _, j := range m.Jobs {
		c := j.Spec.Template.Spec.Containers[0]
		_, err := deploytest.Run(t, time.Minute, bin, c.Args, env(c))
		require.NoError(t, err, "the migration Job")
	}

	type worker struct {
		p     *deploytest.Proc
		grace time.Duration
	}
	var workers []worker
	for _, name := range []string{"rel-destill-ingest-worker", "rel-destill-analyze-worker"} {
		pod := m.Deployments[name].Spec.Template.Spec
		c := pod.Containers[0]
		// Pods have an address each; here both share the host's, so each
		// gets its own port in place of the container port.
		addr := deploytest.FreeAddr(t)
		port := fmt.Sprint(c.Ports[0].ContainerPort)
		args := append([]string(nil), c.Args...)
		n := 0
		for i, a := range args {
			if a == "--metrics-addr=:"+port {
				args[i] = "--metrics-addr=" + addr
				n++
			}
		}
		require.Equal(t, 1, n, "%s serves its probes on the container port: %v", name, c.Args)
		p := deploytest.Start(t, name, bin, args, env(c))
		for _, probe := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			require.Equal(t, c.Ports[0].Name, probe.HTTPGet.Port.String())
			deploytest.WaitOK(t, "http://"+addr+probe.HTTPGet.Path, p, time.Minute)
		}
		workers = append(workers, worker{p, time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second})
	}

	submitEnv := deploytest.Env(t, map[string]string{"DESTILL_KAFKA_BROKERS": brokers, "DESTILL_DATABASE_URL": db})
	report, err := deploytest.Run(t, 2*time.Minute, bin, []string{"submit", "--backend=kafka", "--wait", "--json", fake.WebURL(0) + "/attempts/2"}, submitEnv)
	require.NoError(t, err)
	require.Contains(t, report, `"status": "done"`)
	require.Contains(t, report, "--- FAIL: TestUploadRetry")

	for _, w := range workers {
		require.NoError(t, w.p.Stop(w.grace), "%s must stop on SIGTERM before Kubernetes kills it", w.p.Name)
	}
}

// TestE2EChartArgsAndEnvAreDestills: for every set of values, each
// container's args are a destill command line the binary accepts, and each
// DESTILL_* variable the chart sets is one that command reads.
func TestE2EChartArgsAndEnvAreDestills(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := deploytest.Build(t, "../..")
	for _, r := range renders {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, err := template(t, r.values)
			require.NoError(t, err, errOut)
			m, err := decodeManifests(out)
			require.NoError(t, err)
			var pods []corev1.PodSpec
			for _, d := range m.Deployments {
				pods = append(pods, d.Spec.Template.Spec)
			}
			for _, j := range m.Jobs {
				pods = append(pods, j.Spec.Template.Spec)
			}
			for _, pod := range pods {
				c := pod.Containers[0]
				// --help after the flags: the flags are parsed (an unknown one
				// is an error), then the command's help is printed.
				help, err := deploytest.Run(t, 30*time.Second, bin, append(append([]string(nil), c.Args...), "--help"), deploytest.Env(t, nil))
				require.NoError(t, err, "%s: %v", c.Name, c.Args)
				require.Contains(t, help, "env DESTILL_DATABASE_URL", c.Args[0])
				if c.Args[0] == "migrate" {
					continue // it needs the database only
				}
				for _, cm := range m.ConfigMaps {
					for k := range cm.Data {
						if strings.HasPrefix(k, "DESTILL_") {
							require.Contains(t, help, "env "+k, "%s does not read %s", c.Args[0], k)
						}
					}
				}
			}
		})
	}
}
