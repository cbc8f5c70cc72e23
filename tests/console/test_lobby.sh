#!/bin/sh
# test_lobby.sh CTL FRONTDESK - the lobby display as its own process on the
# kiosk's database, calls made by another process (frontdesk-ctl): each call
# shows on the display (measured: from the call returning to the display's
# rebuild, reported by --report), and the announcements - a call, a recall
# of it, another call - come out of the audio device (SDL's disk driver) as
# three separate whole announcements. Runs under tests/ui/run-xvfb.sh.
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdlobby.XXXXXX") || exit 2
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
export FRONTDESK_NOW=1795399200
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_lobby: FAILED: $2" >&2; fi; }
now_ms() { date +%s%3N; }
# Waits (at most 60 s) until the report shows `text now LABEL`; prints ms waited.
wait_shown() {
  t0=$1 label=$2 i=0
  while [ $i -lt 6000 ]; do
    if grep -q "^text now $label\$" "$dir/report" 2>/dev/null; then echo $(( $(now_ms) - t0 )); return 0; fi
    sleep 0.01; i=$((i + 1))
  done
  echo 60000; return 1
}

"$ctl" --db "$dir/k.db" init --demo >/dev/null; check $? "init --demo"
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$dir/audio.raw" SDL_DISKAUDIODELAY=4 \
FRONTDESK_VOICE_DRAIN=1 "$kiosk" --allow-root --db "$dir/k.db" --lobby --window 1024x600 \
  --report "$dir/report" 2> "$dir/err" &
pid=$!
# The lobby rebuilds its screen (a new "screen lobby" block in the report)
# only when its poll saw the database change, and once for its first poll.
blocks() { b=$(grep -c "^screen lobby" "$dir/report" 2>/dev/null); echo "${b:-0}"; }
wait_blocks() { # N: wait (at most 60 s) for more than N blocks
  i=0
  while [ $i -lt 3000 ] && [ "$(blocks)" -le "$1" ]; do sleep 0.02; i=$((i + 1)); done
  [ "$(blocks)" -gt "$1" ]
}
# Its first poll sets the cursor (calls before it are not announced): wait
# for the rebuild it makes, not for a time.
wait_blocks 1; check $? "the lobby did not start: $(cat "$dir/err")"

lab1=$("$ctl" --db "$dir/k.db" --json call 2 | python3 -c "import json,sys; print(json.load(sys.stdin)['ticket'])")
t=$(now_ms); ms1=$(wait_shown "$t" "$lab1"); check $? "call of $lab1 at counter 2 not shown"
n=$(blocks)
"$ctl" --db "$dir/k.db" recall 2 >/dev/null; check $? "recall"
wait_blocks "$n"; check $? "the lobby did not see the recall" # before the next call
lab2=$("$ctl" --db "$dir/k.db" --json call 3 | python3 -c "import json,sys; print(json.load(sys.stdin)['ticket'])")
t=$(now_ms); ms2=$(wait_shown "$t" "$lab2"); check $? "call of $lab2 at counter 3 not shown"
echo "lobby: $lab1 shown ${ms1} ms after the call returned, $lab2 ${ms2} ms (poll every 250 ms)"
# Measured, not judged (tests never fail on a time); the design target is
# 500 ms, bench/ measures it.
grep -q "^text now_counter 3\$" "$dir/report"; check $? "counter 3 not shown with the call"

kill -TERM $pid; wait $pid; rc=$?; pid=
check $rc "the lobby did not exit cleanly: $(cat "$dir/err")"
# Announcements are sound separated by at least 0.8 s of silence (inside
# one, pauses are at most 0.3 s); each lasts several seconds.
python3 - "$dir/audio.raw" > "$dir/segments" <<'PY'
import sys, array
a = array.array('h'); a.frombytes(open(sys.argv[1], 'rb').read())
rate, quiet, gap = 22050, 200, int(0.8 * 22050)
segs, start, last = [], None, None
for i, v in enumerate(a):
    if abs(v) >= quiet:
        if start is None or i - last > gap:
            if start is not None: segs.append((start, last))
            start = i
        last = i
if start is not None: segs.append((start, last))
for s, e in segs: print("%.2f %.2f" % (s / rate, (e - s) / rate))
PY
n=$(wc -l < "$dir/segments")
echo "lobby: announcements (start s, length s): $(tr '\n' ';' < "$dir/segments")"
check "$([ "$n" = 3 ]; echo $?)" "want 3 announcements (call, recall, call), heard $n"
check "$(awk '$2 < 4 || $2 > 15 { bad = 1 } END { exit bad }' "$dir/segments"; echo $?)" \
  "an announcement is cut or too long"
# --lobby-display 0: the kiosk starts the lobby as its own process and
# stops it when it leaves.
SDL_AUDIODRIVER=dummy "$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --no-kiosk --lobby-display 0 \
  2> "$dir/err2" &
pid=$!
child= i=0
while [ $i -lt 3000 ] && [ -z "$child" ]; do
  child=$(pgrep -P $pid -f -- "--lobby --on-display 0"); [ -n "$child" ] || sleep 0.02; i=$((i + 1))
done
check "$([ -n "$child" ]; echo $?)" "--lobby-display did not start the lobby process"
# Up: its window is mapped (a condition, at most 60 s), and it is still alive.
[ -n "$child" ] && timeout 60 xdotool search --sync --onlyvisible --pid "$child" >/dev/null 2>&1 &&
  kill -0 "$child" 2>/dev/null; check $? "the lobby process did not come up: $(cat "$dir/err2")"
kill -TERM $pid; wait $pid; pid=
[ -n "$child" ] && ! kill -0 "$child" 2>/dev/null; check $? "the lobby process outlived the kiosk"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
