package deploy

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend/kafka"
	"github.com/destill-dev/destill/deploy/deploytest"
)

// composeConfig is the part of `docker-compose config` output the tests
// read. Ports and volumes are strings in docker-compose 1.x output and
// objects in Compose v2's; both are accepted.
type composeConfig struct {
	Services map[string]composeService `json:"services"`
	Volumes  map[string]any            `json:"volumes"`
}

type composeService struct {
	Image         string            `json:"image"`
	Build         any               `json:"build"`
	Command       []string          `json:"command"`
	Entrypoint    []string          `json:"entrypoint"`
	Environment   map[string]string `json:"environment"`
	Ports         []any             `json:"ports"`
	Volumes       []any             `json:"volumes"`
	Tmpfs         []string          `json:"tmpfs"`
	Restart       string            `json:"restart"`
	ContainerName string            `json:"container_name"`
	Profiles      []string          `json:"profiles"`
	ReadOnly      bool              `json:"read_only"`
	CapDrop       []string          `json:"cap_drop"`
	SecurityOpt   []string          `json:"security_opt"`
	DependsOn     map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Healthcheck *struct {
		Test []string `json:"test"`
	} `json:"healthcheck"`
}

// dockerCompose finds docker-compose (Debian's package, as .ci/run installs).
func dockerCompose(t *testing.T) string {
	return deploytest.Need(t, "docker-compose", "apt-get install -y docker-compose")
}

// envFile writes .env.example with the given settings filled in and returns
// its path.
func envFile(t *testing.T, set map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(".env.example")
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if k, _, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			if v, ok := set[k]; ok {
				lines[i] = k + "=" + v
			}
		}
	}
	p := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600))
	return p
}

// config runs `docker-compose config` on compose.yaml with an env file.
func config(t *testing.T, env string, extra ...string) (string, string, error) {
	t.Helper()
	args := append([]string{"-f", "compose.yaml", "--env-file", env}, extra...)
	return run(t, ".", nil, dockerCompose(t), append(args, "config")...)
}

func TestComposeRefusesToRunWithoutAPassword(t *testing.T) {
	_, errOut, err := config(t, ".env.example")
	require.Error(t, err)
	require.Contains(t, errOut, "set POSTGRES_PASSWORD in deploy/.env (copy deploy/.env.example)")

	src, err := os.ReadFile("compose.yaml")
	require.NoError(t, err)
	require.NotRegexp(t, `POSTGRES_PASSWORD:-`, string(src), "no default password")
	require.Regexp(t, `(?m)^POSTGRES_PASSWORD=$`, readFile(t, ".env.example"), "the example ships no password")
}

func TestComposeConfig(t *testing.T) {
	const password = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	out, errOut, err := config(t, envFile(t, map[string]string{"POSTGRES_PASSWORD": password, "GITHUB_TOKEN": "ghp_compose"}), "--profile", "console")
	require.NoError(t, err, errOut)
	var c composeConfig
	require.NoError(t, yaml.Unmarshal([]byte(out), &c))

	names := slices.Sorted(maps.Keys(c.Services))
	require.Equal(t, []string{"analyze-worker", "console", "ingest-worker", "migrate", "postgres", "redpanda", "topics"}, names)
	require.Equal(t, []string{"postgres-data", "redpanda-data"}, slices.Sorted(maps.Keys(c.Volumes)))

	// Published ports listen on loopback only.
	published := 0
	for name, s := range c.Services {
		for _, p := range s.Ports {
			require.Equal(t, "127.0.0.1", hostIP(t, p), "%s publishes %v beyond loopback", name, p)
			published++
		}
	}
	require.Equal(t, 3, published, "Kafka, Postgres, Console")

	pg := c.Services["postgres"]
	require.Equal(t, password, pg.Environment["POSTGRES_PASSWORD"])
	require.Contains(t, volumeTargets(t, pg.Volumes), "postgres-data:/var/lib/postgresql/data")
	require.Contains(t, volumeTargets(t, c.Services["redpanda"].Volumes), "redpanda-data:/var/lib/redpanda/data")
	for _, name := range []string{"redpanda", "postgres", "ingest-worker", "analyze-worker"} {
		require.NotNil(t, c.Services[name].Healthcheck, "%s has no healthcheck", name)
	}

	// One-shot services run once and let the workers start.
	for _, name := range []string{"migrate", "topics"} {
		require.Equal(t, "no", c.Services[name].Restart, name)
	}
	require.Equal(t, []string{"migrate"}, c.Services["migrate"].Command)
	require.NotNil(t, c.Services["migrate"].Build, "`up --build` builds the image from the repository")
	require.Equal(t, "service_healthy", c.Services["migrate"].DependsOn["postgres"].Condition)

	for _, name := range []string{"ingest-worker", "analyze-worker"} {
		w := c.Services[name]
		require.Equal(t, name, w.Command[0])
		require.Contains(t, w.Command, "--backend=kafka")
		require.Contains(t, w.Command, "--metrics-addr=:9090")
		require.Equal(t, c.Services["migrate"].Image, w.Image)
		// --scale needs no fixed container name and no host port.
		require.Empty(t, w.ContainerName, name)
		require.Empty(t, w.Ports, name)
		require.Equal(t, "service_completed_successfully", w.DependsOn["migrate"].Condition, name)
		require.Equal(t, "service_completed_successfully", w.DependsOn["topics"].Condition, name)
		require.Equal(t, "service_healthy", w.DependsOn["redpanda"].Condition, name)
		require.Equal(t, []string{"CMD", "destill", "healthcheck", "--url", "http://127.0.0.1:9090/readyz"}, w.Healthcheck.Test)
		require.True(t, w.ReadOnly, name)
		require.Equal(t, []string{"ALL"}, w.CapDrop, name)
		require.Contains(t, w.SecurityOpt, "no-new-privileges:true", name)
		require.Contains(t, w.Tmpfs, "/tmp", name)
		require.Equal(t, "redpanda:9092", w.Environment["DESTILL_KAFKA_BROKERS"])
		require.Equal(t, "postgres://destill:"+password+"@postgres:5432/destill?sslmode=disable", w.Environment["DESTILL_DATABASE_URL"])
		require.Equal(t, "ghp_compose", w.Environment["GITHUB_TOKEN"])
	}
	require.Equal(t, []string{"console"}, c.Services["console"].Profiles, "Console only with --profile console")
}

