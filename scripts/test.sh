#!/usr/bin/env bash
# Sets everything up and runs every test: the plain build, then the same suite
# built with AddressSanitizer + UBSan. Ends with one "N passed, N failed" line.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/deps.sh || { echo "deps: install failed"; exit 2; }
passed=0; failed=0; rc=0
run_suite() { # name build-dir [-R regex] cmake-options...
  local name=$1 dir=$2; shift 2
  local only=()
  if [ "${1:-}" = -R ]; then only=(-R "$2"); shift 2; fi
  echo "=== $name: build ($dir)"
  if ! bash scripts/build.sh "$dir" "$@"; then
    echo "=== $name: BUILD FAILED"; failed=$((failed + 1)); rc=1; return
  fi
  echo "=== $name: ctest"
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j "$(nproc)" --timeout 900 "${only[@]}") 2>&1 | tee "$log"
  local st=${PIPESTATUS[0]}
  local total bad
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  bad=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
  [ -n "$total" ] || { total=0; bad=1; }
  passed=$((passed + total - bad)); failed=$((failed + bad))
  [ "$st" -eq 0 ] || rc=1
}
# The plain suite also installs, upgrades and purges the Debian packages on
# the machine itself (tests/kiosk/test_package.sh): as root, on a machine
# where frontdesk is not installed (CI's throwaway machine); FD_PACKAGE_TEST=OFF
# in the environment leaves it out.
pkgtest=OFF
if [ "$(id -u)" -eq 0 ] && ! dpkg-query -W -f='${Status}' frontdesk 2>/dev/null | grep -q 'ok installed'; then
  pkgtest=ON
fi
[ "${FD_PACKAGE_TEST:-}" = OFF ] && pkgtest=OFF
run_suite plain build/plain -DFD_WERROR=ON -DFD_PACKAGE_TEST=$pkgtest
run_suite sanitized build/asan -DFD_SANITIZE=ON -DFD_WERROR=ON
# What a packager builds: Release, no test hooks (scripts/build.sh turns them
# on for the suites above). Its programs must hold none of the hooks' names,
# and its clock must be the real one.
run_suite release build/release -R 'no_test_hooks_shipped|core_bday' \
  -DCMAKE_BUILD_TYPE=Release -DFD_TEST_HOOKS=OFF -DFD_WERROR=ON
echo "suites: plain + ASan/UBSan + Release without test hooks (CTest tests counted once per suite)"
echo "$passed passed, $failed failed"
exit $rc
