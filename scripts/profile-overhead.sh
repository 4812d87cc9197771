#!/usr/bin/env bash
# Where the supervisor's time per attempt goes: one run of N trivial attempts (default 2,000) on 4 fake
# GPU slots, as in bench-overhead.sh, with Java Flight Recorder sampling the supervisor's threads.
# Prints the run's time and the supervisor's CPU time per attempt (from /proc), then from the samples:
# the share of each thread, the hottest frames (self), and the isofold methods with their callees
# (inclusive), each as ms of CPU per attempt. Also the journal's view: per attempt, launch to end and
# end to the next launch on the same slot. Not a benchmark: JFR itself costs a little.
#
# usage: scripts/profile-overhead.sh [N] [KEEP_DIR]     (N default 2000; KEEP_DIR keeps the recording)
set -euo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=${1:-2000}
keep=${2:-}

"$home/scripts/ensure-package.sh" python3 python3
"$home/scripts/run.sh" --help >/dev/null # build outside the measurement

work=$(mktemp -d /tmp/isofold-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
"$home/scripts/fake-gpus.sh" "$work/bin" 4
cat > "$work/trivial.sh" <<'WORKER'
#!/bin/sh
echo '{"metrics":{"val_accuracy":0.9}}' > "$1"
WORKER
chmod +x "$work/trivial.sh"
export PATH="$work/bin:$PATH"
unset CUDA_VISIBLE_DEVICES

# run.sh's own options, plus room for the recorder, plus the recorder (10 ms Java samples, 20 ms native)
opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k -Xms24m -Xmn16m -Xmx256m"
opts="$opts -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=128m"
opts="$opts -XX:StartFlightRecording=filename=$work/run.jfr,settings=profile,dumponexit=true"
echo "profile-overhead: $n trivial attempts on 4 fake GPU slots, JFR on; load $(uptime | sed 's/.*load average: //')"
start=$(date +%s%N)
ISOFOLD_JAVA_OPTS="$opts" "$home/scripts/run.sh" run --out "$work/run" --folds 5 --replicates "$n" --gpus all \
  --timeout 60s --max-attempts 3 -- "$work/trivial.sh" '{result}' >/dev/null 2>"$work/err" &
runsh=$!
# the supervisor's CPU time: utime + stime of its JVM, read just before it exits
sleep 1
pid=$(pgrep -f -n "isofold-supervisor.jar run --out $work/run" || true)
cpu=""
while kill -0 "$runsh" 2>/dev/null; do
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "$cpu")
  sleep 0.2
done
wait "$runsh" || { cat "$work/err" >&2; exit 1; }
end=$(date +%s%N)
tck=$(getconf CLK_TCK)
echo "run: $(((end - start) / 1000000)) ms wall; supervisor JVM CPU (user+sys) $(awk -v c="${cpu:-0}" -v t="$tck" 'BEGIN {print c / t}') s, $(awk -v c="${cpu:-0}" -v t="$tck" -v n="$n" 'BEGIN {printf "%.2f", 1000 * c / t / n}') ms per attempt; load $(uptime | sed 's/.*load average: //')"
[ -n "$keep" ] && mkdir -p "$keep" && cp "$work/run.jfr" "$work/run/journal.jsonl" "$keep/"

jfr print --json --events jdk.ExecutionSample,jdk.NativeMethodSample "$work/run.jfr" > "$work/samples.json"
python3 - "$work/samples.json" "$work/run/journal.jsonl" "$n" <<'PY'
import json, sys, collections, datetime, statistics
samples = json.load(open(sys.argv[1]))["recording"]["events"]
n = int(sys.argv[3])
def frames(e):
    st = e["values"].get("stackTrace") or {}
    out = []
    for f in st.get("frames", []):
        m = f["method"]
        out.append(m["type"]["name"] + "." + m["name"])
    return out
java = [e for e in samples if e["type"] == "jdk.ExecutionSample"]
native = [e for e in samples if e["type"] == "jdk.NativeMethodSample"]
period_ms = 10.0  # settings=profile: one Java sample per running thread every 10 ms (native: 20 ms)
def thread(e):
    t = e["values"].get("sampledThread") or {}
    return (t.get("javaName") or t.get("osName") or "?")
print(f"\n{len(java)} Java samples (~{len(java) * period_ms / n:.2f} ms of CPU per attempt in Java code), {len(native)} native samples")
by_thread = collections.Counter(thread(e).rstrip("0123456789-") for e in java)
print("\nJava CPU by thread (ms per attempt):")
for t, c in by_thread.most_common(10):
    print(f"  {c * period_ms / n:7.3f}  {t}")
self_ = collections.Counter()
incl = collections.Counter()
for e in java:
    fs = frames(e)
    if fs:
        self_[fs[0]] += 1
    for f in set(fs):
        if f.startswith("io.isofold."):
            incl[f] += 1
print("\nhottest frames, self (ms per attempt):")
for f, c in self_.most_common(25):
    print(f"  {c * period_ms / n:7.3f}  {f}")
print("\nisofold methods, inclusive (ms per attempt):")
for f, c in incl.most_common(40):
    print(f"  {c * period_ms / n:7.3f}  {f}")
nat = collections.Counter()
for e in native:
    fs = frames(e)
    nat[(thread(e).rstrip("0123456789-"), fs[0] if fs else "?", next((f for f in fs if f.startswith("io.isofold.")), "-"))] += 1
print("\nthreads seen in native code (samples of 20 ms; waiting counts too):")
for (t, top, iso), c in nat.most_common(12):
    print(f"  {c:6d}  {t:28s} {top}  <- {iso}")

def ts(s):
    d, f = s.rstrip("Z").split(".")
    return datetime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp() + int(f.ljust(9, "0")[:9]) / 1e9
launch, last_end, spans, gaps = {}, {}, [], []
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e["type"] == "launch":
        if e["slot"] in last_end:
            gaps.append(ts(e["time"]) - last_end[e["slot"]])
        launch[(e["replicate"], e["attempt"])] = (ts(e["time"]), e["slot"])
    elif e["type"] == "end" and (e["replicate"], e["attempt"]) in launch:
        t0, slot = launch[(e["replicate"], e["attempt"])]
        spans.append(ts(e["time"]) - t0)
        last_end[slot] = ts(e["time"])
q = lambda xs, p: sorted(xs)[int(p * (len(xs) - 1))] * 1000
print(f"\njournal, per attempt: launch -> end median {q(spans, .5):.1f} ms (p90 {q(spans, .9):.1f}); "
      f"end -> next launch on the slot median {q(gaps, .5):.1f} ms (p90 {q(gaps, .9):.1f})")
PY
