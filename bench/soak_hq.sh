#!/bin/sh
# soak_hq.sh - head office soaked by a fleet with hostile clients mixed in
# (issue 16; not in CI). 50 kiosks sync through Debian's nginx with
# packaging/nginx/frontdesk-hq.conf in front of two frontdesk-hq instances,
# for SECONDS (default 600) without and then with hostile clients; prints
# syncs completed, p50/p99 sync time and head office's peak memory, with the
# hostile/baseline ratios (bench/soak_hq.c says what the hostile clients do).
#   bench/soak_hq.sh [SECONDS=600] [KIOSKS=50]        head office on SQLite
#   bench/soak_hq.sh --pg [SECONDS=600] [KIOSKS=50]   on a throwaway PostgreSQL
# Needs nginx and openssl (packaging/deps/hq.txt). Try it short: soak_hq.sh 60.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/build/plain/bench/soak_hq"
pg=""
if [ "${1:-}" = "--pg" ]; then pg=1; shift; fi
[ -x "$bin" ] || bash "$here/scripts/build.sh" "$here/build/plain"
if [ -n "$pg" ]; then
    exec sh "$here/tests/hq/pg_harness.sh" "$bin" "${1:-600}" "${2:-50}"
fi
exec "$bin" "${1:-600}" "${2:-50}"
