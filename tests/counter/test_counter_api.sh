#!/bin/sh
# test_counter_api.sh CTL COUNTER - frontdesk-counter's JSON API over real
# HTTP on loopback, with curl, on a demo store: the page and its headers,
# unauthenticated requests refused, the login (CSRF token, cross-site
# refused, wrong PIN, lockout), every action and its refusals as core words
# them, the audit log (staff name and counter), logout, a visitor's personal
# data never in an answer, the SSE stream's reconnect with Last-Event-ID
# after calls made by another process (frontdesk-ctl), and TLS with the
# certificate made at first start beyond loopback.
set -u
ctl=$1 srv=$2
# A fixed clock (FRONTDESK_NOW, read by core in every program): the demo's
# services are open and the business day does not turn over mid-test.
export FRONTDESK_NOW=1795399200
dir=$(mktemp -d "${TMPDIR:-/tmp}/fdcounter.XXXXXX") || exit 2
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$dir"' EXIT
passed=0; failed=0
check() { if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test_counter_api: FAILED: $2" >&2; fi; }
is() { [ "$1" = "$2" ]; check $? "$3: got '$1', want '$2'"; }
db=$dir/k.db
"$ctl" --db "$db" init --demo >/dev/null; check $? "init --demo"
"$ctl" --db "$db" visitor in --name 张三秘密 --phone 13900001234 --host 张伟 >/dev/null
check $? "a visitor signed in"

# start NAME ARGS...: starts the server, waits for its "listening on" line
# (at most 30 s), sets $url.
start() {
  out=$dir/$1.out; shift
  "$srv" --db "$db" "$@" > "$out" 2> "$out.err" &
  pids="$pids $!"; last=$!
  i=0; url=
  while [ $i -lt 1500 ] && [ -z "$url" ]; do
    url=$(sed -n 's/^frontdesk-counter: listening on //p' "$out"); [ -n "$url" ] || sleep 0.02; i=$((i + 1))
  done
  url=${url%/}
}
start plain --listen 127.0.0.1:0
check "$([ -n "$url" ]; echo $?)" "the server did not start: $(cat "$out.err")"
case $url in http://127.0.0.1:*) r=0 ;; *) r=1 ;; esac; check $r "plain HTTP on loopback: $url"

J() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# req JAR METHOD PATH [BODY] [extra curl args]: prints "STATUS BODY"
req() {
  jar=$1 m=$2 p=$3 body=${4:-}; shift 3; [ $# -gt 0 ] && shift
  if [ -n "$body" ]; then
    curl -s -b "$jar" -c "$jar" -X "$m" -H 'Content-Type: application/json' -d "$body" \
      -w '\n%{http_code}' "$@" "$url$p"
  else
    curl -s -b "$jar" -c "$jar" -X "$m" -w '\n%{http_code}' "$@" "$url$p"
  fi | awk '{ l[NR] = $0 } END { printf "%s", l[NR]; for (i = 1; i < NR; i++) printf " %s", l[i]; print "" }'
}
code() { echo "${1%% *}"; }
body() { echo "${1#* }"; }

# ---- the page
curl -s -D "$dir/h" -o "$dir/index.html" "$url/"; check $? "GET /"
grep -qi '^content-security-policy:.*script-src .self.' "$dir/h"; check $? "CSP on the page"
grep -qi "^x-frame-options: DENY" "$dir/h"; check $? "no framing"
grep -q '<script type="module" crossorigin src="/assets/' "$dir/index.html"; check $? "the page's script is a file"
n=$(grep -c '<script' "$dir/index.html"); m=$(grep -c '<script[^>]* src=' "$dir/index.html")
is "$n" "$m" "no inline script"
js=$(sed -n 's/.*src="\(\/assets\/[^"]*\.js\)".*/\1/p' "$dir/index.html")
r=$(curl -s -o /dev/null -w '%{http_code}' "$url$js"); is "$r" 200 "the script $js"

# ---- unauthenticated
for p in /api/call /api/recall /api/noshow /api/serve /api/finish /api/transfer /api/open /api/close; do
  r=$(req "$dir/none" POST $p '{}'); is "$(code "$r")" 401 "POST $p without a session"
done
r=$(req "$dir/none" GET /api/queue); is "$(code "$r")" 401 "GET /api/queue without a session"
r=$(req "$dir/none" GET /api/events); is "$(code "$r")" 401 "GET /api/events without a session"
is "$(body "$r" | J "d['error']")" unauthenticated "refusal names why"

# ---- login
r=$(req "$dir/a" GET /api/session); is "$(code "$r")" 200 "GET /api/session"
csrf=$(body "$r" | J "d['csrf']")
body "$r" | J "d['staff_names']" | grep -q "Reception"; check $? "the login form's staff names"
login() { # JAR CSRF STAFF PIN COUNTER [curl args]
  j=$1 t=$2 s=$3 p=$4 c=$5; shift 5
  req "$j" POST /api/login "{\"staff\":\"$s\",\"pin\":\"$p\",\"counter\":$c}" -H "X-CSRF-Token: $t" "$@"
}
r=$(login "$dir/a" "" "前台 Reception" 2580 2); is "$(code "$r")" 403 "login without the CSRF token"
r=$(login "$dir/a" "$csrf" "前台 Reception" 2580 2 -H "Origin: http://evil.example"); is "$(code "$r")" 403 "login from another origin"
r=$(login "$dir/a" "$csrf" "前台 Reception" 2580 2 -H "Sec-Fetch-Site: cross-site"); is "$(code "$r")" 403 "login sent cross-site"
is "$(body "$r" | J "d['error']")" cross_site "cross-site refusal names why"
r=$(login "$dir/a" "$csrf" "Nobody" 2580 2); is "$(code "$r")" 404 "unknown staff"
r=$(login "$dir/a" "$csrf" "前台 Reception" 2580 77); is "$(code "$r")" 404 "unknown counter"
r=$(login "$dir/a" "$csrf" "前台 Reception" 2580 0); is "$(code "$r")" 400 "counter 0"
r=$(login "$dir/a" "$csrf" "前台 Reception" '' 2); is "$(code "$r")" 400 "no PIN"
# wrong PIN: the same lockout as the console (core's staff module)
r=$(login "$dir/a" "$csrf" "值班经理 Duty manager" 0000 1); is "$(code "$r")" 401 "wrong PIN"
is "$(body "$r" | J "d['error']")" wrong_pin "wrong PIN named"
login "$dir/a" "$csrf" "值班经理 Duty manager" 0001 1 >/dev/null
r=$(login "$dir/a" "$csrf" "值班经理 Duty manager" 0002 1); echo "third wrong PIN: $r"
r=$(login "$dir/a" "$csrf" "值班经理 Duty manager" 1234 1); is "$(code "$r")" 429 "locked after three wrong PINs, even with the right one"
body "$r" | J "d['message']" | grep -q "locked"; check $? "the lockout says so: $r"

curl -s -D "$dir/lh" -o "$dir/lb" -b "$dir/a" -c "$dir/a" -H 'Content-Type: application/json' \
  -H "X-CSRF-Token: $csrf" -d '{"staff":"前台 Reception","pin":"2580","counter":2}' "$url/api/login"
grep -qi '^set-cookie: fdc_sid=[0-9a-f]\{64\}; .*HttpOnly' "$dir/lh"; check $? "session cookie HttpOnly: $(grep -i set-cookie "$dir/lh")"
grep -qi '^set-cookie:.*SameSite=Strict' "$dir/lh"; check $? "session cookie SameSite=Strict"
t=$(J "d['csrf']" < "$dir/lb"); is "$(J "d['counter']" < "$dir/lb")" 2 "logged in at counter 2"
[ "$t" != "$csrf" ]; check $? "a new CSRF token at login"
H="X-CSRF-Token: $t"

# ---- actions
act() { req "$dir/a" POST "/api/$1" "${2:-{\}}" -H "$H"; }
r=$(act call); is "$(code "$r")" 200 "call"; lab=$(body "$r" | J "d['ticket']['ticket']")
is "$(body "$r" | J "d['ticket']['state']")" called "called"
r=$(act recall); is "$(body "$r" | J "d['ticket']['recalls']")" 1 "recall"
r=$(act serve); is "$(body "$r" | J "d['ticket']['state']")" serving "serve"
r=$(act finish); is "$(body "$r" | J "d['ticket']['state']")" done "finish"
is "$(body "$r" | J "d['ticket']['ticket']")" "$lab" "finish acts on the called ticket"
r=$(act call); lab2=$(body "$r" | J "d['ticket']['ticket']")
r=$(act noshow); is "$(body "$r" | J "d['ticket']['state']")" noshow "no-show"
r=$(act call); lab3=$(body "$r" | J "d['ticket']['ticket']")
r=$(act transfer '{"service":"B"}'); is "$(code "$r")" 200 "transfer"
is "$(body "$r" | J "d['ticket']['state']+d['ticket']['service']")" waitingB "transferred to B, waiting"
# refusals, worded by core as frontdesk-ctl words them
r=$(act recall); is "$(code "$r")" 409 "recall with no ticket"
is "$(body "$r" | J "d['error']")" wrong_state "recall refused: wrong_state"
"$ctl" --db "$db" --json recall 2 2> "$dir/ctlerr"; m=$(J "d['message']" < "$dir/ctlerr")
is "$(body "$r" | J "d['message']")" "$m" "the same sentence as frontdesk-ctl"
r=$(act transfer '{}'); is "$(code "$r")" 400 "transfer without a service"
r=$(act call); r=$(act transfer '{"service":"Z"}'); is "$(code "$r")" 404 "transfer to no such service"
r=$(act close); is "$(code "$r")" 409 "close with a ticket called"
body "$r" | J "d['message']" | grep -q "finish or transfer"; check $? "close refusal says why"
act finish >/dev/null
r=$(act close); is "$(body "$r" | J "d['open']")" False "close"
"$ctl" --db "$db" counter list | grep -q "^ *2 .* closed"; check $? "closed in the store"
r=$(act open); is "$(body "$r" | J "d['open']")" True "open"
# nothing waiting: a counter for a service with no tickets
"$ctl" --db "$db" service add Q 空 Empty >/dev/null && "$ctl" --db "$db" counter add 9 九 Q >/dev/null
check $? "service Q, counter 9"
r=$(req "$dir/b" GET /api/session); t9=$(body "$r" | J "d['csrf']")
r=$(login "$dir/b" "$t9" "前台 Reception" 2580 9); t9=$(body "$r" | J "d['csrf']")
r=$(req "$dir/b" POST /api/call '{}' -H "X-CSRF-Token: $t9"); is "$(code "$r")" 409 "call with nobody waiting"
is "$(body "$r" | J "d['error']")" empty "empty named"
# cross-site with a valid session
r=$(req "$dir/a" POST /api/call '{}'); is "$(code "$r")" 403 "a change without the token"
r=$(req "$dir/a" POST /api/call '{}' -H "$H" -H "Sec-Fetch-Site: cross-site"); is "$(code "$r")" 403 "a change sent cross-site"
r=$(req "$dir/a" POST /api/call '{}' -H "$H" -H "Origin: http://evil.example"); is "$(code "$r")" 403 "a change from another origin"
r=$(req "$dir/a" POST /api/call '{}' -H "X-CSRF-Token: $t9"); is "$(code "$r")" 403 "another session's token"
r=$(req "$dir/a" GET /api/call); is "$(code "$r")" 405 "GET on an action"
r=$(req "$dir/a" POST /api/nothing '{}' -H "$H"); is "$(code "$r")" 404 "no such endpoint"
big=$(python3 -c "print('{\"service\":\"' + 'B' * 5000 + '\"}')")
r=$(req "$dir/a" POST /api/transfer "$big" -H "$H"); is "$(code "$r")" 413 "a body over the cap"

# ---- the audit log: staff name and counter on every action
"$ctl" --db "$db" export csv audit > "$dir/audit.csv"
for a in counter.login queue.call queue.recall queue.serve queue.finish queue.noshow queue.transfer counter.close counter.open; do
  grep -q "^[0-9]*,[0-9]*,前台 Reception,$a,counter 2," "$dir/audit.csv"; check $? "audit $a by staff at counter 2"
done
tr -d '\r' < "$dir/audit.csv" | grep -q "^[0-9]*,[0-9]*,前台 Reception,queue.call,counter 2,$lab\$"; check $? "audit names the ticket"

# ---- the queue and no personal data
r=$(req "$dir/a" GET /api/queue); is "$(code "$r")" 200 "GET /api/queue"
is "$(body "$r" | J "d['me']['counter']")" 2 "queue says who I am"
body "$r" | J "[s['code'] for s in d['services'] if s['code']=='B'][0]" | grep -q B; check $? "queue lists services"
body "$r" | J "[s for s in d['services'] if s['code']=='B'][0]['waiting']" | grep -q '^[1-9]'; check $? "B has waiting"
body "$r" | grep -q "张三秘密\|13900001234"; check "$(( 1 - $? ))" "a visitor's name or phone in /api/queue"

# ---- the stream: reconnect with Last-Event-ID misses nothing
# stream FILE [curl args]: reads the stream until its first state event (at
# most 60 s: a condition, not a time)
stream() {
  f=$1; shift
  curl -s -N -b "$dir/a" --max-time 60 "$@" "$url/api/events" > "$f" &
  sp=$!; i=0
  while [ $i -lt 3000 ] && ! grep -q "^event: state" "$f"; do sleep 0.02; i=$((i + 1)); done
  kill $sp 2>/dev/null; wait $sp 2>/dev/null
}
stream "$dir/ev1"
grep -q "^event: state" "$dir/ev1"; check $? "the stream sends the state"
cur=$(sed -n 's/^id: //p' "$dir/ev1" | tail -1); check "$([ -n "$cur" ]; echo $?)" "the stream's cursor"
grep -q "张三秘密\|13900001234" "$dir/ev1"; check "$(( 1 - $? ))" "personal data in the stream"
want=
for c in 1 3 4; do # made by another process while the page is away
  "$ctl" --db "$db" finish $c >/dev/null 2>&1
  l=$("$ctl" --db "$db" --json call $c | J "d['ticket']"); want="$want $c:$l"
done
"$ctl" --db "$db" recall 3 >/dev/null; want="$want 3:r"
stream "$dir/ev2" -H "Last-Event-ID: $cur"
got=$(sed -n 's/^data: {"id":[0-9]*,"ticket":"\([A-Z0-9]*\)","counter":\([0-9]*\),"recall":\(true\|false\).*/\2:\1:\3/p' "$dir/ev2" |
  awk -F: '{ printf " %s:%s", $1, ($3 == "true" ? "r" : $2) }')
is "$got" "$want" "the calls missed while away, in order"
grep -q "^event: state" "$dir/ev2"; check $? "and the state after them"
# a second page, live: a call made now reaches it
curl -s -N -b "$dir/a" --max-time 40 "$url/api/events" > "$dir/ev3" &
cpid=$!; i=0
while [ $i -lt 1500 ] && ! grep -q "^event: hello" "$dir/ev3"; do sleep 0.02; i=$((i + 1)); done
"$ctl" --db "$db" finish 1 >/dev/null 2>&1
l=$("$ctl" --db "$db" --json call 1 2>/dev/null | J "d['ticket']")
i=0 # the call's event, at most 30 s
while [ $i -lt 1500 ] && ! grep -q "\"ticket\":\"$l\",\"counter\":1" "$dir/ev3"; do sleep 0.02; i=$((i + 1)); done
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
grep -q "\"ticket\":\"$l\",\"counter\":1" "$dir/ev3"; check $? "a live call ($l) reached the open stream"
# logout ends the session
r=$(req "$dir/a" POST /api/logout '{}' -H "$H"); is "$(code "$r")" 200 "logout"
r=$(req "$dir/a" POST /api/call '{}' -H "$H"); is "$(code "$r")" 401 "after logout"
grep -q "前台 Reception,counter.logout,counter 2" "$("$ctl" --db "$db" export csv audit > "$dir/a2"; echo "$dir/a2")"
check $? "logout audited"

# ---- TLS beyond loopback (and on loopback with --tls)
start tls --listen 0.0.0.0:0
case $url in https://0.0.0.0:*) r=0 ;; *) r=1 ;; esac; check $r "TLS beyond loopback: $url"
port=${url##*:}
fp=$(sed -n 's/^frontdesk-counter: certificate SHA-256 //p' "$out")
[ -f "$db.counter-cert.pem" ] && [ -f "$db.counter-key.pem" ]; check $? "certificate made beside the store"
is "$(stat -c %a "$db.counter-key.pem")" 600 "the key is private"
ofp=$(openssl x509 -in "$db.counter-cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
is "$fp" "$ofp" "the printed fingerprint is the certificate's"
grep -q "^sha256 $fp\$" "$db.counter"; check $? "the fingerprint for the health page"
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; check "$([ $? != 0 ]; echo $?)" "no plain HTTP beyond loopback"
r=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/session"); is "$r" 200 "HTTPS answers"
curl -sk -D "$dir/th" -o /dev/null "https://127.0.0.1:$port/api/session"
grep -qi '^set-cookie:.*; Secure' "$dir/th"; check $? "the cookie is Secure under TLS"
grep -qi '^strict-transport-security' "$dir/th"; check $? "HSTS under TLS"
kill $last; wait $last 2>/dev/null
start tls2 --listen 0.0.0.0:0
fp2=$(sed -n 's/^frontdesk-counter: certificate SHA-256 //p' "$out")
is "$fp2" "$fp" "the certificate is kept across restarts"
kill $last; wait $last; check $? "clean exit on SIGTERM"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
