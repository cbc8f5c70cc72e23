#!/bin/sh
# no_test_hooks.sh - a production binary never reads a test-only hook: the
# source compiled without FD_TEST_HOOKS (as a packager's plain cmake build
# does) holds no NAME (e.g. FDHQ_FAULT), while the test build's does (so the
# search itself works).
# Usage: no_test_hooks.sh NAME PRODUCTION_FILE... -- TEST_BUILD_FILE...
name=$1; shift
passed=0; failed=0
want=absent
for f in "$@"; do
  if [ "$f" = "--" ]; then want=present; continue; fi
  if [ ! -s "$f" ]; then
    echo "missing: $f"; failed=$((failed + 1)); continue
  fi
  if grep -q "$name" "$f"; then got=present; else got=absent; fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    echo "$name is $got in $f (want $want)"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
