#!/bin/sh
# pg_harness.sh - runs one test against a throwaway PostgreSQL server.
#   pg_harness.sh COMMAND [ARGS...]     (an argument @DSN@ becomes the URI)
# Makes a cluster in a temporary folder (initdb, trust auth, fsync off: a
# test cluster), starts it on 127.0.0.1 on a free port with its unix socket in
# that folder, exports FDHQ_PG_DSN (and FDHQ_TEST_DB, the same) for the test,
# runs the test, then stops the server and removes the folder, also when the
# test fails or is interrupted. PostgreSQL refuses to run as root, so as root
# the server runs as the `postgres` user (runuser, else su). Exits 77 (CTest
# SKIP_RETURN_CODE) only when no PostgreSQL server binaries are installed;
# otherwise with the test's own status.
#   pg_harness.sh --restart   (from inside a test) restarts that server,
#                             same port and data, to test reconnection.
set -u

run_pg() { # runs a command as the cluster's owner
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf "'%s' " "$@")"
    fi
}

start_pg() { # start_pg PORT: 0 when the server is up
    run_pg "$PGBIN/pg_ctl" -D "$FDHQ_PG_TMP/data" -l "$FDHQ_PG_TMP/log" -w -t 30 \
        -o "-p $1 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$FDHQ_PG_TMP -c fsync=off -c synchronous_commit=on -c full_page_writes=off -c deadlock_timeout=200ms -c max_connections=60 -c shared_buffers=32MB" \
        start >/dev/null 2>&1
}

if [ "${1:-}" = "--restart" ]; then
    [ -n "${FDHQ_PG_TMP:-}" ] && [ -n "${FDHQ_PG_PORT:-}" ] && [ -n "${FDHQ_PG_BIN:-}" ] || {
        echo "pg_harness: --restart outside a harness run" >&2
        exit 2
    }
    PGBIN=$FDHQ_PG_BIN
    run_pg "$PGBIN/pg_ctl" -D "$FDHQ_PG_TMP/data" -m fast -w stop >/dev/null 2>&1
    start_pg "$FDHQ_PG_PORT" || { echo "pg_harness: restart failed" >&2; exit 1; }
    exit 0
fi

if [ "${1:-}" = "--watch" ]; then # see the watcher below
    while kill -0 "$2" 2>/dev/null; do sleep 1; done
    PGBIN=$FDHQ_PG_BIN
    if [ -d "$FDHQ_PG_TMP/data" ]; then
        run_pg "$PGBIN/pg_ctl" -D "$FDHQ_PG_TMP/data" -m immediate -w stop
        rm -rf "$FDHQ_PG_TMP"
    fi
    exit 0
fi

[ $# -ge 1 ] || { echo "usage: pg_harness.sh COMMAND [ARGS...]" >&2; exit 2; }

PGBIN=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
        PGBIN=$d
        break
    fi
done
if [ -z "$PGBIN" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    PGBIN=$(dirname "$(command -v initdb)")
fi
if [ -z "$PGBIN" ]; then
    echo "pg_harness: no PostgreSQL server binaries (install postgresql): skipped"
    exit 77
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "pg_harness: running as root and there is no postgres user" >&2
    exit 1
fi

FDHQ_PG_TMP=$(mktemp -d /tmp/fdpg-XXXXXX) || exit 1
export FDHQ_PG_TMP
[ "$(id -u)" -eq 0 ] && chown postgres "$FDHQ_PG_TMP"
chmod 700 "$FDHQ_PG_TMP"

cleanup() {
    run_pg "$PGBIN/pg_ctl" -D "$FDHQ_PG_TMP/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$FDHQ_PG_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# If this shell is SIGKILLed (a CTest timeout kills the whole process tree)
# no trap runs: a watcher in its own session, outside that tree, stops the
# server and removes the folder once this shell is gone. Its output goes to
# /dev/null so it never holds the test's output pipe open.
export FDHQ_PG_BIN="$PGBIN"
if command -v setsid >/dev/null 2>&1; then
    setsid -f sh "$0" --watch $$ </dev/null >/dev/null 2>&1
fi

if ! run_pg "$PGBIN/initdb" -D "$FDHQ_PG_TMP/data" -U postgres -A trust -E UTF8 \
        --locale=C --no-sync >"$FDHQ_PG_TMP/initdb.log" 2>&1; then
    echo "pg_harness: initdb failed:" >&2
    cat "$FDHQ_PG_TMP/initdb.log" >&2
    exit 1
fi

# A free port: the kernel picks one for a socket we close at once; if another
# process takes it before the server binds, start fails and we try again.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
}
started=0
for attempt in 1 2 3 4 5; do
    FDHQ_PG_PORT=$(free_port)
    if start_pg "$FDHQ_PG_PORT"; then
        started=1
        break
    fi
done
if [ $started -ne 1 ]; then
    echo "pg_harness: PostgreSQL did not start:" >&2
    tail -20 "$FDHQ_PG_TMP/log" >&2
    exit 1
fi

export FDHQ_PG_PORT
export FDHQ_PG_HARNESS="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
export FDHQ_PG_DSN="postgresql://postgres@127.0.0.1:$FDHQ_PG_PORT/postgres"
export FDHQ_TEST_DB="$FDHQ_PG_DSN"
for arg do # POSIX sh has no arrays: rebuild "$@" with @DSN@ replaced
    shift
    [ "$arg" = "@DSN@" ] && arg=$FDHQ_PG_DSN
    set -- "$@" "$arg"
done
"$@"
status=$?
if [ $status -ne 0 ] && [ $status -ne 77 ]; then
    echo "pg_harness: test exited $status; server log tail:" >&2
    tail -15 "$FDHQ_PG_TMP/log" >&2
fi
exit $status
