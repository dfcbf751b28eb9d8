#!/usr/bin/env bash
# Brings up, on this machine and without Docker, what destill's distributed
# mode needs: a throwaway PostgreSQL (from the machine's server binaries,
# scripts/pg.sh) and an in-memory Kafka-protocol broker (kfakesrv, built
# from this checkout); with --fake-ci also fake CI APIs with a failed demo
# build (fakeci), so that no token is needed. Everything runs in the
# background and keeps its data in memory or in one folder; `down` stops it
# and deletes the folder.
#
#   eval "$(scripts/local-backends.sh up --fake-ci)"   # prints the exports it makes
#   ...
#   eval "$(scripts/local-backends.sh down)"
#
# up prints export lines (DESTILL_BACKEND, DESTILL_KAFKA_BROKERS,
# DESTILL_DATABASE_URL, DESTILL_LOCAL_DIR; with --fake-ci the fake APIs'
# URLs and tokens and DESTILL_DEMO_URL, a failed build to submit) and, on
# stderr, what it started. down prints the matching unset lines. The folder
# is $DESTILL_LOCAL_DIR, by default destill-local-$UID under $TMPDIR.
# With Docker, deploy/compose.yaml runs Redpanda and PostgreSQL instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source-path=SCRIPTDIR source=pg.sh
. "$here/pg.sh"

dir=${DESTILL_LOCAL_DIR:-${TMPDIR:-/tmp}/destill-local-$(id -u)}
say() { echo "local-backends: $*" >&2; }

# wait_file waits up to 60 s for a file to exist and not be empty.
wait_file() {
  for _ in $(seq 600); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  say "$2 did not start (see $dir/$3)"
  return 1
}

# start runs a command in the background, detached from this shell, with
# its output in $dir/$name.log and its pid in $dir/$name.pid.
start() {
  local name=$1
  shift
  nohup "$@" </dev/null >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

up() {
  local fake_ci=false
  for a in "$@"; do
    case $a in
      --fake-ci) fake_ci=true ;;
      *) say "unknown option $a (use --fake-ci)"; exit 2 ;;
    esac
  done
  if [ -e "$dir" ]; then
    say "$dir exists: already up? run: eval \"\$($0 down)\" first"
    exit 1
  fi
  local pg_bin
  if ! pg_bin=$(pg_find_bin); then
    say "no PostgreSQL server binaries found: install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@17), or run deploy/compose.yaml with Docker"
    exit 1
  fi
  command -v go >/dev/null 2>&1 || { say "go is needed to build the broker (kfakesrv)"; exit 1; }
  mkdir -p "$dir"
  chmod 0700 "$dir"
  # Root runs the server as the postgres user, which must reach its folder.
  if [ "$(id -u)" = 0 ]; then chmod 0711 "$dir"; fi
  echo "$pg_bin" >"$dir/pg.bin"
  trap 'trap - ERR; say "could not bring everything up; stopping what started"; down >/dev/null' ERR

  pg_start "$pg_bin" "$dir/pg"
  pg_as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres destill
  say "PostgreSQL on 127.0.0.1:$pg_port (database destill; data in $dir/pg)"

  (cd "$root" && go build -o "$dir/kfakesrv" ./internal/tools/kfakesrv)
  start kafka "$dir/kfakesrv" -brokers 1 -addr-file "$dir/kafka.addrs"
  wait_file "$dir/kafka.addrs" "the broker" kafka.log
  say "Kafka-protocol broker (kfakesrv, in memory) on $(cat "$dir/kafka.addrs")"

  echo "export DESTILL_LOCAL_DIR='$dir'"
  echo "export DESTILL_BACKEND=kafka"
  echo "export DESTILL_KAFKA_BROKERS='$(cat "$dir/kafka.addrs")'"
  echo "export DESTILL_DATABASE_URL='postgres://postgres@127.0.0.1:$pg_port/destill?sslmode=disable'"

  if $fake_ci; then
    (cd "$root" && go build -o "$dir/fakeci" ./providers/providertest/fakeci)
    start fakeci "$dir/fakeci" -demo github -env-file "$dir/fakeci.env"
    wait_file "$dir/fakeci.env" "the fake CI APIs" fakeci.log
    grep -E '^[A-Z_]+=' "$dir/fakeci.env" | grep -v '^URL=' | sed -e "s/^\([A-Z_]*\)=\(.*\)$/export \1='\2'/"
    echo "export DESTILL_DEMO_URL='$(grep -m1 '^URL=' "$dir/fakeci.env" | cut -d= -f2-)'"
    say "fake CI APIs (GitHub, GitLab, Buildkite, Jenkins) with a failed build at \$DESTILL_DEMO_URL"
  fi
}

down() {
  if [ ! -d "$dir" ]; then
    say "nothing is up in $dir"
  else
    local name pid
    for name in fakeci kafka; do
      if [ -f "$dir/$name.pid" ]; then
        pid=$(cat "$dir/$name.pid")
        kill "$pid" 2>/dev/null || true
      fi
    done
    if [ -f "$dir/pg.bin" ]; then pg_stop "$(cat "$dir/pg.bin")" "$dir/pg"; fi
    # The fake APIs' variables are unset only if up exported them: they
    # would otherwise be the user's own tokens.
    if [ -f "$dir/fakeci.env" ]; then
      echo "unset DESTILL_DEMO_URL $(grep -E '^[A-Z_]+=' "$dir/fakeci.env" | grep -v '^URL=' | cut -d= -f1 | tr '\n' ' ')"
    fi
    rm -rf "$dir"
    say "stopped and removed $dir"
  fi
  echo "unset DESTILL_LOCAL_DIR DESTILL_BACKEND DESTILL_KAFKA_BROKERS DESTILL_DATABASE_URL"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  *) echo "usage: eval \"\$($0 up [--fake-ci])\"   or   eval \"\$($0 down)\"" >&2; exit 2 ;;
esac
