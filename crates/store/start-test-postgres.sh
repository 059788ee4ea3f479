#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the store tests on 127.0.0.1 and prints its URL.
# Usage: URL=$(crates/store/start-test-postgres.sh [PORT] [DIR]); stop it with
# `pg_ctl -D DIR/data stop` (DIR is printed on stderr; a fresh temporary one by default). Uses Debian's `postgresql` package (initdb/pg_ctl of the newest
# installed major version). As root, the cluster belongs to the `postgres` user (PostgreSQL
# refuses to run as root).
set -euo pipefail
PORT="${1:-55432}"
# Take the first free port from PORT on.
for _ in $(seq 1 50); do
    if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then PORT=$((PORT + 1)); else break; fi
done
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
    echo "no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
fi
DIR="${2:-$(mktemp -d /tmp/powermap-pg.XXXXXX)}"
mkdir -p "$DIR"
chmod 755 "$DIR"
RUN=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$DIR"
    RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" start >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
echo "PostgreSQL data directory: $DIR/data" >&2
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
