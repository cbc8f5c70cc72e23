#!/bin/sh
# no_test_hooks_all.sh - the binaries of a build without FD_TEST_HOOKS (as a
# packager's plain cmake build makes them, and as they ship) hold none of the
# test hooks' names: no environment variable a test sets (FRONTDESK_NOW,
# FRONTDESK_VOICE_DRAIN, FRONTDESK_MEMDEBUG, FDHQ_FAULT, FD_MACHINE_ID_FILE)
# and none of the kiosk's test options (--script, --shots, --first-frame).
# A name a production binary must hold (FRONTDESK_DB, read by frontdesk)
# shows that the search itself finds strings in these files.
# Usage: no_test_hooks_all.sh KIOSK_BINARY OTHER_BINARY...
passed=0; failed=0
kiosk=$1
if grep -aqF FRONTDESK_DB "$kiosk" 2>/dev/null; then
  passed=$((passed + 1))
else
  echo "the search finds no FRONTDESK_DB in $kiosk: it cannot be trusted"; failed=$((failed + 1))
fi
for f in "$@"; do
  if [ ! -s "$f" ]; then
    echo "missing: $f"; failed=$((failed + 1)); continue
  fi
  for name in FRONTDESK_NOW FRONTDESK_VOICE_DRAIN FRONTDESK_MEMDEBUG FDHQ_FAULT \
              FD_MACHINE_ID_FILE --script --shots --first-frame; do
    if grep -aqF -e "$name" "$f"; then
      echo "$name is in $f (a production binary must not read it)"; failed=$((failed + 1))
    else
      passed=$((passed + 1))
    fi
  done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
