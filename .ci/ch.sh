#!/usr/bin/env bash
# Starts or stops throw-away ClickHouse servers for the tests: config and data in a temporary
# folder, loopback only, the `default` user without a password (nothing listens beyond 127.0.0.1).
#   .ci/ch.sh start DIR PORT            one server; prints its URL (KOBAN_TEST_CLICKHOUSE)
#   .ci/ch.sh shards DIR PORT1 PORT2    two servers sharing the cluster `koban_shards` (two shards,
#                                       one replica each, no ZooKeeper); prints the cluster URL
#                                       (KOBAN_TEST_CLICKHOUSE_SHARDS)
#   .ci/ch.sh stop DIR                  stops every server started under DIR
# PORT is the HTTP port; the native port is PORT+1 (the Distributed engine talks native TCP).
# Debian's clickhouse-server 18.16 and current releases read the same config keys used here.
set -euo pipefail
cmd=${1:?start|shards|stop}
dir=${2:?data folder}
bin=$(command -v clickhouse-server || command -v /usr/sbin/clickhouse-server || command -v clickhouse || true)
[ -n "$bin" ] || { echo "ClickHouse is not installed (apt-get install clickhouse-server)" >&2; exit 1; }
run=("$bin")
if [ "$(basename "$bin")" = clickhouse ]; then run=("$bin" server); fi

# The cluster definition every node of `shards` shares: shard i is the server on native port PORTi+1.
remote_servers() {
  local out="<remote_servers><koban_shards>" p
  for p in "$@"; do
    out+="<shard><replica><host>127.0.0.1</host><port>$((p + 1))</port></replica></shard>"
  done
  echo "$out</koban_shards></remote_servers>"
}

# Writes one server's config under DIR/nPORT and starts it in the background; waits for SELECT 1.
start_one() {
  local node=$1 port=$2 cluster=$3
  mkdir -p "$node/data/tmp" "$node/data/user_files" "$node/log"
  cat >"$node/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$node/log/server.log</log><errorlog>$node/log/error.log</errorlog><size>10M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$port</http_port>
  <tcp_port>$((port + 1))</tcp_port>
  <path>$node/data/</path>
  <tmp_path>$node/data/tmp/</tmp_path>
  <user_files_path>$node/data/user_files/</user_files_path>
  <format_schema_path>$node/data/format_schemas/</format_schema_path>
  <users_config>$node/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  $cluster
</yandex>
XML
  cat >"$node/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  # 18.16 and current servers both run as root (current ones warn); as another user the folder is theirs.
  nohup "${run[@]}" --config-file="$node/config.xml" >"$node/log/stdout.log" 2>&1 &
  echo $! >"$node/pid"
  local i
  for i in $(seq 1 120); do
    # node is there wherever the tests run (curl may not be).
    if node -e "fetch('http://127.0.0.1:$port/?query=SELECT%201').then((r) => r.text()).then((t) => process.exit(t.trim() === '1' ? 0 : 1), () => process.exit(1))" 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$node/pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "ClickHouse on port $port did not start; see $node/log/" >&2
  tail -20 "$node/log/stdout.log" "$node/log/error.log" >&2 2>/dev/null || true
  exit 1
}

case "$cmd" in
  start)
    port=${3:-58123}
    start_one "$dir/n$port" "$port" ""
    echo "clickhouse://127.0.0.1:$port/koban_test"
    ;;
  shards)
    p1=${3:-58223}
    p2=${4:-58323}
    cluster=$(remote_servers "$p1" "$p2")
    start_one "$dir/n$p1" "$p1" "$cluster"
    start_one "$dir/n$p2" "$p2" "$cluster"
    # The entry node first; the adapter creates the local tables on every node it lists.
    echo "clickhouse://127.0.0.1:$p1,127.0.0.1:$p2/koban_test?cluster=koban_shards"
    ;;
  stop)
    for pidfile in "$dir"/n*/pid; do
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    done
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | shards DIR [PORT1 PORT2] | stop DIR" >&2
    exit 2
    ;;
esac
