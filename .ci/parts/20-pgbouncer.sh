#!/usr/bin/env bash
# CI part: the integration and HTTP tests once more, through PgBouncer in transaction pooling
# mode (Debian's pgbouncer) in front of the system PostgreSQL (issue 14 §1). What that mode
# requires of the code is in docs/deployment.md ("Behind PgBouncer").
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

PORT=${PGBOUNCER_PORT:-6432}
DB=chibo_ci_pgbouncer
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS ${DB}" >/dev/null
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE ${DB}" >/dev/null

HOME_DIR=$(mktemp -d /tmp/chibo-pgbouncer-XXXXXX)
chmod 755 "$HOME_DIR"
cat >"$HOME_DIR/pgbouncer.ini" <<INI
[databases]
${DB} = host=127.0.0.1 port=5432 dbname=${DB} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PORT}
unix_socket_dir =
auth_type = trust
auth_file = ${HOME_DIR}/userlist.txt
pool_mode = transaction
; more clients than server sessions: the point of the pooler
max_client_conn = 400
default_pool_size = 20
; asyncpg and psycopg may send these at connect time
ignore_startup_parameters = extra_float_digits,options
logfile = ${HOME_DIR}/pgbouncer.log
pidfile = ${HOME_DIR}/pgbouncer.pid
INI
echo '"postgres" ""' >"$HOME_DIR/userlist.txt"
chown -R postgres "$HOME_DIR" 2>/dev/null || true

# PgBouncer refuses to run as root: -u drops to the postgres user.
if [ "$(id -u)" = 0 ]; then
    "$PGBOUNCER" -d -u postgres "$HOME_DIR/pgbouncer.ini"
else
    "$PGBOUNCER" -d "$HOME_DIR/pgbouncer.ini"
fi
stop() { kill "$(cat "$HOME_DIR/pgbouncer.pid")" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 50); do
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB" -qAtc "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.2
done

# pgbouncer=true: no server-side prepared statements, no session state (infra/database.py).
export DATABASE_URL="postgresql://postgres@127.0.0.1:${PORT}/${DB}?pgbouncer=true"
# What a pooler cannot carry (LISTEN, a second database) the tests open on the server itself.
export DIRECT_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${DB}"
unset BROKER_URL
.venv/bin/pytest -n 2 --dist loadfile -m "integration or e2e" "$@"  # args: a subset, locally
