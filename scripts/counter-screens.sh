#!/bin/sh
# counter-screens.sh [BUILD_DIR=build/plain] - regenerates
# docs/screens/counter/: the counter page (login and at work) at phone,
# tablet and desktop sizes in Chinese and English, in Debian's Chromium.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build/plain}" && pwd)
NODE_PATH="$here/tests/browser/node_modules" node "$here/tests/counter/screens.mjs" \
  "$build/app/ctl/frontdesk-ctl" "$build/app/counter/frontdesk-counter" "$here/docs/screens/counter"
ls "$here/docs/screens/counter"
