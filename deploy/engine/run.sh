#!/usr/bin/env bash
# The production engine on this machine (issue 17): Temporal v1.32.1 (the
# version of the main go.mod), built from the Go module cache, on PostgreSQL
# (127.0.0.1:5432, user postgres, trust), 16 history shards, as separate
# processes: one with frontend+matching+worker, two history processes.
#
#   deploy/engine/run.sh build            build temporal-server, temporal-sql-tool, setup into $ENGINE_DIR/bin
#   deploy/engine/run.sh schema           (re)create the databases temporal, temporal_visibility and their schemas
#   deploy/engine/run.sh up               start the three processes, register namespace + search attributes
#   deploy/engine/run.sh down             stop them (SIGTERM, by the pids this script wrote)
#   deploy/engine/run.sh kill-history N   SIGKILL history process N (1 or 2)
#   deploy/engine/run.sh start-history N  start history process N again
#   deploy/engine/run.sh restart-frontend stop (SIGTERM) and start the frontend process
#   deploy/engine/run.sh app              motionflow on the running engine: its identity provider, serve, two workers
#   deploy/engine/run.sh status           which processes run
#
# Connections (PostgreSQL max_connections 100 by default; `schema` prints it):
#   each Temporal process: default store maxConns 12 + visibility maxConns 3 = 15
#   3 processes: 45; motionflow serve + 2 workers: pgxpool pool_max_conns 8 each = 24
#   total 69, leaving 31 for psql, migrations, the test databases and the lead's work.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENGINE_DIR="${ENGINE_DIR:-$ROOT/.motionflow/engine}"
BIN="$ENGINE_DIR/bin"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
SHARDS=16
export GOTOOLCHAIN=local

log() { echo "engine: $*" >&2; }

# build builds the binaries unless those in $BIN were built from the same
# go.mod, go.sum, setup program and Go version (a stamp file says which).
build() {
	mkdir -p "$BIN"
	local stamp
	stamp="$(cd "$ROOT/deploy/engine" && cat go.mod go.sum setup/main.go | sha256sum | cut -d' ' -f1) $(go env GOVERSION)"
	if [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -x "$BIN/temporal-setup" ] &&
		[ "$(cat "$BIN/.stamp" 2>/dev/null)" = "$stamp" ]; then
		log "binaries in $BIN are current"
		return
	fi
	rm -f "$BIN/.stamp"
	(cd "$ROOT/deploy/engine" &&
		go build -o "$BIN/temporal-server" go.temporal.io/server/cmd/server &&
		go build -o "$BIN/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql &&
		go build -o "$BIN/temporal-setup" ./setup)
	echo "$stamp" >"$BIN/.stamp"
	log "built into $BIN"
}

schemadir() {
	echo "$(cd "$ROOT/deploy/engine" && go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12"
}

sqltool() {
	"$BIN/temporal-sql-tool" --quiet --plugin postgres12 --endpoint "$PGHOST" --port "$PGPORT" --user "$PGUSER" --password "" "$@" \
		>>"$ENGINE_DIR/schema.log" 2>&1 || { tail -20 "$ENGINE_DIR/schema.log" >&2; return 1; }
}

schema() {
	local dir
	dir="$(schemadir)"
	log "PostgreSQL max_connections: $(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -Atc 'SHOW max_connections')"
	for db in temporal temporal_visibility; do
		psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
		sqltool --database "$db" create-database
	done
	sqltool --database temporal setup-schema -v 0.0
	sqltool --database temporal update-schema -d "$dir/temporal/versioned"
	sqltool --database temporal_visibility setup-schema -v 0.0
	sqltool --database temporal_visibility update-schema -d "$dir/visibility/versioned"
	log "schemas set up ($SHARDS shards are fixed at the first start of the cluster)"
}

# config NAME HISTORY_GRPC HISTORY_MEMBERSHIP writes $ENGINE_DIR/NAME.yaml.
config() {
	mkdir -p "$ENGINE_DIR"
	# The history processes' task schedulers run 512 tasks at once by
	# default, against a pool of 12 connections: in a burst of timers the
	# tasks wait for a connection, time out after 3 s and are retried
	# (about 2,500 failed attempts for 2,000 timers, docs/BENCHMARKS.md).
	# As many workers as the pool serves, a little more, keep every attempt.
	cat >"$ENGINE_DIR/dynamicconfig.yaml" <<YAML
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
history.timerProcessorSchedulerWorkerCount:
  - value: 16
history.transferProcessorSchedulerWorkerCount:
  - value: 16
history.visibilityProcessorSchedulerWorkerCount:
  - value: 8
YAML
	cat >"$ENGINE_DIR/$1.yaml" <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: $SHARDS
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "$PGHOST:$PGPORT"
        connectProtocol: tcp
        user: $PGUSER
        password: ""
        maxConns: 12
        maxIdleConns: 12
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "$PGHOST:$PGPORT"
        connectProtocol: tcp
        user: $PGUSER
        password: ""
        maxConns: 3
        maxIdleConns: 3
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: {grpcPort: 7233, membershipPort: 6933, bindOnIP: 127.0.0.1, httpPort: 7243}
  matching:
    rpc: {grpcPort: 7235, membershipPort: 6935, bindOnIP: 127.0.0.1}
  history:
    rpc: {grpcPort: $2, membershipPort: $3, bindOnIP: 127.0.0.1}
  worker:
    rpc: {grpcPort: 7239, membershipPort: 6939, bindOnIP: 127.0.0.1}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:7233
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $ENGINE_DIR/dynamicconfig.yaml
  pollInterval: 10s
YAML
}

