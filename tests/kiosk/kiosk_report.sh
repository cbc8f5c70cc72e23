# kiosk_report.sh - sourced by the tests that drive the kiosk under X with
# xdotool and read what it reports (--report "$dir/report": a block per
# screen change, "screen NAME", "step N", "ID X Y W H" per widget, "end").
# The caller sets $dir, and $wid (the kiosk's X window) before click or
# scanner.

wait_screen() { # NAME [STEP]: the report's last block is screen NAME (at step STEP)
  i=0
  while [ $i -lt 600 ]; do
    block=$(awk '$1 == "screen" {b = ""} {b = b $0 "\n"} END {printf "%s", b}' "$dir/report" 2>/dev/null)
    if echo "$block" | grep -qx "screen $1" && echo "$block" | grep -qx end &&
       { [ $# -lt 2 ] || echo "$block" | grep -qx "step $2"; }; then return 0; fi
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

click() { # ID: click the middle of the widget's rect in the last report
  set -- $(awk -v id="$1" '$1 == "screen" {r = ""} $1 == id {r = $2 " " $3 " " $4 " " $5} END {print r}' "$dir/report")
  [ $# = 4 ] || return 1
  sleep 1 # a new screen ignores touches for UI_SETTLE_MS (500 ms, ui.h)
  xdotool mousemove --window "$wid" $(( $1 + $3 / 2 )) $(( $2 + $4 / 2 )) click 1
}

keys() { # TEXT -> xdotool key names ("t i c k e t colon 2 0 2 6 minus ...")
  echo "$1" | sed 's/./& /g; s/:/colon/g; s/-/minus/g'
}

scanner() { # TEXT [PATTERN]: what a USB barcode scanner does: every key and
  # Enter in one burst (one xdotool key command: `type` would take a
  # following Return as text). No delay between keys: the kiosk times keys
  # by the X server's clock, so its own slow frames do not split a burst,
  # and it counts a key SDL calls a repeat (a release and press of one key
  # within 2 ms); a process that sleeps between keys may wait far longer
  # than the kiosk's 50 ms for the CPU again on a loaded machine (CI, load
  # 15, with --delay 5). A scan makes a new report block (matching PATTERN,
  # default any screen). xdotool is no scanner: preempted for more than 50 ms
  # mid-burst it is rightly no scan; so up to 4 bursts.
  pat=${2:-^screen}
  n0=$(grep -c "$pat" "$dir/report")
  for try in 1 2 3 4; do
    xdotool windowfocus --sync "$wid" key --delay 0 $(keys "$1") Return
    i=0
    while [ $i -lt 100 ]; do
      [ "$(grep -c "$pat" "$dir/report")" -gt "$n0" ] && sleep 0.3 && return 0
      sleep 0.1; i=$((i + 1))
    done
  done
  return 1
}
