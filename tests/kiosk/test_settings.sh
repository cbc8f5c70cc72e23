#!/bin/sh
# test_settings.sh CTL FRONTDESK - a setting the kiosk reads once at start
# (here the idle timeout and the branch name) takes effect without anyone
# restarting it: the kiosk notices the change, restarts itself cleanly at the
# home screen (same process id: it execs itself) and comes back home; a
# setting core reads at each use (recall_limit) does not restart it. Who may
# set what once enrolled is tested in tests/sync/test_sync_config.c. Run
# under tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdset.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_settings: FAILED: $2" >&2; fi; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --report "$dir/report" 2> "$dir/err" &
pid=$!
wait_home() { # the report (rewritten at each start) shows the home screen
  i=0
  while [ $i -lt 300 ]; do
    last=$(grep '^screen' "$dir/report" 2>/dev/null | tail -n1)
    [ "$last" = "screen home" ] && grep -q '^end' "$dir/report" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
wait_restart() { # the kiosk said it restarts (waits on the message, not a clock)
  i=0
  while [ $i -lt 300 ]; do
    grep -q "restarting to apply" "$dir/err" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
wait_home; check $? "the kiosk did not start: $(cat "$dir/err")"
"$ctl" --db "$dir/k.db" config set recall_limit 4 >/dev/null; check $? "config set recall_limit"
rm -f "$dir/report" # the restarted kiosk writes a new one
"$ctl" --db "$dir/k.db" config set idle_timeout_s 45 >/dev/null; check $? "config set idle_timeout_s"
wait_restart; check $? "no restart after idle_timeout_s changed: $(cat "$dir/err")"
[ "$(grep -c 'restarting to apply' "$dir/err")" = 1 ]; check $? "restarted more than once"
wait_home; check $? "the kiosk did not come back home after its restart: $(cat "$dir/err")"
kill -0 "$pid" 2>/dev/null; check $? "the restarted kiosk is not the same process"
rm -f "$dir/report"
"$ctl" --db "$dir/k.db" config set branch_name "Second St" >/dev/null
i=0; while [ $i -lt 300 ] && [ "$(grep -c 'restarting to apply' "$dir/err")" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(grep -c 'restarting to apply' "$dir/err")" = 2 ]; check $? "no restart after branch_name changed"
wait_home; check $? "not home after the second restart"
kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
