#!/bin/sh
# test_elder.sh CTL FRONTDESK DIR WxH DPI LANG [THEME] - elder mode (issue 17):
# elder.txt at one size, panel dpi and language, then the speech of "read
# aloud" is checked in the audio the kiosk played (SDL's disk driver: the
# exact samples; not silent, at least half a second). Run under
# run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 src=$3 size=$4 dpi=$5 lang=$6 theme=${7:-default}
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdelder.XXXXXX") || exit 2
pass=0 fail=0
"$ctl" --db "$dir/k.db" init --demo >/dev/null
printf 'dpi = %s\ntheme = %s\n' "$dpi" "$theme" > "$dir/k.conf"
{ echo "lang $lang"; cat "$src/elder.txt"; } > "$dir/elder.txt"
if SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$dir/read.raw" SDL_DISKAUDIODELAY=4 \
   "$kiosk" --allow-root --db "$dir/k.db" --config "$dir/k.conf" --window "$size" \
   --lang "$lang" --script "$dir/elder.txt" --shots "$dir"; then
  pass=$((pass + 1))
else
  echo "FAIL: elder mode's rules on the screens (above)"
  fail=$((fail + 1))
fi
# 16-bit mono samples: some louder than 1000 (speech, not silence), and
# more than half a second of them at 22050 Hz.
if [ -s "$dir/read.raw" ] && od -An -v -td2 -w2 "$dir/read.raw" |
   awk '{ n++; if ($1 > 1000 || $1 < -1000) loud++ }
        END { printf "read aloud: %d samples, %d loud\n", n, loud; exit !(n > 11025 && loud > 1000) }'; then
  pass=$((pass + 1))
else
  echo "FAIL: read aloud played no speech"
  fail=$((fail + 1))
fi
rm -rf "$dir"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
