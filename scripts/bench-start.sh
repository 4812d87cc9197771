#!/usr/bin/env bash
# Start-up benchmark: what a run pays before its first attempt, and what each attempt of the built-in
# worker pays before it trains; with and without the class-data archives (scripts/make-cds.sh) and the
# client compiler alone (-XX:TieredStopAtLevel=1). Variants run side by side, their order turned every
# round; prints each figure's median, its rounds, and the machine's load.
#
# usage: scripts/bench-start.sh [ROUNDS] [all|supervisor|worker] [BASELINE]   (defaults: 5 rounds, all)
#
#   BASELINE: another checkout of isofold (an older commit, say); its scripts/run.sh is measured in the
#     same rounds as this one's (figures marked "baseline"), so that both see the same machine load
#
#   supervisor fixed start: scripts/run.sh to the run's first journal line (run-start), and to its exit,
#     for a run of one trivial attempt (--gpus none, a command that writes its result); ISOFOLD_CDS=off
#     against the archives, and with the archives but without ensure-cuda.sh (ISOFOLD_CUDA_LIB set; run.sh
#     itself skips it where there is no /dev/nvidiactl); and its parts: ensure-package.sh, ensure-cuda.sh
#     (which run.sh starts only when their first checks fail), the supervisor JVM alone (--version)
#   worker: `java -jar isofold-worker.jar --list-devices` (JVM start, TensorFlow loaded, one line out);
#     one whole attempt (mlp, 1 epoch, the bundled data, no model saved): wall time, and the JVM's uptime
#     at its first progress line and at its first training step
set -euo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-5}
what=${2:-all}
baseline=${3:-}
if [ -n "$baseline" ]; then
  baseline=$(cd "$baseline" && pwd)
  [ -x "$baseline/scripts/run.sh" ] || { echo "bench-start: no $baseline/scripts/run.sh" >&2; exit 2; }
fi

# build and make the archives once, so no round pays for them
"$home/scripts/run.sh" --version >/dev/null
[ -z "$baseline" ] || "$baseline/scripts/run.sh" --version >/dev/null

work=$(mktemp -d /tmp/isofold-bench-start.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/trivial.sh" <<'WORKER'
#!/bin/sh
echo '{"metrics":{"val_accuracy":0.9}}' > "$1"
WORKER
chmod +x "$work/trivial.sh"
unset CUDA_VISIBLE_DEVICES

sup_jar=$home/supervisor/target/isofold-supervisor.jar
worker_jar=$home/worker/target/isofold-worker.jar
sup_opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k -Xms24m -Xmn16m -Xmx128m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30
  -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData)
quiet=(-Xshare:auto -Xlog:cds=off -Xlog:class+path=off)
sup_cds=(-XX:SharedArchiveFile="$home/supervisor/target/cds/supervisor.jsa" "${quiet[@]}")
worker_cds=(-XX:SharedArchiveFile="$home/worker/target/cds/worker.jsa" "${quiet[@]}")
for a in "$home/supervisor/target/cds/supervisor.jsa" "$home/worker/target/cds/worker.jsa"; do
  [ -f "$a" ] || { echo "bench-start: no $a (see supervisor/target/cds/make.log)" >&2; exit 1; }
done

now_ns() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
# the time of a journal line, in ns since the epoch
journal_ns() { date -d "$(sed -n "${2}s/.*\"time\":\"\([^\"]*\)\".*/\1/p" "$1")" +%s%N; }

declare -A fig # "name" -> "v1 v2 ..."
add() { fig[$1]="${fig[$1]:-}$2 "; }

run_sh() { # LABEL CDS(on|off) [ISOFOLD_CUDA_LIB (- for none) [CHECKOUT]]
  local out=$work/run-$RANDOM$RANDOM cuda=${3:-} s e
  [ "$cuda" != - ] || cuda=
  s=$(now_ns)
  ISOFOLD_CDS=$2 ISOFOLD_CUDA_LIB=$cuda "${4:-$home}/scripts/run.sh" run --out "$out" --folds 2 --replicates 1 --gpus none -- "$work/trivial.sh" '{result}' \
    >/dev/null 2>"$out.err" || { cat "$out.err" >&2; exit 1; }
  e=$(now_ns)
  add "run.sh to run-start line, $1" "$(ms "$s" "$(journal_ns "$out/journal.jsonl" 1)")"
  add "run.sh to exit (1 trivial attempt), $1" "$(ms "$s" "$e")"
  rm -rf "$out" "$out.err"
}

