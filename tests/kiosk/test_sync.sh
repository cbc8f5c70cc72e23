#!/bin/sh
# test_sync.sh CTL FRONTDESK HQ - the kiosk program ships what visitors do
# to head office by itself: frontdesk-hq serves on loopback, the kiosk is
# enrolled with a one-time token, a visitor takes a ticket on the screen,
# and head office then holds exactly the kiosk's records. Run under
# tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 hq=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdksync.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_sync: FAILED: $2" >&2; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$hq" serve --db "$dir/hq.sqlite" --listen "127.0.0.1:$port" 2> "$dir/hq.err" &
hqpid=$!
i=0; while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
"$ctl" --db "$dir/k.db" init --demo >/dev/null
token=$("$hq" --db "$dir/hq.sqlite" enroll-token --branch East | tail -n1)
"$ctl" --db "$dir/k.db" enroll --hq "http://127.0.0.1:$port" --token "$token" >/dev/null
check $? "enrol failed"
printf 'tap_id ticket\ntap_id svc_C\nexpect_screen ticket\nsync_wait\n' > "$dir/script"
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --script "$dir/script" --shots "$dir" 2> "$dir/err"
check $? "kiosk run failed: $(cat "$dir/err")"
backlog=$("$ctl" --db "$dir/k.db" --json sync status | python3 -c "import json,sys; print(json.load(sys.stdin)['backlog'])")
[ "$backlog" = 0 ]; check $? "backlog $backlog after the kiosk ran"
device=$("$ctl" --db "$dir/k.db" --json status | python3 -c "import json,sys; print(json.load(sys.stdin)['device_id'])")
held=$("$hq" --db "$dir/hq.sqlite" records "$device" | python3 -c "
import json, sys
t = {}
for line in sys.stdin:
    r = json.loads(line)
    if r.get('type') == 'ticket':
        rec = r['record'] if isinstance(r['record'], dict) else json.loads(r['record'])
        t[rec['id']] = rec['label']
print(' '.join(sorted(t.values())))")
mine=$("$ctl" --db "$dir/k.db" export csv ticket | python3 -c "
import csv, sys
print(' '.join(sorted(r['label'] for r in csv.DictReader(sys.stdin))))")
[ -n "$mine" ] && [ "$held" = "$mine" ]; check $? "head office holds [$held], the kiosk [$mine]"
echo "$mine" | grep -q C003; check $? "the ticket taken on the screen is missing: $mine"
# Once enrolled, head office owns the complaint workflow: no local steps.
ref=$("$ctl" --db "$dir/k.db" --json complaint list | python3 -c "import json,sys; print(json.load(sys.stdin)['complaints'][0]['ref'])")
"$ctl" --db "$dir/k.db" complaint advance "$ref" assessed --severity ordinary 2> "$dir/adv.err"
[ $? = 1 ] && grep -q "head office" "$dir/adv.err"; check $? "a local complaint step was not refused: $(cat "$dir/adv.err")"
kill "$hqpid"; wait "$hqpid" 2>/dev/null
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
