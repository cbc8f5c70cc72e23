#!/bin/sh
# xdotool_click.sh UI_DEMO - drives the real window from outside: xdotool
# moves the X pointer and clicks (the real X input path, no scripted
# events) on ui-demo's "Tap me" button, twice, and checks that the toolkit
# saw two taps, and none for a click beside it; then presses Escape (not a
# kiosk: that quits). Waits are on conditions, never on a time. Run under
# run-xvfb.sh. Prints "N passed, N failed" like the C tests.
set -u
demo=$1
out=$(mktemp "${TMPDIR:-/tmp}/uixdo.XXXXXX") || exit 2
"$demo" --window 1024x600 --report >"$out" 2>&1 &
pid=$!
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "xdotool_click: FAILED: $2" >&2; fi; }
wait_for() { # pattern, tries of 0.1 s
  i=0; while ! grep -q "$1" "$out" && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
  grep -q "$1" "$out"
}
wait_for '^ready' 600; check $? "demo did not start: $(cat "$out")"
wid=$(xdotool search --sync --onlyvisible --name '^ui-demo$' | head -n1)
[ -n "$wid" ]; check $? "no ui-demo window"
set -- $(sed -n 's/^ready count //p' "$out")
x=$(( $1 + $3 / 2 )); y=$(( $2 + $4 / 2 ))
sleep 1 # a new screen ignores touches for UI_SETTLE_MS (500 ms, ui.h)
xdotool mousemove --window "$wid" "$x" "$y" click 1
wait_for '^tap count 1$' 600; check $? "first click not seen"
xdotool mousemove --window "$wid" "$x" "$y" click 1
wait_for '^tap count 2$' 600; check $? "second click not seen"
# A click outside every button is no tap. Then Escape from the real
# keyboard quits a non-kiosk window, cleanly; X delivers in order, so once
# the demo has quit, the click on nothing was handled (no time guessed).
xdotool mousemove --window "$wid" 5 590 click 1
xdotool windowfocus --sync "$wid" key Escape
i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"; check 1 "demo did not quit on Escape"
fi
wait "$pid"; check $? "demo exit status"
[ "$(grep -c '^tap' "$out")" = 2 ]; check $? "a click on nothing counted as a tap"
rm -f "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
