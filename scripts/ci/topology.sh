#!/usr/bin/env bash
# Starts (or stops) what the replica and pooler tests need beside the machine's PostgreSQL at
# 127.0.0.1:5432: a streaming replica of it on 127.0.0.1:5433 and pgbouncer in transaction mode on
# 127.0.0.1:6433. Everything lives in one temporary folder; `stop` removes it and puts the
# server's pg_hba.conf back as it was. Runs as root (CI) and starts the servers as `postgres`.
# Another topology beside CI's (the city benchmark's, of its own cluster) takes its own folder,
# primary and ports: EDP_TOPOLOGY_DIR, EDP_PRIMARY_CLUSTER (a Debian cluster name, default main),
# EDP_PRIMARY_PORT, EDP_REPLICA_PORT, EDP_POOLER_PORT.
#
#   scripts/ci/topology.sh start   # prints the environment the tests read
#   scripts/ci/topology.sh stop
#   scripts/ci/topology.sh replica-stop | replica-start   (tests: the replica goes and returns)
set -euo pipefail

STATE=${EDP_TOPOLOGY_DIR:-/tmp/edp-topology}
PRIMARY_PORT=${EDP_PRIMARY_PORT:-5432}
REPLICA_PORT=${EDP_REPLICA_PORT:-5433}
POOLER_PORT=${EDP_POOLER_PORT:-6433}
VERSION=$(ls /etc/postgresql | sort -n | tail -1)
PGBIN=/usr/lib/postgresql/$VERSION/bin
HBA=/etc/postgresql/$VERSION/${EDP_PRIMARY_CLUSTER:-main}/pg_hba.conf

as_postgres() { su postgres -s /bin/sh -c "$*"; }

stop() {
  if [ -f "$STATE/replica/postmaster.pid" ]; then
    as_postgres "$PGBIN/pg_ctl -D $STATE/replica -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/pgbouncer.pid" ]; then
    kill "$(cat "$STATE/pgbouncer.pid")" 2>/dev/null || true
  fi
  if [ -f "$STATE/pg_hba.conf.orig" ]; then
    cp "$STATE/pg_hba.conf.orig" "$HBA"
    psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qAtc 'select pg_reload_conf()' >/dev/null || true
  fi
  # the replica's slot-less connection leaves nothing on the primary; the folder goes
  rm -rf "$STATE"
}

start() {
  stop
  mkdir -p "$STATE"
  chown postgres:postgres "$STATE"

  # The primary accepts replication connections from this machine while the tests run.
  cp "$HBA" "$STATE/pg_hba.conf.orig"
  printf 'local replication all trust\nhost replication all 127.0.0.1/32 trust\n' >>"$HBA"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qAtc 'select pg_reload_conf()' >/dev/null

  # A streaming replica: a base backup with its standby settings (-R), its own small configuration
  # (Debian keeps the primary's in /etc, so the copy has none).
  as_postgres "$PGBIN/pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $STATE/replica -R -X stream -c fast"
  cat >"$STATE/replica/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$STATE'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
max_standby_streaming_delay = 30s
wal_receiver_status_interval = 1s
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$STATE/replica/pg_hba.conf"
  chown -R postgres:postgres "$STATE/replica"
  as_postgres "$PGBIN/pg_ctl -D $STATE/replica -l $STATE/replica.log -w start" >/dev/null

  # pgbouncer in transaction mode in front of the primary (it refuses to run as root).
  if command -v pgbouncer >/dev/null; then
    printf '"postgres" ""\n' >"$STATE/userlist.txt"
    cat >"$STATE/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $POOLER_PORT
unix_socket_dir = $STATE
auth_type = trust
auth_file = $STATE/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
pidfile = $STATE/pgbouncer.pid
logfile = $STATE/pgbouncer.log
admin_users = postgres
EOF
    chown postgres:postgres "$STATE"/userlist.txt "$STATE"/pgbouncer.ini
    as_postgres "pgbouncer -d $STATE/pgbouncer.ini"
  fi

  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && break
    sleep 1
  done
  echo "EDP_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  if [ -f "$STATE/pgbouncer.ini" ]; then
    echo "EDP_TEST_POOLER_URL=postgres://postgres@127.0.0.1:$POOLER_PORT/postgres"
  fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
# for the tests: the replica goes away and comes back
replica-stop) as_postgres "$PGBIN/pg_ctl -D $STATE/replica -m fast -w stop" >/dev/null ;;
replica-start) as_postgres "$PGBIN/pg_ctl -D $STATE/replica -l $STATE/replica.log -w start" >/dev/null ;;
*)
  echo "usage: $0 start|stop|replica-stop|replica-start" >&2
  exit 2
  ;;
esac
