#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL cluster for the tests: data in a temporary folder, a
# loopback TCP port, trust authentication (nothing listens beyond 127.0.0.1). Prints the URL to use
# as KOBAN_TEST_PG on start. Usage: .ci/pg.sh start DIR [PORT] | .ci/pg.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data folder}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
# initdb and postgres refuse to run as root: run them as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_pg "$bin/initdb" -D "$dir/data" -U koban -A trust --no-sync >"$dir/initdb.log"
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U koban koban_test
    echo "postgres://koban@127.0.0.1:$port/koban_test"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
esac
