#!/usr/bin/env bash
# Project-local PostgreSQL and Redis for development, the demo and CI.
#
#   infra/local-services.sh start    start what does not answer at DATABASE_URL / REDIS_URL (nothing if both answer)
#   infra/local-services.sh stop     stop what this script started (never a server it did not start)
#   infra/local-services.sh status   say what answers and who started it
#
# Servers run from the machine's binaries with their files under $LEDGER_LOCAL_DIR (default: <repo>/.local,
# git-ignored): PostgreSQL with trust authentication and no durability guarantees (fsync off: a test and demo
# database), Redis without persistence. Missing binaries are installed from Debian's packages `postgresql`
# and `redis-server` when running as root, without letting the packages start their own system services.
# Only hosts of this machine can be served (127.0.0.1, localhost, ::1, 0.0.0.0).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL_DIR=${LEDGER_LOCAL_DIR:-$ROOT/.local}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ledger}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

say() { printf 'local-services: %s\n' "$*"; }
die() { printf 'local-services: %s\n' "$*" >&2; exit 1; }

# --- URLs -------------------------------------------------------------------------------------------------
# scheme://[user[:password]@]host[:port][/...]  →  URL_USER URL_HOST URL_PORT
parse_url() {
  local url=$1 default_port=$2 rest userinfo hostport
  rest=${url#*://}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  if [[ $rest == *@* ]]; then userinfo=${rest%@*}; hostport=${rest##*@}; else userinfo=''; hostport=$rest; fi
  URL_USER=${userinfo%%:*}
  if [[ $hostport == \[*\]* ]]; then # [::1]:5432
    URL_HOST=${hostport#[}; URL_HOST=${URL_HOST%%]*}
    URL_PORT=${hostport##*]}; URL_PORT=${URL_PORT#:}
  elif [[ $hostport == *:* ]]; then
    URL_HOST=${hostport%%:*}; URL_PORT=${hostport##*:}
  else
    URL_HOST=$hostport; URL_PORT=''
  fi
  URL_HOST=${URL_HOST:-127.0.0.1}
  URL_PORT=${URL_PORT:-$default_port}
  [[ $URL_PORT =~ ^[0-9]+$ ]] || die "cannot read a port in $url"
}

parse_url "$DATABASE_URL" 5432
PG_HOST=$URL_HOST PG_PORT=$URL_PORT PG_USER=${URL_USER:-postgres}
parse_url "$REDIS_URL" 6379
REDIS_HOST=$URL_HOST REDIS_PORT=$URL_PORT

is_local_host() { [[ $1 =~ ^(127\.[0-9.]+|localhost|::1|0\.0\.0\.0)$ ]]; }
# A client-side address to reach a server listening on $1.
connect_host() { if [[ $1 == 0.0.0.0 ]]; then echo 127.0.0.1; else echo "$1"; fi; }

# --- probes -----------------------------------------------------------------------------------------------
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

pg_answers() {
  local host; host=$(connect_host "$PG_HOST")
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$PG_PORT" -t 2
  else
    tcp_open "$host" "$PG_PORT"
  fi
}

redis_answers() {
  local host; host=$(connect_host "$REDIS_HOST")
  if command -v redis-cli >/dev/null 2>&1; then
    [[ $(timeout 3 redis-cli -h "$host" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
  else
    timeout 3 bash -c "exec 3<>/dev/tcp/$host/$REDIS_PORT && printf 'PING\r\n' >&3 && IFS= read -r line <&3 && [[ \$line == +PONG* ]]" 2>/dev/null
  fi
}

wait_for() { # wait_for <probe> <seconds>
  local i
  for ((i = 0; i < $2 * 10; i++)); do "$1" && return 0; sleep 0.1; done
  return 1
}

# --- installing -------------------------------------------------------------------------------------------
APT_UPDATED=''
apt_install() {
  [[ $(id -u) == 0 ]] || die "$1 is not installed and this is not root: install it (apt-get install $1), or point the URL at a running server"
  command -v apt-get >/dev/null 2>&1 || die "$1 is not installed and there is no apt-get: install it, or point the URL at a running server"
  # policy-rc.d 101 keeps the package from starting its own system service on the standard port during the install.
  local made_policy=''
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  say "installing the Debian package $1"
  if [[ -z $APT_UPDATED ]]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq && APT_UPDATED=1; fi
  local status=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null || status=$?
  if [[ -n $made_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
  [[ $status == 0 ]] || die "apt-get install $1 failed (exit $status)"
}

pg_bin_dir() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1; }

# --- PostgreSQL -------------------------------------------------------------------------------------------
# The data folder lives in $LOCAL_DIR/pg unless the OS user running the server cannot reach it (e.g. the repo is
# under /root and the server runs as `postgres`); then in /tmp, and $LOCAL_DIR/pg.datadir says where.
PG_MARK=$LOCAL_DIR/pg.datadir

as_pg_user() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  if pg_answers; then say "postgres answers at $PG_HOST:$PG_PORT: nothing to start"; return 0; fi
  is_local_host "$PG_HOST" || die "nothing answers at $PG_HOST:$PG_PORT (DATABASE_URL) and that is not this machine: start that server, or set DATABASE_URL"
  local bin; bin=$(pg_bin_dir)
  if [[ -z $bin ]]; then apt_install postgresql; bin=$(pg_bin_dir); fi
  [[ -x $bin/initdb ]] || die "no initdb under /usr/lib/postgresql/*/bin"
  if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$LOCAL_DIR"
  local data=''
  if [[ -f $PG_MARK ]]; then data=$(cat "$PG_MARK"); fi
  if [[ -z $data || ! -d $data ]]; then
    data=$LOCAL_DIR/pg
    mkdir -p "$data"
    if [[ $(id -u) == 0 ]]; then
      chown postgres: "$data"
      if ! runuser -u postgres -- test -w "$data"; then
        rmdir "$data"
        data=$(mktemp -d /tmp/ledger-pg.XXXXXX)
        chown postgres: "$data"
      fi
    fi
    echo "$data" >"$PG_MARK"
  fi
  chmod 700 "$data"
  if [[ -f $data/postmaster.pid ]] && kill -0 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null; then
    die "the project-local postgres in $data runs, but not at $PG_HOST:$PG_PORT (port $(sed -n 4p "$data/postmaster.pid")): run $0 stop, then start again"
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    say "initdb $data (superuser $PG_USER, trust authentication, UTF-8)"
    as_pg_user "$bin/initdb" -D "$data" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$LOCAL_DIR/pg-initdb.log" 2>&1 ||
      die "initdb failed: see $LOCAL_DIR/pg-initdb.log"
  fi
  say "starting postgres ($bin) on $PG_HOST:$PG_PORT, data in $data"
  # No unix socket (its path could be too long or unwritable); fsync off: this is a test and demo database.
  as_pg_user "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses='$PG_HOST' -p $PG_PORT -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || die "postgres did not start: see $data/server.log"
  wait_for pg_answers 30 || die "postgres started but does not answer at $PG_HOST:$PG_PORT: see $data/server.log"
  say "postgres answers at $PG_HOST:$PG_PORT"
}

pg_stop() {
  if [[ ! -f $PG_MARK ]]; then say "postgres: not started by this script here; left alone"; return 0; fi
  local data bin; data=$(cat "$PG_MARK"); bin=$(pg_bin_dir)
  if [[ -f $data/postmaster.pid ]]; then
    say "stopping postgres (data in $data)"
    as_pg_user "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || die "pg_ctl stop failed: see $data/server.log"
  else
    say "postgres (data in $data) is not running"
  fi
}

pg_status() {
  local who='not started by this script'
  if [[ -f $PG_MARK ]] && [[ -f $(cat "$PG_MARK")/postmaster.pid ]]; then who="started by this script, data in $(cat "$PG_MARK")"; fi
  if pg_answers; then say "postgres at $PG_HOST:$PG_PORT: answers ($who)"; else say "postgres at $PG_HOST:$PG_PORT: does not answer"; return 1; fi
}

# --- Redis ------------------------------------------------------------------------------------------------
REDIS_DIR=$LOCAL_DIR/redis
REDIS_PID=$REDIS_DIR/redis.pid

redis_start() {
  if redis_answers; then say "redis answers at $REDIS_HOST:$REDIS_PORT: nothing to start"; return 0; fi
  is_local_host "$REDIS_HOST" || die "nothing answers at $REDIS_HOST:$REDIS_PORT (REDIS_URL) and that is not this machine: start that server, or set REDIS_URL"
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$REDIS_DIR"
  local bind=$REDIS_HOST; [[ $bind == localhost ]] && bind=127.0.0.1
  say "starting redis on $REDIS_HOST:$REDIS_PORT (no persistence), files in $REDIS_DIR"
  redis-server --daemonize yes --bind "$bind" --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_DIR/redis.log" >/dev/null ||
    die "redis did not start: see $REDIS_DIR/redis.log"
  wait_for redis_answers 20 || die "redis started but does not answer at $REDIS_HOST:$REDIS_PORT: see $REDIS_DIR/redis.log"
  say "redis answers at $REDIS_HOST:$REDIS_PORT"
}

redis_running_pid() { # the pid of the redis this script started, if it still runs
  [[ -f $REDIS_PID ]] || return 1
  local pid; pid=$(cat "$REDIS_PID")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]] && echo "$pid"
}

redis_stop() {
  local pid
  if ! pid=$(redis_running_pid); then say "redis: not started by this script here (or already stopped); left alone"; rm -f "$REDIS_PID"; return 0; fi
  say "stopping redis (pid $pid)"
  kill "$pid"
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die "redis (pid $pid) did not stop"
  rm -f "$REDIS_PID"
}

redis_status() {
  local who='not started by this script' pid
  if pid=$(redis_running_pid); then who="started by this script, pid $pid"; fi
  if redis_answers; then say "redis at $REDIS_HOST:$REDIS_PORT: answers ($who)"; else say "redis at $REDIS_HOST:$REDIS_PORT: does not answer"; return 1; fi
}

case ${1:-} in
  start) pg_start; redis_start ;;
  stop) pg_stop; redis_stop ;;
  status) rc=0; pg_status || rc=1; redis_status || rc=1; exit $rc ;;
  *) echo "usage: $0 start|stop|status   (uses DATABASE_URL, REDIS_URL, LEDGER_LOCAL_DIR)" >&2; exit 2 ;;
esac
