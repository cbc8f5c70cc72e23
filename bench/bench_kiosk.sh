#!/bin/sh
# bench_kiosk.sh [BUILD_DIR] [DAYS=365|STORE] [ROUNDS=9] [BEFORE_BUILD] - the
# real kiosk full screen at 1080x1920 (its own Xvfb of that size, the software
# renderer), on a fresh store (init --demo) and on DAYS of a busy branch
# (bench/gen_year; or a copy of STORE, a store gen_year made), side by side:
#  - first frame as the visitor sees it: exec to the first SDL_RenderPresent
#    of the home screen (the kiosk's --first-frame, a test-hooks build),
#    against bench_bare_frame (SDL + the same font, one Chinese line: the
#    floor) in the same run, ROUNDS times in turn (bench_first_frame). The
#    kiosk runs with the font files named in its configuration, as the
#    shipped frontdesk.conf names them (the floor is given the file too);
#    with BEFORE_BUILD (a test-hooks build of an older tree) its kiosk runs
#    in the same turns as it ran then (no configuration), on its own copies
#    of the stores (a newer kiosk migrates them);
#  - CPU over 10 idle seconds and peak RSS (VmHWM) after them.
# Then the toolkit's typing frame times (bench_ui) and the pinyin engine's
# keystroke-to-candidates times and memory (bench_ime). Never fails on time.
set -u
build=${1:-build/plain} days=${2:-365} rounds=${3:-9} before=${4:-}
kiosk=$build/app/kiosk/frontdesk
dir=$(mktemp -d /tmp/fdbench.XXXXXX)
xpid=
trap 'rm -rf "$dir"; [ -n "$xpid" ] && kill $xpid 2>/dev/null' EXIT
"$build/app/ctl/frontdesk-ctl" --db "$dir/fresh.db" init --demo >/dev/null
if [ -f "$days" ]; then # a store gen_year made before (a copy is used)
  cp "$days" "$dir/year.db" || exit 1
  days=$(sqlite3 "$dir/year.db" "SELECT count(DISTINCT bday) FROM ticket")
else
  "$build/bench/gen_year" "$days" "$dir/year.db" || exit 1
fi
if [ -n "$before" ]; then # the older kiosk's own stores, never migrated
  "$before/app/ctl/frontdesk-ctl" --db "$dir/before-fresh.db" init --demo >/dev/null || exit 1
  cp "$dir/year.db" "$dir/before-year.db" || exit 1
fi
Xvfb -displayfd 3 -screen 0 1080x1920x24 -nolisten tcp -noreset 3>"$dir/display" 2>/dev/null &
xpid=$!
i=0
while [ ! -s "$dir/display" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
DISPLAY=":$(head -n1 "$dir/display")"
export DISPLAY SDL_VIDEODRIVER=x11 SDL_RENDER_DRIVER=software
font=$(fc-match -f '%{file}' 'Noto Sans CJK SC')
index=$(fc-match -f '%{index}' 'Noto Sans CJK SC')
bold=$(fc-match -f '%{file}' 'Noto Sans CJK SC:bold')
printf 'font = %s\nfont_bold = %s\nfont_index = %s\n' "$font" "$bold" "$index" > "$dir/kiosk.conf"
echo "--- 1080x1920 full screen; fresh store vs $days days (fonts: $font, $bold, face $index)"
set -- "$build/bench/bench_first_frame" "$rounds" \
  "bare SDL + one Chinese line" "$build/bench/bench_bare_frame" "$font" "$index" -- \
  "kiosk, fresh store" "$kiosk" --allow-root --db "$dir/fresh.db" --config "$dir/kiosk.conf" \
    --first-frame -- \
  "kiosk, $days days" "$kiosk" --allow-root --db "$dir/year.db" --config "$dir/kiosk.conf" \
    --first-frame
if [ -n "$before" ]; then
  set -- "$@" -- \
    "before: kiosk, fresh store" "$before/app/kiosk/frontdesk" --allow-root \
      --db "$dir/before-fresh.db" --first-frame -- \
    "before: kiosk, $days days" "$before/app/kiosk/frontdesk" --allow-root \
      --db "$dir/before-year.db" --first-frame
fi
"$@"
# The same first frame the way the box runs it: full screen under cage (the
# Wayland kiosk compositor; its headless backend here, 720x1280 rotated as
# a portrait panel), as an unprivileged user, with SDL's default renderer
# (OpenGL ES through EGL; on this machine without a GPU that is Mesa's
# llvmpipe, which the floor pays as well). Under X11 above, Xlib reads the
# locale's Compose table inside SDL_Init (49 M instructions of the floor's
# 75 M, and its cache is never used by root); under Wayland that is
# xkbcommon's.
if command -v cage >/dev/null 2>&1; then
  echo "--- under cage (Wayland, headless 720x1280 portrait), unprivileged, default renderer"
  mkdir -p "$dir/run" && chmod 700 "$dir/run"
  as=""
  if [ "$(id -u)" = 0 ]; then
    chown -R nobody:nogroup "$dir"
    as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  fi
  set -- "$build/bench/bench_first_frame" "$rounds" \
    "bare SDL + one Chinese line" "$build/bench/bench_bare_frame" "$font" "$index" -- \
    "kiosk, fresh store" "$kiosk" --db "$dir/fresh.db" --config "$dir/kiosk.conf" \
      --first-frame -- \
    "kiosk, $days days" "$kiosk" --db "$dir/year.db" --config "$dir/kiosk.conf" --first-frame
  if [ -n "$before" ]; then
    set -- "$@" -- \
      "before: kiosk, fresh store" "$before/app/kiosk/frontdesk" --db "$dir/before-fresh.db" \
        --first-frame -- \
      "before: kiosk, $days days" "$before/app/kiosk/frontdesk" --db "$dir/before-year.db" \
        --first-frame
  fi
  env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_RENDER_DRIVER XDG_RUNTIME_DIR="$dir/run" \
      WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
      SDL_VIDEODRIVER=wayland HOME="$dir" $as cage -r -- "$@" \
      > "$dir/cage.out" 2> "$dir/cage.err"
  grep -v '^$' "$dir/cage.out" || tail -n 5 "$dir/cage.err"
fi
hz=$(getconf CLK_TCK)
for store in fresh year; do
  "$kiosk" --allow-root --db "$dir/$store.db" --config "$dir/kiosk.conf" >/dev/null 2>&1 &
  pid=$!
  sleep 3 # started, workers' first rounds done
  t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  sleep 10
  t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  echo "kiosk, $store store: CPU over 10 idle seconds $(( (t1 - t0) * 1000 / hz )) ms;" \
       "peak RSS $(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' /proc/$pid/status)"
  kill -TERM $pid; wait $pid
done
if [ -x "$build/bench/bench_ui" ]; then
  echo "--- the toolkit (bench_ui): typing frame times"
  "$build/bench/bench_ui" 10
fi
if [ -x "$build/bench/bench_ime" ]; then
  echo "--- pinyin (bench_ime): keystroke to candidates, memory"
  "$build/bench/bench_ime"
fi
