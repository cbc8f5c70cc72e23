#!/bin/sh
# test_others.sh CTL FRONTDESK - the staff console shows what other
# processes do: with the console open on counter 1, another process
# (frontdesk-ctl, as a second console would) finishes that counter's ticket
# and calls the next. Within a second the console shows the new number;
# a moment after the call (before the console's next look at the store) it
# still shows the old one, which proves the poll is what updated it.
# Run under tests/ui/run-xvfb.sh. Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdothers.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_others: FAILED: $2" >&2; fi; }
run() { # WAIT_MS EXPECT: open the console, another process calls, wait, expect
  rm -f "$dir"/k.db*
  "$ctl" --db "$dir/k.db" init --demo >/dev/null
  before=$("$ctl" --db "$dir/k.db" --json counter list | python3 -c "import json,sys; print([c['ticket'] for c in json.load(sys.stdin)['counters'] if c['id']==1][0])")
  next=$("$ctl" --db "$dir/k.db" --json queue | python3 -c "
import json,sys
w=[t for t in json.load(sys.stdin)['waiting'] if t['service'] in ('A','B')]
print(w[0]['ticket'])")
  [ "$2" = next ] && want=$next || want=$before
  cat > "$dir/script" <<EOS
lang en
screen staff
tap_id staff_1
type 1234
key Return
wait_login
expect_screen console
expect ticket $before
exec "$ctl" --db "$dir/k.db" finish 1 >/dev/null && "$ctl" --db "$dir/k.db" call 1 >/dev/null
wait $1
expect ticket $want
EOS
  "$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --script "$dir/script" --shots "$dir" 2> "$dir/err"
}
run 1100 next; check $? "the console did not show the ticket another process called: $(cat "$dir/err")"
run 100 before; check $? "the console changed before its poll (the test cannot tell the poll did it): $(cat "$dir/err")"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
