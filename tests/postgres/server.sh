#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests, on a Unix socket in a
# temporary folder, and prints the export line for its URL:
#
#   eval "$(bash tests/postgres/server.sh start DIR)"   # CONTACTKEEPER_POSTGRES_URL=...
#   bash tests/postgres/server.sh stop DIR
#
# It uses the server binaries of Debian's `postgresql` package, installing it
# when missing and it may (root with apt-get). The server runs as the
# `postgres` system user when started by root (PostgreSQL refuses root).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the cluster}

bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    echo "$found"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    if [ -z "$(bin)" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "installing postgresql (Debian) for the tests" >&2
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 ||
                { apt-get update >/dev/null && apt-get install -y --no-install-recommends postgresql >/dev/null; }
        else
            echo "no PostgreSQL server binaries and no way to install them: set CONTACTKEEPER_POSTGRES_URL" >&2
            exit 1
        fi
    fi
    b=$(bin)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        # The server's user reaches its folder (the caller's temporary
        # parent is usually private).
        chown postgres "$dir"
        chmod o+x "$(dirname "$dir")"
    fi
    as_owner "$b/initdb" -D "$dir/data" -A trust -U ck --no-sync >"$dir/initdb.log" 2>&1
    as_owner "$b/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
    echo "export CONTACTKEEPER_POSTGRES_URL='host=$dir user=ck dbname=postgres'"
    ;;
stop)
    b=$(bin)
    if [ -n "$b" ] && [ -d "$dir/data" ]; then
        as_owner "$b/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
