#!/bin/sh
# bench_hq_fleet.sh - head office at fleet scale on PostgreSQL (issue 10; not
# in CI). Builds build/plain if needed and runs bench_hq_fleet, which starts
# its own temporary PostgreSQL cluster:
#   bench/bench_hq_fleet.sh [branches=100] [days=31] [connections=8] [compare]
# The defaults take a few minutes on a small box and print the projection to
# 100 branches x 365 days; `bench/bench_hq_fleet.sh 100 365` is the full year.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/build/plain/bench/bench_hq_fleet"
[ -x "$bin" ] || bash "$here/scripts/build.sh" "$here/build/plain"
exec "$bin" "${1:-100}" "${2:-31}" "${3:-8}" ${4:+"$4"}
