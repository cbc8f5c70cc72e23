#!/bin/sh
# ctl_busy.sh - frontdesk-ctl never calls a busy database damaged (issue 16):
# "damaged ... restore the last backup" on a healthy store is advice that
# throws data away. Two frontdesk-ctl processes writing and reading the same
# store at once, and one call made while another program holds the database
# exclusively: every failure says busy or locked, none says damaged.
#   ctl_busy.sh FRONTDESK_CTL
set -u
ctl=$1
dir=$(mktemp -d /tmp/fdtest-ctlbusy-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export FRONTDESK_DB="$dir/f.db"
passed=0 failed=0
check() { # check NAME CONDITION-STATUS
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}
"$ctl" init >/dev/null 2>&1
"$ctl" service add A "综合" General >/dev/null 2>&1
loop() { # loop TAG COMMAND...
    tag=$1; shift
    i=0
    while [ $i -lt 40 ]; do
        "$ctl" "$@" >/dev/null 2>>"$dir/err.$tag" || echo x >>"$dir/fail.$tag"
        i=$((i + 1))
    done
}
loop a ticket take A & loop b ticket take A & loop c status & loop d config set branch_name X &
wait
cat "$dir"/err.* 2>/dev/null | grep -i damaged >&2
! cat "$dir"/err.* 2>/dev/null | grep -qi damaged
check "no call of four concurrent loops says damaged" $?
[ "$(cat "$dir"/fail.* 2>/dev/null | wc -l)" -eq 0 ]
check "four concurrent loops: every call succeeded (busy waits)" $?

# Another program holds the database exclusively for longer than the
# busy timeout (5 s): the call fails as busy, not as damaged.
(printf 'PRAGMA locking_mode=EXCLUSIVE;\nBEGIN EXCLUSIVE;\nUPDATE meta SET value = value WHERE key = %s;\n' "'epoch'"; sleep 9) |
    sqlite3 "$FRONTDESK_DB" >/dev/null 2>&1 &
holder=$!
sleep 1
out=$("$ctl" status 2>&1 >/dev/null)
st=$?
kill $holder 2>/dev/null
wait $holder 2>/dev/null
[ $st -ne 0 ]
check "a call while another program holds the database fails" $?
echo "$out" | grep -qiE "busy|locked"
check "it says busy or locked: $out" $?
! echo "$out" | grep -qi damaged
check "it does not say damaged" $?
"$ctl" status >/dev/null 2>&1
check "afterwards the same store opens" $?
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
