#!/usr/bin/env bash
# Regenerates the screenshot gallery in docs/screens/: every kiosk screen in
# Chinese and English at 1920x1080, 1080x1920 and 1024x600 (the walk in
# tests/kiosk/walk.txt), the lobby display, and receipts from the virtual
# printer. Runs the real program under Xvfb with the software renderer.
#   scripts/gallery.sh [BUILD_DIR]     (default build/plain, built if needed)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${1:-build/plain}
[ -x "$build/app/kiosk/frontdesk" ] || bash scripts/build.sh "$build" >/dev/null
out=docs/screens
tmp=$(mktemp -d /tmp/fdgallery.XXXXXX)
# A fixed "now" (2026-11-23 18:00 in Shanghai): the same pictures whatever
# the hour, and never a business day turning over in the middle of a walk.
export FRONTDESK_NOW=${FRONTDESK_NOW:-1795428000}
trap 'rm -rf "$tmp"' EXIT
# The 10.1" panel (1024x600) also at its real 117 dpi (ui_panel_dpi), as a
# visitor sees it: touch targets 15 mm there leave the least room.
for case in 1920x1080 1080x1920 1024x600 1024x600-117dpi; do
  size=${case%-*}
  printf 'dpi = %s\n' "$([ "$case" = "$size" ] && echo 96 || echo 117)" > "$tmp/k.conf"
  for lang in zh en; do
    dir=$out/$case/$lang
    rm -rf "$dir"; mkdir -p "$dir"
    rm -f "$tmp"/k.db*
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/k.db" init --demo >/dev/null
    { echo "lang $lang"; cat tests/kiosk/walk.txt; } > "$tmp/walk.txt"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/k.db" --config "$tmp/k.conf" \
      --window "$size" --lang "$lang" --script "$tmp/walk.txt" --shots "$dir"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/k.db" --config "$tmp/k.conf" \
      --window "$size" --lang "$lang" --lobby --shot "$dir/lobby.png"
  done
done
echo "gallery: $(find "$out" -name '*.png' | wc -l) screenshots in $out"

# ---- invitations (issue 14): tests/kiosk/invite_walk.txt on a store that
# holds two invitations, as the pull from head office leaves them ----
for size in 1920x1080 1080x1920 1024x600; do
  for lang in zh en; do
    dir=$out/$size/$lang
    rm -f "$tmp"/i.db*
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/i.db" init --demo >/dev/null
    sqlite3 "$tmp/i.db" "INSERT INTO invitation(code, day, name, phone, company, purpose, host,
      updated_at) VALUES ('2611230018', '2026-11-23', '王小明 Wang Xiaoming', '13800138000',
      '华东科技 ACME East', '签合同 Contract', '李娜', 0), ('2611240023', '2026-11-24',
      'Next Day', '13900139000', '', '', '', 0)"
    { echo "lang $lang"; cat tests/kiosk/invite_walk.txt; } > "$tmp/invite.txt"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/i.db" --window "$size" --lang "$lang" \
      --script "$tmp/invite.txt" --shots "$dir"
  done
done
echo "gallery: invitation screenshots added"
# ---- elder mode (长辈模式, issue 17): docs/screens/elder/SIZE[@DPI]/LANG ----
# The visitor screens with elder mode on (tests/kiosk/elder_walk.txt) at
# each size, and the 10.1" 1024x600 panel at its real dpi (117).
for case in 1920x1080 1080x1920 1024x600 1024x600@117; do
  size=${case%@*}
  dpi=96; [ "$case" != "$size" ] && dpi=${case#*@}
  for lang in zh en; do
    dir=$out/elder/$case/$lang
    rm -rf "$dir"; mkdir -p "$dir"
    rm -f "$tmp"/k.db*
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/k.db" init --demo >/dev/null
    printf 'dpi = %s\n' "$dpi" > "$tmp/elder.conf"
    { echo "lang $lang"; cat tests/kiosk/elder_walk.txt; } > "$tmp/elder.txt"
    SDL_RENDER_DRIVER=software SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/k.db" --config "$tmp/elder.conf" \
      --window "$size" --lang "$lang" --script "$tmp/elder.txt" --shots "$dir"
  done
done
echo "gallery: $(find "$out/elder" -name '*.png' | wc -l) elder-mode screenshots in $out/elder"

# ---- staff console and lobby (tests/console; kept by the console's owner) ----
# console-*.png: the console walk on the demo branch at a fixed time (so the
# screenshots do not depend on the hour they are made); lobby-*.png: the
# lobby display after a few calls.
for size in 1920x1080 1080x1920 1024x600; do
  for lang in zh en; do
    dir=$out/$size/$lang
    mkdir -p "$dir"
    rm -f "$tmp"/c.db*
    export FRONTDESK_NOW=1795399200
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/c.db" init --demo >/dev/null
    { echo "lang $lang"; cat tests/console/console_walk.txt; } > "$tmp/console.txt"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/c.db" --window "$size" --lang "$lang" \
      --script "$tmp/console.txt" --shots "$dir"
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/c.db" call 2 >/dev/null
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/c.db" call 3 >/dev/null
    SDL_RENDER_DRIVER=software SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/c.db" --window "$size" --lang "$lang" \
      --lobby --shot "$dir/lobby-calling.png"
    unset FRONTDESK_NOW
  done
done
echo "gallery: console and lobby screenshots added"

# ---- deny list (issue 14): the held visitor's end screen and the console's
# alert. The store gets a deny key and one entry as the pull would
# (tests/kiosk/deny_seed.py); tests/kiosk/deny_walk.txt signs the visitor in.
for size in 1920x1080 1080x1920 1024x600; do
  for lang in zh en; do
    dir=$out/$size/$lang
    mkdir -p "$dir"
    rm -f "$tmp"/d.db*
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/d.db" init --demo >/dev/null
    python3 tests/kiosk/deny_seed.py "$tmp/d.db" \
      9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 1 "Wang Barred" ""
    { echo "lang $lang"; cat tests/kiosk/deny_walk.txt; } > "$tmp/deny.txt"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --allow-root --db "$tmp/d.db" --window "$size" --lang "$lang" \
      --script "$tmp/deny.txt" --shots "$dir"
  done
done
echo "gallery: deny list screenshots added"

# ---- head-office browser console (scripts/gallery_hq.sh; kept by its owner) ----
bash scripts/gallery_hq.sh "$build"
