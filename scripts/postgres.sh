#!/usr/bin/env bash
# A private PostgreSQL 15 server for HealthSync, from Debian's `postgresql` package (installed when missing).
#
#   scripts/postgres.sh start DIR [--throwaway]   init (first time) and start a cluster in DIR; prints the connection string
#   scripts/postgres.sh stop DIR                  stop it (the data stays in DIR)
#   scripts/postgres.sh url DIR                   print the connection string of a cluster in DIR
#
# The server listens on 127.0.0.1 only, on a free port chosen the first time (kept in DIR's postgresql.conf), with its
# unix socket in DIR; the superuser `healthsync` (trust authentication, local connections only) owns the database
# `healthsync`. --throwaway turns off fsync and friends for test runs whose data is deleted afterwards: never use it for
# data you want to keep. PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

PG_VERSION=15
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PG_USER=healthsync
PG_DB=healthsync

die() { echo "postgres.sh: $*" >&2; exit 1; }

# Runs a PostgreSQL binary as the cluster's owner: the `postgres` user when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_installed() {
  [ -x "$PG_BIN/initdb" ] && return
  echo "Installing PostgreSQL $PG_VERSION (Debian package 'postgresql')..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  # The package lists are refreshed only when they cannot serve the install (a fresh machine), so one test run that also
  # installs a browser does not update them twice.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 2>/dev/null \
    || { $sudo apt-get update -qq >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2; }
  # The package starts a system-wide cluster of its own; ours does not need it.
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL $PG_VERSION binaries not found in $PG_BIN after installing"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Below the kernel's ephemeral range: a port in it can be taken at any moment as the local end of an outgoing
# connection (the test suites open many), which no listening check sees and which makes the server's bind fail.
free_port() {
  local port low span
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  span=$((low - 20000))
  [ "$span" -ge 1000 ] || span=10000
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % span))
    port_in_use "$port" || { echo "$port"; return; }
  done
  die "no free port found"
}

conf_port() { sed -n 's/^port = \([0-9]*\).*/\1/p' "$1/data/postgresql.conf" | tail -1; }

url() { echo "Host=127.0.0.1;Port=$(conf_port "$1");Username=$PG_USER;Database=$PG_DB"; }

init_cluster() {
  local dir=$1 throwaway=$2
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "# HealthSync: private server on loopback"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $(free_port)"
    echo "unix_socket_directories = '$dir'"
    echo "max_connections = 300"
    if [ "$throwaway" = 1 ]; then
      echo "# Throwaway test data: durability off for speed"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
}

start() {
  local dir=$1 throwaway=$2
  ensure_installed
  dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
  [ -f "$dir/data/PG_VERSION" ] || init_cluster "$dir" "$throwaway"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    local attempt
    for attempt in 1 2 3; do
      as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null && break
      # The port was taken since it was chosen: choose another (the last "port =" line wins) and try again.
      if [ "$attempt" -lt 3 ] && grep -q "could not bind" "$dir/server.log"; then
        echo "port = $(free_port)" | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
        continue
      fi
      cat "$dir/server.log" >&2; die "the server did not start (log above)"
    done
  fi
  local port; port=$(conf_port "$dir")
  if ! as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U "$PG_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER" "$PG_DB"
  fi
  url "$dir"
}

stop() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop|url DIR [--throwaway]"
case "$cmd" in
  start) start "$dir" "$([ "${3:-}" = --throwaway ] && echo 1 || echo 0)" ;;
  stop) stop "$dir" ;;
  url) url "$dir" ;;
  *) die "unknown command '$cmd' (start|stop|url)" ;;
esac
