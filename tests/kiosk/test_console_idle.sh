#!/bin/sh
# test_console_idle.sh CTL FRONTDESK SRCDIR - the staff console left alone
# signs out after 120 s (console_idle.txt, on the script's fake clock) and
# the store's audit log holds that idle sign-out, under the staff member's
# name (issue 17). Run under run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 src=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdconidle.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_console_idle: FAILED: $2" >&2; fi; }
"$ctl" --db "$dir/k.db" init --demo >/dev/null; check $? "init --demo"
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --script "$src/console_idle.txt" \
    --shots "$dir" 2> "$dir/err"
check $? "the script failed: $(cat "$dir/err")"
n=$(sqlite3 "$dir/k.db" "SELECT count(*) FROM audit WHERE action = 'signout.idle' AND actor <> '' AND detail = 'idle 120 s'")
check "$([ "$n" = 1 ]; echo $?)" "idle sign-outs audited: $n, want 1"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
