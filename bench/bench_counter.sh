#!/bin/sh
# bench_counter.sh [BUILD_DIR=build/plain] [N=200] - what the counter page's
# live feed costs and how fast it is, on a demo store with frontdesk-counter
# on loopback:
#  - a change -> its event at another page: N calls made through the API by
#    counter 2's session, each timed from before its POST to the arrival of
#    its "call" event on counter 3's stream (p50, p99); and N calls made by
#    another process (frontdesk-ctl), timed from the process's exit (its
#    commit) to the event: these are noticed by the PRAGMA data_version poll
#    (every 100 ms). Baseline in the same run: the POST's own round trip.
#  - the server's RSS and CPU while idle for 30 s: with no page
#    open (the watcher sleeps) and with 8 pages open (it polls), against the
#    same figures of the idle lobby display process on the same store
#    (`frontdesk --lobby` polls data_version every 250 ms), when Xvfb is
#    there. Prints figures and ratios; never fails on a figure.
set -u
# A fixed clock (FRONTDESK_NOW, read by core in every program): the demo's
# services are open and the business day does not turn over mid-test.
export FRONTDESK_NOW=1795399200
build=${1:-build/plain} n=${2:-200} secs=30
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
dir=$(mktemp -d /tmp/fdbcounter.XXXXXX)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$dir"' EXIT
ctl=$build/app/ctl/frontdesk-ctl
"$ctl" --db "$dir/k.db" init --demo >/dev/null || exit 1
# tickets for every call (frontdesk-ctl, one process each)
i=0; while [ $i -lt $((n * 2 + 10)) ]; do "$ctl" --db "$dir/k.db" ticket take A >/dev/null; i=$((i + 1)); done
"$build/app/counter/frontdesk-counter" --db "$dir/k.db" --listen 127.0.0.1:0 > "$dir/out" 2>/dev/null &
srv=$!; pids="$pids $srv"
i=0; while [ $i -lt 1500 ] && ! grep -q listening "$dir/out"; do sleep 0.02; i=$((i + 1)); done
url=$(sed -n 's/^frontdesk-counter: listening on //p' "$dir/out"); url=${url%/}
python3 - "$url" "$n" "$ctl" "$dir/k.db" "$srv" "$secs" <<'PY'
import http.client, json, os, socket, subprocess, sys, threading, time
url, n, ctl, db, srv, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
host, port = url.split('//')[1].split(':'); port = int(port)

class Session:
    def __init__(self, staff, pin, counter):
        self.cookie = ''
        j = self.req('GET', '/api/session')
        self.csrf = j['csrf']
        j = self.req('POST', '/api/login', {'staff': staff, 'pin': pin, 'counter': counter})
        self.csrf = j['csrf']
    def req(self, m, path, body=None):
        c = http.client.HTTPConnection(host, port, timeout=60)
        h = {'Cookie': self.cookie} if self.cookie else {}
        if body is not None:
            h['Content-Type'] = 'application/json'; h['X-CSRF-Token'] = self.csrf
        c.request(m, path, json.dumps(body) if body is not None else None, h)
        r = c.getresponse()
        sc = r.getheader('Set-Cookie')
        if sc: self.cookie = sc.split(';')[0]
        data = r.read(); c.close()
        return json.loads(data or b'{}')

socks = []
def stream(sess, on_event, ready):
    s = socket.create_connection((host, port))
    socks.append(s)
    s.sendall(f'GET /api/events HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {sess.cookie}\r\n\r\n'.encode())
    buf = b''
    while True:
        try: d = s.recv(65536)
        except OSError: return
        if not d: return
        buf += d
        while b'\n\n' in buf:
            ev, buf = buf.split(b'\n\n', 1)
            t = time.monotonic()
            if b'event: hello' in ev: ready.set()
            if b'event: call' in ev:
                data = ev.split(b'data: ', 1)[1].split(b'\r\n')[0]
                on_event(json.loads(data.decode(errors='replace').split('\n')[0]), t)

def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p / 100))]

a = Session('前台 Reception', '2580', 2)
b = Session('值班经理 Duty manager', '1234', 3)
arrived = {}
cv = threading.Condition()
def on_event(ev, t):
    with cv:
        arrived[ev['id']] = (ev['ticket'], ev['counter'], t); cv.notify_all()
ready = threading.Event()
threading.Thread(target=stream, args=(b, on_event, ready), daemon=True).start()
ready.wait(30)
def wait_for(label, counter):
    with cv:
        while True:
            for k, (l, c, t) in arrived.items():
                if l == label and c == counter: return t
            cv.wait(30)

