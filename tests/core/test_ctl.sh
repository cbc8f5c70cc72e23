#!/usr/bin/env bash
# test_ctl.sh - frontdesk-ctl as operators script it: command names, JSON
# keys, exit codes, errors on stderr, and the promises behind them.
# usage: test_ctl.sh PATH_TO_FRONTDESK_CTL
set -u
CTL=$1
dir=$(mktemp -d /tmp/fdctl.XXXXXX)
trap 'rm -rf "$dir"' EXIT
db=$dir/k.db
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
expect() { # description, expected, actual
  if [ "$2" == "$3" ]; then ok; else bad "$1: expected [$2] got [$3]"; fi
}
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
c() { "$CTL" --db "$db" "$@"; }
export FRONTDESK_NOW=1795428000   # 2026-11-23 10:00 UTC = 18:00 in Shanghai

c --json init --demo > "$dir/init.json"; expect "init exit" 0 $?
expect "init json" True "$(jq_ "d['demo'] and len(d['device_id']) == 32" < "$dir/init.json")"

out=$(c --json ticket take A); expect "take exit" 0 $?
expect "take keys" True "$(echo "$out" | jq_ "all(k in d for k in ['ticket','service','ahead','estimated_wait_s','id'])")"
expect "take label" A006 "$(echo "$out" | jq_ "d['ticket']")"
expect "take service" A "$(echo "$out" | jq_ "d['service']")"

# errors: stderr JSON, non-zero exit, nothing on stdout
out=$(c --json ticket take Q 2> "$dir/err"); rc=$?
expect "unknown service exit" 1 $rc
expect "unknown service stdout" "" "$out"
expect "unknown service error" not_found "$(jq_ "d['error']" < "$dir/err")"
c ticket take 2>/dev/null; expect "usage exit" 2 $?
c frobnicate 2>/dev/null; expect "unknown command exit" 2 $?
c ticket take A --bogus 2>/dev/null; expect "unknown option exit" 2 $?
c --json visitor in --name "张三" --phone "not a phone" --host 李娜 2> "$dir/err" >/dev/null
expect "bad phone field" phone "$(jq_ "d['field']" < "$dir/err")"
c visitor in --name $'bad\x01name' --phone 13812345678 --host 李娜 2>/dev/null >/dev/null
expect "control char exit" 1 $?

# the queue in call order: priority first
c ticket take C --priority >/dev/null
expect "priority first" C003 "$(c --json queue C | jq_ "d['waiting'][0]['ticket']")"

# counter flow through the CLI
expect "call" called "$(c --json call 3 | jq_ "d['state']")"
expect "serve" serving "$(c --json serve 3 | jq_ "d['state']")"
expect "finish" done "$(c --json finish 3 | jq_ "d['state']")"
last=$(c --json ticket show C003 | jq_ "d['id']")
expect "rate poor offers complaint" True "$(c --json rate "$last" --service poor | jq_ "d['offer_complaint']")"
c rate "$last" --service good 2>/dev/null; expect "rated twice" 1 $?

# complaints: file, show by the spoken form, advance
ref=$(c --json complaint file --category service --description "柜台没人" | jq_ "d['ref_display']")
expect "ref shape" True "$(python3 -c "import re,sys; print(bool(re.fullmatch(r'\d{6}-\d{3}-\d{3}-\d', sys.argv[1])))" "$ref")"
expect "show by ref" received "$(c --json complaint show "$ref" | jq_ "d['state']")"
expect "advance" assessed "$(c --json --actor li complaint advance "$ref" assessed --severity ordinary | jq_ "d['state']")"
c complaint advance "$ref" resolved 2>/dev/null; expect "skip a step" 1 $?

# the clock set backwards: same business day, numbers go on
n1=$(c --json ticket take B | jq_ "d['number']")
FRONTDESK_NOW=1000000000 c --json ticket take B > "$dir/back.json"
expect "clock backwards number" $((n1 + 1)) "$(jq_ "d['number']" < "$dir/back.json")"
expect "clock backwards day" "$(c --json ticket take B | jq_ "d['bday']")" "$(jq_ "d['bday']" < "$dir/back.json")"
# the next business day (04:00 Shanghai = 20:00 UTC) starts again at 001
expect "next day" B001 "$(FRONTDESK_NOW=$((1795428000 + 10*3600 + 60)) c --json ticket take B | jq_ "d['ticket']")"

# reports, export, handover, config
expect "report" True "$(c --json report day 2026-11-23 | jq_ "d['tickets'] > 5 and 'by_service' in d")"
expect "csv header" "id,bday,issued_service_id" "$(c export csv ticket | head -1 | cut -d, -f1-3)"
c export csv outbox 2>/dev/null; expect "csv outbox refused" 1 $?
expect "handover" True "$(c --json handover --staff li --note "交班" | jq_ "'open' in d")"
c config set recall_limit 99 2>/dev/null; expect "bad config" 1 $?
expect "config set" 5 "$(c config set recall_limit 5)"
c config set timezone Nowhere/City 2>/dev/null; expect "bad zone" 1 $?
c config set timezone Asia 2>/dev/null; expect "a region is not a zone" 1 $?
c config set timezone posix 2>/dev/null; expect "a folder is not a zone" 1 $?

# backup and restore
c backup "$dir/b.db" >/dev/null; expect "backup" 0 $?
before=$(c --json queue | jq_ "d['count']")
c ticket take A >/dev/null
c restore "$dir/b.db" >/dev/null; expect "restore" 0 $?
expect "restored queue" "$before" "$(c --json queue | jq_ "d['count']")"
expect "epoch raised" 2 "$(c --json status | jq_ "d['epoch']")"
# a number handed out after the backup is never handed out again (issue 15)
c backup "$dir/b3.db" >/dev/null
lost=$(c --json ticket take B | jq_ "d['ticket']")
c --json restore "$dir/b3.db" >/dev/null; expect "restore again" 0 $?
again=$(c --json ticket take B | jq_ "d['ticket']")
expect "not issued twice ($lost, then $again)" 1 "$([ -n "$lost" ] && [ "$lost" \< "$again" ] && echo 1)"
expect "epoch past both timelines" 3 "$(c --json status | jq_ "d['epoch']")"

# a damaged database: clear error, a way out, non-zero exit
printf 'garbage%.0s' {1..600} > "$dir/bad.db"
"$CTL" --db "$dir/bad.db" queue 2> "$dir/err"; expect "corrupt exit" 3 $?
expect "corrupt message" 1 "$(grep -c 'restore the last backup' "$dir/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
