#!/bin/sh
# test_console.sh LANG CTL FRONTDESK SRCDIR - the staff console of the real
# kiosk at 1024x600 (tests/console/console_walk.txt): lockout after wrong
# PINs, sign-in, call / recall / no-show / transfer / serve / finish,
# visitor sign-out, evacuation list, reprint, handover, end of day, quit.
# Then checks the store through frontdesk-ctl: ticket history, audit entries
# under the staff's name, the handover, print jobs; and that no PIN typed
# (right or wrong) is in the database, its WAL or the program's output.
# Runs under tests/ui/run-xvfb.sh, on a fixed clock (FRONTDESK_NOW).
set -u
lang=$1 ctl=$2 kiosk=$3 src=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdcons.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
export FRONTDESK_NOW=1795399200   # 2026-11-23 10:00 in Shanghai, the demo's zone
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_console: FAILED: $2" >&2; fi; }

"$ctl" --db "$dir/k.db" init --demo >/dev/null; check $? "init --demo"
pin=48273916
echo "$pin" | "$ctl" --db "$dir/k.db" staff add "测试员 Tester" --role staff >/dev/null
check $? "staff add"
# The walk signs in as staff 3 (the tester); staff 2 gets the wrong PINs.
sed -e "s/^tap_id staff_1$/tap_id staff_3/" -e "s/^type 1234$/type $pin/" \
    -e "s/^type 0000$/type 97531/" -e "s/^type 1111$/type 86420/" -e "s/^type 2222$/type 75319/" \
    "$src/console_walk.txt" > "$dir/walk.body"
{ echo "lang $lang"; cat "$dir/walk.body"; } > "$dir/walk.txt"
grep -q "type $pin" "$dir/walk.txt"; check $? "walk does not sign in as the tester"
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang "$lang" --script "$dir/walk.txt" \
  --shots "$dir" > "$dir/out" 2> "$dir/err"
check $? "the walk failed: $(cat "$dir/err")"

audit=$("$ctl" --db "$dir/k.db" export csv audit)
n=$(echo "$audit" | grep -c ",前台 Reception,login_failed,")
check "$([ "$n" = 3 ]; echo $?)" "want 3 failed logins audited, got $n"
lockout=$(echo "$audit" | grep -c ",前台 Reception,login," )
check "$([ "$lockout" = 0 ]; echo $?)" "reception signed in despite wrong PINs"
for action in login queue.serve queue.finish queue.call queue.recall queue.noshow \
              queue.transfer visitor.signout visitor.evacuation_list print.reprint handover \
              report.print kiosk.quit counter.close counter.open; do
  echo "$audit" | grep -q ",测试员 Tester,$action,"
  check $? "no audit entry $action by the tester"
done
events=$("$ctl" --db "$dir/k.db" export csv ticket_event | grep "测试员 Tester" | cut -d, -f4 | tr '\n' ' ')
check "$([ "$events" = "serving done called recalled noshow called transferred called serving done " ]; echo $?)" \
  "ticket history by the tester: $events"
c() { "$ctl" --db "$dir/k.db" --json "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
check "$([ "$(c ticket show B001 | json "d['state']")" = noshow ]; echo $?)" "B001 not a no-show"
check "$([ "$(c ticket show A003 | json "d['state'] + ' ' + str(d['transfers'])")" = "done 1" ]; echo $?)" \
  "A003 not transferred and finished"
check "$([ "$(c visitor list | json "len(d['visitors'])")" = 1 ]; echo $?)" "a visitor not signed out"
check "$([ "$(c handover list | json "d[0]['note']")" = "3号窗口打印机缺纸，已通知后勤。" ]; echo $?)" \
  "handover note not recorded"
check "$([ "$(c handover list | json "d[0]['open']['waiting'] > 0")" = True ]; echo $?)" \
  "handover without open items"
jobs=$("$ctl" --db "$dir/k.db" printer jobs)
for kind in evacuation day_report; do
  echo "$jobs" | grep -q " $kind .* done"; check $? "no $kind printed: $jobs"
done
check "$([ "$(echo "$jobs" | grep -c " evacuation ")" = 2 ]; echo $?)" "evacuation list not reprinted"
[ -s "$dir/last-receipt.png" ]; check $? "the virtual printer wrote no receipt"
for shot in lockout counter called transfer queue visitors complaints health handover day exit; do
  [ -s "$dir/console-$shot.png" ]; check $? "no screenshot console-$shot"
done
# No PIN, right or wrong, in clear anywhere it could be kept.
for p in $pin 97531 86420 75319; do
  ! grep -q -a "$p" "$dir/k.db" "$dir/k.db-wal" "$dir/out" "$dir/err" 2>/dev/null
  check $? "PIN $p found in the database or the log"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
