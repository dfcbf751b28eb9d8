# shellcheck shell=bash
# Functions to run a throwaway PostgreSQL server from the machine's server
# binaries: initdb in a folder, listening on 127.0.0.1 only, trusting local
# connections. Root runs the server as the postgres user (initdb refuses
# root). Sourced by with-postgres.sh and local-backends.sh.

# pg_port is the port of the server pg_start started.
# shellcheck disable=SC2034 # read by the scripts that source this one
pg_port=""

# pg_find_bin prints the folder of the newest PostgreSQL server binaries
# (/usr/lib/postgresql/*/bin, as Debian installs them off PATH, or initdb's
# folder on PATH); it fails when there are none.
pg_find_bin() {
  local d
  while IFS= read -r d; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

# pg_sbin finds an administration command (runuser, useradd) also when
# /usr/sbin is not on PATH.
pg_sbin() {
  command -v "$1" 2>/dev/null || { for d in /usr/sbin /sbin; do [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }; done; echo "$1"; }
}

# pg_as_owner runs a command as the user the server runs as: the postgres
# user when root, else the caller.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then "$(pg_sbin runuser)" -u postgres -- "$@"; else "$@"; fi
}

# pg_start BIN DIR starts a server from BIN's binaries with its data and
# socket in DIR (created, and given to the postgres user when root), on a
# free port of 127.0.0.1, and sets pg_port. Its log is DIR/server.log.
pg_start() {
  local bin=$1 dir=$2 p
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || "$(pg_sbin useradd)" --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres: "$dir"
    chmod 0755 "$dir"
  fi
  ( cd "$dir" && pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ) \
    || { cat "$dir/initdb.log" >&2; return 1; }
  for _ in 1 2 3 4 5; do
    p=$(shuf -i 20000-60999 -n 1)
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    if ( cd "$dir" && pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $p -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
          start >/dev/null ); then
      pg_port=$p
      return 0
    fi
    tail -n 5 "$dir/server.log" >&2 || true
  done
  echo "could not start PostgreSQL (see $dir/server.log)" >&2
  return 1
}

# pg_stop BIN DIR stops the server pg_start started in DIR, if it runs.
pg_stop() {
  ( cd "$2" && pg_as_owner "$1/pg_ctl" -D "$2/data" -m fast -w -t 30 stop >/dev/null 2>&1 ) || true
}
