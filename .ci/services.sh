#!/usr/bin/env bash
# Test services for the remote-store backends: a private Virtuoso 7 and an Oxigraph
# server, both bound to loopback, each in its own data directory.
#
#   bash .ci/services.sh start    # install if needed, start, wait, write .ci/services.env
#   . .ci/services.env            # exports FACTGRAPH_TEST_* for pytest
#   bash .ci/services.sh stop     # clean shutdown of both, data directories removed
#   bash .ci/services.sh status
#
# Idempotent: `start` leaves a running, answering service alone; `stop` with nothing
# running is a no-op. Every wait is bounded (SERVICES_WAIT seconds, default 60).
# Settings (environment): SERVICES_DIR (default /tmp/factgraph-services), VIRTUOSO_HTTP_PORT
# (8890), VIRTUOSO_SQL_PORT (1111), OXIGRAPH_PORT (7878), VIRTUOSO_BUFFERS (170000),
# SERVICES_ONLY (virtuoso | oxigraph; default both), SERVICES_ENV (the env file, default
# .ci/services.env). Needs root for apt-get only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SERVICES_DIR:-/tmp/factgraph-services}"
ENV_FILE="${SERVICES_ENV:-$ROOT/.ci/services.env}"
WAIT="${SERVICES_WAIT:-60}"
V_HTTP="${VIRTUOSO_HTTP_PORT:-8890}"
V_SQL="${VIRTUOSO_SQL_PORT:-1111}"
OX_PORT="${OXIGRAPH_PORT:-7878}"
V_BUFFERS="${VIRTUOSO_BUFFERS:-170000}"
ONLY="${SERVICES_ONLY:-}"
VENV="$ROOT/.venv"
V_DIR="$DIR/virtuoso"
OX_DIR="$DIR/oxigraph"
V_URL="http://127.0.0.1:$V_HTTP/sparql"
V_UPDATE_URL="http://127.0.0.1:$V_HTTP/sparql-auth"
OX_URL="http://127.0.0.1:$OX_PORT/query"
OX_UPDATE_URL="http://127.0.0.1:$OX_PORT/update"

log() { echo "services: $*" >&2; }
die() { echo "services: ERROR: $*" >&2; exit 1; }
want() { [[ -z "$ONLY" || "$ONLY" == "$1" ]]; }

# 0 when a SPARQL endpoint answers ASK with HTTP 200 (bounded by curl's own timeout)
answers() {
  curl -fsS -m 5 -o /dev/null -H 'Accept: application/sparql-results+json' \
    --data-urlencode 'query=ASK {}' "$1" 2>/dev/null
}

