#!/bin/sh
# bench_idle.sh [BUILD_DIR=build/plain] [DAYS=365] [SECONDS=60] - what an idle
# kiosk costs on day 1 and on day DAYS, in the same run. The year is
# bench_sweep's store of a busy branch (500 tickets, 50 visitors, 5
# complaints a day, every receipt in print_job), kept after the housekeeping
# round as a kiosk would have it; day 1 is `frontdesk-ctl init --demo`. For
# each, the real kiosk runs under Xvfb on the home screen (print worker on the
# virtual printer, housekeeping thread, lobby poll): after its first frame and
# SETTLE seconds (the first housekeeping round), CPU is read over SECONDS
# idle seconds: the nanoseconds of every thread (/proc/PID/task/*/schedstat;
# utime + stime of /proc/PID/stat count in 10 ms ticks, too coarse for an
# idle day 1), with the ticks beside them. Prints each and the ratio
# year / day 1; the goal is a ratio near 1. Never fails on a figure.
set -u
build=${1:-build/plain} days=${2:-365} secs=${3:-60} settle=15
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
dir=$(mktemp -d /tmp/fdidle.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$build/app/ctl/frontdesk-ctl" --db "$dir/fresh.db" init --demo >/dev/null || exit 1
echo "--- the year (bench_sweep $days, kept after the housekeeping round)"
"$build/bench/bench_sweep" "$days" "$dir" 60 keep | grep -E '^(store|settings|kept)' || exit 1
cat > "$dir/run.sh" <<EOS
#!/bin/sh
hz=\$(getconf CLK_TCK)
for db in fresh bench_sweep; do
  rm -f "$dir/report"
  "$build/app/kiosk/frontdesk" --allow-root --db "$dir/\$db.db" --window 1024x600 --report "$dir/report" \
    2> "$dir/\$db.err" &
  pid=\$!
  while ! grep -q '^end' "$dir/report" 2>/dev/null; do sleep 0.01; done
  sleep $settle
  t0=\$(awk '{print \$14 + \$15}' /proc/\$pid/stat)
  n0=\$(cat /proc/\$pid/task/*/schedstat | awk '{s += \$1} END {printf "%d", s / 1000}')
  sleep $secs
  t1=\$(awk '{print \$14 + \$15}' /proc/\$pid/stat)
  n1=\$(cat /proc/\$pid/task/*/schedstat | awk '{s += \$1} END {printf "%d", s / 1000}')
  echo "\$db \$(( t1 - t0 )) \$hz \$(awk '/VmRSS/ {print \$2}' /proc/\$pid/status) \$(( n1 - n0 ))"
  kill -TERM \$pid; wait \$pid
done
EOS
sh "$here/tests/ui/run-xvfb.sh" sh "$dir/run.sh" > "$dir/out" || { cat "$dir"/*.err; exit 1; }
awk -v secs="$secs" '
  { ticks[$1] = $2; hz = $3; rss[$1] = $4; us[$1] = $5 }
  END {
    split("fresh bench_sweep", order, " ");
    for (i = 1; i <= 2; i++) {
      k = order[i];
      name = k == "fresh" ? "day 1 (demo store)" : "the year";
      printf "%-20s CPU over %d idle s: %8.1f ms = %.4f%% of a core (%d ticks of 1/%d s), RSS %.1f MiB\n",
             name, secs, us[k] / 1000, us[k] / 10000 / secs, ticks[k], hz, rss[k] / 1024
    }
    f = us["fresh"]; y = us["bench_sweep"];
    if (f > 0) printf "ratio year / day 1: %.2f\n", y / f;
  }' "$dir/out"
