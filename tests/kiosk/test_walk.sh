#!/bin/sh
# test_walk.sh LANG CTL FRONTDESK PNGDIFF SRCDIR - walks every visitor screen
# of the real kiosk (tests/kiosk/walk.txt) in one language at 1024x600, then
# checks the store through frontdesk-ctl: the ticket, the visitor, the
# complaint and the rating the walk made are there, with what was typed, and
# their receipts were queued and printed by the virtual printer. Compares two
# screens with golden images. Runs under tests/ui/run-xvfb.sh.
set -u
lang=$1 ctl=$2 kiosk=$3 pngdiff=$4 src=$5
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdwalk.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_walk: FAILED: $2" >&2; fi; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

"$ctl" --db "$dir/k.db" init --demo >/dev/null; check $? "init --demo"
{ echo "lang $lang"; cat "$src/walk.txt"; } > "$dir/walk.txt"
"$kiosk" --allow-root --db "$dir/k.db" --window 1024x600 --lang "$lang" --script "$dir/walk.txt" \
  --shots "$dir" 2> "$dir/err"
check $? "the walk failed: $(cat "$dir/err")"

c() { "$ctl" --db "$dir/k.db" --json "$@"; }
check "$([ "$(c ticket show A006 | json "d['state']")" = waiting ]; echo $?)" "ticket A006 not issued"
check "$([ "$(c visitor list --all | json "[v['name'] for v in d['visitors'] if v['badge']=='V0003'][0]")" = 周晓明 ]; echo $?)" \
  "visitor V0003 not signed in as typed"
check "$([ "$(c visitor list --all | json "[v['host'] for v in d['visitors'] if v['badge']=='V0003'][0]")" = 王晓明 ]; echo $?)" \
  "visitor's host not from the directory"
check "$([ "$(c complaint list | json "sum(1 for x in d['complaints'] if x['description'].startswith('排队等了一个多小时') and x['category']=='waiting' and x['contact_name']=='陈先生' and x['consent'])")" = 1 ]; echo $?)" \
  "complaint not filed with contact and consent"
rating=$(c export csv rating | sed -n 2p | cut -d, -f4-6)
check "$([ "$rating" = "2,4,3" ]; echo $?)" "rating stored as $rating, want 2,4,3"
nrating=$(c export csv rating | sed 1d | grep -c .)
check "$([ "$nrating" = 1 ]; echo $?)" "$nrating ratings stored, want 1 (once per ticket)"
jobs=$("$ctl" --db "$dir/k.db" printer jobs)
for kind in ticket visitor complaint; do
  echo "$jobs" | grep -q " $kind .* done"; check $? "no $kind receipt printed: $jobs"
done
[ -s "$dir/last-receipt.png" ]; check $? "the virtual printer wrote no receipt"
for shot in home complaint-category; do
  "$pngdiff" "$src/golden/$shot-$lang-1024x600.png" "$dir/$shot.png" 32 5 \
    "${TMPDIR:-/tmp}/kiosk-$shot-$lang-diff.png" >/dev/null
  check $? "$shot differs from its golden image (diff: ${TMPDIR:-/tmp}/kiosk-$shot-$lang-diff.png)"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
