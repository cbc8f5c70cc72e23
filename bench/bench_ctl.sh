#!/bin/sh
# bench_ctl.sh [BUILD_DIR] [DAYS=365|STORE] [RUNS=15] - ticket issue through
# frontdesk-ctl (one process per ticket, as an operator's script or the
# counters' tools issue them) against the yardstick: a raw SQLite insert of one
# row by the sqlite3 program, same durability (WAL, synchronous=FULL), also one
# process each. On a fresh store (init --demo) and on DAYS of a busy branch
# (bench/gen_year), side by side; the lean frontdesk-ctl (6 libraries) and
# frontdesk-ctl-full (every command, 45 libraries, what frontdesk-ctl was).
# Timed from outside by farm-bench, runs paired with the yardstick's; prints
# the medians of CPU (user + system) and wall seconds and the ratio A/B taken
# pair by pair; "raw/ctl" is the issue's "share of a raw insert's
# throughput". Never fails on time.
set -u
build=${1:-build/plain} days=${2:-365} runs=${3:-15}
ctl=$build/app/ctl/frontdesk-ctl full=$build/app/ctl/frontdesk-ctl-full
command -v farm-bench >/dev/null || { echo "bench_ctl: needs farm-bench" >&2; exit 2; }
dir=$(mktemp -d /tmp/fdbenchctl.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$ctl" --db "$dir/fresh.db" init --demo >/dev/null
if [ -f "$days" ]; then # a store gen_year made before (a copy is used)
  cp "$days" "$dir/year.db" || exit 1
else
  "$build/bench/gen_year" "$days" "$dir/year.db" >/dev/null || exit 1
fi
sqlite3 "$dir/raw.db" "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, label TEXT, at INTEGER)" >/dev/null
raw="sqlite3 $dir/raw.db 'PRAGMA synchronous=FULL; INSERT INTO t(label, at) VALUES (1001, 1)'"
echo "libraries loaded: frontdesk-ctl $(ldd "$ctl" | wc -l), frontdesk-ctl-full $(ldd "$full" | wc -l), sqlite3 $(ldd "$(command -v sqlite3)" | wc -l)"
printf '%-34s %-7s %9s %9s %9s %9s %8s %8s\n' "ticket take A (one process each)" store "A cpu ms" "B cpu ms" "A/B cpu" "A/B wall" "raw/ctl" ""
for store in fresh year; do
  for prog in "$ctl" "$full"; do
    out=$(farm-bench -n "$runs" --timeout 600 --vs "$raw" -- "$prog" --db "$dir/$store.db" ticket take A 2>&1)
    echo "$out" | grep -q "^A exit 0 ($runs of $runs)" && echo "$out" | grep -q "^B exit 0 ($runs of $runs)" ||
      { echo "bench_ctl: a command failed:"; echo "$out"; exit 1; } >&2
    med() { echo "$out" | awk -v k="$1" '$0 ~ "^" k " " {print $(NF-1)}'; }
    acpu=$(med "A cpu s"); bcpu=$(med "B cpu s"); rcpu=$(med "A/B cpu"); rwall=$(med "A/B wall")
    printf '%-34s %-7s %9.1f %9.1f %9.2f %9.2f %8.2f\n' "$(basename "$prog")" "$store" \
      "$(echo "$acpu * 1000" | bc -l)" "$(echo "$bcpu * 1000" | bc -l)" "$rcpu" "$rwall" \
      "$(echo "1 / $rcpu" | bc -l)"
  done
done
