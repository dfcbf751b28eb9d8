#!/usr/bin/env bash
# Runs a test command (with a throwaway PostgreSQL, see with-postgres.sh)
# and ends with one line naming the tests that skipped because a tool, a
# server or a data set was missing, and what installs it: tests record such
# skips in $DESTILL_SKIPS_FILE (internal/needs). Exits with the command's
# status.
#
#   scripts/run-tests.sh go test ./...
set -euo pipefail

skips=$(mktemp "${TMPDIR:-/tmp}/destill-skips.XXXXXX")
trap 'rm -f "$skips"' EXIT
export DESTILL_SKIPS_FILE=$skips

set +e
"$(dirname "$0")/with-postgres.sh" "$@"
status=$?
set -e

# One line, grouped by what installs it: "make test: SKIPPED 12 tests, as
# something they need is missing: helm (9), shellcheck (3): install with
# sudo make deploy-tools; ...".
if [ -s "$skips" ]; then
  sort "$skips" | awk -F'\t' '
    {
      n++
      if (!($2 in hows)) { hows[$2] = 1; order[++k] = $2 }
      if (!(($2, $1) in count)) whats[$2] = whats[$2] (whats[$2] == "" ? "" : ", ") $1
      count[$2, $1]++
    }
    END {
      line = sprintf("make test: SKIPPED %d test%s, as something they need is missing:", n, n == 1 ? "" : "s")
      for (i = 1; i <= k; i++) {
        how = order[i]; m = split(whats[how], w, ", "); list = ""
        for (j = 1; j <= m; j++) list = list (j > 1 ? ", " : "") w[j] " (" count[how, w[j]] ")"
        line = line (i > 1 ? ";" : "") " " list ": " how
      }
      print line " (with CI=1 they fail instead)"
    }' >&2
fi
exit $status
