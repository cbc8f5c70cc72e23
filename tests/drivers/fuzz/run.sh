#!/usr/bin/env bash
# Fuzzes the ESC/POS builder and the virtual printer with libFuzzer (clang),
# ASan and UBSan: tests/drivers/fuzz/run.sh [SECONDS per target, default 60].
# Builds into ${BUILD:-build/fuzz}; prints each target's executions and
# whether it ran clean. Crashes are left as crash-* files in the build dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
secs=${1:-60}
out=${BUILD:-$root/build/fuzz}
mkdir -p "$out"
pkgs="freetype2 fontconfig libqrencode libpng"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c17"
inc="-I$root/drivers/escpos -I$root/drivers/virtual -I$root/tests/drivers"
src="$root/drivers/escpos/escpos.c $root/drivers/escpos/escpos_profile.c $root/drivers/escpos/escpos_font.c $root/drivers/virtual/vprn.c"
for t in escpos vprn; do
  clang $flags $inc $(pkg-config --cflags $pkgs) "$here/fuzz_$t.c" $src \
        $(pkg-config --libs $pkgs) -lpthread -o "$out/fuzz_$t"
  mkdir -p "$out/corpus_$t"
  cp -n "$here/corpus_$t"/* "$out/corpus_$t/" 2>/dev/null || true
  (cd "$out" && LSAN_OPTIONS="suppressions=$root/tests/drivers/lsan.supp:print_suppressions=0" ./fuzz_$t -max_total_time="$secs" -max_len=2048 -print_final_stats=1 \
     "corpus_$t" 2> "fuzz_$t.log") && st=clean || st=FAILED
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz_$t.log" | tail -1)
  echo "fuzz_$t: ${secs}s, ${execs:-?} inputs, $st"
done
