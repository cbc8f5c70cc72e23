#!/bin/sh
# test_aged_store.sh GEN_YEAR CTL FRONTDESK RUN_XVFB [DAYS=40] - the kiosk's key
# paths on an aged store must not read the whole file (issue 18: on a year's
# store `status` read half of it, the kiosk's start 32 MB, every time).
# gen_year builds DAYS days of a busy branch and runs the housekeeping round;
# then each command runs under strace, and the bytes it (all its threads)
# read from the store and its WAL are summed: frontdesk-ctl status, --json
# status, ticket take, queue, report day, and the kiosk's open (under Xvfb,
# to its first screenshot, its workers started). Each must read under
# MAX_PCT of the file; the day report (today and a day mid-history) under 1%. The counter itself is checked first: a backup, which
# checks the whole copy it made, must be seen reading most of the store (so
# a store read some way strace cannot see, e.g. memory-mapped, fails here
# rather than passing). Counts bytes, not time.
set -u
gen=$1 ctl=$2 kiosk=$3 xvfb=$4 days=${5:-40}
max_pct=10
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdaged.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_aged_store: FAILED: $2" >&2; fi; }
if ! command -v strace >/dev/null 2>&1; then
  echo "test_aged_store: strace is not installed (packaging/deps/core.txt)" >&2
  echo "0 passed, 1 failed"; exit 1
fi
db=$dir/k.db
"$gen" "$days" "$db"; check $? "gen_year $days"
size=$(stat -c %s "$db")
# read_bytes CMD...: bytes CMD read from $db and $db-wal (every thread, child)
read_bytes() {
  strace -f -qq -y -e trace=read,pread64,readv,preadv -o "$dir/trace" "$@" \
    > "$dir/out" 2> "$dir/err"
  rc=$?
  awk -v db="$db" 'index($0, "<" db ">") || index($0, "<" db "-wal>") {
      n = $NF; if (n ~ /^[0-9]+$/) s += n } END { print s + 0 }' "$dir/trace"
  return $rc
}
echo "store: $days days, $((size / 1048576)) MiB; bound: under $max_pct% ($((size * max_pct / 100 / 1048576)) MiB) per command"
b=$(read_bytes "$ctl" --db "$db" backup "$dir/backup.db"); check $? "backup: $(cat "$dir/err")"
echo "  control: backup (checks the whole copy) read $((b / 1024)) KiB = $((b * 100 / size))%"
check "$([ "$b" -ge $((size * 9 / 10)) ]; echo $?)" \
  "the counter missed the backup's reads ($b of $size bytes): the test cannot see store reads"
rm -f "$dir/backup.db"
run() { # LABEL CMD...: must read under max_pct of the store
  run_under "$max_pct" "$@"
}
run_under() { # PCT LABEL CMD...
  pct=$1 label=$2; shift 2
  n=$(read_bytes "$@"); check $? "$label: $(cat "$dir/err")"
  echo "  $label: read $((n / 1024)) KiB = $((n * 1000 / size / 10)).$((n * 1000 / size % 10))% (bound $pct%)"
  check "$([ "$n" -gt 0 ] && [ "$n" -lt $((size * pct / 100)) ]; echo $?)" \
    "$label read $n bytes of a $size-byte store (bound $pct%)"
}
run "status" "$ctl" --db "$db" status
run "status --json" "$ctl" --db "$db" --json status
run "sync status" "$ctl" --db "$db" sync status
run "ticket take A" "$ctl" --db "$db" ticket take A
run "queue" "$ctl" --db "$db" queue
# The day report reads the day's rows only (issue 18: it read the whole
# ticket table, 2% of a year): 1% of the file, today and a day mid-history.
run_under 1 "report day" "$ctl" --db "$db" report day
mid=$("$ctl" --db "$db" --json report day "$(date -u -d "$((days / 2)) days ago" +%F)" \
      > "$dir/mid.json" 2>&1; echo $?)
check "$mid" "report day mid-history: $(cat "$dir/mid.json")"
check "$(grep -q '"tickets": *[1-9]' "$dir/mid.json"; echo $?)" \
  "the mid-history day has no tickets: $(head -c 200 "$dir/mid.json")"
run_under 1 "report day, $((days / 2)) days ago" "$ctl" --db "$db" report day \
  "$(date -u -d "$((days / 2)) days ago" +%F)"
run "kiosk open" sh "$xvfb" "$kiosk" --allow-root --db "$db" --window 1024x600 --shot "$dir/home.png"
check "$([ -s "$dir/home.png" ]; echo $?)" "the kiosk showed no home screen"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
