#!/usr/bin/env bash
# Configures and builds one build tree: scripts/build.sh DIR [cmake options...]
# A development build: warnings are errors (FD_WERROR=ON; pass -DFD_WERROR=OFF
# after DIR to turn that off) with the test-only hooks (FD_TEST_HOOKS=ON, which
# the tests need). A packager's plain cmake build has both off.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; shift
cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFD_WERROR=ON -DFD_TEST_HOOKS=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
