#!/usr/bin/env bash
# A private PostgreSQL server on loopback for development and tests, from Debian's
# postgresql package: its own data directory, its own port, trust authentication on
# 127.0.0.1 and its own Unix socket only. Never a production setup (docs/operations-scale-out.md
# says what one needs).
#
#   local-postgres.sh start DATA_DIR [PORT] [DATABASE]
#       Creates the cluster if DATA_DIR holds none, starts it (on PORT, or the first free port
#       from 55432 up), creates DATABASE if given and missing, and prints the connection URL
#       (postgresql://kaiban@127.0.0.1:PORT/DATABASE, or .../postgres without DATABASE).
#       A cluster that already runs is left running and its URL printed.
#   local-postgres.sh stop DATA_DIR [--remove]
#       Stops the server (fast shutdown); --remove deletes DATA_DIR afterwards.
#
# PostgreSQL refuses to run as root: as root the server runs as the 'postgres' user, which
# then owns DATA_DIR. Output of the server goes to DATA_DIR/server.log.
set -euo pipefail

PG_BIN="${KAIBAN_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$PG_BIN/initdb" ]] || {
  echo "local-postgres: no PostgreSQL server binaries (install the postgresql package)" >&2
  exit 1
}

# Runs a server binary as the user that owns the cluster.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running_port() {
  local dir="$1"
  [[ -f "$dir/postmaster.pid" ]] || return 1
  as_owner "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 1
  sed -n 4p "$dir/postmaster.pid"
}

start() {
  local dir="$1" port="${2:-}" database="${3:-}"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    local output
    output="$(as_owner "$PG_BIN/initdb" -D "$dir" -U kaiban --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 2>&1)" || {
      echo "$output" >&2
      echo "local-postgres: initdb failed; as root the server runs as 'postgres', which must be" \
        "able to reach $dir (every parent directory searchable: chmod o+x)" >&2
      exit 1
    }
    # Trust only this machine: the socket in the data directory and 127.0.0.1.
    as_owner tee "$dir/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  fi
  local current
  if current="$(running_port "$dir")"; then
    port="$current"
  else
    if [[ -z "$port" ]]; then
      port=55432
      while port_in_use "$port"; do port=$((port + 1)); done
    fi
    # The settings docs/operations-scale-out.md recommends for durability (synchronous_commit
    # and fsync on, full_page_writes) are PostgreSQL's defaults and are kept.
    as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o \
      "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300" \
      start >/dev/null || {
      tail -n 30 "$dir/server.log" >&2
      exit 1
    }
  fi
  if [[ -n "$database" ]]; then
    if ! as_owner "$PG_BIN/psql" -h "$dir" -p "$port" -U kaiban -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
      as_owner "$PG_BIN/createdb" -h "$dir" -p "$port" -U kaiban "$database"
    fi
  fi
  echo "postgresql://kaiban@127.0.0.1:$port/${database:-postgres}"
}

stop() {
  local dir="$1" remove="${2:-}"
  if [[ -f "$dir/postmaster.pid" ]]; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [[ "$remove" == "--remove" ]]; then
    rm -rf "$dir"
  fi
}

case "${1:-}" in
  start) start "${2:?start needs DATA_DIR}" "${3:-}" "${4:-}" ;;
  stop) stop "${2:?stop needs DATA_DIR}" "${3:-}" ;;
  *)
    echo "usage: $0 start DATA_DIR [PORT] [DATABASE] | stop DATA_DIR [--remove]" >&2
    exit 2
    ;;
esac
