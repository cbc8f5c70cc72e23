#!/bin/sh
# test_double_tap.sh CTL FRONTDESK - one touch, one action, through the real
# X input path: xdotool double and triple clicks on every case of issue 17,
# with the store checked afterwards. The kiosk runs without a script and
# writes --report (screen, wizard step, touches swallowed so far, button
# rectangles) after each change. A click meant as a new touch waits out the
# settle time first (ui.h UI_SETTLE_MS, 500 ms: the test waits 1.2 s, as a
# visitor reading the screen would); the clicks of a double or triple click
# come 60 ms apart. X delivers in order, so once a deliberate click's effect
# shows in the report, the clicks before it were handled (no time guessed).
# Run under tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fddbl.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_double_tap: FAILED: $2" >&2; fi; }
count() { "$ctl" --db "$dir/k.db" --json queue A | python3 -c "import json,sys; print(json.load(sys.stdin)['count'])"; }
complaints() { "$ctl" --db "$dir/k.db" --json complaint list | python3 -c "import json,sys; print(json.load(sys.stdin)['count'])"; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --report "$dir/report" 2> "$dir/err" &
pid=$!
reports() { n=$(grep -c '^end' "$dir/report" 2>/dev/null); echo "${n:-0}"; }
# the last complete report's field: last FIELD -> value(s)
last() { awk -v k="$1" '$1 == "screen" {n = 0} $1 == k {v = $0} $1 == "end" {done = v} END {sub("^[^ ]* ", "", done); print done}' "$dir/report"; }
state() { echo "$(last screen) $(last step)"; }
wait_reports() { # N: at least N complete reports (60 s at most: ASan)
  i=0
  while [ $i -lt 600 ] && [ "$(reports)" -lt "$1" ]; do sleep 0.1; i=$((i + 1)); done
  [ "$(reports)" -ge "$1" ]
}
# screens shown since report number N (exclusive), one "screen step" a line
since() { awk -v n="$1" '$1 == "screen" {s = $2} $1 == "step" {t = $2} $1 == "end" {k++; if (k > n) print s " " t}' "$dir/report"; }
pos() { # ID [FRACTION_DOWN]: a point in the widget (default the middle)
  awk -v id="$1" -v f="${2:-0.5}" '$1 == "screen" {r = ""} $1 == id {r = int($2 + $4 / 2) " " int($3 + $5 * f)} $1 == "end" {d = r} END {print d}' "$dir/report"
}
clicks() { # ID N [FRACTION_DOWN]: N clicks 60 ms apart on the widget
  p=$(pos "$1" "${3:-0.5}")
  [ -n "$p" ] || { echo "test_double_tap: no $1 in the report" >&2; return 1; }
  xdotool mousemove --window "$wid" $p click --repeat "$2" --delay 60 1
}
# a deliberate touch: the visitor has read the screen (settle over)
touch() { sleep 1.2; clicks "$1" 1; }
# sync: a language switch rebuilds the screen in place and reports it; once
# seen, every click before it was handled
sync() { n=$(reports); touch lang && wait_reports $((n + 1)); }
ignored() { last ignored; }

wait_reports 1; check $? "the kiosk did not start: $(cat "$dir/err")"
wid=$(xdotool search --sync --onlyvisible --name '^frontdesk$' | head -n1)
[ -n "$wid" ]; check $? "no frontdesk window"
tickets0=$(count); complaints0=$(complaints)

# 1. 取号排队 double tap: the ticket screen, no ticket for a service never chosen
n=$(reports); ig=$(ignored)
sleep 1.2; clicks ticket 2 && wait_reports $((n + 1)) && sync
check $? "no answer to the double tap on the ticket tile"
[ "$(state)" = "ticket 0" ]; check $? "double tap on Take a number: now $(state), want ticket 0"
[ "$(count)" = "$tickets0" ]; check $? "double tap on Take a number issued a ticket ($tickets0 -> $(count))"
[ "$(ignored)" = $((ig + 1)) ]; check $? "second touch not swallowed ($ig -> $(ignored))"

# 2. service tile double tap low: one ticket, and its number stays shown
n=$(reports); ig=$(ignored)
sleep 1.2; clicks svc_A 2 0.9 && wait_reports $((n + 1)) && sync
check $? "no answer to the double tap on service A"
[ "$(count)" = $((tickets0 + 1)) ]; check $? "double tap on a service: $tickets0 -> $(count) tickets, want one more"
[ "$(state)" = "ticket 1" ]; check $? "double tap low on a service: now $(state), want the number (ticket 1)"
! since "$n" | grep -q '^home'; check $? "double tap low on a service went home: $(since "$n" | tr '\n' ,)"
[ "$(ignored)" = $((ig + 1)) ]; check $? "second touch on the service not swallowed ($ig -> $(ignored))"

# 3. Done triple tap: home, and nothing opened from home
n=$(reports); ig=$(ignored)
sleep 1.2; clicks done 3 && wait_reports $((n + 1)) && sync
check $? "no answer to the triple tap on Done"
[ "$(since "$n" | sort -u | tr '\n' ,)" = "home 0," ]; check $? "triple tap on Done: $(since "$n" | tr '\n' ,), want home only"
[ "$(ignored)" = $((ig + 2)) ]; check $? "two touches not swallowed ($ig -> $(ignored))"

# 4. complaint tile double tap: the category step, no category picked
n=$(reports); ig=$(ignored)
sleep 1.2; clicks complaint 2 && wait_reports $((n + 1)) && sync
check $? "no answer to the double tap on the complaint tile"
[ "$(state)" = "complaint 0" ]; check $? "double tap on the complaint tile: now $(state), want complaint 0"
[ "$(ignored)" = $((ig + 1)) ]; check $? "second touch on the complaint tile not swallowed ($ig -> $(ignored))"

# 5. Next double tap: the contact step, not the one after it
n=$(reports)
touch cat_service && wait_reports $((n + 1)); check $? "category not taken"
[ "$(state)" = "complaint 1" ]; check $? "after the category: $(state)"
sleep 1.2; xdotool windowfocus --sync "$wid" type --delay 20 "queue too long"
n=$(reports); ig=$(ignored)
sleep 1.2; clicks next_text 2 && wait_reports $((n + 1)) && sync
check $? "no answer to the double tap on Next"
[ "$(state)" = "complaint 2" ]; check $? "double tap on Next: now $(state), want the contact step (complaint 2)"
[ "$(ignored)" = $((ig + 1)) ]; check $? "second touch on Next not swallowed ($ig -> $(ignored))"

# 6. complaint Submit double tap: filed once, the reference stays shown
n=$(reports)
touch next_contact && wait_reports $((n + 1)); check $? "contact step not left"
[ "$(state)" = "complaint 3" ]; check $? "after the contact step: $(state), want the review (complaint 3)"
n=$(reports); ig=$(ignored)
sleep 1.2; clicks submit 2 && wait_reports $((n + 1)) && sync
check $? "no answer to the double tap on Submit"
[ "$(complaints)" = $((complaints0 + 1)) ]; check $? "double tap on Submit: $complaints0 -> $(complaints) complaints, want one more"
[ "$(state)" = "complaint 4" ]; check $? "double tap on Submit: now $(state), want the reference (complaint 4)"
! since "$n" | grep -q '^home'; check $? "double tap on Submit went home: $(since "$n" | tr '\n' ,)"
[ "$(ignored)" = $((ig + 1)) ]; check $? "second touch on Submit not swallowed ($ig -> $(ignored))"

kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
[ "$failed" = 0 ] || { echo "--- report"; cat "$dir/report"; } >&2
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
