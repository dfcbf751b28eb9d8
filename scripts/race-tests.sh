#!/usr/bin/env bash
# Runs the tests of the code that analyzes one log on several goroutines
# (analysis.ParallelAnalyzer, the class caches the workers lend each
# other) under the race detector: a few seconds. The detector needs cgo
# and a C compiler; without one the step is skipped with a line naming
# what installs it, and with CI set it fails instead.
set -euo pipefail

tests='TestParallelAnalyzerReadFrom|TestParallelAnalysisOddInput|TestParallelSpreadsTheEnd|TestClassCacheCarriesOver'

if ! command -v "$(go env CC)" >/dev/null 2>&1; then
	msg="make test: SKIPPED the race tests of analysis, as a C compiler is missing: install gcc (apt-get install gcc)"
	if [[ -n ${CI:-} ]]; then
		echo "${msg/SKIPPED/FAILED:} (CI set)" >&2
		exit 1
	fi
	echo "$msg" >&2
	exit 0
fi
CGO_ENABLED=1 go test -race -count=1 -run "^($tests)\$" ./analysis
