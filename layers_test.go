package main

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// module is the import path every package of destill starts with.
const module = "github.com/destill-dev/destill/"

// TestPackageLayers keeps the house's layers apart: what analysis, render
// and ui import, directly or through anything else, never reaches the
// packages above them. analysis is pure; render turns its reports into text
// and needs nothing else; ui draws them and learns of the pipeline, the
// backends and the providers only through the Events app feeds it.
func TestPackageLayers(t *testing.T) {
	tests := []struct {
		pkg string
		// mustNotReach lists packages (with everything under them) that
		// pkg must not depend on.
		mustNotReach []string
	}{
		{"analysis", []string{"app", "backend", "providers", "render", "ui"}},
		{"render", []string{"app", "backend", "providers", "ui"}},
		{"ui", []string{"app", "backend", "providers"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			t.Parallel()
			imports := goListDeps(t, "./"+tt.pkg)
			for _, dep := range slices.Sorted(maps.Keys(imports)) {
				rel, ok := strings.CutPrefix(dep, module)
				if !ok {
					continue
				}
				for _, bad := range tt.mustNotReach {
					if rel == bad || strings.HasPrefix(rel, bad+"/") {
						t.Errorf("%s depends on %s: %s", tt.pkg, rel, strings.Join(importChain(imports, module+tt.pkg, dep), " → "))
					}
				}
			}
		})
	}
}

// goListDeps returns what `go list -deps pkg` lists, each package with the
// packages it imports.
func goListDeps(t *testing.T, pkg string) map[string][]string {
	t.Helper()
	out, err := exec.Command(goTool(t), "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		imports[fields[0]] = fields[1:]
	}
	return imports
}

// goTool finds the go command: on PATH, else in the toolchain that built
// the test.
func goTool(t *testing.T) string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no go command on PATH or in %s: the layer test needs it", runtime.GOROOT())
	}
	return p
}

// importChain returns the shortest chain of imports from one package to
// another (breadth first), to show how a forbidden package is reached.
func importChain(imports map[string][]string, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append([]string{strings.TrimPrefix(p, module)}, chain...)
			}
			return chain
		}
		for _, next := range imports[p] {
			if _, seen := prev[next]; !seen {
				prev[next] = p
				queue = append(queue, next)
			}
		}
	}
	return []string{from, "…", to}
}
