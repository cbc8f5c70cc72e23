#!/bin/sh
# test_xdotool.sh CTL FRONTDESK - the real X input path: the kiosk runs
# without a script, xdotool moves the pointer and clicks "take a number",
# then service A, then Done; the store must hold one more ticket and the
# kiosk must be back home. Escape must not quit a kiosk. Run under
# tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdxdo.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_xdotool: FAILED: $2" >&2; fi; }
count() { "$ctl" --db "$dir/k.db" --json queue A | python3 -c "import json,sys; print(json.load(sys.stdin)['count'])"; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
before=$(count)
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --report "$dir/report" 2> "$dir/err" &
pid=$!
wait_count() { # N: wait (at most 60 s) until A's queue holds N tickets
  i=0
  while [ $i -lt 300 ] && [ "$(count)" != "$1" ]; do sleep 0.2; i=$((i + 1)); done
  [ "$(count)" = "$1" ]
}
. "$(dirname "$0")/kiosk_report.sh" # wait_screen, click
wait_screen home; check $? "the kiosk did not start: $(cat "$dir/err")"
wid=$(xdotool search --sync --onlyvisible --name '^frontdesk$' | head -n1)
[ -n "$wid" ]; check $? "no frontdesk window"
click ticket && wait_screen ticket; check $? "click on the ticket tile not seen"
click svc_A && wait_count $((before + 1)); check $? "no ticket issued by the click ($before -> $(count))"
click done && wait_screen home; check $? "Done did not go home"
# A kiosk ignores Escape: nothing but the staff console quits it. X
# delivers in order, so once a click after the Escape has shown its screen,
# the Escape was handled (no time guessed).
xdotool windowfocus --sync "$wid" key Escape
click ticket && wait_screen ticket && kill -0 "$pid" 2>/dev/null; check $? "Escape quit the kiosk"
kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
