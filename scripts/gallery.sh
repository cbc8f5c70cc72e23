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
trap 'rm -rf "$tmp"' EXIT
for size in 1920x1080 1080x1920 1024x600; do
  for lang in zh en; do
    dir=$out/$size/$lang
    rm -rf "$dir"; mkdir -p "$dir"
    rm -f "$tmp"/k.db*
    "$build/app/ctl/frontdesk-ctl" --db "$tmp/k.db" init --demo >/dev/null
    { echo "lang $lang"; cat tests/kiosk/walk.txt; } > "$tmp/walk.txt"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --db "$tmp/k.db" --window "$size" --lang "$lang" \
      --script "$tmp/walk.txt" --shots "$dir"
    SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 ${size}x24" \
      "$build/app/kiosk/frontdesk" --db "$tmp/k.db" --window "$size" --lang "$lang" \
      --lobby --shot "$dir/lobby.png"
  done
done
echo "gallery: $(find "$out" -name '*.png' | wc -l) screenshots in $out"
