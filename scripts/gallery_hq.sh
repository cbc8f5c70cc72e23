#!/usr/bin/env bash
# Screenshots of the head-office browser console (hq/console) into
# docs/screens/hq/SIZE/LANG/: every page at 1920x1080 and 1366x768, in
# Chinese and English, from a real frontdesk-hq fed by real kiosk stores
# (tests/hq/console/gallery.mjs). Debian's Chromium, headless.
#   scripts/gallery_hq.sh [BUILD_DIR]     (default build/plain, built if needed)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${1:-build/plain}
[ -x "$build/hq/frontdesk-hq" ] && [ -x "$build/app/ctl/frontdesk-ctl" ] || bash scripts/build.sh "$build" >/dev/null
[ -d tests/browser/node_modules ] || bash scripts/deps.sh
FD_BUILD="$build" NODE_PATH="$here/tests/browser/node_modules" node tests/hq/console/gallery.mjs docs/screens/hq
