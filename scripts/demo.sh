#!/usr/bin/env bash
# Sets everything up and starts the kiosk on a demo database (demo/frontdesk.db,
# created on first run with the demo branch). Everything has an embedded
# default: SQLite, the virtual printer when no USB printer is present, no
# head office needed.
#   scripts/demo.sh            start the kiosk (a window if a display exists)
#   scripts/demo.sh --reset    start again from fresh demo data
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/deps.sh
bash scripts/build.sh build/plain >/dev/null
mkdir -p demo
db=demo/frontdesk.db
if [ "${1:-}" = "--reset" ]; then rm -f "$db" "$db-wal" "$db-shm"; shift; fi
ctl=build/plain/app/ctl/frontdesk-ctl
[ -f "$db" ] || "$ctl" --db "$db" init --demo
kiosk=build/plain/app/kiosk/frontdesk
# The kiosk refuses root (on the appliance it runs as the user frontdesk);
# a demo run as root on a development machine says it means it.
dev=""; [ "$(id -u)" = 0 ] && dev=--allow-root
if [ -x "$kiosk" ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -e /dev/dri/card0 ]; then
    exec "$kiosk" $dev --db "$db" --demo "$@"
  fi
  # No screen on this machine: run it on a virtual one and show what it shows.
  echo "demo: no display here; running the kiosk under Xvfb (screenshot: demo/home.png)"
  exec xvfb-run -a -s "-screen 0 1920x1080x24" "$kiosk" $dev --db "$db" --demo \
    --window 1920x1080 --shot demo/home.png "$@"
fi
echo "demo: the kiosk UI is not built; the demo branch's queue:"
"$ctl" --db "$db" status
"$ctl" --db "$db" queue
