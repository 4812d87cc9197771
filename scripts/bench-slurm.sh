#!/usr/bin/env bash
# What isofold's Slurm backend costs over plain Slurm: the same N trivial tasks as N isofold attempts
# (--backend slurm, one sbatch job each, watched, judged, journalled) and as one `sbatch --array`, on
# the one-node Slurm of scripts/slurm-cluster.sh, in alternating rounds so that the machine's load
# (other builds on a shared box) falls on both alike. Prints each round's makespans, the medians,
# their ratio, and the machine's load.
#
# usage: scripts/bench-slurm.sh [ROUNDS]            (default 3)
#
# Environment:
#   BENCH_TASKS         tasks per round                                [100]
#   BENCH_MAX_RUNNING   isofold's --max-running                        [16]
#   ISOFOLD_SLURM_POLL  isofold's squeue interval (a duration)         [isofold's default, 1s]
#   BENCH_BASELINE_JAR  another build's isofold-supervisor.jar (with its lib/ beside it), timed in the
#                       same rounds as a third side: before/after figures under one and the same load
#
# Both sides run CPU jobs of one CPU (the test node has 8): the array's jobs all wait in the queue
# at once; isofold keeps at most --max-running queued. The array's end is seen by polling squeue
# every 0.2 s (sbatch --wait polls at growing intervals, which would be measured instead).
# Needs the supervisor jar (scripts/run.sh builds it) and root (for the cluster).
set -euo pipefail
# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C

ROUNDS=${1:-3}
TASKS=${BENCH_TASKS:-100}
MAX_RUNNING=${BENCH_MAX_RUNNING:-16}
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$home/supervisor/target/isofold-supervisor.jar
[ -f "$jar" ] || { echo "bench-slurm.sh: $jar is missing; run scripts/run.sh --help once to build it" >&2; exit 1; }

started_cluster=0
if ! "$home/scripts/slurm-cluster.sh" status >/dev/null 2>&1; then
  "$home/scripts/slurm-cluster.sh" start >&2
  started_cluster=1
fi
eval "$("$home/scripts/slurm-cluster.sh" env)"

work=$(mktemp -d /tmp/isofold-bench-slurm.XXXXXX)
cleanup() {
  rm -rf "$work"
  if [ "$started_cluster" = 1 ]; then "$home/scripts/slurm-cluster.sh" stop >&2 || true; fi
}
trap cleanup EXIT

# the task: write a valid result and exit, as fast as a worker can
task='printf "{\"metrics\":{\"x\":1}}\n" > "$ISOFOLD_RESULT"'

now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

isofold_round() { # ROUND [JAR]
  local out=$work/isofold-$1${2:+-baseline} t0 t1
  t0=$(now)
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx128m -Disofold.home="$home" -jar "${2:-$jar}" run \
    --out "$out" --backend slurm --gpus none --max-running "$MAX_RUNNING" --folds 2 --replicates "$TASKS" \
    -- /bin/sh -c "$task" >"$out.log" 2>&1 || {
      echo "bench-slurm.sh: the isofold run failed; its output:" >&2
      tail -20 "$out.log" >&2
      exit 1
    }
  t1=$(now)
  awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}'
}

array_round() {
  local dir=$work/array-$1 t0 t1 id left
  mkdir -p "$dir"
  t0=$(now)
  id=$(ISOFOLD_RESULT_DIR=$dir sbatch --parsable --job-name=bench-array --array=0-$((TASKS - 1)) -c 1 \
    --output=/dev/null --export=ALL \
    --wrap 'ISOFOLD_RESULT=$ISOFOLD_RESULT_DIR/$SLURM_ARRAY_TASK_ID.json; printf "{\"metrics\":{\"x\":1}}\n" > "$ISOFOLD_RESULT"')
  while :; do
    left=$(squeue -h -j "$id" -t PENDING,RUNNING,CONFIGURING,COMPLETING -o %i | wc -l)
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  t1=$(now)
  local done_n
  done_n=$(find "$dir" -name '*.json' | wc -l)
  [ "$done_n" = "$TASKS" ] || { echo "bench-slurm.sh: the array wrote $done_n of $TASKS results" >&2; exit 1; }
  awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "tasks per round: $TASKS; isofold --max-running $MAX_RUNNING, poll ${ISOFOLD_SLURM_POLL:-1s (default)}; $(nproc) cores"
echo "load before: $(load)"
baseline=${BENCH_BASELINE_JAR:-}
[ -z "$baseline" ] || [ -f "$baseline" ] || { echo "bench-slurm.sh: BENCH_BASELINE_JAR $baseline is missing" >&2; exit 1; }
[ -z "$baseline" ] || echo "baseline: $baseline, timed in the same rounds"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
iso=()
arr=()
base=()
for ((r = 1; r <= ROUNDS; r++)); do
  # rotate which goes first, so none always meets the warmer (or busier) machine
  sides=(array isofold)
  [ -z "$baseline" ] || sides+=(baseline)
  for ((k = 0; k < (r - 1) % ${#sides[@]}; k++)); do sides=("${sides[@]:1}" "${sides[0]}"); done
  for side in "${sides[@]}"; do
    case $side in
      array) a=$(array_round "$r") ;;
      isofold) i=$(isofold_round "$r") ;;
      baseline) b=$(isofold_round "$r" "$baseline") ;;
    esac
  done
  iso+=("$i"); arr+=("$a")
  line=$(printf 'round %d: array %6.2f s   isofold %6.2f s   ratio %s' "$r" "$a" "$i" "$(ratio "$i" "$a")")
  if [ -n "$baseline" ]; then
    base+=("$b")
    line+=$(printf '   baseline %6.2f s   ratio %s' "$b" "$(ratio "$b" "$a")")
  fi
  echo "$line   load $(load)"
done
mi=$(printf '%s\n' "${iso[@]}" | median)
ma=$(printf '%s\n' "${arr[@]}" | median)
printf 'median makespan: array %.2f s, isofold %.2f s; ratio %s (goal: at most 1.20)\n' "$ma" "$mi" "$(ratio "$mi" "$ma")"
if [ -n "$baseline" ]; then
  mb=$(printf '%s\n' "${base[@]}" | median)
  printf 'median makespan of the baseline: %.2f s; ratio %s\n' "$mb" "$(ratio "$mb" "$ma")"
fi
echo "load after: $(load)"
