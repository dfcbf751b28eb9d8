package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestBinaryLeavesOutSlowInit keeps out of the binary the packages whose
// initialisation every run would pay for, --version included: Prometheus's
// client and the protobuf runtime it brings took 0.9 ms of a 6 ms start
// (GODEBUG=inittrace=1), VictoriaMetrics's 2% of a one-log run (it reads
// cgroup and pressure files), for metrics only the workers serve.
// (Prometheus's text parser checks the metrics in tests only.)
func TestBinaryLeavesOutSlowInit(t *testing.T) {
	t.Parallel()
	slow := []string{"github.com/prometheus/", "google.golang.org/protobuf/", "expvar", "github.com/VictoriaMetrics/"}
	imports := goListDeps(t, ".")
	for _, dep := range slices.Sorted(maps.Keys(imports)) {
		for _, s := range slow {
			if dep == s || strings.HasPrefix(dep, s) {
				t.Errorf("the binary links %s, whose package init slows every start: %s", dep,
					strings.Join(importChain(imports, "github.com/destill-dev/destill", dep), " → "))
			}
		}
	}
}