rtt, via_api, via_ctl = [], [], []
a.req('POST', '/api/finish', {})
for i in range(n):
    t0 = time.monotonic()
    j = a.req('POST', '/api/call', {})
    t1 = time.monotonic()
    label = j['ticket']['ticket']
    te = wait_for(label, 2)
    rtt.append(t1 - t0); via_api.append(te - t0)
    a.req('POST', '/api/finish', {})
subprocess.run([ctl, '--db', db, 'finish', '4'], capture_output=True)
for i in range(n):
    subprocess.run([ctl, '--db', db, 'finish', '1'], capture_output=True)
    p = subprocess.run([ctl, '--db', db, '--json', 'call', '1'], capture_output=True, text=True)
    t0 = time.monotonic()
    label = json.loads(p.stdout)['ticket']
    te = wait_for(label, 1)
    via_ctl.append(te - t0)
ms = lambda x: x * 1000
print(f"baseline: POST /api/call round trip       p50 {ms(pct(rtt,50)):7.1f} ms  p99 {ms(pct(rtt,99)):7.1f} ms  (n={n})")
print(f"change through the API -> other page     p50 {ms(pct(via_api,50)):7.1f} ms  p99 {ms(pct(via_api,99)):7.1f} ms  "
      f"ratio to the round trip p50 {pct(via_api,50)/pct(rtt,50):.2f} p99 {pct(via_api,99)/pct(rtt,99):.2f}")
print(f"change by frontdesk-ctl -> page (poll)   p50 {ms(pct(via_ctl,50)):7.1f} ms  p99 {ms(pct(via_ctl,99)):7.1f} ms  "
      f"ratio to the round trip p50 {pct(via_ctl,50)/pct(rtt,50):.2f} p99 {pct(via_ctl,99)/pct(rtt,99):.2f}")

def cpu_ns(pid):
    # utime + stime of the whole process: threads that ended count too (a
    # sum over /proc/PID/task would lose them); in clock ticks
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1e9 / os.sysconf('SC_CLK_TCK')
def rss_kb(pid):
    for l in open(f'/proc/{pid}/status'):
        if l.startswith('VmRSS'): return int(l.split()[1])
def idle(pid):
    c0 = cpu_ns(pid); time.sleep(secs); return (cpu_ns(pid) - c0) / 1e9 / secs * 100
# the stream opened above ends: a measure with none, then with 8
for s in socks: s.shutdown(socket.SHUT_RDWR); s.close()
socks.clear()
time.sleep(16) # the server's stream thread notices at its next write (15 s ping)
print(f"idle, no page open:   server CPU {idle(srv):.3f} %  RSS {rss_kb(srv)/1024:.1f} MB")
sess = [Session('前台 Reception', '2580', 2) for _ in range(8)]
evs = [threading.Event() for _ in sess]
for s, e in zip(sess, evs):
    threading.Thread(target=stream, args=(s, lambda *x: None, e), daemon=True).start()
for e in evs: e.wait(30)
busy = idle(srv)
print(f"idle, 8 pages open:   server CPU {busy:.3f} %  RSS {rss_kb(srv)/1024:.1f} MB")
PY
# Baseline for the idle figures: the lobby display on the same store, idle.
if command -v Xvfb >/dev/null 2>&1; then
  cat > "$dir/lobby.sh" <<EOS
SDL_AUDIODRIVER=dummy "$build/app/kiosk/frontdesk" --allow-root --db "$dir/k.db" --lobby --window 1024x600 --report "$dir/rep" 2>/dev/null &
p=\$!
while ! grep -q '^screen lobby' "$dir/rep" 2>/dev/null; do sleep 0.05; done
sleep 2
c0=\$(awk '{print (\$14 + \$15) * 1e9 / '\$(getconf CLK_TCK)'}' /proc/\$p/stat)
sleep $secs
c1=\$(awk '{print (\$14 + \$15) * 1e9 / '\$(getconf CLK_TCK)'}' /proc/\$p/stat)
echo "baseline: the idle lobby display  CPU \$(echo "\$c0 \$c1" | awk '{printf "%.3f", (\$2 - \$1) / 1e9 / $secs * 100}') %  RSS \$(awk '/VmRSS/ {printf "%.1f", \$2 / 1024}' /proc/\$p/status) MB"
kill \$p; wait \$p
EOS
  sh "$here/tests/ui/run-xvfb.sh" sh "$dir/lobby.sh"
fi
