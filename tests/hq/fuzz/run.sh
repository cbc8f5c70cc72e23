#!/usr/bin/env bash
# Fuzzes head office's push-body parser (hq/hq_push.c, with the capped gunzip
# of app/sync/sync_wire.c) with libFuzzer (clang), ASan and UBSan:
# tests/hq/fuzz/run.sh [SECONDS, default 60]. Builds into ${BUILD:-build/fuzz};
# prints executions and whether it ran clean; crashes stay as crash-* files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
secs=${1:-60}
out=${BUILD:-$root/build/fuzz}
mkdir -p "$out"
pkgs="libcjson libsodium zlib"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c17"
clang $flags -I"$root/hq" -I"$root/app/sync" $(pkg-config --cflags $pkgs) \
      "$here/fuzz_push.c" "$root/hq/hq_push.c" "$root/app/sync/sync_wire.c" \
      $(pkg-config --libs $pkgs) -lm -o "$out/fuzz_push"
mkdir -p "$out/corpus_push"
cp -n "$here/corpus_push"/* "$out/corpus_push/" 2>/dev/null || true
(cd "$out" && ./fuzz_push -max_total_time="$secs" -max_len=8192 -print_final_stats=1 \
   corpus_push 2> fuzz_push.log) && st=clean || st=FAILED
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz_push.log")
echo "fuzz_push: ${secs}s, ${execs:-?} inputs, $st"
[ "$st" = clean ]
