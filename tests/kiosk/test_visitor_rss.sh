#!/bin/sh
# test_visitor_rss.sh CTL FRONTDESK [N=20] [MAX_KB=0] - a day of visitors in one kiosk
# process: N cycles of take a ticket, register a visitor (typed through the
# pinyin keyboard), file a complaint and look it up, each ended by Home (the
# idle reset's wipe). The script prints the process's VmRSS after every cycle
# (`rss`). Checks that memory stops growing: after the first WARM cycles
# (caches filling: glyphs, the pinyin dictionary, SQLite's page cache) no
# cycle's RSS exceeds the highest of those by more than SLACK_KB. A growth
# check, not a time. With MAX_KB > 0 the peak (VmHWM) must also stay within
# it: 64 MB in a plain build (a sanitized build's memory is not the box's).
# Runs under tests/ui/run-xvfb.sh.
set -u
ctl=$1 kiosk=$2 n=${3:-20} max_kb=${4:-0}
warm=4 slack_kb=4096
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdrss.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_visitor_rss: FAILED: $2" >&2; fi; }

"$ctl" --db "$dir/k.db" init --demo >/dev/null; check $? "init --demo"
i=1
{
  echo "home"
  echo "rss 0"
  while [ $i -le "$n" ]; do
    cat <<EOS
tap_id ticket
tap_id svc_A
expect_screen ticket
home
tap_id register
kb z
kb h
kb o
kb u
kb bksp
kb bksp
kb bksp
kb bksp
type 周晓明$i
tap_id next_name
type 13812345678
tap_id next_phone
type 华信科技
tap_id next_company
type 王
tap_id hosts/0
tap_id next_host_q
type 季度对账
tap_id submit
expect_screen register
home
tap_id complaint
tap_id cat_waiting
type 排队等了一个多小时，叫号屏幕也没有显示我的号码。第$i次
tap_id next_text
type 陈先生
tap_id next_contact
tap_id consent
tap_id next_contact
tap_id submit
home
tap_id status
type_ref
tap_id lookup
home
wait 1000
rss $i
EOS
    i=$((i + 1))
  done
  echo "wait_jobs"
} > "$dir/script"
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang zh --script "$dir/script" --shots "$dir" \
  > "$dir/out" 2> "$dir/err" &
pid=$!
hwm=0
while kill -0 $pid 2>/dev/null; do
  h=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
  [ -n "$h" ] && hwm=$h
  sleep 0.2
done
wait $pid
check $? "the cycles failed: $(cat "$dir/err")"
echo "after cycle: RSS kB, heap in use kB, text textures kB"
awk '$1 == "rss" {printf "  %2d: %6d %6d %6d\n", $3, $2, $5, $7}' "$dir/out"
cycles=$(grep -c '^rss [0-9]* [0-9]* ' "$dir/out")
check "$([ "$cycles" = $((n + 1)) ]; echo $?)" "$cycles of $((n + 1)) rss lines"
base=$(awk -v w=$warm '$1 == "rss" && $3 <= w && $2 > m {m = $2} END {print m + 0}' "$dir/out")
worst=$(awk -v w=$warm '$1 == "rss" && $3 > w && $2 > m {m = $2; c = $3} END {print m + 0, c + 0}' "$dir/out")
echo "highest RSS in the first $warm cycles: $base kB; after them: ${worst% *} kB (cycle ${worst#* });" \
     "peak (VmHWM, sampled): $hwm kB"
check "$([ "${worst% *}" -le $((base + slack_kb)) ]; echo $?)" \
  "RSS grew past the first $warm cycles' $base kB + $slack_kb kB: ${worst% *} kB at cycle ${worst#* }"
if [ "$max_kb" -gt 0 ]; then
  check "$([ "$hwm" -gt 0 ] && [ "$hwm" -le "$max_kb" ]; echo $?)" \
    "peak RSS $hwm kB is over the bound of $max_kb kB"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
