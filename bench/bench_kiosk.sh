#!/bin/sh
# bench_kiosk.sh [BUILD_DIR] - the real kiosk program on the demo database,
# under Xvfb with the software renderer: time from exec to the first frame
# of the home screen, CPU used over 10 idle seconds (target: near zero),
# peak RSS with the CJK font loaded; the baseline is an exec of /bin/true in
# the same run. Then, in the same run, the toolkit's typing frame times
# (bench_ui) and the pinyin engine's keystroke-to-candidates times and memory
# (bench_ime), which the kiosk's keyboard is made of.
set -u
build=${1:-build/plain}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/fdbench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$build/app/ctl/frontdesk-ctl" --db "$dir/k.db" init --demo >/dev/null
cat > "$dir/run.sh" <<EOS
#!/bin/sh
start=\$(date +%s%N)
"$build/app/kiosk/frontdesk" --allow-root --db "$dir/k.db" --window 1920x1080 --report "$dir/report" &
pid=\$!
while ! grep -q '^end' "$dir/report" 2>/dev/null; do sleep 0.005; done
first=\$(date +%s%N)
echo "first frame of home: \$(( (first - start) / 1000000 )) ms after exec"
t0=\$(awk '{print \$14 + \$15}' /proc/\$pid/stat)
sleep 10
t1=\$(awk '{print \$14 + \$15}' /proc/\$pid/stat)
hz=\$(getconf CLK_TCK)
echo "CPU over 10 idle seconds: \$(( (t1 - t0) * 1000 / hz )) ms (clock ticks of 1/\$hz s: \$(( t1 - t0 )))"
echo "peak RSS with the CJK font: \$(awk '/VmHWM/ {print \$2 / 1024 " MiB"}' /proc/\$pid/status)"
kill -TERM \$pid; wait \$pid
b0=\$(date +%s%N); /bin/true; b1=\$(date +%s%N)
echo "baseline: exec of /bin/true \$(( (b1 - b0) / 1000 )) us"
EOS
sh "$here/tests/ui/run-xvfb.sh" sh "$dir/run.sh"
if [ -x "$build/bench/bench_ui" ]; then
  echo "--- the toolkit (bench_ui): typing frame times"
  sh "$here/tests/ui/run-xvfb.sh" "$build/bench/bench_ui" 10
fi
if [ -x "$build/bench/bench_ime" ]; then
  echo "--- pinyin (bench_ime): keystroke to candidates, memory"
  "$build/bench/bench_ime"
fi
