package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/destill-dev/destill/backend/kafka/kafkatest"
	"github.com/destill-dev/destill/backend/postgres/postgrestest"
	"github.com/destill-dev/destill/deploy/deploytest"
	"github.com/destill-dev/destill/providers/providertest"
)

// TestE2EComposeServicesRunTheRealBinary runs the migrate service and both
// workers with exactly the commands, environment and healthchecks
// compose.yaml gives them, as processes of the real binary (no container
// engine): Redpanda is replaced by a Kafka-protocol broker (kfake) and the
// postgres service by the test PostgreSQL; everything else is compose's.
// A build submitted to them comes back analyzed.
func TestE2EComposeServicesRunTheRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the workers")
	}
	db := postgrestest.NewSchema(t)
	brokers := strings.Join(kafkatest.Brokers(t), ",")
	fake := providertest.New(t, providertest.DemoGitHubMatrix())

	out, errOut, err := config(t, envFile(t, map[string]string{
		"POSTGRES_PASSWORD": "pw", "GITHUB_TOKEN": fake.Token(), "GITHUB_API_URL": fake.GitHubURL(),
	}))
	require.NoError(t, err, errOut)
	var c composeConfig
	require.NoError(t, yaml.Unmarshal([]byte(out), &c))
	bin := deploytest.Build(t, repoRoot)

	// env is a service's environment with the two servers swapped in.
	env := func(s composeService) []string {
		vars := map[string]string{}
		for k, v := range s.Environment {
			vars[k] = v
		}
		require.Equal(t, "redpanda:9092", vars["DESTILL_KAFKA_BROKERS"])
		require.Contains(t, vars["DESTILL_DATABASE_URL"], "@postgres:5432/")
		vars["DESTILL_KAFKA_BROKERS"] = brokers
		vars["DESTILL_DATABASE_URL"] = db
		return deploytest.Env(t, vars)
	}

	migrate := c.Services["migrate"]
	_, err = deploytest.Run(t, time.Minute, bin, migrate.Command, env(migrate))
	require.NoError(t, err)

	var workers []*deploytest.Proc
	for _, name := range []string{"ingest-worker", "analyze-worker"} {
		s := c.Services[name]
		// Each container has its own network namespace; here the two
		// workers share the host's, so each gets its own port.
		addr := deploytest.FreeAddr(t)
		args := replaceArg(t, s.Command, "--metrics-addr=:9090", "--metrics-addr="+addr)
		p := deploytest.Start(t, name, bin, args, env(s))
		workers = append(workers, p)

		// The service's own healthcheck command, pointed at that port.
		require.Equal(t, []string{"CMD", "destill"}, s.Healthcheck.Test[:2])
		check := replaceArg(t, s.Healthcheck.Test[2:], "http://127.0.0.1:9090/readyz", "http://"+addr+"/readyz")
		require.Eventually(t, func() bool {
			_, err := deploytest.Run(t, 10*time.Second, bin, check, env(s))
			return err == nil
		}, time.Minute, 100*time.Millisecond, "%s never became healthy:\n%s", name, p.Output())
	}

	submitEnv := deploytest.Env(t, map[string]string{"DESTILL_KAFKA_BROKERS": brokers, "DESTILL_DATABASE_URL": db})
	report, err := deploytest.Run(t, 2*time.Minute, bin, []string{"submit", "--backend=kafka", "--wait", "--json", fake.WebURL(0) + "/attempts/2"}, submitEnv)
	require.NoError(t, err)
	require.Contains(t, report, `"status": "done"`)
	require.Contains(t, report, "--- FAIL: TestUploadRetry")
	require.NotContains(t, report, fake.Token())

	for _, p := range workers {
		require.NoError(t, p.Stop(30*time.Second), "%s must stop cleanly on SIGTERM (what docker stop sends)", p.Name)
	}
}

// replaceArg returns args with the one element equal to old replaced.
func replaceArg(t *testing.T, args []string, old, new string) []string {
	t.Helper()
	out := append([]string(nil), args...)
	n := 0
	for i, a := range out {
		if a == old {
			out[i] = new
			n++
		}
	}
	require.Equal(t, 1, n, "%q once in %v", old, args)
	return out
}

// TestE2EComposeCommandsAndEnvAreDestills: each destill service's command is
// a command line the binary accepts, and each DESTILL_* variable compose
// sets is one that command reads.
func TestE2EComposeCommandsAndEnvAreDestills(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	out, errOut, err := config(t, envFile(t, map[string]string{"POSTGRES_PASSWORD": "pw"}))
	require.NoError(t, err, errOut)
	var c composeConfig
	require.NoError(t, yaml.Unmarshal([]byte(out), &c))
	bin := deploytest.Build(t, repoRoot)
	for _, name := range []string{"migrate", "ingest-worker", "analyze-worker"} {
		s := c.Services[name]
		help, err := deploytest.Run(t, 30*time.Second, bin, append(append([]string(nil), s.Command...), "--help"), deploytest.Env(t, nil))
		require.NoError(t, err, name)
		for k := range s.Environment {
			if !strings.HasPrefix(k, "DESTILL_") || name == "migrate" && k != "DESTILL_DATABASE_URL" {
				continue // migrate needs the database only
			}
			require.Contains(t, help, "env "+k, "%s does not read %s", name, k)
		}
	}
}
