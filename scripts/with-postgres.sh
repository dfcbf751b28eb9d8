#!/usr/bin/env bash
# Runs a command with DESTILL_TEST_DATABASE_URL pointing at a throwaway
# PostgreSQL: initdb in a temp dir, listening on 127.0.0.1 only, stopped
# and deleted when the command ends (scripts/pg.sh).
#
#   scripts/with-postgres.sh go test ./...
#
# When DESTILL_TEST_DATABASE_URL is already set, or no PostgreSQL binaries
# are found (/usr/lib/postgresql/*/bin, or initdb on PATH), the command runs
# as is: the Postgres tests then skip, or fail when CI is set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=pg.sh
. "$(dirname "$0")/pg.sh"

if [ -n "${DESTILL_TEST_DATABASE_URL:-}" ]; then exec "$@"; fi

if ! pg_bin=$(pg_find_bin); then
  echo "with-postgres: no PostgreSQL binaries found (sudo make deploy-tools installs them); Postgres tests will skip (or fail with CI set)" >&2
  exec "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/destill-pg.XXXXXX")
# shellcheck disable=SC2317 # run by the trap
cleanup() {
  pg_stop "$pg_bin" "$tmp"
  rm -rf "$tmp"
}
trap cleanup EXIT

pg_start "$pg_bin" "$tmp"

export DESTILL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port" >&2
set +e
"$@"
status=$?
set -e
exit $status
