#!/bin/sh
# test_rate_scan.sh CTL FRONTDESK - rating a visit from its ticket's QR on
# the real kiosk under X (issue 17: "rate from the ticket's own QR"). The
# QR is read from the ticket receipt itself (frontdesk-ctl print to the
# virtual printer, zbarimg) and typed with xdotool at scanner speed (every
# key 5 ms apart, the Enter too: "ticket:DAY:LABEL:CODE", the code the
# digits after the last colon), as a USB barcode scanner types it:
#  - on the rating screen, a finished ticket's QR opens its faces (the
#    ticket's number shown); rated, the store holds one rating for it;
#  - the same QR again is refused (rated once): the first step, no rating
#    more; a ticket not finished (still waiting) is refused; a code with a
#    wrong check digit is refused on the rating screen (no invitation);
#  - on the home screen, a finished ticket's QR opens the rating screen at
#    its faces.
# A scan is at least 6 digits each within 50 ms of the last, then Enter
# (app/screens/app.c). Run under tests/ui/run-xvfb.sh with FRONTDESK_NOW
# (the demo's tickets finished within the last half hour of it).
# Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdratescan.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_rate_scan: FAILED: $2" >&2; fi; }
q() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])" "$dir/k.db" "$1"; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
now=${FRONTDESK_NOW:-$(date +%s)}
# the demo's A001 was finished lately; counter 2 serves and finishes the
# next (the ctl's clock is FRONTDESK_NOW too): two to rate, one waiting
for step in call serve finish; do "$ctl" --db "$dir/k.db" $step 2 >/dev/null; done
done1=$(q "SELECT id FROM ticket WHERE state = 'done' AND finished_at BETWEEN $now - 1800 AND $now ORDER BY id LIMIT 1")
done2=$(q "SELECT id FROM ticket WHERE state = 'done' AND finished_at BETWEEN $now - 1800 AND $now ORDER BY id LIMIT 1 OFFSET 1")
waiting=$(q "SELECT id FROM ticket WHERE state = 'waiting' ORDER BY id LIMIT 1")
[ -n "$done1" ] && [ -n "$done2" ] && [ "$done2" != None ] && [ "$waiting" != None ]
check $? "the demo has no two finished tickets and a waiting one ($done1 $done2 $waiting)"
label() { q "SELECT label FROM ticket WHERE id = $1"; }
qr() { # ID: the QR printed on that ticket's receipt
  "$ctl" --db "$dir/k.db" print ticket "$1" --printer "virtual:$dir/t$1.png" >/dev/null 2>&1
  zbarimg --raw -q "$dir/t$1.png" 2>/dev/null | head -n1
}
qr1=$(qr "$done1"); qr2=$(qr "$done2"); qrw=$(qr "$waiting")
echo "$qr1" | grep -Eq "^ticket:[0-9-]{10}:$(label "$done1"):[0-9]{15,21}\$"
check $? "the receipt's QR '$qr1' is not ticket:DAY:LABEL:CODE"
# the code with its last (check) digit changed
bad=$(echo "$qr1" | python3 -c "import sys; s=sys.stdin.read().strip(); print(s[:-1] + str((int(s[-1]) + 1) % 10))")

. "$(dirname "$0")/kiosk_report.sh" # wait_screen, click, keys, scanner
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang en --report "$dir/report" 2> "$dir/err" &
pid=$!
shown_ticket() { awk '$1 == "screen" {m = ""} $1 == "text" && $2 == "ticket" {m = $3} END {print m}' "$dir/report"; }
ratings() { q "SELECT count(*) FROM rating WHERE ticket_id = $1"; }
wait_until() { # SQL VALUE: wait (at most 60 s) until the query answers VALUE
  i=0
  while [ $i -lt 300 ] && [ "$(q "$1")" != "$2" ]; do sleep 0.2; i=$((i + 1)); done
  [ "$(q "$1")" = "$2" ]
}
wait_screen home; check $? "the kiosk did not start: $(cat "$dir/err")"
wid=$(xdotool search --sync --onlyvisible --name '^frontdesk$' | head -n1)

# On the rating screen: the ticket's QR opens its faces; rated once.
click rate && wait_screen rate 0; check $? "the rating screen did not open"
scanner "$qr1" && wait_screen rate 1; check $? "the ticket's QR did not open its faces"
[ "$(shown_ticket)" = "$(label "$done1")" ]; check $? "the faces are for '$(shown_ticket)', not $(label "$done1")"
click face_0_2 && click face_1_4 && click face_2_3 && click submit
wait_until "SELECT count(*) FROM rating WHERE ticket_id = $done1 AND service = 2 AND attitude = 4 AND result = 3" 1
check $? "no rating (good, poor, fair) stored for the scanned ticket"
wait_screen rate 3; check $? "a poor mark did not offer a complaint"

# The same QR again: refused on the first step, one rating still.
scanner "$qr1" && wait_screen rate 0; check $? "the rated ticket's QR was not refused on the first step"
[ "$(ratings "$done1")" = 1 ]; check $? "the ticket holds $(ratings "$done1") ratings"
# A ticket still waiting, and a mistyped code: refused, on this screen.
scanner "$qrw" && wait_screen rate 0; check $? "a waiting ticket's QR was not refused"
scanner "$bad" && wait_screen rate 0; check $? "a code with a wrong check digit was not refused on the rating screen"
[ "$(q 'SELECT count(*) FROM rating')" = 1 ]; check $? "refused scans stored a rating"

# From the home screen: the QR opens the rating screen at its faces.
click home && wait_screen home; check $? "Home did not go home"
scanner "$qr2" && wait_screen rate 1; check $? "the ticket's QR on the home screen did not open its faces"
[ "$(shown_ticket)" = "$(label "$done2")" ]; check $? "the faces are for '$(shown_ticket)', not $(label "$done2")"
click face_0_2 && click face_1_4 && click face_2_3 && click submit
wait_until "SELECT count(*) FROM rating WHERE ticket_id = $done2" 1
check $? "no rating stored for the ticket scanned at home"

kill -TERM "$pid" 2>/dev/null
wait "$pid"; check $? "the kiosk did not stop cleanly on SIGTERM"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