# start NAME SERVICES... starts one server process; its pid goes to NAME.pid.
start() {
	local name=$1
	shift
	local args=()
	for s in "$@"; do args+=(--service "$s"); done
	launch "$name" "$BIN/temporal-server" --allow-no-auth --config-file "$ENGINE_DIR/$name.yaml" start "${args[@]}"
}

# launch NAME CMD... runs CMD in the background, its output appended to
# NAME.log and its pid in NAME.pid (which stop, waitfor and status read).
launch() {
	local name=$1
	shift
	nohup "$@" >>"$ENGINE_DIR/$name.log" 2>&1 &
	echo $! >"$ENGINE_DIR/$name.pid"
	log "$name started (pid $!: ${*##*/})"
}

stop() {
	local f="$ENGINE_DIR/$1.pid" sig=${2:-TERM}
	[ -f "$f" ] || return 0
	local pid
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill -"$sig" "$pid"
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$f"
	log "$1 stopped ($sig)"
}

history_ports() { if [ "$1" = 1 ]; then echo "7234 6934"; else echo "7244 6944"; fi; }

up() {
	config frontend 7234 6934
	# shellcheck disable=SC2046
	config history1 $(history_ports 1)
	# shellcheck disable=SC2046
	config history2 $(history_ports 2)
	# The first process on fresh schemas writes the cluster metadata; two
	# writing it at once lose a version race and one of them exits
	# ("SaveClusterMetadata encountered version mismatch"), so the others
	# start once it is there.
	start history1 history
	waitfor history1 "wrote no cluster metadata" metadata_written
	start history2 history
	start frontend frontend matching worker
	"$BIN/temporal-setup" -address 127.0.0.1:7233 -namespace "${TEMPORAL_NAMESPACE:-default}"
}

# app starts motionflow against the running engine, each part a process of
# its own as in production: the development identity provider (`motionflow
# dev -idp-only`, 127.0.0.1:8081), then migrate and bootstrap of
# deploy/bootstrap/mannheim.json into the database motionflow_engine, then
# serve (127.0.0.1:8080) and two workers, each with a pool of 8 connections
# (the budget of docs/OPERATIONS.md). The benchmarks bring workers of their
# own, which these would compete with: `app` is for trying the system, not
# for `make bench-engine`.
app() {
	local bin="$BIN/motionflow" db=motionflow_engine
	(cd "$ROOT" && go build -o "$bin" ./cmd/motionflow)
	if [ "$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres)" != 1 ]; then
		psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -qc "CREATE DATABASE $db" postgres
	fi
	export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db?pool_max_conns=8"
	export TEMPORAL_ADDRESS=127.0.0.1:7233 TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
	export MOTIONFLOW_ADDR=127.0.0.1:8080 OIDC_ISSUER=http://127.0.0.1:8081/oidc
	"$bin" migrate
	"$bin" bootstrap "$ROOT/deploy/bootstrap/mannheim.json"
	startapp idp dev -idp-only -issuer-addr 127.0.0.1:8081
	waitfor idp "published no discovery document" answers "$OIDC_ISSUER/.well-known/openid-configuration"
	startapp serve serve
	startapp worker1 worker
	startapp worker2 worker
	waitfor serve "was not ready" answers "http://$MOTIONFLOW_ADDR/readyz"
	log "motionflow: API http://$MOTIONFLOW_ADDR, issuer $OIDC_ISSUER (demo users, password = user name; see idp.log)"
}

# startapp NAME ARGS... starts the motionflow binary with ARGS (launch).
startapp() {
	local name=$1
	shift
	launch "$name" "$BIN/motionflow" "$@"
}

# waitfor NAME WHAT CMD... runs CMD every 0.1 s until it succeeds, for up to
# 60 s and as long as process NAME runs (else its log's end is shown); WHAT
# says what failed ("NAME WHAT within 60 s").
waitfor() {
	local name=$1 what=$2 i
	shift 2
	for i in $(seq 1 600); do
		"$@" && return 0
		kill -0 "$(cat "$ENGINE_DIR/$name.pid")" 2>/dev/null || { tail -5 "$ENGINE_DIR/$name.log" >&2; return 1; }
		sleep 0.1
	done
	log "$name $what within 60 s"
	return 1
}

# metadata_written: the first history process has written the cluster metadata.
metadata_written() {
	[ "$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -Atc 'SELECT count(*) FROM cluster_metadata_info' temporal 2>/dev/null)" = 1 ]
}

# answers URL: URL answers with a success.
answers() { curl -sf -o /dev/null "$1"; }

case "${1:-}" in
build) build ;;
schema) schema ;;
up) up ;;
app) app ;;
down) stop worker1; stop worker2; stop serve; stop idp; stop frontend; stop history1; stop history2 ;;
kill-history) stop "history$2" KILL ;;
start-history) start "history$2" history ;;
restart-frontend) stop frontend; start frontend frontend matching worker ;;
status) for n in frontend history1 history2 idp serve worker1 worker2; do
	if [ -f "$ENGINE_DIR/$n.pid" ] && kill -0 "$(cat "$ENGINE_DIR/$n.pid")" 2>/dev/null; then echo "$n running"; else echo "$n stopped"; fi
done ;;
*) sed -n '2,20p' "$0"; exit 2 ;;
esac