// TestComposeTopicsInit runs the topics service's script with a fake rpk:
// it creates the three topics with the configured partitions, and leaves
// existing ones alone when the stack starts again.
func TestComposeTopicsInit(t *testing.T) {
	bash := deploytest.Need(t, "bash", "apt-get install -y bash")
	// The example's settings are the workers' defaults.
	example := readFile(t, ".env.example")
	require.Contains(t, example, fmt.Sprintf("\nDESTILL_PARTITIONS=%d\n", kafka.DefaultPartitions))
	require.Contains(t, readFile(t, "compose.yaml"), "${DESTILL_TOPIC_PREFIX:-"+worker.DefaultTopicPrefix+"}")
	require.Contains(t, readFile(t, "compose.yaml"), fmt.Sprintf("${DESTILL_PARTITIONS:-%d}", kafka.DefaultPartitions))

	out, errOut, err := config(t, envFile(t, map[string]string{"POSTGRES_PASSWORD": "pw", "DESTILL_PARTITIONS": "24"}))
	require.NoError(t, err, errOut)
	var c composeConfig
	require.NoError(t, yaml.Unmarshal([]byte(out), &c))
	topics := c.Services["topics"]
	require.Equal(t, []string{"/bin/bash", "-ec"}, topics.Entrypoint)
	require.Len(t, topics.Command, 1)
	// config prints "$$" escaped as in the file; the container gets "$".
	script := strings.ReplaceAll(topics.Command[0], "$$", "$")

	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	existing := filepath.Join(dir, "existing")
	rpk := "#!/bin/sh\necho \"$*\" >> " + calls + "\n" +
		"if [ \"$1 $2\" = 'topic describe' ]; then grep -qx \"$3\" " + existing + " 2>/dev/null; exit $?; fi\n" +
		"if [ \"$1 $2\" = 'topic create' ]; then echo \"$3\" >> " + existing + "; fi\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rpk"), []byte(rpk), 0o755))
	env := []string{"PATH=" + dir + ":/usr/bin:/bin"}
	for k, v := range topics.Environment {
		env = append(env, k+"="+v)
	}
	require.Equal(t, "redpanda:9092", topics.Environment["RPK_BROKERS"])

	for round := 1; round <= 2; round++ {
		cmd := exec.Command(bash, "-ec", script)
		cmd.Env = env
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
	}
	log := readFile(t, calls)
	for _, topic := range wantTopics {
		require.Equal(t, 1, strings.Count(log, fmt.Sprintf("topic create %s --partitions 24 --replicas 1\n", topic)), log)
		require.Equal(t, 2, strings.Count(log, "topic describe "+topic+"\n"), log)
	}
	require.Equal(t, 3, strings.Count(log, "topic create"), log)
}

// wantTopics are the topics the workers use with the default prefix.
var wantTopics = func() []string {
	t := worker.NewTopics("")
	return []string{t.Requests, t.Chunks, t.DeadLetter}
}()

// hostIP reads the host address of a published port in either output form.
func hostIP(t *testing.T, p any) string {
	t.Helper()
	switch p := p.(type) {
	case string: // "127.0.0.1:5432:5432/tcp"
		m := regexp.MustCompile(`^(\d+\.\d+\.\d+\.\d+):\d+:\d+`).FindStringSubmatch(p)
		if m == nil {
			return "" // no host address: all interfaces
		}
		return m[1]
	case map[string]any: // {host_ip: 127.0.0.1, published: "5432", target: 5432}
		ip, _ := p["host_ip"].(string)
		return ip
	}
	t.Fatalf("unexpected port %#v", p)
	return ""
}

// volumeTargets lists volumes as "source:target".
func volumeTargets(t *testing.T, vs []any) []string {
	t.Helper()
	var out []string
	for _, v := range vs {
		switch v := v.(type) {
		case string: // "postgres-data:/var/lib/postgresql/data:rw"
			parts := strings.Split(v, ":")
			out = append(out, parts[0]+":"+parts[1])
		case map[string]any:
			out = append(out, fmt.Sprint(v["source"])+":"+fmt.Sprint(v["target"]))
		}
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
