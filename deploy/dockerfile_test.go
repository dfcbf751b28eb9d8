package deploy

import (
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/destill-dev/destill/deploy/deploytest"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd  string // upper case: FROM, RUN, ...
	Args string
}

// stage is one FROM and what follows it.
type stage struct {
	From   string
	Name   string
	Instrs []instruction
}

// parseDockerfile reads the stages of a Dockerfile: comments and blank
// lines dropped, backslash continuations joined.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	var (
		stages  []stage
		pending string
	)
	for _, line := range strings.Split(readFile(t, path), "\n") {
		trimmed := strings.TrimSpace(line)
		if pending == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			pending += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		full := pending + trimmed
		pending = ""
		cmd, args, _ := strings.Cut(full, " ")
		in := instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			st := stage{}
			for i := 0; i < len(f); i++ {
				switch {
				case strings.HasPrefix(f[i], "--"):
				case strings.EqualFold(f[i], "AS") && i+1 < len(f):
					st.Name = f[i+1]
					i++
				default:
					st.From = f[i]
				}
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].Instrs = append(stages[len(stages)-1].Instrs, in)
		}
	}
	require.Empty(t, pending, "dangling continuation")
	return stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.Instrs {
		if in.Cmd == cmd {
			out = append(out, in.Args)
		}
	}
	return out
}

func TestDockerfileFinalImage(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile")
	require.Len(t, stages, 2, "a builder stage and the final image")
	final := stages[len(stages)-1]

	require.Regexp(t, `^gcr\.io/distroless/static-debian\d+:nonroot$`, final.From,
		"distroless static: CA certificates, tzdata and a non-root user, no shell")
	require.Equal(t, []string{"65532:65532"}, final.all("USER"), "the distroless nonroot user, numeric so runAsNonRoot can verify it")

	var entrypoint []string
	require.Len(t, final.all("ENTRYPOINT"), 1)
	require.NoError(t, json.Unmarshal([]byte(final.all("ENTRYPOINT")[0]), &entrypoint), "exec form, so signals reach destill")
	require.Equal(t, []string{"destill"}, entrypoint)
	require.Equal(t, []string{"--from=build /out/destill /usr/local/bin/destill"}, final.all("COPY"), "the binary on distroless's PATH")

	labels := strings.Join(final.all("LABEL"), " ")
	for _, k := range []string{"title", "description", "source", "version", "revision", "created"} {
		require.Contains(t, labels, "org.opencontainers.image."+k+"=", "OCI label %s", k)
	}
	require.Contains(t, labels, `org.opencontainers.image.version="${VERSION}"`)

	ignore := readFile(t, filepath.Join(repoRoot, ".dockerignore"))
	for _, p := range []string{".git", "bin/", "dist/", "deploy/.env"} {
		require.Contains(t, strings.Fields(ignore), p, ".dockerignore")
	}
}

// TestDockerfileBuildStep runs the builder stage's go build command as the
// builder would (with the stage's ENV and build args), then checks the
// binary is static and carries the version.
func TestDockerfileBuildStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bash := deploytest.Need(t, "bash", "apt-get install -y bash")
	build := parseDockerfile(t, "Dockerfile")[0]
	require.Equal(t, "build", build.Name)
	require.Regexp(t, `^golang:\$\{GO_VERSION\}-`, build.From)
	require.Contains(t, build.all("ENV"), "CGO_ENABLED=0 GOFLAGS=-buildvcs=false")

	var step string
	for _, r := range build.all("RUN") {
		if strings.Contains(r, "go build") {
			step = r
		}
	}
	require.NotEmpty(t, step)
	require.Contains(t, step, "-X github.com/destill-dev/destill/app.Version=${VERSION}")
	// BuildKit's cache mounts are options of RUN, not part of the command.
	step = regexp.MustCompile(`--mount=\S+\s*`).ReplaceAllString(step, "")

	out := t.TempDir()
	step = strings.ReplaceAll(step, "/out/destill", filepath.Join(out, "destill"))
	env := []string{deploytest.PathWithGo(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false",
		"TARGETOS=" + runtime.GOOS, "TARGETARCH=" + runtime.GOARCH, "VERSION=v9.8.7-image"}
	o, e, err := run(t, repoRoot, env, bash, "-ec", step)
	require.NoError(t, err, o+e)

	bin := filepath.Join(out, "destill")
	requireStatic(t, bin)
	o, e, err = run(t, ".", nil, bin, "--version")
	require.NoError(t, err, e)
	require.Equal(t, "destill version v9.8.7-image\n", o)
}

