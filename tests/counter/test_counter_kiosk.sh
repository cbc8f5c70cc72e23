#!/bin/sh
# test_counter_kiosk.sh CTL KIOSK - the kiosk keeps frontdesk-counter running
# while counter_listen is set: the setting is checked (ADDR:PORT), the kiosk
# starts the page's server as its child, starts it again when it is killed,
# and stops it when the kiosk stops. Runs under tests/ui/run-xvfb.sh.
set -u
ctl=$1 kiosk=$2
# A fixed clock (FRONTDESK_NOW, read by core in every program): the demo's
# services are open and the business day does not turn over mid-test.
export FRONTDESK_NOW=1795399200
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdckiosk.XXXXXX") || exit 2
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_counter_kiosk: FAILED: $2" >&2; fi; }
db=$dir/k.db
"$ctl" --db "$db" init --demo >/dev/null; check $? "init --demo"
for bad in nonsense 1.2.3.4 1.2.3.4:0 1.2.3.4:70000 300.1.1.1:80 "1.2.3.4:80 " localhost:80; do
  "$ctl" --db "$db" config set counter_listen "$bad" 2>/dev/null; r=$?
  check "$([ $r = 1 ]; echo $?)" "counter_listen '$bad' refused (exit $r)"
done
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$ctl" --db "$db" config set counter_listen "127.0.0.1:$port"; check $? "counter_listen set"
SDL_AUDIODRIVER=dummy "$kiosk" --allow-root --db "$db" --window 1024x600 --no-kiosk 2> "$dir/err" &
pid=$!
up() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/session" 2>/dev/null | grep -q 200; }
wait_up() { i=0; while [ $i -lt 3000 ] && ! up; do sleep 0.02; i=$((i + 1)); done; up; }
child() { pgrep -P "$pid" -x frontdesk-count 2>/dev/null || pgrep -P "$pid" -f frontdesk-counter; }
wait_up; check $? "the kiosk started the counter page: $(cat "$dir/err")"
c1=$(child | head -1); check "$([ -n "$c1" ]; echo $?)" "frontdesk-counter is the kiosk's child"
grep -q "^url http://127.0.0.1:$port/" "$db.counter"; check $? "the address for the health page"
kill -KILL "$c1" 2>/dev/null
i=0; c2=
while [ $i -lt 3000 ]; do c2=$(child | head -1); [ -n "$c2" ] && [ "$c2" != "$c1" ] && break; sleep 0.02; i=$((i + 1)); done
check "$([ -n "$c2" ] && [ "$c2" != "$c1" ]; echo $?)" "started again after it died"
wait_up; check $? "and answers again"
kill -TERM $pid; wait $pid; r=$?; pid=
check $r "the kiosk stopped cleanly: $(cat "$dir/err")"
! kill -0 "$c2" 2>/dev/null; check $? "frontdesk-counter stopped with the kiosk"
! up; check $? "nothing answers after"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
