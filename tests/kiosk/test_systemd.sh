#!/bin/sh
# test_systemd.sh CTL FRONTDESK SRC - the kiosk under systemd's eyes, without
# systemd: (1) a notify socket made here (NOTIFY_SOCKET, WATCHDOG_USEC=1 s)
# receives READY=1 once the first screen is up, then WATCHDOG=1 again and
# again from the UI loop; stopped (SIGSTOP, a hung loop) it sends none, and
# continued it feeds again; (2) with JOURNAL_STREAM naming its stderr every
# line carries a syslog priority prefix (<3> for the refusal to run as
# root); (3) as root without --allow-root it refuses to start; (4) the units
# pass `systemd-analyze verify` (where systemd-analyze is installed).
# Run under tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 src=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdsd.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_systemd: FAILED: $2" >&2; fi; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null
# (1) the notify socket: a listener that writes each datagram as a line
python3 - "$dir/notify" "$dir/got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
with open(sys.argv[2], "a", buffering=1) as out:
    try:
        while True:
            out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
    except socket.timeout:
        pass
PY
lpid=$!
i=0; while [ ! -S "$dir/notify" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# WATCHDOG_PID names another process, as under cage (the unit's main process).
NOTIFY_SOCKET=$dir/notify WATCHDOG_USEC=1000000 WATCHDOG_PID=$$ "$kiosk" --allow-root --db "$dir/k.db" \
    --window 1024x600 2>"$dir/err" &
kpid=$!
count() { grep -c "^$1" "$dir/got" 2>/dev/null; }
wait_for() { # PATTERN N: at least N lines of PATTERN (at most 90 s)
  i=0; while [ $i -lt 900 ] && [ "$(count "$1")" -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
  [ "$(count "$1")" -ge "$2" ]
}
wait_for READY=1 1; check $? "no READY=1: $(cat "$dir/got" 2>/dev/null) $(cat "$dir/err")"
wait_for WATCHDOG=1 3; check $? "the watchdog was not fed: $(cat "$dir/got" 2>/dev/null)"
kill -STOP $kpid
sleep 0.6   # a feed already on its way lands
n=$(count WATCHDOG=1); sleep 2
[ "$(count WATCHDOG=1)" = "$n" ]; check $? "a stopped kiosk still fed the watchdog"
kill -CONT $kpid
wait_for WATCHDOG=1 $((n + 1)); check $? "the watchdog not fed again after SIGCONT"
kill -TERM $kpid; wait $kpid; check $? "the kiosk did not stop cleanly"
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null
# (2) and (3): as root without --allow-root, to the "journal"
if [ "$(id -u)" = 0 ]; then
  js=$(stat -c '%d:%i' "$dir/jerr" 2>/dev/null || { : > "$dir/jerr"; stat -c '%d:%i' "$dir/jerr"; })
  JOURNAL_STREAM=$js "$kiosk" --db "$dir/k.db" --window 1024x600 2>>"$dir/jerr"
  [ $? = 2 ]; check $? "as root without --allow-root it did not refuse"
  grep -q '^<3>frontdesk: refusing to run as root' "$dir/jerr"; check $? "no <3> refusal in the journal stream: $(cat "$dir/jerr")"
  ! grep -qv '^<[0-7]>' "$dir/jerr"; check $? "a journal line without a priority: $(cat "$dir/jerr")"
  "$kiosk" --db "$dir/k.db" --window 1024x600 2>"$dir/plain"
  grep -q '^frontdesk: refusing' "$dir/plain"; check $? "prefixes outside the journal: $(cat "$dir/plain")"
fi
# (4) the units
if command -v systemd-analyze >/dev/null; then
  # verify wants the programs the units name: stand-ins on a private root
  mkdir -p "$dir/u"
  cp "$src"/packaging/systemd/*.service "$src"/packaging/systemd/*.timer "$dir/u/"
  for f in "$dir"/u/*; do
    sed -i "s#/usr/bin/#$dir/bin/#g; s#/usr/libexec/frontdesk/#$dir/bin/#g" "$f"
  done
  mkdir -p "$dir/bin"
  for b in frontdesk frontdesk-ctl frontdesk-hq cage backup; do
    printf '#!/bin/sh\n' > "$dir/bin/$b"; chmod 755 "$dir/bin/$b"
  done
  (cd "$dir/u" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no ./*.service ./*.timer) \
      > "$dir/verify" 2>&1
  ! grep -v "^$" "$dir/verify" | grep -qv "Unit file not found\|getty@tty1\|plymouth-quit\|systemd-user-sessions\|postgresql.service\|network-online" ; \
    check $? "systemd-analyze verify: $(cat "$dir/verify")"
fi
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
