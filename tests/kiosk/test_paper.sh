#!/bin/sh
# test_paper.sh CTL FRONTDESK DIR - honest about paper (issue 17). With a
# printer that cannot be opened (file: in a missing folder) the kiosk runs
# paper_down.txt; afterwards every receipt it queued is cancelled in the
# store, none pending to print for the next person. With the virtual
# printer, paper_ok.txt sees the receipt printed. Run under run-xvfb.sh.
# Prints "N passed, N failed".
set -u
ctl=$1 kiosk=$2 src=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdpaper.XXXXXX") || exit 2
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_paper: FAILED: $2" >&2; fi; }
jobs() { "$ctl" --db "$1" --json printer jobs | python3 -c "
import json, sys
j = json.load(sys.stdin)['jobs']
print(' '.join(sorted(x['kind'] + ':' + x['state'] for x in j)))"; }
mkdir "$dir/down" "$dir/ok"
"$ctl" --db "$dir/down/k.db" init --demo >/dev/null
printf 'printer_uri = file:%s/missing/lp0\n' "$dir" > "$dir/down.conf"
"$kiosk" --allow-root --db "$dir/down/k.db" --config "$dir/down.conf" --window 1024x600 \
    --script "$src/paper_down.txt" --shots "$dir/down"
check $? "paper_down.txt"
got=$(jobs "$dir/down/k.db")
[ "$got" = "complaint:cancelled ticket:cancelled visitor:cancelled" ]
check $? "receipts not printed are cancelled when the visitor leaves: $got"
"$ctl" --db "$dir/ok/k.db" init --demo >/dev/null
"$kiosk" --allow-root --db "$dir/ok/k.db" --window 1024x600 --script "$src/paper_ok.txt" --shots "$dir/ok"
check $? "paper_ok.txt"
got=$(jobs "$dir/ok/k.db")
[ "$got" = "ticket:done" ]; check $? "the receipt printed: $got"
rm -rf "$dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
