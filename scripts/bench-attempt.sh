#!/usr/bin/env bash
# The CPU time of a built-in attempt, with the worker's memory and loading settings and with each turned
# off, side by side. Each variant is one run of N replicates of the mlp, 1 epoch, one CPU slot,
# --no-standby (so each attempt is one worker from its JVM's start to its exit), and its CPU time is the
# user + system time of run.sh and everything it started (bash's time), divided by N: the supervisor's
# share is in it, the same for every variant. Variants run in turn within each round, so all see the same
# load; the script prints each run, then the medians and the machine's load.
#
# The settings (WorkerCommand.builtIn, WorkerCommand.MALLOC_TUNABLES, worker NativeLoading), each turned
# off the way a user can: the worker's JVM options come after isofold's, and a GLIBC_TUNABLES of the
# user's replaces isofold's.
#   huge pages      -XX:+UseTransparentHugePages for the worker's heap (only where the kernel's setting
#                   is [madvise]; elsewhere the variants "defaults" and "no huge pages" are the same)
#   malloc          GLIBC_TUNABLES: glibc's heap in huge pages, kept rather than handed back
#   cuda11          no search for the CUDA 11 libraries TF Java's loader preloads and TF 2.18 never uses
#
# usage: scripts/bench-attempt.sh [ROUNDS] [N]     (defaults: 5 rounds, 4 replicates)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-5}
n=${2:-4}

"$home/scripts/run.sh" --version >/dev/null # build once, so no round pays for it

work=$(mktemp -d /tmp/isofold-bench-attempt.XXXXXX)
trap 'rm -rf "$work"' EXIT
unset CUDA_VISIBLE_DEVICES GLIBC_TUNABLES

. "$home/scripts/bench-lib.sh"

# label | GLIBC_TUNABLES (empty: isofold's) | worker JVM options
variants=(
  "defaults||"
  "no-huge-pages||-XX:-UseTransparentHugePages"
  "no-malloc|glibc.malloc.perturb=0|"
  "cuda11-search||-Dorg.bytedeco.javacpp.platform.extension=-gpu"
  "none-of-them|glibc.malloc.perturb=0|-XX:-UseTransparentHugePages -Dorg.bytedeco.javacpp.platform.extension=-gpu"
)

# one run; prints "CPU-per-attempt wall-per-attempt" in seconds
run() { # TUNABLES JVM-OPTIONS
  local out=$work/run cpu t0 t1
  rm -rf "$out"
  local -a env=() opts=()
  [ -n "$1" ] && env=(GLIBC_TUNABLES="$1")
  [ -n "$2" ] && opts=(--worker-jvm-opts "$2")
  t0=$(date +%s%N)
  cpu=$( { TIMEFORMAT='%U %S'; time env "${env[@]}" "$home/scripts/run.sh" run --out "$out" --model mlp --epochs 1 \
    --replicates "$n" --folds 5 --gpus none --no-standby "${opts[@]}" >/dev/null 2>"$work/err"; } 2>&1 ) \
    || { echo "bench-attempt: a run failed" >&2; cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  awk -v cpu="$cpu" -v w="$((t1 - t0))" -v n="$n" 'BEGIN { split(cpu, c, " "); printf "%.3f %.3f", (c[1] + c[2]) / n, w / 1e9 / n }'
}

echo "bench-attempt: $n replicates of the mlp per run, 1 epoch, 1 CPU slot, --no-standby; $rounds rounds; $(nproc) cores;" \
  "kernel huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
echo "load before: $(load)"
declare -A cpus walls
for r in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    IFS='|' read -r label tunables opts <<<"$v"
    read -r c w <<<"$(run "$tunables" "$opts")"
    cpus[$label]+="$c "
    walls[$label]+="$w "
    printf 'round %d: %-14s CPU per attempt %.3f s   wall per attempt %.3f s   load %s\n' "$r" "$label" "$c" "$w" "$(load)"
  done
done

echo
echo "medians over $rounds rounds, per attempt (CPU: user + system time of the run, supervisor included, / $n):"
base=$(median_of "${cpus[none-of-them]}")
for v in "${variants[@]}"; do
  label=${v%%|*}
  c=$(median_of "${cpus[$label]}")
  w=$(median_of "${walls[$label]}")
  awk -v l="$label" -v c="$c" -v w="$w" -v b="$base" 'BEGIN {
    printf "  %-14s CPU %.3f s (%.2f of none-of-them)   wall %.3f s\n", l, c, c / b, w }'
done
echo "load after: $(load)"
