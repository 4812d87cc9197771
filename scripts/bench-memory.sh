#!/usr/bin/env bash
# Memory and scale of the supervisor (not in CI). Two measurements, printed with the machine's load:
#  1. N trivial replicates (default 20,000) on 4 fake GPUs x 2 workers through scripts/run.sh (its
#     128 MB heap): the supervisor's peak resident memory (VmHWM) and the run's time.
#  2. A journal of M attempts (default 100,000; the run's own journal, extended with completed
#     attempts): how long `status`, `report` and a `resume` (of the then complete run) take.
#
# usage: scripts/bench-memory.sh [N=20000] [M=100000]
set -euo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-20000}" m="${2:-100000}"
work="$(mktemp -d /tmp/isofold-memory.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
"$home/scripts/fake-gpus.sh" "$work/bin" 4
cat >"$work/bin/worker" <<'W'
#!/bin/sh
printf '{"metrics":{"accuracy":0.9%s,"loss":0.25,"f1":0.5}}\n' "$ISOFOLD_REPLICATE" >"$ISOFOLD_RESULT"
W
chmod +x "$work/bin/worker"
export PATH="$work/bin:$PATH"
"$home/scripts/run.sh" --help >/dev/null # builds the jars if needed, outside the measurement

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
out="$work/run"
start=$(date +%s.%N)
"$home/scripts/run.sh" --out "$out" --replicates "$n" --folds 5 --workers-per-gpu 2 -- "$work/bin/worker" \
  >"$work/console.log" 2>&1 &
launcher=$!
peak=0
while kill -0 "$launcher" 2>/dev/null; do
  pid=$(pgrep -f "^java .*isofold-supervisor.jar --out $out" | head -1 || true)
  if [ -n "$pid" ]; then
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
  fi
  sleep 0.5
done
wait "$launcher" && status=0 || status=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rows=$(($(wc -l <"$out/results.csv") - 1))
echo "1. $n trivial replicates: exit $status in ${took} s, results.csv $rows rows," \
  "supervisor peak RSS $((peak / 1024)) MB (last seen VmHWM), load $(cut -d' ' -f1-3 /proc/loadavg)"

# 2. extend the journal to M attempts: replicates N.. as launched and completed, as a run of M replicates
python3 - "$out" "$n" "$m" <<'PY'
import json, sys
out, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spec = json.load(open(out + "/run.json"))
spec["replicates"] = m
spec["attempt_budget"] = 2 * m
json.dump(spec, open(out + "/run.json", "w"), indent=2)
with open(out + "/journal.jsonl", "a") as j:
    for r in range(n, m):
        ident = {"replicate": r, "model": "custom", "index": r, "fold": r % 5, "shuffle": r // 5, "attempt": 1}
        j.write(json.dumps(dict(type="launch", time="2026-11-29T12:00:00Z", slot="gpu%d/0" % (r % 4),
                                gpu=str(r % 4), pid=1, sid=1, start_ticks=1, boot_id="old", **ident)) + "\n")
        j.write(json.dumps(dict(type="end", time="2026-11-29T12:00:01Z", exit_code=0, verdict="completed",
                                metrics={"accuracy": 0.9, "loss": 0.25, "f1": 0.5}, duration_s=1.0, **ident)) + "\n")
PY
lines=$(wc -l <"$out/journal.jsonl")
bytes=$(stat -c %s "$out/journal.jsonl")
timed() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "  ($* exited $?)"; awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
echo "2. journal of $m attempts ($lines lines, $((bytes / 1048576)) MB):" \
  "status $(timed "$home/scripts/run.sh" status "$out"), report $(timed "$home/scripts/run.sh" report "$out")," \
  "resume $(timed "$home/scripts/run.sh" resume "$out")"
