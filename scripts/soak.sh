#!/usr/bin/env bash
# Soak test (not in CI): N replicates on 4 fake GPUs x 2 workers with the chaos worker (about a third
# of first and second attempts hang, crash, leak memory, leave a detached grandchild or write garbage),
# the supervisor SIGKILLed K times at random moments and resumed each time. Then checks: exactly N
# results, each replicate completed exactly once, every attempt's processes gone.
#
# usage: scripts/soak.sh [N=1000] [KILLS=5] [SEED=random]
set -euo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-1000}" kills="${2:-5}" seed="${3:-$((RANDOM % 10000))}"
work="$(mktemp -d /tmp/isofold-soak.XXXXXX)"
out="$work/run"
resources="$home/supervisor/src/test/resources"
mkdir -p "$work/bin"
# the test suite's workers, made executable where the soak can run them
cp "$resources/chaosworker.sh" "$resources/testworker.sh" "$work/bin/"
chmod +x "$work/bin/chaosworker.sh" "$work/bin/testworker.sh"
"$home/scripts/fake-gpus.sh" "$work/bin" 4
export PATH="$work/bin:$PATH" CHAOS_SEED="$seed"
args=(--out "$out" --replicates "$n" --folds 5 --workers-per-gpu 2 --timeout 5s --max-memory 150m
      --kill-grace 2s --max-attempts 5 --attempt-budget $((3 * n)) -- "$work/bin/chaosworker.sh")

"$home/scripts/run.sh" --help >/dev/null # builds the jars if needed, outside the measurement
echo "soak: $n replicates, $kills supervisor kills, chaos seed $seed, in $work (load: $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s.%N)
for k in $(seq "$kills"); do
  if [ "$k" = 1 ]; then
    "$home/scripts/run.sh" "${args[@]}" >>"$work/console.log" 2>&1 &
  else
    "$home/scripts/run.sh" resume "$out" >>"$work/console.log" 2>&1 &
  fi
  pid=$!
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.1f", 4 + rand() * 12 }')"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    echo "soak: supervisor $pid SIGKILLed ($k of $kills), $(grep -c '"verdict":"completed"' "$out/journal.jsonl" || true) completed so far"
  else
    wait "$pid" || true
    echo "soak: the run ended before kill $k"
    break
  fi
done
status=0
"$home/scripts/run.sh" resume "$out" >>"$work/console.log" 2>&1 || status=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

rows=$(($(wc -l <"$out/results.csv") - 1))
distinct=$(tail -n +2 "$out/results.csv" | cut -d, -f1 | sort -u | wc -l)
twice=$(grep '"type":"end"' "$out/journal.jsonl" | grep '"verdict":"completed"' \
  | sed 's/.*"replicate":\([0-9]*\),.*/\1/' | sort | uniq -d | wc -l)
attempts=$(grep -c '"type":"end"' "$out/journal.jsonl")
verdicts=$(grep '"type":"end"' "$out/journal.jsonl" | sed 's/.*"verdict":"\([a-z-]*\)".*/\1/' | sort | uniq -c \
  | awk '{ printf "%s%s=%s", sep, $2, $1; sep=", " }')
left=0
for p in /proc/[0-9]*; do
  if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -q "^ISOFOLD_ATTEMPT_DIR=$out/"; then
    [ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" = Z ] || left=$((left + 1))
  fi
done
echo "soak: exit $status after ${took}s; results.csv $rows rows, $distinct distinct replicates," \
  "$twice completed twice; $attempts attempts ($verdicts); $left processes of the run left alive"
if [ "$status" = 0 ] && [ "$rows" = "$n" ] && [ "$distinct" = "$n" ] && [ "$twice" = 0 ] && [ "$left" = 0 ]; then
  echo "soak: PASS"
  rm -rf "$work"
else
  echo "soak: FAIL (kept $work)"
  exit 1
fi
