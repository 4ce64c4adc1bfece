#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and local work (see README, "Deploying at scale").
#
#   scripts/pg-cluster.sh start DIR [--fast | --durable]
#                                       initdb + pg_ctl start in DIR (created, must be empty or absent) on a free
#                                       127.0.0.1 port; prints the DATABASE_URL of its "postgres" database
#   scripts/pg-cluster.sh stop DIR [--delete-in-background]
#                                       stops that cluster at once and deletes DIR (moved aside first and
#                                       deleted by a detached process with --delete-in-background)
#   scripts/pg-cluster.sh run CMD...    start in a temporary directory, run CMD with DATABASE_URL set, stop
#
# Installs Debian's `postgresql` package first when no initdb is found and we are root (apt-get update first).
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user the package creates.
# Authentication is `trust` on 127.0.0.1 only: the cluster is for this machine and is deleted afterwards.
# Throwaway, so it runs without fsync. --fast (the tests' shared cluster, test/support/postgres.ts) trades
# more durability for CPU: no synchronous commit, no full-page images, minimal WAL, no autovacuum (the tests
# analyze each template database they build), and no JIT: the tests' statements are short, and the recounts
# and stats queries over a few thousand rows pass jit_above_cost, so each compiled its plan to machine code
# for a query that runs once (postgres-stats' random-writes test 11 -> 6-8 s). --durable keeps PostgreSQL's
# defaults, fsync included, for a test of what survives a crash (test/crash-postgres.test.ts).
set -euo pipefail

DB_USER=upr

die() { echo "pg-cluster: $*" >&2; exit 1; }

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  return 1
}

# Under a lock: on a new machine the suite's shared cluster and a test's own cluster start side by side, and a
# second apt-get would find dpkg locked (or an initdb unpacked before its package is configured) and fail.
ensure_installed() {
  (
    flock 8
    bindir >/dev/null && exit 0
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; as root run: apt-get update && apt-get install -y postgresql"
    echo "pg-cluster: installing Debian's postgresql package" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 ||
      die "apt-get could not install postgresql"
    bindir >/dev/null || die "postgresql installed but no initdb found"
  ) 8>"${TMPDIR:-/tmp}/upr-pg-install.lock" || exit 1
}

# Runs a PostgreSQL program as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# initdb's data directory made once per PostgreSQL version, owner and settings (in $TMPDIR, beside the test
# suite's other prepared files, under a lock), then copied into DIR: a copy costs a tenth of initdb's CPU.
# initdb --no-sync: the cluster is throwaway, and a machine crash is not what --durable tests.
initdb_copy() {
  local bin=$1 dir=$2 args=(-U "$DB_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions)
  local key cache
  key=$({ echo "$bin ${args[*]} $(id -u)"; "$bin/postgres" --version; } | sha256sum | cut -c1-16)
  cache="${TMPDIR:-/tmp}/upr-pg-initdb-$key"
  if [ ! -d "$cache/data" ]; then
    (
      flock 9
      if [ ! -d "$cache/data" ]; then
        local building
        building=$(mktemp -d "$cache.XXXXXX")
        [ "$(id -u)" -ne 0 ] || chown postgres "$building"
        as_owner "$bin/initdb" -D "$building/data" "${args[@]}" >"$building/initdb.log" 2>&1 ||
          { cat "$building/initdb.log" >&2; rm -rf "$building"; die "initdb failed"; }
        mkdir -p "$cache"
        mv "$building/data" "$cache/data" # whole or absent: a process killed half-way leaves no broken copy
        rm -rf "$building"
      fi
    ) 9>"$cache.lock"
  fi
  cp -a "$cache/data" "$dir/data"
}

start() {
  local dir=$1 mode=${2:-}
  local settings="-c listen_addresses=127.0.0.1"
  case "$mode" in
    --durable) ;;
    --fast) settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c autovacuum=off -c jit=off" ;;
    *) settings="$settings -c fsync=off" ;;
  esac
  ensure_installed
  local bin
  bin=$(bindir)
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (from Debian's postgresql package)"
    chown postgres "$dir"
    # The owner must reach DIR: open the path's directories for traversal (temporary dirs are often 0700).
    local up=$dir
    while up=$(dirname "$up") && [ "$up" != / ]; do chmod o+x "$up" 2>/dev/null || true; done
  fi
  initdb_copy "$bin" "$dir"
  local port
  for _ in 1 2 3; do
    port=$(free_port)
    # Unix sockets in DIR (not /var/run/postgresql, which needs the package's service set up); TCP on loopback.
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir $settings" start >/dev/null 2>&1; then
      echo "postgres://$DB_USER@127.0.0.1:$port/postgres"
      return
    fi
  done
  cat "$dir/server.log" >&2 || true
  die "pg_ctl could not start the cluster"
}

stop() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "${2:-}" = --delete-in-background ] && [ -d "$dir" ]; then
    # Moved aside at once (a rename within the temporary directory, where the clusters live), then deleted by
    # a detached process: a test run's cluster holds every test's database, and deleting those files held the
    # end of `npm test` for 15-33 s.
    local aside
    aside=$(mktemp -d "${TMPDIR:-/tmp}/upr-pg-deleted-XXXXXX")
    mv "$dir" "$aside/" && { setsid rm -rf "$aside" </dev/null >/dev/null 2>&1 & } && return
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    [ $# -eq 2 ] || { [ $# -eq 3 ] && { [ "$3" = --fast ] || [ "$3" = --durable ]; }; } || die "usage: $0 start DIR [--fast | --durable]"
    start "$2" "${3:-}"
    ;;
  stop)
    { [ $# -eq 2 ] || { [ $# -eq 3 ] && [ "$3" = --delete-in-background ]; }; } || die "usage: $0 stop DIR [--delete-in-background]"
    stop "$2" "${3:-}"
    ;;
  run)
    shift
    [ $# -ge 1 ] || die "usage: $0 run COMMAND [ARGS...]"
    dir=$(mktemp -d "${TMPDIR:-/tmp}/upr-pg-XXXXXX")
    trap 'stop "$dir"' EXIT
    url=$(start "$dir")
    echo "pg-cluster: $url" >&2
    DATABASE_URL=$url "$@"
    ;;
  *) die "usage: $0 start DIR [--fast | --durable] | stop DIR [--delete-in-background] | run COMMAND [ARGS...]" ;;
esac