timed() { # NAME COMMAND...
  local name=$1 s e
  shift
  s=$(now_ns)
  "$@" >/dev/null 2>&1 || { echo "bench-start: failed: $*" >&2; exit 1; }
  e=$(now_ns)
  add "$name" "$(ms "$s" "$e")"
}

# a task for the whole-attempt figures: recorded once by a real run, then run again by hand
[ "$what" = supervisor ] || "$home/scripts/run.sh" run --out "$work/task-run" --folds 2 --replicates 1 --gpus none --model mlp --epochs 1 \
  --no-save-model >/dev/null 2>&1 || { echo "bench-start: the run that records a task failed" >&2; exit 1; }
attempt=$work/task-run/replicates/0/attempt-1
attempt_run() { # LABEL JVM OPTIONS...
  local label=$1 s e
  shift
  rm -f "$attempt/progress.jsonl" "$attempt/result.json"
  s=$(now_ns)
  ISOFOLD_TASK=$attempt/task.json ISOFOLD_THREADS=$(nproc) java "$@" -jar "$worker_jar" \
    >"$attempt/stdout.log" 2>"$attempt/stderr.log" || { echo "bench-start: the worker failed ($label)" >&2; exit 1; }
  e=$(now_ns)
  add "worker attempt wall, $label" "$(ms "$s" "$e")"
  add "worker uptime at first progress line, $label" \
    "$(sed -n '1s/.*"seconds":\([0-9.]*\).*/\1/p' "$attempt/progress.jsonl" | awk '{printf "%d", $1 * 1000}')"
  add "worker uptime at first step, $label" \
    "$(grep '"first step"' "$attempt/progress.jsonl" | sed 's/.*"seconds":\([0-9.]*\).*/\1/' | awk '{printf "%d", $1 * 1000}')"
}

supervisor_variants=(
  "run_sh no-cds off"
  "run_sh cds on"
  "run_sh cds,no-ensure-cuda on /nonexistent"
  "timed ensure-package.sh $home/scripts/ensure-package.sh default-jdk-headless java maven mvn util-linux setsid"
  "timed ensure-cuda.sh $home/scripts/ensure-cuda.sh"
  "timed supervisor-JVM-version,no-cds java ${sup_opts[*]} -jar $sup_jar --version"
  "timed supervisor-JVM-version,cds java ${sup_opts[*]} ${sup_cds[*]} -jar $sup_jar --version"
)
worker_variants=(
  "timed worker-list-devices,plain java -jar $worker_jar --list-devices"
  "timed worker-list-devices,cds java ${worker_cds[*]} -jar $worker_jar --list-devices"
  "timed worker-list-devices,C1 java -XX:TieredStopAtLevel=1 -jar $worker_jar --list-devices"
  "timed worker-list-devices,cds+C1 java ${worker_cds[*]} -XX:TieredStopAtLevel=1 -jar $worker_jar --list-devices"
  "attempt_run plain"
  "attempt_run cds ${worker_cds[*]}"
  "attempt_run C1 -XX:TieredStopAtLevel=1"
  "attempt_run cds+C1 ${worker_cds[*]} -XX:TieredStopAtLevel=1"
)
if [ -n "$baseline" ]; then
  # the baseline's run.sh as it is, and without ensure-cuda.sh, beside this checkout's "cds" ones
  supervisor_variants+=("run_sh baseline,cds on - $baseline" "run_sh baseline,cds,no-ensure-cuda on /nonexistent $baseline")
fi
case "$what" in
  all) variants=("${supervisor_variants[@]}" "${worker_variants[@]}") ;;
  supervisor) variants=("${supervisor_variants[@]}") ;;
  worker) variants=("${worker_variants[@]}") ;;
  *) echo "usage: scripts/bench-start.sh [ROUNDS] [all|supervisor|worker]" >&2; exit 2 ;;
esac

echo "bench-start: $rounds rounds, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "load before: $(uptime | sed 's/.*load average: //')"
n=${#variants[@]}
for r in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    # shellcheck disable=SC2086 # the variant lines are word lists by design (no spaces in their paths)
    ${variants[$(((i + r * 3) % n))]}
  done
  echo "round $r done; load $(uptime | sed 's/.*load average: //')"
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
printf '%-56s %8s   %s\n' "figure" "median" "rounds (ms)"
for name in $(printf '%s\n' "${!fig[@]}" | tr ' ' '\a' | sort); do
  name=${name//$'\a'/ }
  printf '%-56s %5s ms   %s\n' "$name" "$(echo "${fig[$name]}" | median)" "${fig[$name]}"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
