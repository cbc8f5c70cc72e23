#!/bin/sh
# test_invite.sh CTL FRONTDESK HQ - invitations on the real kiosk under X
# (issue 14). Head office invites three guests (frontdesk-hq invite add);
# the kiosk is enrolled and pulls them (frontdesk-ctl sync now); then the
# kiosk runs with real X input from xdotool:
#  - a code typed at scanner speed (xdotool key --delay 0: digits, Enter) on
#    the home screen opens the guest's confirmation; one click checks them
#    in: the store holds one visitor naming the invitation, the invitation
#    is used, a badge print job is queued;
#  - the same code scanned again is refused as used; another day's code is
#    refused as such (the sentence the visitor reads is checked);
#  - a person typing a code at 150 ms a key into the sign-in name field is
#    not taken as a scan: no check-in, the invitation stays unused.
# A scan is at least 6 digits, each within 50 ms of the last, then Enter
# (app/screens/app.c). Run under tests/ui/run-xvfb.sh; FRONTDESK_NOW fixes
# the kiosk's day (2026-11-23 in Shanghai). Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 hq=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdinvite.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_invite: FAILED: $2" >&2; fi; }
q() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])" "$dir/k.db" "$1"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$hq" serve --db "$dir/hq.sqlite" --listen "127.0.0.1:$port" 2> "$dir/hq.err" &
hqpid=$!
i=0; while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"$ctl" --db "$dir/k.db" init --demo >/dev/null
token=$("$hq" --db "$dir/hq.sqlite" enroll-token --branch East | tail -n1)
"$ctl" --db "$dir/k.db" enroll --hq "http://127.0.0.1:$port" --token "$token" >/dev/null
check $? "enrol failed"
day=2026-11-23 # FRONTDESK_NOW's business day in Shanghai
scan=$("$hq" --db "$dir/hq.sqlite" invite add --branch East --day $day --name 'Wang Xiaoming' \
  --phone 13800138000 --company ACME --purpose 'Contract' --host '李娜' --qr "$dir/qr.png")
check $? "invite add failed"
human=$("$hq" --db "$dir/hq.sqlite" invite add --branch East --day $day --name 'Slow Typist' --phone 13900139000)
later=$("$hq" --db "$dir/hq.sqlite" invite add --branch East --day 2026-11-24 --name 'Next Day' --phone 13700137000)
"$ctl" --db "$dir/k.db" sync now >/dev/null 2>&1
[ "$(q 'SELECT count(*) FROM invitation')" = 3 ]; check $? "the pull did not bring the 3 invitations"

. "$(dirname "$0")/kiosk_report.sh" # wait_screen, click, keys, scanner
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang en --report "$dir/report" 2> "$dir/err" &
pid=$!
msg() { awk '$1 == "screen" {m = ""} $1 == "text" && $2 == "inv_msg" {$1 = ""; $2 = ""; m = substr($0, 3)} END {print m}' "$dir/report"; }
wait_until() { # SQL VALUE: wait (at most 60 s) until the query answers VALUE
  i=0
  while [ $i -lt 300 ] && [ "$(q "$1")" != "$2" ]; do sleep 0.2; i=$((i + 1)); done
  [ "$(q "$1")" = "$2" ]
}
wait_screen home; check $? "the kiosk did not start: $(cat "$dir/err")"
wid=$(xdotool search --sync --onlyvisible --name '^frontdesk$' | head -n1)

# A scan on the home screen (xdotool key --delay 0: the digits and Enter
# in one burst): the guest's confirmation, one touch, the badge.
sleep 1
scanner "$scan" "^screen invite"
wait_screen invite 1; check $? "the scan on the home screen did not open the confirmation"
click inv_confirm
wait_until "SELECT count(*) FROM visitor WHERE invitation = '$scan'" 1
check $? "no visitor checked in by the confirmation"
[ "$(q "SELECT count(*) FROM invitation WHERE code = '$scan' AND used_at IS NOT NULL AND visitor_id = (SELECT id FROM visitor WHERE invitation = '$scan')")" = 1 ]
check $? "the invitation is not marked used by its visitor"
wait_until "SELECT count(*) FROM print_job WHERE kind = 'visitor' AND ref_id = (SELECT id FROM visitor WHERE invitation = '$scan')" 1
check $? "no badge print job for the guest"
shown=$(echo "$scan" | cut -c1-5)-$(echo "$scan" | cut -c6-10)
[ "$(q "SELECT instr(payload, CAST('$shown' AS BLOB)) > 0 FROM print_job WHERE kind = 'visitor' AND ref_id = (SELECT id FROM visitor WHERE invitation = '$scan')")" = 1 ]
check $? "the badge does not note the invitation $shown"
wait_screen invite 2; check $? "the badge step is not shown"
click done && wait_screen home; check $? "Done did not go home"

# The same code again: refused as used, in the visitor's language.
scanner "$scan" "^screen invite"
wait_screen invite 0; check $? "a used code did not stop at the code step"
[ "$(msg)" = "This invitation has already been used: each code works only once" ]
check $? "a used code's sentence: '$(msg)'"
# Another day's code, scanned on the invitation screen itself.
scanner "$later" "^screen invite"
wait_screen invite 0 && [ "$(msg)" = "This invitation is for 2026-11-24, not for today" ]
check $? "another day's code's sentence: '$(msg)'"
# A mistyped code (check digit wrong).
bad=$(echo "$scan" | python3 -c "import sys; s=sys.stdin.read().strip(); print(s[:-1] + str((int(s[-1]) + 1) % 10))")
scanner "$bad" "^screen invite"
wait_screen invite 0 && [ "$(msg)" = "That code is not right — please check it and type it again" ]
check $? "a mistyped code's sentence: '$(msg)'"
[ "$(q 'SELECT count(*) FROM visitor WHERE invitation IS NOT NULL')" = 1 ]
check $? "a refused code made a visitor"

# A person typing (150 ms a key) in the sign-in name field is no scan.
click home && wait_screen home && click register && wait_screen register 0
check $? "the sign-in screen did not open"
sleep 1
shown=$(grep -c '^screen invite' "$dir/report")
xdotool windowfocus --sync "$wid" key --delay 150 $(keys "$human") Return
# X delivers in order: once the click on Home after the typing has shown
# home, the typing and its Enter were handled (no time guessed).
click home && wait_screen home; check $? "Home after the typing not seen"
[ "$(grep -c '^screen invite' "$dir/report")" = "$shown" ] &&
  [ "$(q "SELECT count(*) FROM visitor WHERE invitation = '$human'")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM invitation WHERE code = '$human' AND used_at IS NULL")" = 1 ]
check $? "typing at 150 ms a key was taken as a scan"
awk '$1 == "screen" {s = $2} $1 == "step" && s == "register" && $2 == 1 {f = 1} END {exit !f}' "$dir/report"
check $? "the typed name and its Enter did not reach the sign-in form"

kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
kill "$hqpid"; wait "$hqpid" 2>/dev/null
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
