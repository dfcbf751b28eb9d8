#!/usr/bin/env bash
# Runs a command with DESTILL_TEST_DATABASE_URL pointing at a throwaway
# PostgreSQL: initdb in a temp dir, listening on 127.0.0.1 only, stopped
# and deleted when the command ends. Root runs the server as the postgres
# user (initdb refuses root).
#
#   scripts/with-postgres.sh go test ./...
#
# When DESTILL_TEST_DATABASE_URL is already set, or no PostgreSQL binaries
# are found (/usr/lib/postgresql/*/bin, or initdb on PATH), the command runs
# as is: the Postgres tests then skip, or fail when CI is set.
set -euo pipefail

if [ -n "${DESTILL_TEST_DATABASE_URL:-}" ]; then exec "$@"; fi

pg_bin=""
while IFS= read -r d; do
  if [ -x "$d/initdb" ]; then pg_bin=$d; break; fi
done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
if [ -z "$pg_bin" ] && command -v initdb >/dev/null 2>&1; then pg_bin=$(dirname "$(command -v initdb)"); fi
if [ -z "$pg_bin" ]; then
  echo "with-postgres: no PostgreSQL binaries found (sudo make deploy-tools installs them); Postgres tests will skip (or fail with CI set)" >&2
  exec "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/destill-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  chown postgres: "$tmp"
  chmod 0755 "$tmp"
  as_pg=(runuser -u postgres --)
fi
data="$tmp/data"
# shellcheck disable=SC2317 # run by the trap
cleanup() {
  ( cd "$tmp" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ) || true
  rm -rf "$tmp"
}
trap cleanup EXIT

( cd "$tmp" && "${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 ) \
  || { cat "$tmp/initdb.log" >&2; exit 1; }

port=""
for _ in 1 2 3 4 5; do
  p=$(shuf -i 20000-60999 -n 1)
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
  if ( cd "$tmp" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $p -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null ); then
    port=$p; break
  fi
  tail -n 5 "$tmp/server.log" >&2 || true
done
if [ -z "$port" ]; then echo "with-postgres: could not start PostgreSQL" >&2; exit 1; fi

export DESTILL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit $status
