#!/bin/sh
# run-xvfb.sh CMD [ARGS...] - runs CMD on a private Xvfb with the software
# renderer (deterministic pixels). Xvfb picks its own free display
# (-displayfd), so tests running in parallel never race for one, unlike
# `xvfb-run -a`. The screen is 1920x1920 so both 1920x1080 and 1080x1920
# windows fit. Exit status is CMD's.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/uixvfb.XXXXXX") || exit 2
Xvfb -displayfd 3 -screen 0 1920x1920x24 -nolisten tcp -noreset \
    3>"$tmp/display" 2>"$tmp/log" &
xpid=$!
i=0
while [ ! -s "$tmp/display" ] && [ $i -lt 200 ]; do
    kill -0 $xpid 2>/dev/null || break
    sleep 0.05; i=$((i + 1))
done
if [ ! -s "$tmp/display" ]; then
    echo "run-xvfb: Xvfb did not start:" >&2; cat "$tmp/log" >&2
    kill $xpid 2>/dev/null; rm -rf "$tmp"; exit 2
fi
DISPLAY=":$(head -n1 "$tmp/display")"
export DISPLAY
export SDL_VIDEODRIVER=x11 SDL_RENDER_DRIVER=software
"$@"
rc=$?
kill $xpid 2>/dev/null
wait $xpid 2>/dev/null
rm -rf "$tmp"
exit $rc
