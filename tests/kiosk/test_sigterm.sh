#!/bin/sh
# test_sigterm.sh CTL FRONTDESK [ROUNDS] - systemd stops the kiosk with
# SIGTERM, at any moment: while it starts (from main's first line on), while it idles at home, and while
# a visitor's ticket is being issued by a real X click. Every time the kiosk
# must exit by itself with code 0 (no handler doing unsafe work, no hang),
# the store must pass integrity_check, and every ticket issued must still be
# there, numbered without a gap or a repeat. The moments are random; the seed
# is printed (FD_TEST_SEED=N repeats a run). Run under tests/ui/run-xvfb.sh.
# Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 rounds=${3:-20}
seed=${FD_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "test_sigterm: seed $seed ($rounds rounds)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdsig.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_sigterm: FAILED: $2" >&2; fi; }
wait_screen() { # NAME: the report's last screen is NAME (deadline 60 s: ASan is slow)
  i=0
  while [ $i -lt 600 ]; do
    last=$(grep '^screen' "$dir/report" 2>/dev/null | tail -n1)
    [ "$last" = "screen $1" ] && grep -q '^end' "$dir/report" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
click() { # ID: the middle of the widget's rect in the last report, after the
  # screen's settle time (a new screen ignores touches for 500 ms: app/ui)
  sleep 0.7
  set -- $(awk -v id="$1" '$1 == "screen" {r = ""} $1 == id {r = $2 " " $3 " " $4 " " $5} END {print r}' "$dir/report")
  [ $# = 4 ] || return 1
  wid=$(xdotool search --onlyvisible --name '^frontdesk$' 2>/dev/null | head -n1)
  [ -n "$wid" ] || return 1
  xdotool mousemove --window "$wid" $(( $1 + $3 / 2 )) $(( $2 + $4 / 2 )) click 1 2>/dev/null
}
# Waits until the kiosk's main has blocked SIGTERM (its first line; before
# it no program can do anything about a signal, and the default action is
# death by SIGTERM). Deadline 60 s.
started() {
  i=0
  while [ $i -lt 600 ]; do
    v=$(awk '/^SigBlk/ {print substr($2, length($2) - 3)}' "/proc/$pid/status" 2>/dev/null)
    [ -n "$v" ] && [ $((0x$v & 0x4000)) != 0 ] && return 0
    sleep 0.01; i=$((i + 1))
  done
  return 1
}
# Waits up to 60 s for the kiosk to end; its exit code, or 124 if it hangs.
stopped() {
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; wait "$pid" 2>/dev/null; return 124; fi
  wait "$pid"
}
"$ctl" --db "$dir/k.db" init --demo >/dev/null || exit 2
# The plan: per round a moment kind (0 starting, 1 at home, 2 taking a
# ticket) and a delay in ms.
awk -v s="$seed" -v n="$rounds" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d %d\n", int(rand() * 3), int(rand() * 400) }' > "$dir/plan"
exits=""
round=0
unblocked=0
while read -r kind ms; do
  round=$((round + 1))
  rm -f "$dir/report"
  "$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --report "$dir/report" 2>> "$dir/err" &
  pid=$!
  case $kind in
  0) started || unblocked=$((unblocked + 1)) ;;
  1) wait_screen home ;;
  2) wait_screen home && click ticket && wait_screen ticket && click svc_A ;;
  esac
  sleep "$(printf '0.%03d' "$ms")"
  kill -TERM "$pid"
  stopped; rc=$?
  exits="$exits $rc"
  [ "$rc" = 0 ] || echo "test_sigterm: round $round (kind $kind, ${ms} ms): exit $rc" >&2
done < "$dir/plan"
# A handler cannot do the work safely (SDL_PushEvent is not async-signal-
# safe): the kiosk blocks SIGTERM in every thread and takes it with sigwait.
[ "$unblocked" = 0 ]; check $? "$unblocked kiosks never blocked SIGTERM (a signal handler instead of sigwait?)"
bad=$(echo "$exits" | tr ' ' '\n' | grep -cv '^0*$' )
[ "$bad" = 0 ]; check $? "$bad of $rounds SIGTERMs did not end in exit 0:$exits; $(tail -n 20 "$dir/err")"
ok=$(sqlite3 "$dir/k.db" 'PRAGMA integrity_check' 2>&1)
[ "$ok" = ok ]; check $? "integrity_check: $ok"
# Every ticket issued is there: each day's numbers of A run 1..n, no gap
# (a number shown but lost) and no repeat (a number issued twice).
gaps=$("$ctl" --db "$dir/k.db" export csv ticket | python3 -c "
import csv, sys
days = {}
for r in csv.DictReader(sys.stdin):
    if r['label'].startswith('A'):
        days.setdefault(r['bday'], []).append(int(r['number']))
bad = {d: sorted(v) for d, v in days.items() if sorted(v) != list(range(1, len(v) + 1))}
print('ok' if days and not bad else bad or 'no tickets')")
[ "$gaps" = ok ]; check $? "ticket numbers of A per day: $gaps"
n=$("$ctl" --db "$dir/k.db" export csv ticket | grep -c ',A[0-9]')
echo "test_sigterm: $n tickets of A in the store after $rounds stops"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