wait_for() {  # name url pid logfile
  local name="$1" url="$2" pid="$3" logfile="$4" i
  for ((i = 0; i < WAIT * 2; i++)); do
    if answers "$url"; then log "$name answers at $url"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "$name exited during start-up (log: $logfile)"
    fi
    sleep 0.5
  done
  tail -n 20 "$logfile" >&2 || true
  die "$name did not answer at $url within ${WAIT}s (log: $logfile)"
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait up to $2 seconds for pid file $1's process to exit; 0 if it did
wait_exit() {
  local pidfile="$1" secs="$2" i
  for ((i = 0; i < secs * 4; i++)); do
    alive "$pidfile" || return 0
    sleep 0.25
  done
  return 1
}

stop_pid() {  # name pidfile: TERM, bounded wait, then KILL
  local name="$1" pidfile="$2"
  if alive "$pidfile"; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    if ! wait_exit "$pidfile" 15; then
      log "$name did not stop on TERM, killing"
      kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
      wait_exit "$pidfile" 5 || true
    fi
  fi
  rm -f "$pidfile"
}

# -------------------------------------------------------------------- install

install_virtuoso() {
  command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "virtuoso-opensource is not installed and installing it needs root"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # keep the package's system instance (listening on all interfaces) from starting
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  if ! apt-cache show virtuoso-opensource >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq
  fi
  log "installing virtuoso-opensource"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
}

install_oxigraph() {
  [[ -x "$VENV/bin/python" ]] || die "no virtualenv at $VENV"
  [[ -x "$VENV/bin/oxigraph" ]] && return 0
  log "installing oxigraph into $VENV"
  "$VENV/bin/python" -m pip install -q "oxigraph>=0.4,<0.6"
}

# ---------------------------------------------------------------------- start

start_virtuoso() {
  if alive "$V_DIR/pid" && answers "$V_URL"; then log "virtuoso already running"; return 0; fi
  stop_virtuoso
  if answers "$V_URL"; then die "something else already answers at $V_URL; stop it or set VIRTUOSO_HTTP_PORT"; fi
  install_virtuoso
  local tmpl=/usr/share/virtuoso-opensource-7/virtuoso.ini ini="$V_DIR/virtuoso.ini"
  [[ -f "$tmpl" ]] || die "virtuoso ini template $tmpl not found"
  mkdir -p "$V_DIR"
  cp "$tmpl" "$ini"
  set_ini() { inifile +inifile "$ini" +section "$1" +key "$2" +value "$3"; }
  set_ini Database DatabaseFile "$V_DIR/virtuoso.db"
  set_ini Database ErrorLogFile "$V_DIR/virtuoso.log"
  set_ini Database LockFile "$V_DIR/virtuoso.lck"
  set_ini Database TransactionFile "$V_DIR/virtuoso.trx"
  set_ini Database xa_persistent_file "$V_DIR/virtuoso.pxa"
  set_ini TempDatabase DatabaseFile "$V_DIR/virtuoso-temp.db"
  set_ini TempDatabase TransactionFile "$V_DIR/virtuoso-temp.trx"
  set_ini Parameters ServerPort "127.0.0.1:$V_SQL"
  set_ini Parameters DirsAllowed "., /usr/share/virtuoso-opensource-7/vad, $V_DIR"
  set_ini Parameters NumberOfBuffers "$V_BUFFERS"
  set_ini Parameters MaxDirtyBuffers "$((V_BUFFERS * 3 / 4))"
  set_ini HTTPServer ServerPort "127.0.0.1:$V_HTTP"
  set_ini SPARQL ResultSetMaxRows 10000000
  set_ini SPARQL MaxQueryExecutionTime 0
  log "starting virtuoso on 127.0.0.1:$V_HTTP (sql 127.0.0.1:$V_SQL) in $V_DIR"
  # exec: the pid file holds virtuoso's own pid, and no shell stays behind holding the
  # caller's stdout (a `$(...)` or a pipe around this script would never end)
  (cd "$V_DIR" && exec setsid virtuoso-t +foreground +configfile "$ini") </dev/null >"$V_DIR/stdout.log" 2>&1 &
  echo $! >"$V_DIR/pid"
  wait_for virtuoso "$V_URL" "$(cat "$V_DIR/pid")" "$V_DIR/virtuoso.log"
}

start_oxigraph() {
  if alive "$OX_DIR/pid" && answers "$OX_URL"; then log "oxigraph already running"; return 0; fi
  stop_oxigraph
  if answers "$OX_URL"; then die "something else already answers at $OX_URL; stop it or set OXIGRAPH_PORT"; fi
  install_oxigraph
  mkdir -p "$OX_DIR/data"
  log "starting oxigraph on 127.0.0.1:$OX_PORT in $OX_DIR"
  setsid "$VENV/bin/oxigraph" serve --location "$OX_DIR/data" --bind "127.0.0.1:$OX_PORT" \
    </dev/null >"$OX_DIR/server.log" 2>&1 &
  echo $! >"$OX_DIR/pid"
  wait_for oxigraph "$OX_URL" "$(cat "$OX_DIR/pid")" "$OX_DIR/server.log"
}

write_env() {
  {
    echo "# written by .ci/services.sh start; source it before pytest"
    if want oxigraph; then
      echo "export FACTGRAPH_TEST_OXIGRAPH_URL=$OX_URL"
      echo "export FACTGRAPH_TEST_OXIGRAPH_UPDATE_URL=$OX_UPDATE_URL"
    fi
    if want virtuoso; then
      echo "export FACTGRAPH_TEST_VIRTUOSO_URL=$V_URL"
      echo "export FACTGRAPH_TEST_VIRTUOSO_UPDATE_URL=$V_UPDATE_URL"
      echo "export FACTGRAPH_TEST_VIRTUOSO_USER=dba"
      echo "export FACTGRAPH_TEST_VIRTUOSO_PASSWORD=dba"
    fi
  } >"$ENV_FILE"
  cat "$ENV_FILE"
}

# ----------------------------------------------------------------------- stop

stop_virtuoso() {
  if alive "$V_DIR/pid"; then
    log "stopping virtuoso"
    # clean: checkpoint and exit; fall back to TERM/KILL if isql cannot reach it
    timeout 20 isql-vt "127.0.0.1:$V_SQL" dba dba "EXEC=shutdown;" >/dev/null 2>&1 || true
    wait_exit "$V_DIR/pid" 20 || true
    stop_pid virtuoso "$V_DIR/pid"
  fi
  rm -rf "$V_DIR"
}

stop_oxigraph() {
  if alive "$OX_DIR/pid"; then log "stopping oxigraph"; fi
  stop_pid oxigraph "$OX_DIR/pid"
  rm -rf "$OX_DIR"
}

status() {
  local rc=0
  if alive "$V_DIR/pid" && answers "$V_URL"; then echo "virtuoso: up at $V_URL"; else echo "virtuoso: down"; rc=1; fi
  if alive "$OX_DIR/pid" && answers "$OX_URL"; then echo "oxigraph: up at $OX_URL"; else echo "oxigraph: down"; rc=1; fi
  return $rc
}

command -v curl >/dev/null || die "curl is needed"
case "${1:-}" in
  start)
    mkdir -p "$DIR"
    if want virtuoso; then start_virtuoso; fi
    if want oxigraph; then start_oxigraph; fi
    write_env
    ;;
  stop)
    if want virtuoso; then stop_virtuoso; fi
    if want oxigraph; then stop_oxigraph; fi
    rm -f "$ENV_FILE"
    ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