// requireStatic fails unless path is an ELF executable with no dynamic
// loader: it runs on distroless/static and scratch.
func requireStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "%s asks for a dynamic loader", path)
		require.NotEqual(t, elf.PT_DYNAMIC, p.Type, "%s is dynamically linked", path)
	}
}

// fakeCLI writes a container CLI named name that answers `info` and
// `buildx version` as told and records any other call's arguments, one
// per line, in the returned file.
func fakeCLI(t *testing.T, name string, engine, buildx bool) (string, string) {
	t.Helper()
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := "#!/bin/sh\n" +
		"case \"$1 $2\" in\n" +
		"'info '*) " + map[bool]string{true: "exit 0", false: "echo 'Cannot connect to the Docker daemon' >&2; exit 1"}[engine] + " ;;\n" +
		"'buildx version') " + map[bool]string{true: "echo 'github.com/docker/buildx v0.20.0'; exit 0", false: "echo \"docker: unknown command: docker buildx\" >&2; exit 1"}[buildx] + " ;;\n" +
		"esac\n" +
		"for a in \"$@\"; do echo \"$a\"; done > " + calls + "\n"
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(script), 0o755))
	return p, calls
}

func TestMakeImage(t *testing.T) {
	deploytest.Need(t, "make", "apt-get install -y make")
	noEngine, _ := fakeCLI(t, "docker", false, true)
	noBuildx, _ := fakeCLI(t, "docker", true, false)
	for _, tc := range []struct {
		name   string
		docker string
		want   string
	}{
		{"no engine", noEngine, "make image: no container engine reachable through '" + noEngine + "' (is the Docker daemon running?"},
		{"no cli", "/nonexistent/docker", "make image: '/nonexistent/docker' not found: install Docker (or set DOCKER=podman)"},
		{"no buildx", noBuildx, "make image: '" + noBuildx + " buildx' (BuildKit) is missing: install the docker-buildx plugin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"DOCKER=" + tc.docker}
			// The script alone: exactly one line on stderr, nothing built.
			out, errOut, err := run(t, repoRoot, env, "deploy/image.sh")
			require.Error(t, err)
			require.Empty(t, out)
			require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
			require.Contains(t, errOut, tc.want)
			// Through make.
			_, errOut, err = run(t, repoRoot, env, "make", "image")
			require.Error(t, err)
			require.Contains(t, errOut, tc.want)
		})
	}

	// With an engine: the build command make image runs.
	for _, tc := range []struct {
		cli, platform string
		build         []string
	}{
		{"docker", "", []string{"buildx", "build", "--load"}},
		{"podman", "linux/arm64", []string{"build"}},
	} {
		t.Run(tc.cli, func(t *testing.T) {
			cli, calls := fakeCLI(t, tc.cli, true, true)
			env := []string{"DOCKER=" + cli, "PLATFORM=" + tc.platform}
			out, errOut, err := run(t, repoRoot, env, "make", "image", "VERSION=v1.2.3", "IMAGE=registry.example/destill")
			require.NoError(t, err, errOut)
			require.Contains(t, out, "built registry.example/destill:v1.2.3")
			args := strings.Split(strings.TrimSpace(readFile(t, calls)), "\n")
			want := append(tc.build, "-f", "deploy/Dockerfile", "--build-arg", "VERSION=v1.2.3")
			require.Equal(t, want, args[:len(want)])
			rest := args[len(want):]
			require.Equal(t, "--build-arg", rest[0])
			require.Regexp(t, `^REVISION=([0-9a-f]{40}|unknown)$`, rest[1])
			require.Equal(t, "--build-arg", rest[2])
			require.Regexp(t, `^CREATED=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, rest[3])
			tail := []string{"-t", "registry.example/destill:v1.2.3"}
			if tc.platform != "" {
				tail = append(tail, "--platform", tc.platform)
			}
			require.Equal(t, append(tail, "."), rest[4:], "built from the repository root")
		})
	}
}

func TestScripts(t *testing.T) {
	sc := deploytest.Need(t, "shellcheck", "apt-get install -y shellcheck")
	for _, p := range []string{"image.sh", "release.sh", "ci-tools.sh", "../scripts/with-postgres.sh", "../scripts/pg.sh", "../scripts/run-tests.sh", "../scripts/local-backends.sh", "../.ci/run"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		if !strings.HasSuffix(p, "/pg.sh") { // sourced, not run
			require.NotZero(t, fi.Mode()&0o111, "%s is not executable", p)
		}
		out, errOut, err := run(t, ".", nil, sc, "-x", p)
		require.NoError(t, err, "shellcheck %s\n%s%s", p, out, errOut)
	}
}
