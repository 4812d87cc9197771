#!/usr/bin/env bash
# Standby benchmark: the dead time of each built-in attempt, with standby workers and without. As the
# issue measured it: N replicates (default 12) of the mlp on one CPU slot, --patience 10, once with 1 and
# once with 3 epochs; the run's time T(e) = N x (dead + e x epoch), so epoch = (T3 - T1) / 2N and dead =
# (3 T1 - T3) / 2N. Per round it runs the four runs back to back, standby and --no-standby alternating,
# and prints both run times (run.sh's wall clock, and the journal's first launch to last end) and each
# run's median attempt, from a standby's handoff or a worker's launch to its end (the journal's
# duration_s) and its CPU time (run.sh and all it started); then the medians, the dead time per attempt
# from each, the least dead time the machine's cores allow for that CPU time, and the machine's load.
#
# Read the figures with the machine in mind: on a CPU slot the standby's start-up (JVM, TensorFlow, data,
# the graph) competes for the same cores as the attempt it runs beside, so it can hide only what
# the cores have to spare. On a GPU machine the attempt runs on the GPU and the cores are free.
#
# usage: scripts/bench-standby.sh [ROUNDS] [N]     (defaults: 3 rounds, 12 replicates)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=${1:-3}
n=${2:-12}

"$home/scripts/run.sh" --version >/dev/null # build once, so no round pays for it

work=$(mktemp -d /tmp/isofold-bench-standby.XXXXXX)
trap 'rm -rf "$work"' EXIT
unset CUDA_VISIBLE_DEVICES

. "$home/scripts/bench-lib.sh"

# one run; prints "wall span" in seconds
run() { # MODE EPOCHS ROUND
  local out=$work/$1-$2-$3 opt=
  [ "$1" = off ] && opt=--no-standby
  local t0 t1 cpu
  t0=$(date +%s%N)
  # the CPU time of run.sh and every process it waited for (supervisor, workers, standbys), by bash's time
  cpu=$( { TIMEFORMAT='%U %S'; time "$home/scripts/run.sh" run --out "$out" --model mlp --epochs "$2" --patience 10 \
    --replicates "$n" --folds 5 --gpus none $opt >/dev/null 2>"$out.err"; } 2>&1 ) \
    || { echo "bench-standby: a run failed" >&2; cat "$out.err" >&2; exit 1; }
  t1=$(date +%s%N)
  local j=$out/journal.jsonl first last
  first=$(ns "$(grep -m1 '"type":"launch"' "$j" | sed 's/.*"time":"\([^"]*\)".*/\1/')")
  last=$(ns "$(grep '"type":"end"' "$j" | tail -1 | sed 's/.*"time":"\([^"]*\)".*/\1/')")
  # the median time from launch (or handoff) to end of the attempts a standby ran, and of the others
  local parts
  parts=$(awk '
    function field(name,   v) {
      if (!match($0, "\"" name "\":(\"[^\"]*\"|[0-9.]+)")) return ""
      v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3); gsub(/"/, "", v); return v
    }
    /"type":"launch"/ { key = field("replicate") "-" field("attempt"); standby[key] = (index($0, "\"standby_since\"") > 0) }
    /"type":"end"/ { key = field("replicate") "-" field("attempt"); print (standby[key] ? "s" : "f"), field("duration_s") }
  ' "$j" | sort -k1,1 -k2g | awk '
    { d[$1, ++n[$1]] = $2 }
    function med(k) { if (!n[k]) return "-"; return n[k] % 2 ? d[k, (n[k] + 1) / 2] : (d[k, n[k] / 2] + d[k, n[k] / 2 + 1]) / 2 }
    END { printf "%s %d %s %d", med("s"), n["s"], med("f"), n["f"] }')
  awk -v w="$((t1 - t0))" -v s="$((last - first))" -v parts="$parts" -v cpu="$cpu" 'BEGIN {
    split(cpu, c, " "); printf "%.2f %.2f %s %.2f", w / 1e9, s / 1e9, parts, c[1] + c[2] }'
  rm -rf "$out"
}

echo "bench-standby: $n replicates of the mlp, 1 CPU slot, --patience 10, 1 and 3 epochs, standby on/off; $rounds rounds; $(nproc) cores"
echo "load before: $(load)"
declare -A wall span cpus
for r in $(seq 1 "$rounds"); do
  for e in 1 3; do
    for m in on off; do
      read -r w s sb nsb fr nfr c <<<"$(run "$m" "$e" "$r")"
      wall[$m-$e]+="$w "
      span[$m-$e]+="$s "
      cpus[$m-$e]+="$c "
      printf 'round %d: standby %-3s %d epoch(s): run.sh %6.2f s   first launch to last end %6.2f s   attempt, median: %s s (%d from a standby) %s s (%d started for it)   CPU %6.2f s   load %s\n' \
        "$r" "$m" "$e" "$w" "$s" "$sb" "$nsb" "$fr" "$nfr" "$c" "$(load)"
    done
  done
done

echo
echo "medians over $rounds rounds (dead = (3 T1 - T3) / 2N, epoch = (T3 - T1) / 2N, per attempt):"
for m in on off; do
  for kind in wall span; do
    declare -n times=$kind
    t1=$(median_of "${times[$m-1]}")
    t3=$(median_of "${times[$m-3]}")
    awk -v m="$m" -v k="$kind" -v t1="$t1" -v t3="$t3" -v n="$n" 'BEGIN {
      printf "  standby %-3s %-4s T1 %6.2f s  T3 %6.2f s  epoch %.2f s  dead time per attempt %.2f s\n",
        m, (k == "wall" ? "run.sh" : "span"), t1, t3, (t3 - t1) / (2 * n), (3 * t1 - t3) / (2 * n) }'
  done
done
# What the cores allow: a run that needs C CPU-seconds per attempt cannot finish attempts faster than one
# every C / cores seconds, however the work overlaps; the dead time cannot go below that less the epoch.
echo "what the cores allow ($(nproc) cores; CPU = user + system time of run.sh and all it started, median):"
for m in on off; do
  c1=$(median_of "${cpus[$m-1]}")
  c3=$(median_of "${cpus[$m-3]}")
  t1=$(median_of "${span[$m-1]}")
  t3=$(median_of "${span[$m-3]}")
  awk -v m="$m" -v c1="$c1" -v c3="$c3" -v t1="$t1" -v t3="$t3" -v n="$n" -v k="$(nproc)" 'BEGIN {
    printf "  standby %-3s CPU per attempt %.2f s (1 epoch), %.2f s (3 epochs): at least %.2f s per attempt at 1 epoch, so dead time at least %.2f s\n",
      m, c1 / n, c3 / n, c1 / n / k, c1 / n / k - (t3 - t1) / (2 * n) }'
done
echo "load after: $(load)"
