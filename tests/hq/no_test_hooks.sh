#!/bin/sh
# no_test_hooks.sh - a production frontdesk-hq never reads the test-only
# fault hooks: hq_server.c compiled without FD_TEST_HOOKS (as a packager's
# plain cmake build does) holds no FDHQ_FAULT, while the test build's
# binary does (so the search itself works).
# Usage: no_test_hooks.sh PRODUCTION_FILE... -- TEST_BUILD_FILE...
passed=0; failed=0
want=absent
for f in "$@"; do
  if [ "$f" = "--" ]; then want=present; continue; fi
  if [ ! -s "$f" ]; then
    echo "missing: $f"; failed=$((failed + 1)); continue
  fi
  if grep -q FDHQ_FAULT "$f"; then got=present; else got=absent; fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    echo "FDHQ_FAULT is $got in $f (want $want)"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
