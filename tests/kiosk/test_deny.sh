#!/bin/sh
# test_deny.sh CTL FRONTDESK SEED - head office's deny list at the real kiosk
# through the real X input path (issue 14). The store holds a deny key and
# one entry (the name "Wang Barred", put there by SEED = deny_seed.py as the
# pull would). xdotool types and clicks a normal visitor through the sign-in:
# the badge shows and a print job is queued. Then a visitor whose name
# matches (typed in another case): the screen ends on "please see
# reception" with no badge, no print job is queued, the visitor is on record
# as held with an alert. The staff console (long press, staff 1, PIN) shows
# the alert banner; Acknowledge takes it away and is audited. The kiosk
# writes --report (ids and rectangles) after each change; X delivers in
# order, so once a click's effect shows in the report it was handled.
# Run under tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 seed=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fddeny.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_deny: FAILED: $2" >&2; fi; }
sql() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])" "$dir/k.db" "$1"; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
python3 "$seed" "$dir/k.db" 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 \
  1 "Wang Barred" "" || exit 2
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang en --report "$dir/report" \
  2> "$dir/err" &
pid=$!
reports() { n=$(grep -c '^end' "$dir/report" 2>/dev/null); echo "${n:-0}"; }
# the last complete report's line for KEY (without the key), "" when absent
last() { awk -v k="$1" '$1 == "screen" {v = ""} $1 == k {v = $0} $1 == "end" {d = v} END {sub("^[^ ]* ", "", d); print d}' "$dir/report"; }
wait_for() { # KEY [VALUE]: until the last report has KEY (with VALUE); 60 s at most (ASan)
  i=0
  while [ $i -lt 600 ]; do
    v=$(last "$1")
    if [ -n "$v" ] && { [ $# = 1 ] || [ "$v" = "$2" ]; }; then return 0; fi
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
wait_gone() { # KEY: until the last report lacks KEY
  i=0
  while [ $i -lt 600 ] && [ -n "$(last "$1")" ]; do sleep 0.1; i=$((i + 1)); done
  [ -z "$(last "$1")" ]
}
pos() { # ID [DY]: the widget's middle, or DY pixels below its top
  set -- "$(last "$1")" "${2:-}"
  [ -n "$1" ] || return 1
  echo "$1" | awk -v dy="$2" '{print int($1 + $3 / 2), (dy == "" ? int($2 + $4 / 2) : $2 + dy)}'
}
click() { # ID [DY]: a deliberate touch (the new screen's settle time is over)
  p=$(pos "$@") || { echo "test_deny: no $1 in the report" >&2; return 1; }
  sleep 1.2
  xdotool mousemove --window "$wid" $p click 1
}
typein() { sleep 0.3; xdotool type --window "$wid" --delay 40 "$1"; }
sign_in() { # NAME PHONE: the whole sign-in, ending on the last step
  click register && wait_for next_name &&
  typein "$1" && click next_name && wait_for next_phone &&
  typein "$2" && click next_phone && wait_for next_company &&
  click next_company && wait_for hosts &&
  click hosts 30 && click next_host_q && wait_for submit &&
  click submit && wait_for step 5
}

wait_for screen; check $? "the kiosk did not start: $(cat "$dir/err")"
wid=$(xdotool search --sync --onlyvisible --name '^frontdesk$' | head -n1)
[ -n "$wid" ]; check $? "no frontdesk window"

# A normal visitor: the badge, a print job.
jobs0=$(sql "SELECT count(*) FROM print_job WHERE kind = 'visitor'")
sign_in "Chen Normal" 13812345678; check $? "the normal sign-in did not finish: $(tail -n 20 "$dir/report")"
wait_for badge; check $? "the normal visitor sees no badge"
[ -z "$(last held_title)" ]; check $? "the normal visitor was sent to reception"
[ "$(sql "SELECT count(*) FROM visitor WHERE name = 'Chen Normal' AND held = 0")" = 1 ]
check $? "the normal visitor is not on record"
[ "$(sql "SELECT count(*) FROM print_job WHERE kind = 'visitor'")" = $((jobs0 + 1)) ]
check $? "no badge queued for the normal visitor"
click done && wait_for screen home; check $? "Done did not go home"

# A visitor on the list: see reception, no badge, no print job, an alert.
jobs1=$(sql "SELECT count(*) FROM print_job")
sign_in "WANG barred" 13912340000; check $? "the held sign-in did not finish"
wait_for held_title; check $? "the held visitor does not see 'please see reception'"
[ -z "$(last badge)" ]; check $? "the held visitor sees a badge"
[ "$(sql "SELECT count(*) FROM print_job")" = "$jobs1" ]; check $? "a print job for the held visitor"
[ "$(sql "SELECT count(*) FROM visitor WHERE name = 'WANG barred' AND held = 1")" = 1 ]
check $? "the held visitor is not on record as held"
[ "$(sql "SELECT count(*) FROM deny_alert WHERE ack_at IS NULL")" = 1 ]; check $? "no alert"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'visitor.held'")" = 1 ]; check $? "not audited"
click held_done && wait_for screen home; check $? "Done did not go home from the held end"

# The staff console: long press in the corner, staff 1, PIN 1234.
p=$(pos staff) && sleep 1.2 && xdotool mousemove --window "$wid" $p mousedown 1 &&
  sleep 3.6 && xdotool mouseup 1 && wait_for screen staff
check $? "the long press did not open the staff sign-in"
click staff_1 && wait_for pin && typein 1234 && sleep 0.3 && xdotool key --window "$wid" Return &&
  wait_for screen console
check $? "the staff did not get into the console: $(cat "$dir/err" | tail -n 3)"
wait_for deny_alert && wait_for deny_ack; check $? "the console shows no alert"
click deny_ack && wait_gone deny_alert; check $? "Acknowledge did not take the alert away"
[ "$(sql "SELECT count(*) FROM deny_alert WHERE ack_at IS NOT NULL AND ack_by <> ''")" = 1 ]
check $? "the alert is not acknowledged in the store"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'deny.ack'")" = 1 ]; check $? "ack not audited"

kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
